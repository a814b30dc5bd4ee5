package sim

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
	"gonum.org/v1/gonum/stat"
)

// Result is the outcome of one run.
type Result struct {
	Summary Summary
	// Series is the time series, one sample per SampleEvery.
	Series []Sample
	// ServiceEvents, Scaling, Services (one point per service per
	// SampleEvery) and Providers (one per provider) are the planner's
	// outputs, empty without services and capacity providers.
	ServiceEvents []ServiceEventRecord
	Scaling       []ScalingActivity
	Services      []ServicePoint
	Providers     []ProviderPoint
	// Events is how many events the run handled.
	Events int
}

// Summary is a run's figures, the row of the comparison table.
type Summary struct {
	Variant string `json:"variant"`
	// Tasks submitted; placed at some point; never placed (still waiting at
	// the end), by the reason of their last attempt ("QUEUED": waiting
	// behind the head of the FIFO queue without an attempt of its own).
	Submitted   int            `json:"submitted"`
	Placed      int            `json:"placed"`
	NeverPlaced int            `json:"neverPlaced"`
	ByReason    map[string]int `json:"neverPlacedByReason"`
	// Finished (exit 0), Failed (non-zero exit), Lost (their instance went
	// away) and still Running at the end.
	Finished int `json:"finished"`
	Failed   int `json:"failed"`
	Lost     int `json:"lost"`
	Running  int `json:"running"`
	// TimeToPlace percentiles over placed tasks, in seconds.
	TimeToPlace Percentiles `json:"timeToPlaceSeconds"`
	// Utilization of registered resources on live instances, percent.
	CPU    Level `json:"cpuUtilization"`
	Memory Level `json:"memoryUtilization"`
	GPU    Level `json:"gpuUtilization"`
	// InstancesInUse is the mean number of instances hosting a task.
	InstancesInUse float64 `json:"instancesInUse"`
	InstanceHours  float64 `json:"instanceHours"`
	Cost           float64 `json:"cost"`
	// CostUnknown is set when an instance of a type without a price
	// (scenario.Scenario.Unpriced: an import without prices) was
	// registered: Cost is then only that of the priced instances.
	CostUnknown bool `json:"costUnknown,omitempty"`
	// Stranded CPU and memory: free on live instances that none of the
	// waiting tasks can use, percent of registered, mean over the samples.
	StrandedCPU    float64 `json:"strandedCpuPercent"`
	StrandedMemory float64 `json:"strandedMemoryPercent"`
	// UnallocatedGPU is the mean share of GPU capacity not allocated,
	// percent (GPU fleets only).
	UnallocatedGPU float64 `json:"unallocatedGpuPercent"`
	// PeakInstances is the most instances registered at once (launching
	// and draining ones included, as for instance-hours).
	PeakInstances int `json:"peakInstances"`
	// WaitedPercent is the share of submitted tasks that were not placed
	// at their submission: placed later or never, percent.
	WaitedPercent float64 `json:"waitedPercent"`
	// InstanceTypes splits InstanceHours, Cost and PeakInstances by
	// instance type.
	InstanceTypes map[string]CapacityUse `json:"instanceTypes"`
	// Providers splits them by capacity provider ("fleet" for the fleet's
	// own instances, FARGATE and FARGATE_SPOT for Fargate tasks), for runs
	// with services or capacity providers.
	Providers map[string]CapacityUse `json:"providers,omitempty"`
	// CostByProvider splits Cost by capacity provider, as Providers does.
	CostByProvider map[string]float64 `json:"costByProvider,omitempty"`
	// Services are the figures of each service.
	Services []ServiceSummary `json:"services,omitempty"`
}

// CapacityUse is what one instance type or capacity provider's instances
// cost: hours registered, dollars, and the most registered at once.
type CapacityUse struct {
	InstanceHours float64 `json:"instanceHours"`
	Cost          float64 `json:"cost"`
	PeakInstances int     `json:"peakInstances"`
	// CostUnknown is set when some of the hours are of a type without a
	// price (see Summary.CostUnknown).
	CostUnknown bool `json:"costUnknown,omitempty"`
}

// Percentiles of a distribution.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// Level is a mean and a 95th percentile over the samples.
type Level struct {
	Mean float64 `json:"mean"`
	P95  float64 `json:"p95"`
}

// Sample is one point of the time series.
type Sample struct {
	Time            time.Duration
	CPU             float64 // utilization, percent
	Memory          float64
	GPU             float64
	InstancesActive int
	InstancesInUse  int
	Waiting         int
	StrandedCPU     float64 // percent of registered
	StrandedMemory  float64
}

// collector is the run's metrics: counts of standalone tasks as they are
// submitted, placed and finished, and a sample of the fleet every
// scenario.Scenario.SampleEvery. It reads the fleet and the waiting tasks
// and changes nothing.
type collector struct {
	fleet     *fleet
	tasks     *standalone
	submitted int
	waits     []float64
	finishedN int
	failedN   int
	lostN     int
	samples   []Sample
	hasGPU    bool
	// demand holds, per candidate of the sample being taken, its watch's
	// reasons by instance index.
	demand [][]placement.Reason
	// sums are what sample adds up over the instances, kept from the
	// cluster's journal (up to generation summed) with each instance's
	// part (parts, by instance index), so that a sample reads only the
	// instances changed since the last one.
	sums   fleetSums
	parts  []fleetSums
	summed uint64
}

// fleetSums are the figures sample adds up over the ACTIVE and DRAINING
// instances. They are integers: their sums in any order are the float64
// sums sample took in instance order while every partial sum is below
// 2^53, which holds while every part is below 2^32 (big says one is not)
// and there are at most 2^20 instances.
type fleetSums struct {
	active, inUse     int64
	regCPU, regMem    int64
	freeCPU, freeMem  int64
	gpuTotal, gpuFree int64
	big               int64 // parts at least 2^32 in magnitude
}

// partOf returns what in adds to the sums.
func partOf(in *placement.Instance) fleetSums {
	if in.Status != placement.StatusActive && in.Status != placement.StatusDraining {
		return fleetSums{}
	}
	p := fleetSums{active: 1, regCPU: in.Registered.CPU, regMem: in.Registered.MemoryMiB,
		freeCPU: in.Remaining.CPU, freeMem: in.Remaining.MemoryMiB}
	if in.RunningTasksCount > 0 {
		p.inUse = 1
	}
	for _, g := range in.Remaining.GPUs {
		p.gpuTotal += placement.GPUMilliPerDevice
		p.gpuFree += int64(g.FreeMilli)
	}
	for _, v := range []int64{p.regCPU, p.regMem, p.freeCPU, p.freeMem, p.gpuTotal, p.gpuFree} {
		if v >= 1<<32 || v <= -(1<<32) {
			p.big = 1
		}
	}
	return p
}

// add adds p to s (sign 1) or takes it away (-1).
func (s *fleetSums) add(p fleetSums, sign int64) {
	s.active += sign * p.active
	s.inUse += sign * p.inUse
	s.regCPU += sign * p.regCPU
	s.regMem += sign * p.regMem
	s.freeCPU += sign * p.freeCPU
	s.freeMem += sign * p.freeMem
	s.gpuTotal += sign * p.gpuTotal
	s.gpuFree += sign * p.gpuFree
	s.big += sign * p.big
}

// keptSums brings the sums up to date with the instances changed since
// they last were (all of them when the journal does not reach back) and
// reports whether they give sample's float64 sums exactly.
func (c *collector) keptSums() bool {
	cl := c.fleet.cluster
	all := cl.Instances()
	changed, now, ok := cl.Changes(c.summed)
	if !ok || len(changed) > len(all) {
		c.sums, c.parts, changed = fleetSums{}, c.parts[:0], nil
	}
	c.parts = slices.Grow(c.parts, len(all)-len(c.parts)) // at once, not by doubling
	for len(c.parts) < len(all) {
		p := partOf(all[len(c.parts)])
		c.parts = append(c.parts, p)
		c.sums.add(p, 1)
	}
	for _, i := range changed {
		p := partOf(all[i])
		c.sums.add(c.parts[i], -1)
		c.sums.add(p, 1)
		c.parts[i] = p
	}
	c.summed = now
	return c.sums.big == 0 && len(all) <= 1<<20
}

func newCollector(f *fleet, t *standalone) *collector { return &collector{fleet: f, tasks: t} }

func (c *collector) placed(t *task) {
	c.waits = append(c.waits, (t.placedAt - t.submitted).Seconds())
}

func (c *collector) finished(t *task, e *Exit) {
	switch {
	case isLost(e.Reason):
		c.lostN++
	case e.ExitCode != 0:
		c.failedN++
	default:
		c.finishedN++
	}
}

// sample records the cluster at now.
func (c *collector) sample(now time.Duration) {
	cands := c.waitingShapes()
	c.demand = c.demand[:0]
	for _, t := range cands {
		if w := c.tasks.watchFor(t); w != nil {
			c.demand = append(c.demand, w.Reasons())
		}
	}
	// Without waiting tasks nothing is stranded, and the sums need not
	// read every instance: they are kept (keptSums). Under selfCheck the
	// run fails unless reading every instance agrees.
	if c.keptSums() && len(cands) == 0 {
		k := c.sums
		sm := Sample{Time: now, Waiting: len(c.tasks.waiting), InstancesActive: int(k.active), InstancesInUse: int(k.inUse)}
		sm = withPercents(sm, float64(k.regCPU), float64(k.regMem), float64(k.freeCPU), float64(k.freeMem),
			float64(k.gpuTotal), float64(k.gpuFree), 0, 0)
		if selfCheck {
			if want, _ := c.scan(now, nil); sm != want {
				c.fleet.fail(fmt.Errorf("sim: sample at %v from the kept sums %+v, want %+v", now, sm, want))
			}
		}
		c.hasGPU = c.hasGPU || k.gpuTotal > 0
		c.samples = append(c.samples, sm)
		return
	}
	sm, gpu := c.scan(now, cands)
	clear(c.demand) // do not keep dropped watches' reasons
	c.hasGPU = c.hasGPU || gpu
	c.samples = append(c.samples, sm)
}

// scan returns the sample at now read from every instance, with the
// capacity stranded for cands, and whether the fleet has GPUs.
func (c *collector) scan(now time.Duration, cands []*task) (Sample, bool) {
	var regCPU, regMem, freeCPU, freeMem, gpuTotal, gpuFree float64
	sm := Sample{Time: now, Waiting: len(c.tasks.waiting)}
	var strCPU, strMem float64
	for _, in := range c.fleet.cluster.Instances() {
		if in.Status != placement.StatusActive && in.Status != placement.StatusDraining {
			continue
		}
		sm.InstancesActive++
		if in.RunningTasksCount > 0 {
			sm.InstancesInUse++
		}
		regCPU += float64(in.Registered.CPU)
		regMem += float64(in.Registered.MemoryMiB)
		freeCPU += float64(in.Remaining.CPU)
		freeMem += float64(in.Remaining.MemoryMiB)
		for _, g := range in.Remaining.GPUs {
			gpuTotal += placement.GPUMilliPerDevice
			gpuFree += float64(g.FreeMilli)
		}
		if len(cands) > 0 && in.Status == placement.StatusActive && !c.usable(in) {
			strCPU += float64(in.Remaining.CPU)
			strMem += float64(in.Remaining.MemoryMiB)
		}
	}
	return withPercents(sm, regCPU, regMem, freeCPU, freeMem, gpuTotal, gpuFree, strCPU, strMem), gpuTotal > 0
}

// withPercents returns sm with its percentages of the sums.
func withPercents(sm Sample, regCPU, regMem, freeCPU, freeMem, gpuTotal, gpuFree, strCPU, strMem float64) Sample {
	sm.CPU = percent(regCPU-freeCPU, regCPU)
	sm.Memory = percent(regMem-freeMem, regMem)
	sm.GPU = percent(gpuTotal-gpuFree, gpuTotal)
	sm.StrandedCPU = percent(strCPU, regCPU)
	sm.StrandedMemory = percent(strMem, regMem)
	return sm
}

// waitingShapes returns up to 8 waiting tasks of distinct requirements,
// in arrival order: the demand stranded capacity is measured against.
func (c *collector) waitingShapes() []*task {
	var out []*task
	for _, t := range c.tasks.waiting {
		dup := false
		for _, u := range out {
			dup = dup || (u.req.Group == t.req.Group && u.req.Task.CPU == t.req.Task.CPU &&
				u.req.Task.MemoryMiB == t.req.Task.MemoryMiB && u.req.Task.GPUs == t.req.Task.GPUs &&
				u.req.Task.GPUMilli == t.req.Task.GPUMilli && slices.Equal(u.spec.GPUModels, t.spec.GPUModels))
		}
		if !dup {
			out = append(out, t)
			if len(out) == 8 {
				break
			}
		}
	}
	return out
}

// usable reports whether one of the candidate tasks fits on in, from
// their watches, which re-checked only the instances changed since.
func (c *collector) usable(in *placement.Instance) bool {
	i := in.Index()
	for _, reasons := range c.demand {
		if reasons[i] == placement.ReasonNone {
			return true
		}
	}
	return false
}

func percent(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * part / whole
}

// finish computes the summary at the end of the run.
func (s *simulator) finish(v scenario.Variant) *Result {
	c := s.m
	sum := Summary{
		Variant:   v.String(),
		Submitted: c.submitted,
		Placed:    len(c.waits),
		Finished:  c.finishedN,
		Failed:    c.failedN,
		Lost:      c.lostN,
		Running:   len(s.tasks.running),
		ByReason:  map[string]int{},
	}
	if len(s.sc.Compare) == 0 && v.Name == "" && len(v.Strategies) == 0 {
		sum.Variant = s.sc.Workload.Placement.String()
	}
	for _, t := range s.tasks.waiting {
		sum.NeverPlaced++
		r := t.reason
		if r == "" {
			r = "QUEUED"
		}
		sum.ByReason[r]++
	}
	waits := slices.Clone(c.waits)
	slices.Sort(waits)
	sum.TimeToPlace = Percentiles{quantile(0.50, waits), quantile(0.95, waits), quantile(0.99, waits)}
	level := func(get func(Sample) float64) Level {
		xs := make([]float64, len(c.samples))
		for i, sm := range c.samples {
			xs[i] = get(sm)
		}
		mean := 0.0
		if len(xs) > 0 {
			mean = stat.Mean(xs, nil)
		}
		slices.Sort(xs)
		return Level{Mean: round2(mean), P95: round2(quantile(0.95, xs))}
	}
	sum.CPU = level(func(s Sample) float64 { return s.CPU })
	sum.Memory = level(func(s Sample) float64 { return s.Memory })
	if c.hasGPU {
		sum.GPU = level(func(s Sample) float64 { return s.GPU })
		sum.UnallocatedGPU = round2(100 - sum.GPU.Mean)
	}
	sum.InstancesInUse = round2(level(func(s Sample) float64 { return float64(s.InstancesInUse) }).Mean)
	sum.StrandedCPU = level(func(s Sample) float64 { return s.StrandedCPU }).Mean
	sum.StrandedMemory = level(func(s Sample) float64 { return s.StrandedMemory }).Mean
	waited := sum.NeverPlaced
	for _, w := range c.waits {
		if w > 0 {
			waited++
		}
	}
	sum.WaitedPercent = round2(percent(float64(waited), float64(sum.Submitted)))
	end := time.Duration(s.sc.Duration)
	for _, inf := range s.fleet.info {
		until := end
		if inf.removed >= 0 {
			until = inf.removed
		}
		h := (until - inf.added).Hours()
		sum.InstanceHours += h
		sum.Cost += h * inf.price
		sum.CostUnknown = sum.CostUnknown || h > 0 && s.sc.Unpriced(inf.typ.Name)
	}
	sum.InstanceHours = round2(sum.InstanceHours)
	sum.Cost = round2(sum.Cost)
	sum.PeakInstances = peak(s.fleet.info, func(*instanceInfo) bool { return true })
	sum.InstanceTypes = capacityUse(s.fleet.info, end, s.sc.Unpriced, func(inf *instanceInfo) string { return inf.typ.Name })
	if s.services != nil {
		sum.Providers = capacityUse(s.fleet.info, end, s.sc.Unpriced, instanceProvider)
	}
	return &Result{Summary: sum, Series: c.samples}
}

// quantile is the empirical quantile of sorted xs (0 when empty).
func quantile(p float64, xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return round2(stat.Quantile(p, stat.Empirical, xs, nil))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// instanceProvider names an instance's capacity provider: its own, or
// "fleet" for the fleet's instances.
func instanceProvider(inf *instanceInfo) string {
	if p := inf.attrs[scenario.ProviderAttribute]; p != "" {
		return p
	}
	return "fleet"
}

// capacityUse splits the instances' hours, cost and peak by key;
// unpriced says which instance types have no price.
func capacityUse(infos []*instanceInfo, end time.Duration, unpriced func(typ string) bool, key func(*instanceInfo) string) map[string]CapacityUse {
	out := map[string]CapacityUse{}
	for _, inf := range infos {
		until := end
		if inf.removed >= 0 {
			until = inf.removed
		}
		h := (until - inf.added).Hours()
		u := out[key(inf)]
		u.InstanceHours += h
		u.Cost += h * inf.price
		u.CostUnknown = u.CostUnknown || h > 0 && unpriced(inf.typ.Name)
		out[key(inf)] = u
	}
	for k, u := range out {
		u.InstanceHours, u.Cost = round2(u.InstanceHours), round2(u.Cost)
		u.PeakInstances = peak(infos, func(inf *instanceInfo) bool { return key(inf) == k })
		out[k] = u
	}
	return out
}

// peak is the most instances registered at once among those of infos
// that keep selects. An instance removed at the time another is added
// does not count with it.
func peak(infos []*instanceInfo, keep func(*instanceInfo) bool) int {
	type change struct {
		at    time.Duration
		delta int
	}
	var cs []change
	for _, inf := range infos {
		if !keep(inf) {
			continue
		}
		cs = append(cs, change{inf.added, 1})
		if inf.removed >= 0 {
			cs = append(cs, change{inf.removed, -1})
		}
	}
	slices.SortFunc(cs, func(a, b change) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return a.delta - b.delta // removals first
	})
	n, most := 0, 0
	for _, c := range cs {
		n += c.delta
		most = max(most, n)
	}
	return most
}
