package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/internal/linelimit"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
)

// usageModel is a service's load over time (see UsageSpec): the spec's
// figures that every minute reads for every service, copied into one
// cache line (64 bytes: a UsageSpec spans two, and the minute read both),
// and the rest behind more.
type usageModel struct {
	cycle, cpu, cpuPerRequest, requests, memoryPerTask, memory float64
	// curve is the daily cycle's cosine, shared by the models of one
	// peak hour; more is nil without steps, a trace or a series.
	curve *dailyCurve
	more  *usageMore
}

// usageMore is what a usage model rarely has.
type usageMore struct {
	steps  []scenario.LoadStep // sorted by At
	trace  []traceFactor       // sorted by at
	series *scenario.UsageSeries
}

// newModel returns the model of u with the daily curve and load trace
// given (either nil when u has none).
func newModel(u *scenario.UsageSpec, curve *dailyCurve, trace []traceFactor) *usageModel {
	m := &usageModel{cycle: u.DailyCycle, cpu: u.CPU, cpuPerRequest: u.CPUPerRequest, requests: u.RequestsPerSecond,
		memoryPerTask: u.MemoryPerTask, memory: u.Memory, curve: curve}
	if len(u.Steps) > 0 || len(trace) > 0 || u.Series != nil {
		m.more = &usageMore{steps: append([]scenario.LoadStep(nil), u.Steps...), trace: trace, series: u.Series}
		sort.SliceStable(m.more.steps, func(i, j int) bool { return m.more.steps[i].At < m.more.steps[j].At })
	}
	return m
}

// dailyCurve is the cosine of the daily cycle peaking at hour peak, kept
// for the last time asked: every usage model peaking at that hour reads
// it every minute, and math.Cos for each service was a twentieth of a
// planner's run. The value is the very expression load computed, so it
// is the same float64.
type dailyCurve struct {
	peak float64
	t    time.Duration
	cos  float64
	set  bool
}

// at returns the cosine of the cycle's phase at t.
func (c *dailyCurve) at(t time.Duration) float64 {
	if !c.set || c.t != t {
		c.t, c.cos, c.set = t, dailyCos(t, c.peak), true
	}
	return c.cos
}

// dailyCos is the plain computation dailyCurve keeps.
func dailyCos(t time.Duration, peak float64) float64 {
	return math.Cos(2 * math.Pi * (t.Hours() - peak) / 24)
}

// checkCurve fails the run when the kept cosine at t differs from the
// plain computation.
func (sv *services) checkCurve(st *svcState, t time.Duration) {
	if st.usage == nil || st.usage.cycle <= 0 {
		return
	}
	got, want := st.usage.curve.at(t), dailyCos(t, st.spec.Usage.PeakHour)
	if math.Float64bits(got) != math.Float64bits(want) {
		sv.fail(fmt.Errorf("sim: service %s: daily cycle at %v: kept %v, want %v", st.spec.Name, t, got, want))
	}
}

type traceFactor struct {
	at     time.Duration
	factor float64
}

func (c *core) newUsage(u *scenario.UsageSpec) (*usageModel, error) {
	key := math.Float64bits(u.PeakHour)
	curve := c.curves[key]
	if curve == nil {
		if c.curves == nil {
			c.curves = map[uint64]*dailyCurve{}
		}
		// The curves side by side, a few cache lines that stay warm.
		if len(c.curveSlab) == cap(c.curveSlab) {
			c.curveSlab = make([]dailyCurve, 0, 32)
		}
		c.curveSlab = append(c.curveSlab, dailyCurve{peak: u.PeakHour})
		curve = &c.curveSlab[len(c.curveSlab)-1]
		c.curves[key] = curve
	}
	var trace []traceFactor
	if u.Trace != nil {
		r, name, err := c.open(u.Trace.Path)
		if err != nil {
			return nil, err
		}
		if trace, err = readLoadTrace(r, name, u.Trace.Column); err != nil {
			return nil, err
		}
	}
	return newModel(u, curve, trace), nil
}

// readLoadTrace reads time_s,factor rows: the factor is column (a name
// from the header) or, when column is "", the second column, and then a
// first row that is not numeric is a header.
func readLoadTrace(r io.Reader, name, column string) ([]traceFactor, error) {
	cr := csv.NewReader(linelimit.New(r, linelimit.Max))
	cr.FieldsPerRecord = -1
	col := 1
	var out []traceFactor
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if line == 1 && column != "" {
			col = slices.IndexFunc(rec, func(h string) bool { return strings.TrimSpace(h) == column })
			if col < 1 {
				return nil, fmt.Errorf("%s:1: no column %q after the time column in the header %q", name, column, strings.Join(rec, ","))
			}
			continue
		}
		if len(rec) <= col {
			return nil, fmt.Errorf("%s:%d: %d fields, expected at least %d", name, line, len(rec), col+1)
		}
		at, err1 := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64)
		f, err2 := strconv.ParseFloat(strings.TrimSpace(rec[col]), 64)
		if err1 != nil || err2 != nil {
			if line == 1 {
				continue
			}
			return nil, fmt.Errorf("%s:%d: %q,%q: expected numbers (time_s and the factor)", name, line, rec[0], rec[col])
		}
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) || at < 0 || at > 1e9 || math.IsNaN(at) {
			return nil, fmt.Errorf("%s:%d: time %g, factor %g: expected non-negative finite values", name, line, at, f)
		}
		out = append(out, traceFactor{time.Duration(at * float64(time.Second)), f})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out, nil
}

// load returns the load factor at t.
func (m *usageModel) load(t time.Duration) float64 {
	f := 1.0
	if m.cycle > 0 {
		f *= 1 + m.cycle*m.curve.at(t)
	}
	if m.more == nil {
		return f // times the step factor without steps, 1
	}
	step := 1.0
	for _, st := range m.more.steps {
		if st.At > scenario.Duration(t) {
			break
		}
		step = st.Factor
	}
	f *= step
	if tr := m.more.trace; len(tr) > 0 {
		i := sort.Search(len(tr), func(i int) bool { return tr[i].at > t }) - 1
		if i >= 0 {
			f *= tr[i].factor
		} else {
			f *= tr[0].factor
		}
	}
	return f
}

// rps returns the requests per second at t: the series' when given, else
// RequestsPerSecond, times the load factor.
func (m *usageModel) rps(t time.Duration) float64 { return m.rpsAt(t, m.load(t)) }

// rpsAt is rps given the load factor at t, l: the minute's metrics
// compute it once.
func (m *usageModel) rpsAt(t time.Duration, l float64) float64 {
	if s := m.series(); s != nil {
		if v, ok := s.At(t, s.RequestsPerSecond); ok {
			return v * l
		}
	}
	return m.requests * l
}

// series returns the spec's series, nil without.
func (m *usageModel) series() *scenario.UsageSeries {
	if m.more == nil {
		return nil
	}
	return m.more.series
}

// serviceMetrics returns the service's CPU and memory utilization
// (percent of what its RUNNING tasks reserve) and requests per target per
// minute; ok is false without RUNNING tasks or a usage model (missing
// data).
func (st *svcState) serviceMetrics(now time.Duration) (cpu, mem, reqPerTarget float64, ok bool) {
	n, resCPU, resMem := st.runningReservation()
	return st.metricsOf(now, n, resCPU, resMem)
}

// runningReservation returns how many of the service's tasks are RUNNING
// and the CPU and memory they reserve, as running keeps them: every
// minute reads them for every service.
func (st *svcState) runningReservation() (n int, resCPU, resMem float64) {
	r := &st.running
	return r.n, float64(r.cpu), float64(r.mem)
}

// checkReservation fails the run when the kept reservation differs from
// the plain sum over the tasks.
func (sv *services) checkReservation(st *svcState) {
	var plain reservation
	for _, t := range st.tasks {
		if t.t.LastStatus == scheduler.Running {
			plain.add(t, 1)
		}
	}
	if plain != st.running {
		sv.fail(fmt.Errorf("sim: service %s: running reservation %+v, want %+v", st.spec.Name, st.running, plain))
	}
}

// reservation is the RUNNING tasks of a service and what they reserve,
// kept as tasks start RUNNING and leave. The sums are integers, so they
// are the float64 sums of the tasks' reservations in any order.
type reservation struct {
	n        int
	cpu, mem int64
}

// add counts t, RUNNING, in (sign 1) or out (-1).
func (r *reservation) add(t *svcTask, sign int) {
	r.n += sign
	r.cpu += int64(sign) * t.run.CPU
	r.mem += int64(sign) * t.run.MemoryMiB
}

// metricsOf is serviceMetrics for n RUNNING tasks reserving resCPU and
// resMem.
func (st *svcState) metricsOf(now time.Duration, n int, resCPU, resMem float64) (cpu, mem, reqPerTarget float64, ok bool) {
	if n == 0 || st.usage == nil {
		return 0, 0, 0, false
	}
	u := st.usage
	l := u.load(now)
	rps := u.rpsAt(now, l)
	usedCPU := u.cpu*l + rps*u.cpuPerRequest
	usedMem := u.memoryPerTask*float64(n) + u.memory*l
	if s := u.series(); s != nil {
		if v, ok := s.At(now, s.CPU); ok {
			usedCPU = v * l
		}
		if v, ok := s.At(now, s.Memory); ok {
			usedMem = v * l
		}
	}
	cpu, mem = percent(usedCPU, resCPU), percent(usedMem, resMem)
	return cpu, mem, rps * 60 / float64(n), true
}

// minute publishes the metrics, runs Application Auto Scaling and managed
// scaling, and records the timelines.
func (s *simulator) minute() {
	now := s.eng.Now()
	wall := s.wall()
	s.services.minutes++
	for _, st := range s.services.svcs {
		if selfCheck {
			s.services.checkReservation(st)
			s.services.checkCurve(st, now)
			if !st.daemon && st.desiredN != *st.base.DesiredCount {
				s.services.fail(fmt.Errorf("sim: service %s: desired count kept %d, want %d", st.spec.Name, st.desiredN, *st.base.DesiredCount))
			}
		}
		n, resCPU, resMem := st.runningReservation()
		if n < st.desired() {
			st.belowMinutes++
		}
		cpu, mem, req, ok := st.metricsOf(now, n, resCPU, resMem)
		if ok {
			st.record(metricCPU, wall, cpu)
			st.record(metricMemory, wall, mem)
			if len(st.groups) == 0 {
				st.record(metricRequestsPerTarget, wall, req) // the implicit target group
			}
		}
		if len(st.groups) > 0 {
			if count, per, ok := st.targetMetrics(now); ok {
				st.record(metricRequests, wall, count)
				st.record(metricRequestsPerTarget, wall, per)
			}
		}
		if st.scaler == nil {
			continue
		}
		st.sst.Capacity = st.desiredN
		p := st.state.Primary()
		deploying := p != nil && p.RolloutState == scheduler.InProgress
		from := st.sst.Capacity
		reason := s.services.evaluate(st, wall, deploying)
		if st.sst.Capacity != from {
			s.services.out.scaling(now, st.spec.Name, "service", from, st.sst.Capacity, reason)
			s.services.setDesired(st, st.sst.Capacity)
		}
	}
	s.providers.manage()
	if now%time.Duration(s.sc.SampleEvery) == 0 && !s.services.out.off {
		s.recordTimelines(now)
	}
}

// evaluate runs st's scaler at wall with the alarm windows it carries
// from minute to minute, changing st.sst in place (not copying it in and
// out every minute), and returns why the capacity changed. Under
// selfCheck the run fails unless the plain evaluation, which walks every
// period, agrees.
func (sv *services) evaluate(st *svcState, wall time.Time, deploying bool) string {
	// Only the scaling records read the reason: without them none is made.
	// Field by field, not a composite literal: the compiler builds that
	// in a temporary and copies it, and the copy's wide loads of the
	// temporary's narrow stores stalled (2% of a planner day).
	var in autoscale.Input
	in.Now, in.Source, in.Deploying, in.Windows, in.NoReason = wall, &st.series, deploying, &st.windows, sv.out.off
	var before autoscale.State
	if selfCheck {
		before = st.sst
	}
	why := st.scaler.EvaluateInPlace(&st.sst, &in)
	if selfCheck {
		in.Windows = nil
		if want, wantWhy := st.scaler.Evaluate(before, in); st.sst != want || why != wantWhy {
			sv.fail(fmt.Errorf("sim: service %s: evaluation with windows %+v %q, want %+v %q", st.spec.Name, st.sst, why, want, wantWhy))
		}
	}
	return why
}

// metric is one of the metrics the minute publishes, an index of
// svcState's reads and series.
type metric uint8

const (
	metricCPU metric = iota
	metricMemory
	metricRequestsPerTarget
	metricRequests
	metricKinds // how many there are
)

// metricNames are the metrics' names, as scalers read them.
var metricNames = [metricKinds]string{
	metricCPU:               string(autoscale.ECSServiceAverageCPUUtilization),
	metricMemory:            string(autoscale.ECSServiceAverageMemoryUtilization),
	metricRequestsPerTarget: string(autoscale.ALBRequestCountPerTarget),
	metricRequests:          autoscale.RequestCount,
}

// readsOf returns which metrics s reads.
func readsOf(s *autoscale.Scaler) (reads [metricKinds]bool) {
	for m, name := range metricNames {
		reads[m] = s.Reads(name)
	}
	return reads
}

// seriesByMetric is a service's recorded series, indexed by metric: the
// scaler reads them through it (an autoscale.MetricSource), not through
// a map by name, which took a map store and a look-up per service and
// minute.
type seriesByMetric [metricKinds]autoscale.Series

// Series returns the series of the metric named so, nil for a metric
// the minute does not publish.
func (ss *seriesByMetric) Series(name string) autoscale.Series {
	for m, n := range metricNames {
		if n == name {
			return ss[m]
		}
	}
	return nil
}

// record appends a datapoint, keeping at least the last st.keep (more
// than the longest alarm window of the service's policies). Only the
// scaler reads the series: a metric it does not read is not kept.
func (st *svcState) record(m metric, at time.Time, v float64) {
	if !st.reads[m] {
		return
	}
	ser := st.series[m]
	if ser == nil {
		ser = make([]autoscale.Sample, 0, 2*st.keep+1) // all the room it will take
	}
	if len(ser) >= 2*st.keep {
		ser = append(ser[:0], ser[len(ser)-st.keep:]...)
	}
	st.series[m] = append(ser, autoscale.Sample{Time: at, Value: v})
}

// recordTimelines samples each service and provider.
func (s *simulator) recordTimelines(now time.Duration) {
	// Every sample's room at once: appending would copy the whole timeline
	// each time it grows, about five times its size in all.
	out, n := s.services.out, int(s.sc.Duration/s.sc.SampleEvery)+1
	if out.services == nil && len(s.services.svcs) > 0 {
		out.services = make([]ServicePoint, 0, n*len(s.services.svcs))
	}
	if out.providers == nil && len(s.providers.provs) > 0 {
		out.providers = make([]ProviderPoint, 0, n*len(s.providers.provs))
	}
	for _, st := range s.services.svcs {
		run, pend := st.counts()
		cpu, mem, _, _ := st.serviceMetrics(now)
		s.services.out.services = append(s.services.out.services, ServicePoint{Time: now, Service: st.spec.Name, Desired: st.desired(), Running: run, Pending: pend,
			CPU: round2(cpu), Memory: round2(mem)})
	}
	for _, ps := range s.providers.provs {
		n := 0
		for _, m := range ps.members {
			if m.Status == placement.StatusActive || m.Status == placement.StatusDraining {
				n++
			}
		}
		s.services.out.providers = append(s.services.out.providers, ProviderPoint{Time: now, Provider: ps.spec.Name, Instances: n,
			Launching: len(ps.members) - n, Reservation: round2(ps.last.Reservation), Provisioning: s.providers.waitingTasks(ps)})
	}
}
