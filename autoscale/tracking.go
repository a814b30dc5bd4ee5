package autoscale

import (
	"math"
	"time"
)

// PredefinedMetricType names a metric that Application Auto Scaling
// defines for a service.
type PredefinedMetricType string

// The predefined metric types for ECS services.
const (
	// ECSServiceAverageCPUUtilization is the service's CPU use as a
	// percentage of what its tasks reserve.
	ECSServiceAverageCPUUtilization PredefinedMetricType = "ECSServiceAverageCPUUtilization"
	// ECSServiceAverageMemoryUtilization is the service's memory use as a
	// percentage of what its tasks reserve.
	ECSServiceAverageMemoryUtilization PredefinedMetricType = "ECSServiceAverageMemoryUtilization"
	// ALBRequestCountPerTarget is the requests per target per minute of
	// the target group named by ResourceLabel.
	ALBRequestCountPerTarget PredefinedMetricType = "ALBRequestCountPerTarget"
)

// RequestCount is the name of the target group's CloudWatch metric of
// requests per minute (AWS/ApplicationELB RequestCount, Sum), for alarms.
const RequestCount = "RequestCount"

// RequestCountPerTarget is ALBRequestCountPerTarget as the target group
// publishes it: the minute's RequestCount divided by its healthy targets.
// With no healthy target, an Application Load Balancer fails open and
// routes to every registered target, so the count is shared among those
// (berth's decision: CloudWatch does not say). ok is false when no
// target is registered: the group publishes no datapoint.
func RequestCountPerTarget(requestCount float64, healthy, registered int) (perTarget float64, ok bool) {
	switch {
	case healthy > 0:
		return requestCount / float64(healthy), true
	case registered > 0:
		return requestCount / float64(registered), true
	}
	return 0, false
}

// PredefinedMetricSpecification picks a predefined metric. ResourceLabel
// is required with ALBRequestCountPerTarget and forbidden otherwise.
type PredefinedMetricSpecification struct {
	PredefinedMetricType PredefinedMetricType
	ResourceLabel        string
}

// CustomizedMetricSpecification picks a CloudWatch metric by name. The
// zero Statistic means Average. Namespace is informational.
type CustomizedMetricSpecification struct {
	MetricName string
	Namespace  string
	Statistic  Statistic
}

// Target tracking's alarm profile (berth's model; see the package doc's
// "Decisions where AWS is silent"): one-minute datapoints,
// 3 above target to scale out, 15 below it to scale in.
const (
	DefaultHighDatapoints = 3
	DefaultLowDatapoints  = 15
)

// TargetTrackingPolicy is a TargetTrackingScalingPolicyConfiguration.
// Exactly one of PredefinedMetricSpecification and
// CustomizedMetricSpecification must be set and TargetValue must be
// positive, so call Validate. Zero values mean the ECS defaults: both
// cooldowns 300 s (negative means none), HighDatapoints 3, LowDatapoints
// 15, Period 60 s.
//
// The model (AWS does not publish one): after HighDatapoints consecutive datapoints
// above TargetValue the policy asks for ceil(capacity x metric / target)
// with the latest datapoint; after LowDatapoints consecutive datapoints
// below it, the same formula with the highest datapoint of the window,
// which is as far in as the metric is expected to stay at or below the
// target. A missing datapoint breaks either run.
type TargetTrackingPolicy struct {
	TargetValue                   float64
	PredefinedMetricSpecification *PredefinedMetricSpecification
	CustomizedMetricSpecification *CustomizedMetricSpecification
	ScaleOutCooldown              time.Duration
	ScaleInCooldown               time.Duration
	DisableScaleIn                bool

	// HighDatapoints and LowDatapoints are the lengths of the alarm
	// windows, which AWS does not let users set (berth does, for tests).
	HighDatapoints int
	LowDatapoints  int
	// Period is the datapoint period.
	Period time.Duration
}

// MetricName returns the name of the metric the policy reads: the
// predefined metric type or the customized metric's name.
func (p *TargetTrackingPolicy) MetricName() string {
	if p.PredefinedMetricSpecification != nil {
		return string(p.PredefinedMetricSpecification.PredefinedMetricType)
	}
	if p.CustomizedMetricSpecification != nil {
		return p.CustomizedMetricSpecification.MetricName
	}
	return ""
}

// Validate reports the first invalid field.
func (p *TargetTrackingPolicy) Validate() error {
	pre, cus := p.PredefinedMetricSpecification, p.CustomizedMetricSpecification
	switch {
	case pre == nil && cus == nil:
		return fieldErrorf("PredefinedMetricSpecification", "missing, expected it or CustomizedMetricSpecification")
	case pre != nil && cus != nil:
		return fieldErrorf("CustomizedMetricSpecification", "given with PredefinedMetricSpecification, expected one of them")
	case !(p.TargetValue > 0) || math.IsInf(p.TargetValue, 0):
		return fieldErrorf("TargetValue", "%v, expected a positive finite number", p.TargetValue)
	case p.ScaleOutCooldown > 0 && p.ScaleOutCooldown%time.Second != 0:
		return fieldErrorf("ScaleOutCooldown", "%v is not a whole number of seconds", p.ScaleOutCooldown)
	case p.ScaleInCooldown > 0 && p.ScaleInCooldown%time.Second != 0:
		return fieldErrorf("ScaleInCooldown", "%v is not a whole number of seconds", p.ScaleInCooldown)
	case p.HighDatapoints < 0:
		return fieldErrorf("HighDatapoints", "%d is negative", p.HighDatapoints)
	case p.LowDatapoints < 0:
		return fieldErrorf("LowDatapoints", "%d is negative", p.LowDatapoints)
	case p.Period < 0:
		return fieldErrorf("Period", "%v is negative", p.Period)
	}
	if pre != nil {
		switch pre.PredefinedMetricType {
		case ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization:
			if pre.ResourceLabel != "" {
				return fieldErrorf("PredefinedMetricSpecification.ResourceLabel", "%q is only allowed with ALBRequestCountPerTarget, found %s", pre.ResourceLabel, pre.PredefinedMetricType)
			}
		case ALBRequestCountPerTarget:
			if pre.ResourceLabel == "" {
				return fieldErrorf("PredefinedMetricSpecification.ResourceLabel", "missing, required with ALBRequestCountPerTarget")
			}
			if len(pre.ResourceLabel) > 1023 {
				return fieldErrorf("PredefinedMetricSpecification.ResourceLabel", "%d characters, expected at most 1023", len(pre.ResourceLabel))
			}
		case "":
			return fieldErrorf("PredefinedMetricSpecification.PredefinedMetricType", "missing")
		default:
			return fieldErrorf("PredefinedMetricSpecification.PredefinedMetricType", "%q is not one of ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, ALBRequestCountPerTarget", pre.PredefinedMetricType)
		}
	}
	if cus != nil {
		if cus.MetricName == "" {
			return fieldErrorf("CustomizedMetricSpecification.MetricName", "missing")
		}
		if !cus.Statistic.valid() {
			return fieldErrorf("CustomizedMetricSpecification.Statistic", "%q is not one of Average, Sum, Minimum, Maximum, SampleCount", cus.Statistic)
		}
	}
	return nil
}

// Alarms returns the high and low alarms that Application Auto Scaling
// would create for the policy.
func (p *TargetTrackingPolicy) Alarms() (high, low Alarm) {
	stat := StatisticAverage
	if c := p.CustomizedMetricSpecification; c != nil && c.Statistic != "" {
		stat = c.Statistic
	}
	hi, lo := p.HighDatapoints, p.LowDatapoints
	if hi == 0 {
		hi = DefaultHighDatapoints
	}
	if lo == 0 {
		lo = DefaultLowDatapoints
	}
	high = Alarm{MetricName: p.MetricName(), Threshold: p.TargetValue, ComparisonOperator: GreaterThanThreshold,
		EvaluationPeriods: hi, Period: p.Period, Statistic: stat}
	low = Alarm{MetricName: p.MetricName(), Threshold: p.TargetValue, ComparisonOperator: LessThanThreshold,
		EvaluationPeriods: lo, Period: p.Period, Statistic: stat}
	return high, low
}

// Desired returns ceil(capacity x metric / TargetValue), the capacity at
// which the metric is expected to settle at or below the target. It
// saturates instead of overflowing.
func (p *TargetTrackingPolicy) Desired(capacity int, metric float64) int {
	// The epsilon keeps float error (11.000000000000002) from adding a task.
	x := math.Ceil(float64(capacity)*metric/p.TargetValue - 1e-9)
	switch {
	case !(x > 0):
		return 0
	case x >= math.MaxInt32:
		return math.MaxInt32
	}
	return int(x)
}
