package autoscale

import (
	"math"
	"sort"
	"time"
)

// Windows carries the datapoints of a Scaler's target-tracking alarms
// from one evaluation to the next (Input.Windows). A planner evaluates
// every service every minute, and each evaluation walked every period of
// both alarm windows again; with Windows, an evaluation exactly one
// period after the last reduces the newest period's samples only and
// updates running counts of breaching datapoints. Any other evaluation
// (the first, after a gap, at a time with a monotonic clock reading)
// walks the periods as Evaluate does without Windows, so the result is
// the same either way. It also keeps each policy's alarms, made again
// when what they are made from changes (a policy changed in place,
// through its metric specification too), and an evaluation with Windows
// works out a policy's scale-in only when it can act.
//
// A Windows belongs to one Scaler and its Metrics (or Source), and the
// zero value is ready for use. It relies on what Series says of a
// series: samples come in increasing time order and are dropped only
// once no alarm window reaches them. A sample added at the time last
// evaluated is noticed (the newest sample up to it is remembered, with
// how many were taken at its time), and the periods are then walked
// again; one added earlier is not. It is not safe for concurrent use.
type Windows struct {
	w []trackWindow // by policy index
}

// policy returns the window of policy i of n.
func (ws *Windows) policy(i, n int) *trackWindow {
	if len(ws.w) != n {
		ws.w = make([]trackWindow, n)
	}
	return &ws.w[i]
}

// point is one period's datapoint, with whether it breaches each alarm.
type point struct {
	v        float64
	ok       bool
	hiB, loB bool
}

// trackWindow is one target-tracking policy's datapoints: ring holds the
// newest len(ring) periods, ring[head] the newest, older ones after it.
// What an evaluation reads comes first, in a few cache lines, with the
// alarms' figures ready to use (an Alarm's operator and statistic are
// strings): an evaluation runs every minute for every service, and its
// time went mostly to reading memory.
type trackWindow struct {
	ring []point
	head int
	loN  int // the low window's length; 0 without scale-in
	// hiBreach and loBreach count the breaching datapoints of the newest
	// hiN and loN periods.
	hiBreach, loBreach int
	// What a step reads of high and low: high's EvaluationPeriods, both
	// alarms' datapointsToAlarm, operators and thresholds, and the
	// period and statistic they share.
	hiN, hiNeed, loNeed      int
	hiOp, loOp               opKind
	stat                     statKind
	hiThreshold, loThreshold float64
	period                   time.Duration
	// valid says at is the last evaluation's time, which has no
	// monotonic clock reading; atSec and atNsec are its Unix time (see
	// periodAfter). anchor is the newest sample at or before it
	// (anchored when there is one): the samples of a new period are
	// those after it.
	valid, anchored bool
	atSec           int64
	atNsec          int
	anchor          Sample
	// anchorRun is how many samples were taken at the anchor's time, the
	// anchor the last of them: one more, appended at the time last
	// evaluated, changes that period's datapoint even when it repeats the
	// anchor's value.
	anchorRun int
	// made says policyHigh and policyLow are the alarms of a policy
	// whose key is key; built, that high and low were copied from them
	// and they have not been made again since.
	made, built bool
	key         alarmsKey
	at          time.Time
	high, low   Alarm
	// policyHigh and policyLow are kept from one evaluation to the next:
	// Alarms builds two Alarm values, and an evaluation asked for them
	// every minute for every service.
	policyHigh, policyLow Alarm
}

// alarmsKey is all that TargetTrackingPolicy.Alarms reads of a policy:
// two policies with one key have the same alarms.
type alarmsKey struct {
	metric     string
	stat       Statistic
	target     uint64 // TargetValue's bits
	period     time.Duration
	high, low  int
	customized bool
}

func keyOf(p *TargetTrackingPolicy) alarmsKey {
	k := alarmsKey{metric: p.MetricName(), target: math.Float64bits(p.TargetValue), period: p.Period,
		high: p.HighDatapoints, low: p.LowDatapoints}
	if c := p.CustomizedMetricSpecification; c != nil {
		k.customized, k.stat = true, c.Statistic
	}
	return k
}

// alarms returns p.Alarms(), made again only when p's key differs from
// that of the policy they were last made from.
func (w *trackWindow) alarms(p *TargetTrackingPolicy) (high, low *Alarm) {
	if k := keyOf(p); !w.made || k != w.key {
		w.policyHigh, w.policyLow = p.Alarms()
		w.key, w.made, w.built = k, true, false
	}
	return &w.policyHigh, &w.policyLow
}

// scan returns what trackingScan returns for the same arguments but the
// peak, which peak returns when asked: an evaluation asks only when the
// low alarm is in ALARM and its peak may scale in.
func (w *trackWindow) scan(high, low *Alarm, withLow bool, s Series, now time.Time) (hiAlarm, loAlarm bool, latest float64) {
	loN := 0
	if withLow {
		loN = low.EvaluationPeriods
	}
	hi := upTo(s, now)
	wallOnly := now == now.Round(0)
	if !w.step(high, low, loN, s, hi, now, wallOnly) {
		w.rebuild(high, low, loN, s, now)
	}
	w.valid = wallOnly
	w.at, w.atSec, w.atNsec = now, now.Unix(), now.Nanosecond()
	w.anchored = hi > 0
	if hi > 0 {
		w.anchor, w.anchorRun = s[hi-1], runAt(s, hi)
	}
	newest := w.ring[w.head]
	if newest.ok {
		latest = newest.v
	}
	hiAlarm = w.hiBreach >= w.hiNeed
	loAlarm = withLow && w.loBreach >= w.loNeed
	return hiAlarm, loAlarm, latest
}

// upTo returns how many samples of s were taken at or before now.
func upTo(s Series, now time.Time) int {
	if len(s) == 0 || !s[len(s)-1].Time.After(now) {
		return len(s)
	}
	return sort.Search(len(s), func(i int) bool { return s[i].Time.After(now) })
}

// step moves the window one period on, to now, when now is one period
// after the last evaluation of the same alarms and the samples up to it
// are as they were; s[:hi] are the samples at or before now.
// wallOnly says now has no monotonic clock reading.
func (w *trackWindow) step(high, low *Alarm, loN int, s Series, hi int, now time.Time, wallOnly bool) bool {
	if !w.valid || !wallOnly || w.loN != loN || !w.sameAlarms(high, low) || !w.periodAfter(now, w.period) {
		return false
	}
	lo := hi
	for lo > 0 && s[lo-1].Time.After(w.at) {
		lo--
	}
	if (lo > 0) != w.anchored || lo > 0 && (!sameSample(s[lo-1], w.anchor) || runAt(s, lo) != w.anchorRun) {
		return false // samples at or before the last evaluation changed
	}
	v, ok := w.stat.reduce(s[lo:hi])
	w.push(w.point(v, ok))
	return true
}

// periodAfter reports whether now.Sub(w.at) == p, for a valid window and
// a now without a monotonic clock reading. It subtracts Unix times as
// integers: Sub's check for overflow took a tenth of an evaluation.
func (w *trackWindow) periodAfter(now time.Time, p time.Duration) bool {
	sec := now.Unix() - w.atSec
	if sec > 1<<33 || sec < -(1<<33) {
		return now.Sub(w.at) == p // Sub's own overflow rules
	}
	return time.Duration(sec*1e9+int64(now.Nanosecond()-w.atNsec)) == p
}

// sameAlarms reports whether high and low are the alarms the window
// holds, without comparing them when they are the ones alarms keeps and
// has not made again since the window was built from them.
func (w *trackWindow) sameAlarms(high, low *Alarm) bool {
	if w.built && high == &w.policyHigh && low == &w.policyLow {
		return true
	}
	return w.high == *high && w.low == *low
}

// runAt returns how many of s[:hi] were taken at s[hi-1]'s time (hi > 0).
func runAt(s Series, hi int) int {
	k := 1
	for k < hi && s[hi-1-k].Time == s[hi-1].Time {
		k++
	}
	return k
}

func sameSample(a, b Sample) bool {
	return a.Time == b.Time && math.Float64bits(a.Value) == math.Float64bits(b.Value)
}

func (w *trackWindow) point(v float64, ok bool) point {
	return point{v: v, ok: ok,
		hiB: ok && w.hiOp.breaches(v, w.hiThreshold),
		loB: ok && w.loN > 0 && w.loOp.breaches(v, w.loThreshold)}
}

// push makes p the newest datapoint; the oldest of each window leaves it.
func (w *trackWindow) push(p point) {
	if old := w.ring[w.index(w.hiN-1)]; old.hiB {
		w.hiBreach--
	}
	if w.loN > 0 {
		if old := w.ring[w.index(w.loN-1)]; old.loB {
			w.loBreach--
		}
	}
	if w.head--; w.head < 0 {
		w.head = len(w.ring) - 1
	}
	w.ring[w.head] = p
	if p.hiB {
		w.hiBreach++
	}
	if p.loB {
		w.loBreach++
	}
}

// index returns the ring index of the k-th newest datapoint (0 <= k <
// len(ring)), without the division of a modulo: push runs every minute
// for every service.
func (w *trackWindow) index(k int) int {
	if i := w.head + k; i < len(w.ring) {
		return i
	}
	return w.head + k - len(w.ring)
}

// rebuild reads every period of both windows ending at now.
func (w *trackWindow) rebuild(high, low *Alarm, loN int, s Series, now time.Time) {
	n := max(high.EvaluationPeriods, loN)
	w.high, w.low, w.loN = *high, *low, loN
	w.built = high == &w.policyHigh && low == &w.policyLow
	w.hiN, w.hiNeed, w.loNeed = high.EvaluationPeriods, high.datapointsToAlarm(), low.datapointsToAlarm()
	w.hiOp, w.loOp = high.ComparisonOperator.kind(), low.ComparisonOperator.kind()
	w.hiThreshold, w.loThreshold = high.Threshold, low.Threshold
	w.stat, w.period = high.Statistic.kind(), high.period()
	if cap(w.ring) < n {
		w.ring = make([]point, n)
	}
	w.ring, w.head, w.hiBreach, w.loBreach = w.ring[:n], 0, 0, 0
	pw := newPeriodWalk(s, now, high.period(), n, high.Statistic.kind())
	for k := range n {
		p := w.point(pw.next())
		w.ring[k] = p
		if p.hiB && k < high.EvaluationPeriods {
			w.hiBreach++
		}
		if p.loB && k < loN {
			w.loBreach++
		}
	}
}

// peak is the highest present datapoint of the low window, compared
// newest first as trackingScan does (which decides where a NaN falls).
func (w *trackWindow) peak() float64 {
	var peak float64
	seen := false
	// The window is ring[head:] then ring[:head], up to loN points: two
	// plain loops rather than an index modulo the length for each point
	// (a division), as this runs every minute for every service whose
	// low alarm is in ALARM.
	n := w.loN
	first := w.ring[w.head:min(w.head+n, len(w.ring))]
	for _, p := range first {
		if p.ok && (!seen || p.v > peak) {
			peak, seen = p.v, true
		}
	}
	for _, p := range w.ring[:n-len(first)] {
		if p.ok && (!seen || p.v > peak) {
			peak, seen = p.v, true
		}
	}
	return peak
}
