package autoscale

import (
	"math"
	"time"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func f(v float64) *float64 { return &v }
func i(v int) *int         { return &v }

// minute returns t0 plus n minutes.
func minute(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// series returns one sample per minute from t0; NaN leaves a gap.
func series(vals ...float64) Series {
	var s Series
	for k, v := range vals {
		if !math.IsNaN(v) {
			s = append(s, Sample{minute(k), v})
		}
	}
	return s
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for k := range out {
		out[k] = v
	}
	return out
}

// workedOut and workedIn are the step policies of AWS's worked example
// (docs/ecs-behaviour.md 4.3): threshold 50, PercentChangeInCapacity.
func workedOut(cooldown time.Duration) Policy {
	return Policy{PolicyName: "out", StepScaling: &StepScalingPolicy{
		AdjustmentType: PercentChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{MetricIntervalLowerBound: f(0), MetricIntervalUpperBound: f(10), ScalingAdjustment: 0},
			{MetricIntervalLowerBound: f(10), MetricIntervalUpperBound: f(20), ScalingAdjustment: 10},
			{MetricIntervalLowerBound: f(20), ScalingAdjustment: 30},
		},
		Cooldown: cooldown,
		Alarm:    Alarm{MetricName: "CPU", Threshold: 50, ComparisonOperator: GreaterThanOrEqualToThreshold, EvaluationPeriods: 1},
	}}
}

func workedIn(cooldown time.Duration) Policy {
	return Policy{PolicyName: "in", StepScaling: &StepScalingPolicy{
		AdjustmentType: PercentChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{MetricIntervalLowerBound: f(-10), MetricIntervalUpperBound: f(0), ScalingAdjustment: 0},
			{MetricIntervalLowerBound: f(-20), MetricIntervalUpperBound: f(-10), ScalingAdjustment: -10},
			{MetricIntervalUpperBound: f(-20), ScalingAdjustment: -30},
		},
		Cooldown: cooldown,
		Alarm:    Alarm{MetricName: "CPU", Threshold: 50, ComparisonOperator: LessThanOrEqualToThreshold, EvaluationPeriods: 1},
	}}
}

// changePolicy is a one-step ChangeInCapacity policy on metric "M" that
// fires at or above threshold (adj > 0) or at or below it (adj < 0).
func changePolicy(name string, threshold float64, adj int, cooldown time.Duration) Policy {
	op, step := GreaterThanOrEqualToThreshold, StepAdjustment{MetricIntervalLowerBound: f(0), ScalingAdjustment: adj}
	if adj < 0 {
		op, step = LessThanOrEqualToThreshold, StepAdjustment{MetricIntervalUpperBound: f(0), ScalingAdjustment: adj}
	}
	return Policy{PolicyName: name, StepScaling: &StepScalingPolicy{
		AdjustmentType: ChangeInCapacity, StepAdjustments: []StepAdjustment{step}, Cooldown: cooldown,
		Alarm: Alarm{MetricName: "M", Threshold: threshold, ComparisonOperator: op, EvaluationPeriods: 1},
	}}
}

func tracking(name, metric string, target float64, disableIn bool) Policy {
	return Policy{PolicyName: name, TargetTracking: &TargetTrackingPolicy{
		TargetValue:                   target,
		CustomizedMetricSpecification: &CustomizedMetricSpecification{MetricName: metric},
		DisableScaleIn:                disableIn,
	}}
}

// run evaluates s once a minute from t0 over the given metric values
// (one per minute, every metric the same length) and returns the
// capacity after each minute.
func run(s *Scaler, st State, metrics map[string][]float64, deploying bool) ([]int, State) {
	n := 0
	for _, v := range metrics {
		n = max(n, len(v))
	}
	var caps []int
	for k := 0; k < n; k++ {
		m := Metrics{}
		for name, v := range metrics {
			m[name] = series(v[:k+1]...)
		}
		st, _ = s.Evaluate(st, Input{Now: minute(k), Metrics: m, Deploying: deploying})
		caps = append(caps, st.Capacity)
	}
	return caps, st
}
