package autoscale

import (
	"math"
	"sort"
	"time"
)

// Sample is one raw metric observation.
type Sample struct {
	Time  time.Time
	Value float64
}

// Series is a metric's samples in increasing time order. Alarms read the
// samples of the periods that end at the evaluation time; older samples
// may be dropped by the caller once no alarm window reaches them.
type Series []Sample

// Metrics maps a metric name (an alarm's MetricName, a predefined metric
// type) to its samples.
type Metrics map[string]Series

// Series returns m[metric]: Metrics is a MetricSource.
func (m Metrics) Series(metric string) Series { return m[metric] }

// MetricSource gives the samples of a metric by its name (an alarm's
// MetricName, a predefined metric type): none when it has none.
type MetricSource interface {
	Series(metric string) Series
}

// Statistic is how an alarm reduces a period's samples to one datapoint.
type Statistic string

// The CloudWatch statistics.
const (
	StatisticAverage     Statistic = "Average"
	StatisticSum         Statistic = "Sum"
	StatisticMinimum     Statistic = "Minimum"
	StatisticMaximum     Statistic = "Maximum"
	StatisticSampleCount Statistic = "SampleCount"
)

func (s Statistic) valid() bool {
	switch s {
	case "", StatisticAverage, StatisticSum, StatisticMinimum, StatisticMaximum, StatisticSampleCount:
		return true
	}
	return false
}

// reduce applies the statistic to samples; ok is false when there are
// none, a missing datapoint. NaN samples count as absent.
func (s Statistic) reduce(samples Series) (v float64, ok bool) {
	return s.kind().reduce(samples)
}

// statKind is a Statistic as a number, compared without reading the
// string for every sample.
type statKind uint8

const (
	kindAverage statKind = iota
	kindSum              // also any statistic Validate refuses: its samples add up
	kindMinimum
	kindMaximum
	kindSampleCount
)

func (s Statistic) kind() statKind {
	switch s {
	case "", StatisticAverage:
		return kindAverage
	case StatisticMinimum:
		return kindMinimum
	case StatisticMaximum:
		return kindMaximum
	case StatisticSampleCount:
		return kindSampleCount
	}
	return kindSum
}

func (k statKind) reduce(samples Series) (v float64, ok bool) {
	n := 0
	for _, x := range samples {
		if math.IsNaN(x.Value) {
			continue
		}
		switch {
		case n == 0:
			v = x.Value
		case k == kindMinimum:
			v = math.Min(v, x.Value)
		case k == kindMaximum:
			v = math.Max(v, x.Value)
		default:
			v += x.Value
		}
		n++
	}
	switch {
	case n == 0:
		return 0, false
	case k == kindSampleCount:
		return float64(n), true
	case k == kindAverage:
		return v / float64(n), true
	}
	return v, true
}

// ComparisonOperator is how an alarm compares a datapoint with its
// threshold.
type ComparisonOperator string

// The CloudWatch comparison operators for static thresholds.
const (
	GreaterThanOrEqualToThreshold ComparisonOperator = "GreaterThanOrEqualToThreshold"
	GreaterThanThreshold          ComparisonOperator = "GreaterThanThreshold"
	LessThanThreshold             ComparisonOperator = "LessThanThreshold"
	LessThanOrEqualToThreshold    ComparisonOperator = "LessThanOrEqualToThreshold"
)

func (op ComparisonOperator) breaches(v, threshold float64) bool {
	return op.kind().breaches(v, threshold)
}

// opKind is a ComparisonOperator as a number, compared without reading
// the string for every datapoint.
type opKind uint8

const (
	opNone opKind = iota // any operator Validate refuses: nothing breaches
	opGreaterOrEqual
	opGreater
	opLess
	opLessOrEqual
)

func (op ComparisonOperator) kind() opKind {
	switch op {
	case GreaterThanOrEqualToThreshold:
		return opGreaterOrEqual
	case GreaterThanThreshold:
		return opGreater
	case LessThanThreshold:
		return opLess
	case LessThanOrEqualToThreshold:
		return opLessOrEqual
	}
	return opNone
}

func (k opKind) breaches(v, threshold float64) bool {
	switch k {
	case opGreaterOrEqual:
		return v >= threshold
	case opGreater:
		return v > threshold
	case opLess:
		return v < threshold
	case opLessOrEqual:
		return v <= threshold
	}
	return false
}

// AlarmState is a CloudWatch alarm state.
type AlarmState string

// The CloudWatch alarm states.
const (
	StateOK               AlarmState = "OK"
	StateAlarm            AlarmState = "ALARM"
	StateInsufficientData AlarmState = "INSUFFICIENT_DATA"
)

// DefaultPeriod is an alarm's period when none is given.
const DefaultPeriod = 60 * time.Second

// MaxEvaluationRange and MaxShortEvaluationRange are CloudWatch's limits on
// EvaluationPeriods x Period: seven days, and one day for periods shorter
// than an hour. They also bound the work of one evaluation.
const (
	MaxEvaluationRange      = 7 * 24 * time.Hour
	MaxShortEvaluationRange = 24 * time.Hour
)

// Alarm is the part of a PutMetricAlarm request that decides its state.
// The zero values of DatapointsToAlarm, Period and Statistic mean the
// defaults (EvaluationPeriods, 60 s, Average); the other fields are
// required, so call Validate.
//
// The alarm reads the EvaluationPeriods most recent periods ending at the
// evaluation time; each period's samples are reduced by Statistic to one
// datapoint, and a period without samples has a missing datapoint.
// Missing data is treated as CloudWatch's "missing": it never breaches,
// so it can delay an alarm but never raise one. The state is ALARM when
// at least DatapointsToAlarm datapoints breach, INSUFFICIENT_DATA when
// fewer than DatapointsToAlarm datapoints are present, and OK otherwise.
type Alarm struct {
	MetricName         string
	Threshold          float64
	ComparisonOperator ComparisonOperator
	EvaluationPeriods  int
	DatapointsToAlarm  int
	Period             time.Duration
	Statistic          Statistic
}

// Validate reports the first invalid field.
func (a Alarm) Validate() error {
	switch {
	case a.MetricName == "":
		return fieldErrorf("Alarm.MetricName", "missing")
	case math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0):
		return fieldErrorf("Alarm.Threshold", "%v is not a finite number", a.Threshold)
	case !a.ComparisonOperator.valid():
		return fieldErrorf("Alarm.ComparisonOperator", "%q is not one of GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold", a.ComparisonOperator)
	case a.EvaluationPeriods < 1:
		return fieldErrorf("Alarm.EvaluationPeriods", "%d, expected 1 or more", a.EvaluationPeriods)
	case a.DatapointsToAlarm < 0 || a.DatapointsToAlarm > a.EvaluationPeriods:
		return fieldErrorf("Alarm.DatapointsToAlarm", "%d, expected 1 to EvaluationPeriods (%d)", a.DatapointsToAlarm, a.EvaluationPeriods)
	case a.Period < 0 || a.Period%time.Second != 0:
		return fieldErrorf("Alarm.Period", "%v, expected a positive whole number of seconds", a.Period)
	case a.Period > MaxEvaluationRange:
		return fieldErrorf("Alarm.Period", "%v, expected at most %v", a.Period, MaxEvaluationRange)
	case a.EvaluationPeriods > int(a.maxRange()/a.period()):
		return fieldErrorf("Alarm.EvaluationPeriods", "%d periods of %v, expected at most %d (EvaluationPeriods x Period at most %v)",
			a.EvaluationPeriods, a.period(), int(a.maxRange()/a.period()), a.maxRange())
	case !a.Statistic.valid():
		return fieldErrorf("Alarm.Statistic", "%q is not one of Average, Sum, Minimum, Maximum, SampleCount", a.Statistic)
	}
	return nil
}

func (op ComparisonOperator) valid() bool {
	switch op {
	case GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold:
		return true
	}
	return false
}

func (a Alarm) period() time.Duration {
	if a.Period == 0 {
		return DefaultPeriod
	}
	return a.Period
}

// maxRange is CloudWatch's limit on EvaluationPeriods x Period for the
// alarm's period.
func (a Alarm) maxRange() time.Duration {
	if a.period() < time.Hour {
		return MaxShortEvaluationRange
	}
	return MaxEvaluationRange
}

func (a Alarm) datapointsToAlarm() int {
	if a.DatapointsToAlarm == 0 {
		return a.EvaluationPeriods
	}
	return a.DatapointsToAlarm
}

// Datapoints calls fn for each of the alarm's EvaluationPeriods periods
// ending at now, most recent first, with the period's datapoint (ok false
// when it is missing). It does not allocate.
//
// It finds the end of the newest period with one binary search and walks
// back through the older periods, so an evaluation costs one search plus
// the samples it reads, not two searches per period.
func (a Alarm) Datapoints(s Series, now time.Time, fn func(v float64, ok bool)) {
	p := a.period()
	end := now
	hi := sort.Search(len(s), func(i int) bool { return s[i].Time.After(end) })
	for range a.EvaluationPeriods {
		start := end.Add(-p)
		lo := hi
		for lo > 0 && s[lo-1].Time.After(start) {
			lo--
		}
		fn(a.Statistic.reduce(s[lo:hi]))
		end, hi = start, lo
	}
}

// State returns the alarm's state at now, reading s.
func (a Alarm) State(s Series, now time.Time) AlarmState {
	var t tally
	a.Datapoints(s, now, func(v float64, ok bool) { t.add(a, v, ok) })
	return t.state(a)
}

// tally counts an alarm's datapoints as they come, most recent first.
type tally struct {
	present, breaching int
}

func (t *tally) add(a Alarm, v float64, ok bool) {
	if !ok {
		return
	}
	t.present++
	if a.ComparisonOperator.breaches(v, a.Threshold) {
		t.breaching++
	}
}

func (t tally) state(a Alarm) AlarmState {
	m := a.datapointsToAlarm()
	switch {
	case t.breaching >= m:
		return StateAlarm
	case t.present < m:
		return StateInsufficientData
	}
	return StateOK
}
