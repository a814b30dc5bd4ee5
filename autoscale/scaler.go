package autoscale

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/berthsched/berth/fielderr"
)

// Policy is a PutScalingPolicy request: a name and exactly one
// configuration.
type Policy struct {
	PolicyName     string
	StepScaling    *StepScalingPolicy
	TargetTracking *TargetTrackingPolicy
}

// Validate reports the first invalid field, prefixed with the policy's
// name.
func (p *Policy) Validate() error {
	var err error
	switch {
	case p.PolicyName == "":
		return fieldErrorf("PolicyName", "missing")
	case p.StepScaling == nil && p.TargetTracking == nil:
		return fieldErrorf("", "policy %q: no StepScaling or TargetTracking configuration", p.PolicyName)
	case p.StepScaling != nil && p.TargetTracking != nil:
		return fieldErrorf("", "policy %q: both StepScaling and TargetTracking configurations, expected one", p.PolicyName)
	case p.StepScaling != nil:
		err = p.StepScaling.Validate()
	default:
		err = p.TargetTracking.Validate()
	}
	if err != nil {
		return fieldErrorf("", "policy %q: %w", p.PolicyName, fielderr.Inner(err))
	}
	return nil
}

// Scaler is a scalable target with its scaling policies and scheduled
// actions, the whole of Application Auto Scaling for one ECS service. It
// is a value: Evaluate reads it and never changes it, so a Scaler is safe
// for concurrent use once built. Call Validate before Evaluate.
type Scaler struct {
	Target           ScalableTarget
	Policies         []Policy
	ScheduledActions []ScheduledAction
}

// Lookback is how far before an evaluation's time the scaler reads
// metrics: the longest alarm window of its policies. An evaluation at now
// reads no sample at or before now minus Lookback, so a caller replaying a
// long timeline may drop those.
func (s *Scaler) Lookback() time.Duration {
	var d time.Duration
	window := func(a Alarm) { d = max(d, time.Duration(a.EvaluationPeriods)*a.period()) }
	for _, p := range s.Policies {
		if p.StepScaling != nil {
			window(p.StepScaling.Alarm)
		}
		if p.TargetTracking != nil {
			high, low := p.TargetTracking.Alarms()
			window(high)
			window(low)
		}
	}
	return d
}

// Reads reports whether Evaluate reads the metric: whether a policy's
// alarm is on it. A caller may publish only the metrics it reads.
func (s *Scaler) Reads(metric string) bool {
	for _, p := range s.Policies {
		if p.StepScaling != nil && p.StepScaling.Alarm.MetricName == metric ||
			p.TargetTracking != nil && p.TargetTracking.MetricName() == metric {
			return true
		}
	}
	return false
}

// Validate checks the target, every policy and scheduled action, the
// quotas (docs/ecs-behaviour.md 4.1) and that names are unique.
func (s *Scaler) Validate() error {
	if err := s.Target.Validate(); err != nil {
		return err
	}
	if len(s.Policies) > MaxPoliciesPerTarget {
		return fieldErrorf("Policies", "%d policies on one target, expected at most %d", len(s.Policies), MaxPoliciesPerTarget)
	}
	if len(s.ScheduledActions) > MaxScheduledActionsPerTarget {
		return fieldErrorf("ScheduledActions", "%d actions on one target, expected at most %d", len(s.ScheduledActions), MaxScheduledActionsPerTarget)
	}
	seen := map[string]bool{}
	for i := range s.Policies {
		p := &s.Policies[i]
		if err := p.Validate(); err != nil {
			return err
		}
		if seen[p.PolicyName] {
			return fieldErrorf("", "policy %q: PolicyName is used twice", p.PolicyName)
		}
		seen[p.PolicyName] = true
	}
	clear(seen)
	for i := range s.ScheduledActions {
		a := &s.ScheduledActions[i]
		if err := a.Validate(); err != nil {
			return err
		}
		if seen[a.ScheduledActionName] {
			return fieldErrorf("", "scheduled action %q: ScheduledActionName is used twice", a.ScheduledActionName)
		}
		seen[a.ScheduledActionName] = true
	}
	return nil
}

// State is what Evaluate carries from one evaluation to the next: the
// capacity, the bounds as scheduled actions left them, and the last
// scaling activities that cooldowns read. It is a plain value.
type State struct {
	// Capacity is the service's desired count. A caller may change it
	// between evaluations, as UpdateService does; it may then lie outside
	// [MinCapacity, MaxCapacity] (docs/ecs-behaviour.md 4.1).
	Capacity int
	// MinCapacity and MaxCapacity are the target's current bounds.
	MinCapacity, MaxCapacity int
	// Start is the time of the first evaluation: rate() schedules without
	// a StartTime count from it.
	Start time.Time
	// Evaluated is the time of the last evaluation; scheduled actions run
	// for occurrences after it. Zero before the first.
	Evaluated time.Time
	// ScaleOutCooldownEnd is when the scale-out cooldown ends, and
	// ScaleOutBase the capacity before the scale-out that started it:
	// scale-outs in the cooldown are computed from that base and act only
	// when they ask for more than the current capacity.
	ScaleOutCooldownEnd time.Time
	ScaleOutBase        int
	// ScaleInCooldownEnd is when the scale-in cooldown ends. A scale-out
	// ends it at once.
	ScaleInCooldownEnd time.Time
}

// Start returns the state of a newly registered target whose service has
// the given desired count, which registering moves inside [MinCapacity,
// MaxCapacity] (docs/ecs-behaviour.md 4.1). The first Evaluate sets its times.
func (s *Scaler) Start(capacity int) State {
	return State{
		Capacity:    s.Target.Clamp(capacity),
		MinCapacity: s.Target.MinCapacity,
		MaxCapacity: s.Target.MaxCapacity,
	}
}

// Input is what Evaluate reads besides the state.
type Input struct {
	// Now is the evaluation time, normally the end of a datapoint period.
	Now time.Time
	// Metrics holds the samples of every metric the policies read.
	// A metric that is absent or has no samples in a window is missing
	// data, which never scales.
	Metrics Metrics
	// Source, when not nil, is read instead of Metrics. A caller that
	// keeps its series elsewhere, as a simulator does in an array by
	// metric, then need not store each in a map for Evaluate to look it
	// up again, every minute for every target.
	Source MetricSource
	// Deploying reports an ECS deployment in progress, during which
	// scale-in is switched off (docs/ecs-behaviour.md 4.1, case 75).
	Deploying bool
	// Windows, when set, keeps the target-tracking alarms' datapoints
	// from one evaluation to the next (see Windows); Evaluate updates it.
	// It changes how much an evaluation reads, never its result.
	Windows *Windows
	// NoReason says the caller does not read why the capacity changed:
	// Evaluate then returns "" for it and formats nothing, which is most
	// of what an evaluation that scales allocates. The state it returns
	// is the same.
	NoReason bool
}

// series returns the samples of the metric from in.Source, or else
// in.Metrics.
func (in *Input) series(metric string) Series {
	if in.Source != nil {
		return in.Source.Series(metric)
	}
	return in.Metrics[metric]
}

// Evaluate runs one evaluation at in.Now: the scheduled actions whose
// occurrences fall after st.Evaluated (in time order, then in the order
// given), then every policy whose alarm is in ALARM. It returns the new
// state and why the capacity changed ("" when it did not, or with
// in.NoReason).
//
// Policies combine as target tracking does (docs/ecs-behaviour.md 4.2): scale out if any
// policy asks to, to the largest capacity asked for; otherwise scale in
// to the largest capacity asked for by the step policies and, when every
// target-tracking policy with scale-in enabled agrees, by those.
func (s *Scaler) Evaluate(st State, in Input) (State, string) {
	why := s.EvaluateInPlace(&st, &in)
	return st, why
}

// EvaluateInPlace is Evaluate changing *st to the new state, reading *in
// (which it does not change, but for what in.Windows points to). A
// caller that evaluates many targets every minute, as a simulator does,
// saves copying both at every call: a State is 128 bytes.
func (s *Scaler) EvaluateInPlace(st *State, in *Input) (why string) {
	var reasons []string
	add := &reasons
	if in.NoReason {
		add = nil
	}
	s.runScheduled(st, in.Now, add)
	s.runPolicies(st, in, add)
	if len(reasons) == 0 {
		return ""
	}
	return strings.Join(reasons, "; ")
}

// runScheduled runs the scheduled actions due by now, appending why the
// capacity changed to *why unless why is nil.
func (s *Scaler) runScheduled(st *State, now time.Time, why *[]string) {
	if st.Start.IsZero() {
		st.Start = now
		st.Evaluated = now.Add(-time.Nanosecond) // an action due at the first evaluation runs
	}
	after := st.Evaluated
	later := now.After(after)
	if later {
		st.Evaluated = now
	}
	if !later || len(s.ScheduledActions) == 0 || s.Target.SuspendedState.ScheduledScalingSuspended {
		return
	}
	type due struct {
		at time.Time
		i  int
	}
	var dues []due
	for i := range s.ScheduledActions {
		if t, ok := s.ScheduledActions[i].next(after, st.Start); ok && !t.After(now) {
			dues = append(dues, due{t, i})
		}
	}
	sort.SliceStable(dues, func(a, b int) bool { return dues[a].at.Before(dues[b].at) })
	for _, d := range dues {
		a := &s.ScheduledActions[d.i]
		t := ScalableTarget{MinCapacity: st.MinCapacity, MaxCapacity: st.MaxCapacity}
		t, c, err := t.Apply(a.ScalableTargetAction, st.Capacity)
		if err != nil {
			// The action failed, as AAS records a Failed activity; the
			// target keeps its bounds.
			continue
		}
		if c != st.Capacity && why != nil {
			*why = append(*why, fmt.Sprintf("scheduled action %s (%s): %d -> %d", a.ScheduledActionName, a.ScalableTargetAction, st.Capacity, c))
		}
		st.MinCapacity, st.MaxCapacity, st.Capacity = t.MinCapacity, t.MaxCapacity, c
	}
}

// String formats the action as "MinCapacity 5 MaxCapacity 10".
func (a ScalableTargetAction) String() string {
	var parts []string
	if a.MinCapacity != nil {
		parts = append(parts, fmt.Sprintf("MinCapacity %d", *a.MinCapacity))
	}
	if a.MaxCapacity != nil {
		parts = append(parts, fmt.Sprintf("MaxCapacity %d", *a.MaxCapacity))
	}
	return strings.Join(parts, " ")
}

// proposal is one policy's wish at one evaluation (none unless ok). Its
// reason is formatted only for the wish acted upon: most are not (a
// scale-in asked every minute of its cooldown), and formatting each was
// most of an evaluation's allocations.
type proposal struct {
	ok       bool
	capacity int
	cooldown time.Duration
	// What the reason says: the policy (track or step, with the step
	// adjustment taken), the metric's value, and the capacity before and
	// the one the policy counted from (from != cur: in the scale-out
	// cooldown).
	name      string
	track     *TargetTrackingPolicy
	step      *StepScalingPolicy
	adj       StepAdjustment
	v         float64
	cur, from int
	out       bool
}

// reason says why the capacity changed.
func (pr *proposal) reason() string {
	var r string
	switch {
	case pr.step != nil:
		p := pr.step
		r = fmt.Sprintf("policy %s: %s %s %s -> %s %+d: %d -> %d", pr.name, p.Alarm.MetricName, fmtFloat(pr.v),
			stepRange(p, pr.adj), p.AdjustmentType, pr.adj.ScalingAdjustment, pr.cur, pr.capacity)
	case pr.out:
		p := pr.track
		r = fmt.Sprintf("policy %s: %s %s above target %s: %d -> %d", pr.name, p.MetricName(), fmtFloat(pr.v), fmtFloat(p.TargetValue), pr.cur, pr.capacity)
	default:
		p := pr.track
		return fmt.Sprintf("policy %s: %s at most %s below target %s: %d -> %d", pr.name, p.MetricName(), fmtFloat(pr.v), fmtFloat(p.TargetValue), pr.cur, pr.capacity)
	}
	if pr.out && pr.from != pr.cur {
		r += fmt.Sprintf(" (in scale-out cooldown: from %d)", pr.from)
	}
	return r
}

// runPolicies runs the scaling policies, appending why the capacity
// changed to *why unless why is nil.
func (s *Scaler) runPolicies(st *State, in *Input, why *[]string) {
	cur := st.Capacity
	inOutCooldown := in.Now.Before(st.ScaleOutCooldownEnd)
	outBase := cur
	if inOutCooldown {
		outBase = st.ScaleOutBase
	}
	susp := s.Target.SuspendedState
	// A scale-in acts only when inActs; when it does not, the
	// target-tracking policies need not work out their scale-in wishes
	// (the peak of the low window), as most minutes of a scale-in
	// cooldown, or of a service at its minimum, would. At or below the
	// minimum no policy can scale in: bounded gives no capacity below
	// MinCapacity.
	inActs := !susp.DynamicScalingInSuspended && !in.Deploying && !in.Now.Before(st.ScaleInCooldownEnd)
	// The evaluation without Windows works out every wish: it is the
	// plain one that tests and the simulator's self-check compare with.
	withIn := inActs && cur > st.MinCapacity || in.Windows == nil
	var out, scaleIn, ttIn proposal
	ttInAll, ttInEnabled := true, 0
	for i := range s.Policies {
		p := &s.Policies[i]
		switch {
		case p.StepScaling != nil:
			s.stepProposal(p.PolicyName, p.StepScaling, st, outBase, in, &out, &scaleIn)
		case p.TargetTracking != nil:
			wished := s.trackingProposal(i, p.TargetTracking, st, outBase, in, withIn, &out, &ttIn)
			if !p.TargetTracking.DisableScaleIn {
				ttInEnabled++
				ttInAll = ttInAll && wished
			}
		}
	}
	if ttInEnabled > 0 && ttInAll {
		scaleIn.pick(&ttIn)
	}
	switch {
	case out.ok && !susp.DynamicScalingOutSuspended:
		if !inOutCooldown {
			st.ScaleOutBase = cur
			st.ScaleOutCooldownEnd = in.Now.Add(out.cooldown)
		}
		st.ScaleInCooldownEnd = time.Time{}
		st.Capacity = out.capacity
		if why != nil {
			*why = append(*why, out.reason())
		}
	case out.ok:
		// Suspended: a wish to scale out still vetoes scale-in.
	case scaleIn.ok && inActs:
		st.ScaleInCooldownEnd = in.Now.Add(scaleIn.cooldown)
		st.Capacity = scaleIn.capacity
		if why != nil {
			*why = append(*why, scaleIn.reason())
		}
	}
}

// pick makes p the best wish when there is none yet or p asks for more;
// on a tie the first stays.
func (best *proposal) pick(p *proposal) {
	if p.ok && (!best.ok || p.capacity > best.capacity) {
		*best = *p
	}
}

// bounded returns the capacity a policy reaches from capacity cur with
// the target's bounds applied (docs/ecs-behaviour.md 4.1): a scale-out starts from at
// least the minimum and does nothing above the maximum; a scale-in
// starts from at most the maximum and does nothing below the minimum.
func bounded(st *State, out bool, base int, fn func(base int) int) (int, bool) {
	cur := st.Capacity
	if out {
		if cur > st.MaxCapacity {
			return cur, false
		}
		c := clamp(fn(max(base, st.MinCapacity)), st.MinCapacity, st.MaxCapacity)
		return c, c > cur
	}
	if cur < st.MinCapacity {
		return cur, false
	}
	c := clamp(fn(min(base, st.MaxCapacity)), st.MinCapacity, st.MaxCapacity)
	return c, c < cur
}

// stepProposal offers the policy's wish, if any, to out or scaleIn.
func (s *Scaler) stepProposal(name string, p *StepScalingPolicy, st *State, outBase int, in *Input, out, scaleIn *proposal) {
	series := in.series(p.Alarm.MetricName)
	if p.Alarm.State(series, in.Now) != StateAlarm {
		return
	}
	v, ok := p.aggregate(series, in.Now)
	if !ok {
		return
	}
	step, ok := p.Step(v)
	if !ok {
		return
	}
	cur := st.Capacity
	base := clamp(cur, st.MinCapacity, st.MaxCapacity)
	delta := p.Capacity(base, step.ScalingAdjustment) - base
	if p.AdjustmentType == ExactCapacity {
		delta = step.ScalingAdjustment - cur
	}
	if delta == 0 {
		return
	}
	isOut := delta > 0
	from := base
	if isOut {
		from = outBase
	}
	c, ok := bounded(st, isOut, from, func(b int) int { return p.Capacity(b, step.ScalingAdjustment) })
	if !ok {
		return
	}
	pr := proposal{ok: true, capacity: c, cooldown: p.cooldown(), name: name, step: p, adj: step, v: v, cur: cur, from: from, out: isOut}
	if isOut {
		out.pick(&pr)
	} else {
		scaleIn.pick(&pr)
	}
}

// stepRange formats the metric range a step covers, such as "in step 60..70".
func stepRange(p *StepScalingPolicy, s StepAdjustment) string {
	lo, hi := "-inf", "+inf"
	if s.MetricIntervalLowerBound != nil {
		lo = fmtFloat(p.Alarm.Threshold + *s.MetricIntervalLowerBound)
	}
	if s.MetricIntervalUpperBound != nil {
		hi = fmtFloat(p.Alarm.Threshold + *s.MetricIntervalUpperBound)
	}
	return "in step " + lo + ".." + hi
}

func fmtFloat(f float64) string { return fmt.Sprintf("%.4g", f) }

// trackingProposal offers policy i's wish to scale out to out and, with
// withIn, its wish to scale in to scaleIn; it reports whether it had the
// latter.
func (s *Scaler) trackingProposal(i int, p *TargetTrackingPolicy, st *State, outBase int, in *Input, withIn bool, out, scaleIn *proposal) bool {
	name := s.Policies[i].PolicyName
	cur := st.Capacity
	var hiAlarm, loAlarm bool
	var latest, peak float64
	var w *trackWindow
	if in.Windows != nil {
		w = in.Windows.policy(i, len(s.Policies))
		high, low := w.alarms(p)
		series := in.series(high.MetricName)
		hiAlarm, loAlarm, latest = w.scan(high, low, !p.DisableScaleIn, series, in.Now)
	} else {
		high, low := p.Alarms()
		hiAlarm, loAlarm, latest, peak = trackingScan(high, low, !p.DisableScaleIn, in.series(p.MetricName()), in.Now)
	}
	if hiAlarm {
		if c, ok := bounded(st, true, outBase, func(b int) int { return p.Desired(b, latest) }); ok {
			out.pick(&proposal{ok: true, capacity: c, cooldown: cooldownOrDefault(p.ScaleOutCooldown),
				name: name, track: p, v: latest, cur: cur, from: outBase, out: true})
		}
	}
	if p.DisableScaleIn || !loAlarm || !withIn {
		return false
	}
	// In ALARM, every datapoint of the low window is present and below
	// the target (Alarms sets no DatapointsToAlarm), so the peak is at
	// least the newest, latest; and Desired grows with the metric. When
	// latest asks for no fewer tasks, neither does the peak: a service
	// held just below its target is so every minute, and the window
	// need not find its peak. The evaluation without Windows works the
	// peak out every time: it is the plain one that tests and the
	// simulator's self-check compare with.
	if w != nil {
		if _, ok := bounded(st, false, cur, func(b int) int { return p.Desired(b, latest) }); !ok {
			return false
		}
		peak = w.peak()
	}
	c, ok := bounded(st, false, cur, func(b int) int { return p.Desired(b, peak) })
	if ok {
		scaleIn.pick(&proposal{ok: true, capacity: c, cooldown: cooldownOrDefault(p.ScaleInCooldown),
			name: name, track: p, v: peak, cur: cur, from: cur})
	}
	return ok
}

// trackingScan reads the datapoints of a target-tracking policy's high and
// low alarms in one pass: both come from Alarms, so they differ only in
// EvaluationPeriods and ComparisonOperator, and the newer periods are
// shared. It reports whether each alarm is in ALARM (the low one never
// without withLow), and returns the latest datapoint (0 when it is
// missing) and the highest present datapoint of the low window. The low
// alarm is read only when withLow is set.
//
// It runs every minute for every scaled service, so it walks the periods
// itself (periodWalk) and stops once neither alarm can reach ALARM: an
// alarm needs DatapointsToAlarm breaching datapoints, and a period that
// does not breach leaves one fewer to find them in.
func trackingScan(high, low Alarm, withLow bool, s Series, now time.Time) (hiAlarm, loAlarm bool, latest, peak float64) {
	n := high.EvaluationPeriods
	hiSpare, loSpare := n-high.datapointsToAlarm(), -1 // periods each alarm may still miss
	if withLow {
		n = max(n, low.EvaluationPeriods)
		loSpare = low.EvaluationPeriods - low.datapointsToAlarm()
	}
	w := newPeriodWalk(s, now, high.period(), n, high.Statistic.kind())
	seen := false
	for k := 0; k < n && (hiSpare >= 0 && k < high.EvaluationPeriods || loSpare >= 0 && k < low.EvaluationPeriods); k++ {
		v, ok := w.next()
		if k == 0 && ok {
			latest = v
		}
		if k < high.EvaluationPeriods && hiSpare >= 0 && !(ok && high.ComparisonOperator.breaches(v, high.Threshold)) {
			hiSpare--
		}
		if k < low.EvaluationPeriods && loSpare >= 0 {
			if ok && (!seen || v > peak) {
				peak, seen = v, true
			}
			if !(ok && low.ComparisonOperator.breaches(v, low.Threshold)) {
				loSpare--
			}
		}
	}
	// An alarm that can still miss a period read every one of its own
	// and has its DatapointsToAlarm breaching: it is in ALARM.
	return hiSpare >= 0, loSpare >= 0, latest, peak
}

// periodWalk is Alarm.Datapoints' walk back from now, one period per
// call to next. When now has no monotonic clock reading (a simulated
// clock's times never do), every comparison with a period boundary is
// one of wall-clock times, so it compares integer nanoseconds from now
// instead of adding to and comparing time.Time values: a third of an
// evaluation's time went there.
type periodWalk struct {
	s    Series
	stat statKind
	hi   int // the samples of the periods not yet read are s[:hi]
	// The wall-clock walk: the boundary in nanoseconds from now (then
	// minus p each period) and now's Unix time.
	wall            bool
	bound, p        int64
	nowSec, nowNsec int64
	end             time.Time // the time.Time walk: the period's end
	period          time.Duration
}

func newPeriodWalk(s Series, now time.Time, p time.Duration, periods int, stat statKind) periodWalk {
	w := periodWalk{s: s, stat: stat, end: now, period: p}
	// n periods of p must fit in int64 nanoseconds from now.
	w.wall = now == now.Round(0) && p > 0 && int64(p) <= math.MaxInt64/4/int64(max(periods, 1))
	if !w.wall {
		w.hi = sort.Search(len(s), func(i int) bool { return s[i].Time.After(now) })
		return w
	}
	w.p, w.nowSec, w.nowNsec = int64(p), now.Unix(), int64(now.Nanosecond())
	w.hi = len(s)
	if w.hi > 0 && w.rel(w.hi-1) > 0 {
		w.hi = sort.Search(len(s), func(i int) bool { return w.rel(i) > 0 })
	}
	return w
}

// rel returns how long after now sample i was taken, in nanoseconds;
// beyond 2^33 seconds (272 years) either way it is clamped, which keeps
// every comparison with a boundary the same.
func (w *periodWalk) rel(i int) int64 {
	t := w.s[i].Time
	sec := t.Unix() - w.nowSec
	switch {
	case sec > 1<<33:
		return math.MaxInt64
	case sec < -(1 << 33):
		return math.MinInt64
	}
	return sec*1e9 + int64(t.Nanosecond()) - w.nowNsec
}

// next returns the datapoint of the next older period.
func (w *periodWalk) next() (float64, bool) {
	lo := w.hi
	if w.wall {
		w.bound -= w.p
		for lo > 0 && w.rel(lo-1) > w.bound {
			lo--
		}
	} else {
		start := w.end.Add(-w.period)
		for lo > 0 && w.s[lo-1].Time.After(start) {
			lo--
		}
		w.end = start
	}
	v, ok := w.stat.reduce(w.s[lo:w.hi])
	w.hi = lo
	return v, ok
}

// fieldErrorf returns the error, with the package's prefix, of the field
// at path of what the caller gave (a policy, a scalable target, a
// provider); "" is the value itself. A caller that reads these from a
// document puts them under the document's path with fielderr.Wrap.
func fieldErrorf(path, format string, args ...any) error {
	return fmt.Errorf("autoscale: %w", fielderr.Errorf(path, format, args...))
}
