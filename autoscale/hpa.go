package autoscale

import (
	"fmt"
	"math"
	"time"
)

// HPAPolicyType is the unit of a Kubernetes HPA scaling policy.
type HPAPolicyType string

// The HPA policy types.
const (
	HPAPods    HPAPolicyType = "Pods"
	HPAPercent HPAPolicyType = "Percent"
)

// HPASelectPolicy picks among an HPA direction's policies.
type HPASelectPolicy string

// The HPA select policies; the zero value means Max.
const (
	HPASelectMax      HPASelectPolicy = "Max"
	HPASelectMin      HPASelectPolicy = "Min"
	HPASelectDisabled HPASelectPolicy = "Disabled"
)

// HPAScalingPolicy limits the change in one direction over a period:
// Value pods, or Value percent of the replicas at the period's start.
type HPAScalingPolicy struct {
	Type          HPAPolicyType
	Value         int
	PeriodSeconds int
}

// HPAScalingRules is one direction of an HPA's behavior, as in the
// Kubernetes API: a nil StabilizationWindowSeconds means the direction's
// default (0 up, 300 down).
type HPAScalingRules struct {
	StabilizationWindowSeconds *int
	SelectPolicy               HPASelectPolicy
	Policies                   []HPAScalingPolicy
}

// HorizontalPodAutoscaler is the Kubernetes HPA algorithm (docs/ecs-behaviour.md 6) as a
// policy for users coming from Kubernetes: desired = ceil(current x
// metric / target) per metric, the largest across metrics, a dead band
// of Tolerance around 1.0, stabilization windows and rate policies.
// Zero values mean the Kubernetes defaults: Tolerance 0.1, and for a nil
// ScaleUp or ScaleDown the default behavior (up: 0 s window, Percent 100
// and Pods 4 per 15 s, Max; down: 300 s window, Percent 100 per 15 s).
// MaxReplicas is required, so call Validate.
type HorizontalPodAutoscaler struct {
	MinReplicas int
	MaxReplicas int
	Tolerance   float64
	ScaleUp     *HPAScalingRules
	ScaleDown   *HPAScalingRules
}

var (
	defaultScaleUp = HPAScalingRules{StabilizationWindowSeconds: new(int), SelectPolicy: HPASelectMax,
		Policies: []HPAScalingPolicy{{HPAPercent, 100, 15}, {HPAPods, 4, 15}}}
	defaultScaleDown = HPAScalingRules{StabilizationWindowSeconds: ptr(300), SelectPolicy: HPASelectMax,
		Policies: []HPAScalingPolicy{{HPAPercent, 100, 15}}}
)

func ptr[T any](v T) *T { return &v }

// Validate reports the first invalid field.
func (h *HorizontalPodAutoscaler) Validate() error {
	switch {
	case h.MinReplicas < 0:
		return fieldErrorf("MinReplicas", "%d is negative", h.MinReplicas)
	case h.MaxReplicas < 1 || h.MaxReplicas < h.MinReplicas:
		return fieldErrorf("MaxReplicas", "%d, expected at least 1 and at least MinReplicas (%d)", h.MaxReplicas, h.MinReplicas)
	case h.Tolerance < 0 || math.IsNaN(h.Tolerance):
		return fieldErrorf("Tolerance", "%v is negative", h.Tolerance)
	}
	for _, r := range []struct {
		name  string
		rules *HPAScalingRules
	}{{"ScaleUp", h.ScaleUp}, {"ScaleDown", h.ScaleDown}} {
		if r.rules == nil {
			continue
		}
		if w := r.rules.StabilizationWindowSeconds; w != nil && (*w < 0 || *w > 3600) {
			return fieldErrorf(r.name+".StabilizationWindowSeconds", "%d, expected 0 to 3600", *w)
		}
		switch r.rules.SelectPolicy {
		case "", HPASelectMax, HPASelectMin, HPASelectDisabled:
		default:
			return fieldErrorf(r.name+".SelectPolicy", "%q is not one of Max, Min, Disabled", r.rules.SelectPolicy)
		}
		for i, p := range r.rules.Policies {
			switch {
			case p.Type != HPAPods && p.Type != HPAPercent:
				return fieldErrorf(fmt.Sprintf("%s.Policies[%d].Type", r.name, i), "%q is not one of Pods, Percent", p.Type)
			case p.Value < 1:
				return fieldErrorf(fmt.Sprintf("%s.Policies[%d].Value", r.name, i), "%d, expected 1 or more", p.Value)
			case p.PeriodSeconds < 1 || p.PeriodSeconds > 1800:
				return fieldErrorf(fmt.Sprintf("%s.Policies[%d].PeriodSeconds", r.name, i), "%d, expected 1 to 1800", p.PeriodSeconds)
			}
		}
	}
	return nil
}

// HPAMetric is one metric's current value and target. Missing marks a
// metric that could not be computed.
type HPAMetric struct {
	Current, Target float64
	Missing         bool
}

// HPAState is what an HPA remembers between evaluations: its recent
// recommendations (for stabilization) and scaling events (for rate
// policies). The zero value is a fresh HPA.
type HPAState struct {
	Recommendations []HPARecord
	Events          []HPARecord
}

// HPARecord is a timestamped recommendation, or a timestamped change in
// replicas.
type HPARecord struct {
	Time  time.Time
	Value int
}

// Scale runs one HPA evaluation at now with current replicas and returns
// the new state, the new replica count and why it changed ("" when it did
// not). It never modifies st's slices.
func (h *HorizontalPodAutoscaler) Scale(st HPAState, now time.Time, current int, metrics []HPAMetric) (HPAState, int, string) {
	if current == 0 && h.MinReplicas > 0 {
		return st, current, "" // ScalingActive=false until someone sets replicas
	}
	rec, ok := h.recommend(current, metrics)
	if !ok {
		return st, current, ""
	}
	up, down := h.rules()
	st = st.prune(now, up, down)
	stab := h.stabilize(st, now, current, rec, up, down)
	st.Recommendations = append(st.Recommendations[:len(st.Recommendations):len(st.Recommendations)], HPARecord{now, rec})
	desired := clamp(h.limitRate(st, now, current, stab, up, down), h.MinReplicas, h.MaxReplicas)
	if desired == current {
		return st, current, ""
	}
	st.Events = append(st.Events[:len(st.Events):len(st.Events)], HPARecord{now, desired - current})
	return st, desired, fmt.Sprintf("hpa: recommendation %d, stabilized %d: %d -> %d", rec, stab, current, desired)
}

func (h *HorizontalPodAutoscaler) rules() (up, down HPAScalingRules) {
	up, down = defaultScaleUp, defaultScaleDown
	if h.ScaleUp != nil {
		up = *h.ScaleUp
		if up.StabilizationWindowSeconds == nil {
			up.StabilizationWindowSeconds = defaultScaleUp.StabilizationWindowSeconds
		}
	}
	if h.ScaleDown != nil {
		down = *h.ScaleDown
		if down.StabilizationWindowSeconds == nil {
			down.StabilizationWindowSeconds = defaultScaleDown.StabilizationWindowSeconds
		}
	}
	return up, down
}

// recommend is the per-metric formula with tolerance, the maximum across
// metrics, and no scaling down when some metric is missing (docs/ecs-behaviour.md 6).
func (h *HorizontalPodAutoscaler) recommend(current int, metrics []HPAMetric) (int, bool) {
	tol := h.Tolerance
	if tol == 0 {
		tol = 0.1
	}
	best, any, missing := 0, false, false
	for _, m := range metrics {
		if m.Missing || !(m.Target > 0) || math.IsNaN(m.Current) {
			missing = true
			continue
		}
		ratio := m.Current / m.Target
		r := current
		if math.Abs(ratio-1) > tol {
			r = int(math.Min(math.Ceil(float64(current)*ratio-1e-9), math.MaxInt32))
		}
		if !any || r > best {
			best, any = r, true
		}
	}
	if !any || (missing && best < current) {
		return current, false
	}
	return best, true
}

func (st HPAState) prune(now time.Time, up, down HPAScalingRules) HPAState {
	keep := time.Duration(max(*up.StabilizationWindowSeconds, *down.StabilizationWindowSeconds)) * time.Second
	var maxPeriod int
	for _, p := range append(append([]HPAScalingPolicy(nil), up.Policies...), down.Policies...) {
		maxPeriod = max(maxPeriod, p.PeriodSeconds)
	}
	return HPAState{
		Recommendations: after(st.Recommendations, now.Add(-keep)),
		Events:          after(st.Events, now.Add(-time.Duration(maxPeriod)*time.Second)),
	}
}

func after(recs []HPARecord, cutoff time.Time) []HPARecord {
	for i, r := range recs {
		if r.Time.After(cutoff) {
			return recs[i:]
		}
	}
	return nil
}

// stabilize is the Kubernetes rule: scale up to at most the lowest
// recommendation within the up window, and down to at most the highest
// within the down window.
func (h *HorizontalPodAutoscaler) stabilize(st HPAState, now time.Time, current, rec int, up, down HPAScalingRules) int {
	upRec, downRec := rec, rec
	upCut := now.Add(-time.Duration(*up.StabilizationWindowSeconds) * time.Second)
	downCut := now.Add(-time.Duration(*down.StabilizationWindowSeconds) * time.Second)
	for _, r := range st.Recommendations {
		if r.Time.After(upCut) {
			upRec = min(upRec, r.Value)
		}
		if r.Time.After(downCut) {
			downRec = max(downRec, r.Value)
		}
	}
	out := current
	if out < upRec {
		out = upRec
	}
	if out > downRec {
		out = downRec
	}
	return out
}

// limitRate applies the direction's policies to the change from current
// to desired.
func (h *HorizontalPodAutoscaler) limitRate(st HPAState, now time.Time, current, desired int, up, down HPAScalingRules) int {
	changed := func(period int, sign int) int {
		cut := now.Add(-time.Duration(period) * time.Second)
		n := 0
		for _, e := range st.Events {
			if e.Time.After(cut) && e.Value*sign > 0 {
				n += e.Value
			}
		}
		return n
	}
	switch {
	case desired > current:
		if up.SelectPolicy == HPASelectDisabled {
			return current
		}
		limit := -1
		for _, p := range up.Policies {
			start := current - changed(p.PeriodSeconds, 1)
			l := start + p.Value
			if p.Type == HPAPercent {
				l = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
			}
			if limit < 0 || (up.SelectPolicy == HPASelectMin) == (l < limit) {
				limit = l
			}
		}
		if limit >= 0 && desired > limit {
			desired = max(limit, current)
		}
	case desired < current:
		if down.SelectPolicy == HPASelectDisabled {
			return current
		}
		limit := -1
		for _, p := range down.Policies {
			start := current - changed(p.PeriodSeconds, -1)
			l := start - p.Value
			if p.Type == HPAPercent {
				l = int(float64(start) * (1 - float64(p.Value)/100))
			}
			// Max picks the policy allowing the most change: the lowest limit.
			if limit < 0 || (down.SelectPolicy == HPASelectMin) == (l > limit) {
				limit = max(l, 0)
			}
		}
		if limit >= 0 && desired < limit {
			desired = min(limit, current)
		}
	}
	return desired
}
