package autoscale

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// AdjustmentType says how a step's ScalingAdjustment changes capacity.
type AdjustmentType string

// The adjustment types of Application Auto Scaling.
const (
	ChangeInCapacity        AdjustmentType = "ChangeInCapacity"
	PercentChangeInCapacity AdjustmentType = "PercentChangeInCapacity"
	ExactCapacity           AdjustmentType = "ExactCapacity"
)

// MetricAggregationType is how a step policy reduces the datapoints of
// the alarm that invoked it to the one value it compares with its steps.
type MetricAggregationType string

// The aggregation types; the zero value counts as Average.
const (
	AggregationAverage MetricAggregationType = "Average"
	AggregationMinimum MetricAggregationType = "Minimum"
	AggregationMaximum MetricAggregationType = "Maximum"
)

// DefaultCooldown is the cooldown of a step policy and both cooldowns of a
// target-tracking policy on an ECS service when none is given.
const DefaultCooldown = 300 * time.Second

// StepAdjustment is one step of a step policy. The bounds are offsets from
// the alarm's threshold (metric - threshold); nil means unbounded. When the
// metric is above the threshold the lower bound is inclusive and the upper
// exclusive; below it, the lower bound is exclusive and the upper inclusive
// (docs/ecs-behaviour.md 4.3).
type StepAdjustment struct {
	MetricIntervalLowerBound *float64
	MetricIntervalUpperBound *float64
	ScalingAdjustment        int
}

// contains reports whether the offset d from the threshold selects the step.
// At the threshold itself (d == 0) a step matches under either rule, the
// above-threshold rule first.
func (s StepAdjustment) contains(d float64) bool {
	lo, hi := math.Inf(-1), math.Inf(1)
	if s.MetricIntervalLowerBound != nil {
		lo = *s.MetricIntervalLowerBound
	}
	if s.MetricIntervalUpperBound != nil {
		hi = *s.MetricIntervalUpperBound
	}
	above := lo <= d && d < hi
	below := lo < d && d <= hi
	switch {
	case d > 0:
		return above
	case d < 0:
		return below
	}
	return above || below
}

// StepScalingPolicy is a StepScalingPolicyConfiguration together with the
// CloudWatch alarm that invokes it. Zero values: Cooldown 0 means the
// default 300 s (a negative Cooldown means none); MetricAggregationType ""
// means Average; MinAdjustmentMagnitude 0 means none. AdjustmentType,
// StepAdjustments and the Alarm are required, so call Validate.
type StepScalingPolicy struct {
	AdjustmentType         AdjustmentType
	StepAdjustments        []StepAdjustment
	MinAdjustmentMagnitude int
	Cooldown               time.Duration
	MetricAggregationType  MetricAggregationType
	Alarm                  Alarm
}

func (p *StepScalingPolicy) cooldown() time.Duration { return cooldownOrDefault(p.Cooldown) }

func cooldownOrDefault(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultCooldown
	case d < 0:
		return 0
	}
	return d
}

// Validate reports the first invalid field of the policy, its steps
// (overlaps, gaps, null bounds; docs/ecs-behaviour.md 4.3 and case 69) and its alarm.
func (p *StepScalingPolicy) Validate() error {
	switch p.AdjustmentType {
	case ChangeInCapacity, PercentChangeInCapacity, ExactCapacity:
	case "":
		return fieldErrorf("AdjustmentType", "missing, expected ChangeInCapacity, PercentChangeInCapacity or ExactCapacity")
	default:
		return fieldErrorf("AdjustmentType", "%q is not one of ChangeInCapacity, PercentChangeInCapacity, ExactCapacity", p.AdjustmentType)
	}
	switch p.MetricAggregationType {
	case "", AggregationAverage, AggregationMinimum, AggregationMaximum:
	default:
		return fieldErrorf("MetricAggregationType", "%q is not one of Average, Minimum, Maximum", p.MetricAggregationType)
	}
	if p.MinAdjustmentMagnitude < 0 {
		return fieldErrorf("MinAdjustmentMagnitude", "%d is negative", p.MinAdjustmentMagnitude)
	}
	if p.MinAdjustmentMagnitude > 0 && p.AdjustmentType != PercentChangeInCapacity {
		return fieldErrorf("MinAdjustmentMagnitude", "only allowed with PercentChangeInCapacity, found %s", p.AdjustmentType)
	}
	if p.Cooldown > 0 && p.Cooldown%time.Second != 0 {
		return fieldErrorf("Cooldown", "%v is not a whole number of seconds", p.Cooldown)
	}
	if err := validateSteps(p.AdjustmentType, p.StepAdjustments); err != nil {
		return err
	}
	return p.Alarm.Validate()
}

func validateSteps(kind AdjustmentType, steps []StepAdjustment) error {
	switch {
	case len(steps) == 0:
		return fieldErrorf("StepAdjustments", "empty, expected at least one step")
	case len(steps) > MaxStepAdjustments:
		return fieldErrorf("StepAdjustments", "%d steps, expected at most %d", len(steps), MaxStepAdjustments)
	}
	nullLower, nullUpper := -1, -1
	negLower, posUpper := -1, -1
	for i, s := range steps {
		lo, hi := s.MetricIntervalLowerBound, s.MetricIntervalUpperBound
		switch {
		case lo == nil && hi == nil:
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d]", i), "both bounds are null, expected at least one")
		case lo != nil && !finite(*lo):
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalLowerBound", i), "%v is not a finite number", *lo)
		case hi != nil && !finite(*hi):
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalUpperBound", i), "%v is not a finite number", *hi)
		case lo != nil && hi != nil && *hi <= *lo:
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalUpperBound", i), "%v is not above the lower bound %v", *hi, *lo)
		case kind == ExactCapacity && s.ScalingAdjustment < 0:
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].ScalingAdjustment", i), "%d is negative, expected 0 or more with ExactCapacity", s.ScalingAdjustment)
		}
		if lo == nil {
			if nullLower >= 0 {
				return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalLowerBound", i), "null, but step %d already has a null lower bound", nullLower)
			}
			nullLower = i
		} else if *lo < 0 && negLower < 0 {
			negLower = i
		}
		if hi == nil {
			if nullUpper >= 0 {
				return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalUpperBound", i), "null, but step %d already has a null upper bound", nullUpper)
			}
			nullUpper = i
		} else if *hi > 0 && posUpper < 0 {
			posUpper = i
		}
	}
	if negLower >= 0 && nullLower < 0 {
		return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalLowerBound", negLower), "%v is negative, so one step must have a null lower bound", *steps[negLower].MetricIntervalLowerBound)
	}
	if posUpper >= 0 && nullUpper < 0 {
		return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalUpperBound", posUpper), "%v is positive, so one step must have a null upper bound", *steps[posUpper].MetricIntervalUpperBound)
	}
	// Sorted by lower bound (null first), each step must start where the
	// one before it ends.
	order := make([]int, len(steps))
	for i := range order {
		order[i] = i
	}
	lower := func(i int) float64 {
		if b := steps[i].MetricIntervalLowerBound; b != nil {
			return *b
		}
		return math.Inf(-1)
	}
	upper := func(i int) float64 {
		if b := steps[i].MetricIntervalUpperBound; b != nil {
			return *b
		}
		return math.Inf(1)
	}
	sort.SliceStable(order, func(a, b int) bool { return lower(order[a]) < lower(order[b]) })
	for k := 1; k < len(order); k++ {
		prev, cur := order[k-1], order[k]
		switch {
		case lower(cur) < upper(prev):
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalLowerBound", cur), "%s overlaps step %d %s", bound(lower(cur)), prev, interval(steps[prev]))
		case lower(cur) > upper(prev):
			return fieldErrorf(fmt.Sprintf("StepAdjustments[%d].MetricIntervalLowerBound", cur), "%s leaves a gap after step %d %s", bound(lower(cur)), prev, interval(steps[prev]))
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func bound(f float64) string {
	switch {
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsInf(f, 1):
		return "+inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func interval(s StepAdjustment) string {
	lo, hi := math.Inf(-1), math.Inf(1)
	if s.MetricIntervalLowerBound != nil {
		lo = *s.MetricIntervalLowerBound
	}
	if s.MetricIntervalUpperBound != nil {
		hi = *s.MetricIntervalUpperBound
	}
	return "[" + bound(lo) + ", " + bound(hi) + ")"
}

// Step returns the step that the metric value selects, or false when it
// falls in no step.
func (p *StepScalingPolicy) Step(metric float64) (StepAdjustment, bool) {
	d := metric - p.Alarm.Threshold
	for _, s := range p.StepAdjustments {
		if s.contains(d) {
			return s, true
		}
	}
	return StepAdjustment{}, false
}

// Capacity returns the capacity that applying adjustment to capacity asks
// for, before the target's bounds: the value itself for ExactCapacity, the
// sum for ChangeInCapacity, and for PercentChangeInCapacity the change
// rounded as Application Auto Scaling does (above 1 down, in (0, 1) to 1,
// in (-1, 0) to -1, below -1 toward zero) with MinAdjustmentMagnitude as a
// floor on its size in either direction (AWS's example is a scale-out;
// berth applies it to scale-in too).
func (p *StepScalingPolicy) Capacity(capacity, adjustment int) int {
	switch p.AdjustmentType {
	case ExactCapacity:
		return adjustment
	case PercentChangeInCapacity:
		return capacity + PercentChange(capacity, adjustment, p.MinAdjustmentMagnitude)
	}
	return capacity + adjustment
}

// PercentChange returns the change that percent of capacity makes, rounded
// as Application Auto Scaling rounds it, with minMagnitude (0 for none) as
// a floor on the size of a non-zero change.
func PercentChange(capacity, percent, minMagnitude int) int {
	c := roundChange(float64(capacity) * float64(percent) / 100)
	if minMagnitude > 0 {
		if c > 0 && c < minMagnitude {
			c = minMagnitude
		} else if c < 0 && -c < minMagnitude {
			c = -minMagnitude
		}
	}
	return c
}

// roundChange rounds a fractional change of capacity as step scaling does
// (docs/ecs-behaviour.md 4.3):
// in (0, 1) to 1, in (-1, 0) to -1, otherwise toward zero (12.7 to 12,
// -6.67 to -6).
func roundChange(x float64) int {
	switch {
	case x > 0 && x < 1:
		return 1
	case x < 0 && x > -1:
		return -1
	}
	return int(x)
}

// aggregate reduces the alarm's present datapoints at now by the policy's
// MetricAggregationType.
func (p *StepScalingPolicy) aggregate(s Series, now time.Time) (v float64, ok bool) {
	n := 0
	p.Alarm.Datapoints(s, now, func(x float64, present bool) {
		if !present {
			return
		}
		switch {
		case n == 0:
			v = x
		case p.MetricAggregationType == AggregationMinimum:
			v = math.Min(v, x)
		case p.MetricAggregationType == AggregationMaximum:
			v = math.Max(v, x)
		default:
			v += x
		}
		n++
	})
	if n == 0 {
		return 0, false
	}
	if p.MetricAggregationType == "" || p.MetricAggregationType == AggregationAverage {
		v /= float64(n)
	}
	return v, true
}
