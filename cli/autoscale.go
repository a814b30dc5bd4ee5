package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/internal/linelimit"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	flag "github.com/spf13/pflag"
)

const autoscaleUsage = `Replay a metric timeline through Application Auto Scaling.

Usage:
  berth autoscale --target FILE --policy FILE [--policy FILE ...]
                  [--scheduled FILE ...] --metrics FILE [--start RFC3339] [--plot FILE.png]

The documents are the AWS API input shapes with their PascalCase names:
  --target     RegisterScalableTarget (MinCapacity, MaxCapacity, SuspendedState,
               ...) plus "Capacity", the service's desired count at the start.
  --policy     PutScalingPolicy (PolicyName, PolicyType StepScaling or
               TargetTrackingScaling, and its configuration). A step policy
               carries the CloudWatch alarm that invokes it under "Alarm", with
               PutMetricAlarm's fields: MetricName, Threshold,
               ComparisonOperator and EvaluationPeriods are required;
               DatapointsToAlarm (= EvaluationPeriods), Period (60) and
               Statistic (Average) are optional; AlarmName, Namespace and
               Dimensions are ignored. A target-tracking policy reads the
               column named by its PredefinedMetricType, or by its
               CustomizedMetricSpecification's MetricName.
  --scheduled  PutScheduledAction (ScheduledActionName, Schedule, Timezone,
               StartTime and EndTime in RFC 3339, ScalableTargetAction).
  --metrics    CSV with the header time,<MetricName>[,<MetricName>...] and one
               row per period; time is seconds from --start or an RFC 3339
               time; an empty cell is a missing datapoint.

Unknown fields are ignored, so that documents saved from the AWS CLI work;
a field that is present with a value of the wrong type is an error naming
it. stdout is CSV, time,capacity,reason: one row per metrics row, time
echoed as given, the capacity after that row was evaluated, and why it
changed (empty when it did not). Scheduled actions run before policies at
each row; datapoints count toward alarms when they occur, and cooldowns
delay actions without resetting alarm windows. --plot also writes a PNG of
the metrics and the capacity over time; its path is checked before the
replay, and the file is replaced only once complete.

Exit status: 0 when the timeline is printed, 1 on an invalid document or an
output (stdout included) that could not be written, 2 on a usage error.

Examples:
  # AWS's worked step-scaling example: 10 -> 11 -> 14 -> 13 -> 10
  E=examples/autoscale    # the files ship with berth
  berth autoscale --target $E/target.json --policy $E/step-out.json \
      --policy $E/step-in.json --metrics $E/worked.csv

  # Target tracking on CPU and on a queue, a weekday floor, and a chart
  berth autoscale --target $E/day-target.json --policy $E/cpu-tracking.json \
      --policy $E/queue-tracking.json --scheduled $E/business-hours.json \
      --metrics $E/day.csv --plot day.png
`

// stringList is a repeatable flag: each use appends its value.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
func (s *stringList) Type() string       { return "string" }

func autoscaleCommand() *command {
	return &command{
		name:    "autoscale",
		summary: "replay metrics through scaling policies and print the capacity",
		usage:   autoscaleUsage,
		flags: func(fs *flag.FlagSet) func(e *env, args []string) error {
			var policies, scheduled stringList
			target := fs.String("target", "", "RegisterScalableTarget `FILE` with \"Capacity\" (required)")
			fs.Var(&policies, "policy", "PutScalingPolicy `FILE` (repeatable)")
			fs.Var(&scheduled, "scheduled", "PutScheduledAction `FILE` (repeatable)")
			metrics := fs.String("metrics", "", "metrics CSV `FILE` (required)")
			start := fs.String("start", "1970-01-01T00:00:00Z", "`RFC3339` time that relative metric times count from")
			plotPath := fs.String("plot", "", "write a PNG chart of metrics and capacity to `FILE.png`")
			return func(e *env, args []string) error {
				switch {
				case len(args) > 0:
					return usagef("unexpected argument %q", args[0])
				case *target == "":
					return usagef("--target is required")
				case *metrics == "":
					return usagef("--metrics is required")
				case len(policies) == 0 && len(scheduled) == 0:
					return usagef("at least one --policy or --scheduled is required")
				}
				t0, err := time.Parse(time.RFC3339, *start)
				if err != nil {
					return usagef("--start: %q is not an RFC 3339 time", *start)
				}
				return runAutoscale(e, *target, policies, scheduled, *metrics, t0, *plotPath)
			}
		},
	}
}

func runAutoscale(e *env, targetPath string, policyPaths, schedPaths []string, metricsPath string, start time.Time, plotPath string) error {
	var outs outputs
	defer outs.abort()
	var plotFile *outputItem
	if plotPath != "" {
		var err error
		if plotFile, err = outs.file("--plot", plotPath); err != nil {
			return err
		}
		defer outs.abortOnInterrupt(e, "autoscale")()
	}
	s, capacity, err := loadScaler(targetPath, policyPaths, schedPaths)
	if err != nil {
		return err
	}
	f, err := os.Open(metricsPath)
	if err != nil {
		return err
	}
	defer f.Close()
	// The metrics are streamed, twice: a first pass checks every row, so
	// that nothing is printed for an invalid file, and a second replays
	// them. Memory does not grow with the number of rows.
	var in io.ReadSeeker = f
	if _, err := f.Seek(0, io.SeekCurrent); err != nil { // a pipe: read it once
		data, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("%s: %w", metricsPath, err)
		}
		in = bytes.NewReader(data)
	}
	sum, err := scanMetrics(in, start)
	if err != nil {
		return fmt.Errorf("%s: %w", metricsPath, err)
	}
	if err := checkColumns(s, sum.names, policyPaths, metricsPath); err != nil {
		return err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", metricsPath, err)
	}
	mr, err := newMetricsReader(in, start)
	if err != nil {
		return fmt.Errorf("%s: %w", metricsPath, err)
	}
	var pl *plotData
	if plotFile != nil {
		pl = newPlotData(sum)
	}
	if err := replay(s, capacity, mr, e.stdout, pl); err != nil {
		if errors.Is(err, errWrite) {
			return err
		}
		return fmt.Errorf("%s: %w", metricsPath, err)
	}
	if plotFile != nil {
		if err := writePlot(plotFile, pl); err != nil {
			return err
		}
	}
	return outs.commit()
}

// replay evaluates the scaler at every row of mr and prints the timeline;
// pl, when not nil, collects what the plot shows. Samples older than the
// scaler's lookback are dropped as the replay goes.
func replay(s *autoscale.Scaler, capacity int, mr *metricsReader, w io.Writer, pl *plotData) error {
	out := csv.NewWriter(w)
	out.Write([]string{"time", "capacity", "reason"})
	m := autoscale.Metrics{}
	st := s.Start(capacity)
	lookback := s.Lookback()
	var r metricRow
	for {
		err := mr.next(&r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for j, name := range mr.names {
			if !math.IsNaN(r.values[j]) {
				m[name] = append(m[name], autoscale.Sample{Time: r.at, Value: r.values[j]})
			}
		}
		var why string
		st, why = s.Evaluate(st, autoscale.Input{Now: r.at, Metrics: m})
		out.Write([]string{r.raw, strconv.Itoa(st.Capacity), why})
		if pl != nil {
			pl.add(&r, st.Capacity)
		}
		dropBefore(m, r.at.Add(-lookback))
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return fmt.Errorf("%w: %w", errWrite, err)
	}
	return nil
}

// errWrite marks a failure to write the timeline, as opposed to one of
// reading the metrics.
var errWrite = errors.New("writing the timeline")

// dropBefore removes the samples at or before t, which no later
// evaluation reads.
func dropBefore(m autoscale.Metrics, t time.Time) {
	for name, series := range m {
		k := sort.Search(len(series), func(i int) bool { return series[i].Time.After(t) })
		if k > 0 {
			m[name] = series[k:]
		}
	}
}

// checkColumns reports a policy whose metric is not a column: a typo
// would otherwise read as missing data and never scale.
func checkColumns(s *autoscale.Scaler, names, policyPaths []string, metricsPath string) error {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for k, p := range s.Policies {
		field, name := "Alarm.MetricName", ""
		if p.StepScaling != nil {
			name = p.StepScaling.Alarm.MetricName
		} else {
			name = p.TargetTracking.MetricName()
			field = "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.MetricName"
			if p.TargetTracking.PredefinedMetricSpecification != nil {
				field = "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType"
			}
		}
		if !have[name] {
			quoted := make([]string, len(names))
			for i, n := range names {
				quoted[i] = strconv.Quote(n)
			}
			return fmt.Errorf("%s: %s: %q is not a column of %s (columns: %s)", policyPaths[k], field, name, metricsPath, strings.Join(quoted, ", "))
		}
	}
	return nil
}

// The input documents. Pointers tell a missing field from a zero one;
// json.RawMessage fields are accepted and ignored.
type (
	targetDoc struct {
		ServiceNamespace  string
		ResourceId        string //nolint:revive // the AWS field name
		ScalableDimension string
		MinCapacity       *int
		MaxCapacity       *int
		SuspendedState    *struct {
			DynamicScalingInSuspended  bool
			DynamicScalingOutSuspended bool
			ScheduledScalingSuspended  bool
		}
		Capacity *int
	}
	stepDoc struct {
		AdjustmentType  string
		StepAdjustments []struct {
			MetricIntervalLowerBound *float64
			MetricIntervalUpperBound *float64
			ScalingAdjustment        *int
		}
		MinAdjustmentMagnitude *int
		Cooldown               *int
		MetricAggregationType  string
	}
	trackingDoc struct {
		TargetValue                   *float64
		PredefinedMetricSpecification *struct {
			PredefinedMetricType string
			ResourceLabel        string
		}
		CustomizedMetricSpecification *struct {
			MetricName string
			Namespace  string
			Statistic  string
			Dimensions json.RawMessage
			Unit       string
		}
		ScaleOutCooldown *int
		ScaleInCooldown  *int
		DisableScaleIn   bool
	}
	alarmDoc struct {
		AlarmName          string
		Namespace          string
		Dimensions         json.RawMessage
		MetricName         string
		Threshold          *float64
		ComparisonOperator string
		EvaluationPeriods  *int
		DatapointsToAlarm  *int
		Period             *int
		Statistic          string
	}
	policyDoc struct {
		PolicyName                               string
		PolicyType                               string
		StepScalingPolicyConfiguration           *stepDoc
		TargetTrackingScalingPolicyConfiguration *trackingDoc
		Alarm                                    *alarmDoc
	}
	scheduledDoc struct {
		ScheduledActionName  string
		Schedule             string
		Timezone             string
		StartTime            string
		EndTime              string
		ScalableTargetAction *struct {
			MinCapacity *int
			MaxCapacity *int
		}
	}
)

// decodeFile reads one JSON document into v with package jsondoc: keys of
// v match exactly, others are ignored, a key given twice is an error, and
// errors name the file, line and column, the field and the value.
func decodeFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return decodeDoc(f, path, v)
}

// decodeDoc is decodeFile's reading of r, named path in errors.
func decodeDoc(r io.Reader, path string, v any) error {
	n, err := jsondoc.ReadDocument(r, path, jsondoc.DefaultLimits)
	if err != nil {
		return err
	}
	return jsondoc.DecodeKnown(n, path, v)
}

// fieldErr puts a library's error about a document in the document's
// file, without the library's prefix (the command adds its own).
func fieldErr(path string, err error) error {
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		return fe.WithFile(path)
	}
	return fmt.Errorf("%s: %w", path, err)
}

func loadScaler(targetPath string, policyPaths, schedPaths []string) (*autoscale.Scaler, int, error) {
	var td targetDoc
	if err := decodeFile(targetPath, &td); err != nil {
		return nil, 0, err
	}
	switch {
	case td.MinCapacity == nil:
		return nil, 0, fmt.Errorf("%s: MinCapacity: missing", targetPath)
	case td.MaxCapacity == nil:
		return nil, 0, fmt.Errorf("%s: MaxCapacity: missing", targetPath)
	case td.Capacity == nil:
		return nil, 0, fmt.Errorf("%s: Capacity: missing, expected the desired count at the start", targetPath)
	case *td.Capacity < 0:
		return nil, 0, fmt.Errorf("%s: Capacity: %d is negative", targetPath, *td.Capacity)
	}
	s := &autoscale.Scaler{Target: autoscale.ScalableTarget{
		ServiceNamespace: td.ServiceNamespace, ResourceId: td.ResourceId, ScalableDimension: td.ScalableDimension,
		MinCapacity: *td.MinCapacity, MaxCapacity: *td.MaxCapacity,
	}}
	if ss := td.SuspendedState; ss != nil {
		s.Target.SuspendedState = autoscale.SuspendedState{
			DynamicScalingInSuspended:  ss.DynamicScalingInSuspended,
			DynamicScalingOutSuspended: ss.DynamicScalingOutSuspended,
			ScheduledScalingSuspended:  ss.ScheduledScalingSuspended,
		}
	}
	if err := s.Target.Validate(); err != nil {
		return nil, 0, fieldErr(targetPath, err)
	}
	for _, path := range policyPaths {
		p, err := loadPolicy(path)
		if err != nil {
			return nil, 0, err
		}
		if err := p.Validate(); err != nil {
			return nil, 0, fieldErr(path, err)
		}
		s.Policies = append(s.Policies, p)
	}
	for _, path := range schedPaths {
		a, err := loadScheduled(path)
		if err != nil {
			return nil, 0, err
		}
		if err := a.Validate(); err != nil {
			return nil, 0, fieldErr(path, err)
		}
		s.ScheduledActions = append(s.ScheduledActions, a)
	}
	if err := s.Validate(); err != nil {
		return nil, 0, err
	}
	return s, *td.Capacity, nil
}

// maxCooldownSeconds bounds a cooldown well inside a time.Duration.
const maxCooldownSeconds = 365 * 24 * 3600

// seconds converts an optional count of seconds to the library's
// convention: absent is 0 (the default), an explicit 0 is -1 (none).
func seconds(path, field string, v *int) (time.Duration, error) {
	switch {
	case v == nil:
		return 0, nil
	case *v < 0:
		return 0, fmt.Errorf("%s: %s: %d is negative", path, field, *v)
	case *v == 0:
		return -1, nil
	case *v > maxCooldownSeconds:
		return 0, fmt.Errorf("%s: %s: %d, expected at most %d seconds (a year)", path, field, *v, maxCooldownSeconds)
	}
	return time.Duration(*v) * time.Second, nil
}

func loadPolicy(path string) (autoscale.Policy, error) {
	var d policyDoc
	if err := decodeFile(path, &d); err != nil {
		return autoscale.Policy{}, err
	}
	p := autoscale.Policy{PolicyName: d.PolicyName}
	if d.PolicyName == "" {
		return p, fmt.Errorf("%s: PolicyName: missing", path)
	}
	switch d.PolicyType {
	case "StepScaling":
		c := d.StepScalingPolicyConfiguration
		if c == nil {
			return p, fmt.Errorf("%s: StepScalingPolicyConfiguration: missing, required with PolicyType StepScaling", path)
		}
		if d.Alarm == nil {
			return p, fmt.Errorf("%s: Alarm: missing, expected the CloudWatch alarm that invokes the policy", path)
		}
		step := &autoscale.StepScalingPolicy{
			AdjustmentType:        autoscale.AdjustmentType(c.AdjustmentType),
			MetricAggregationType: autoscale.MetricAggregationType(c.MetricAggregationType),
		}
		if c.MinAdjustmentMagnitude != nil {
			step.MinAdjustmentMagnitude = *c.MinAdjustmentMagnitude
		}
		var err error
		if step.Cooldown, err = seconds(path, "StepScalingPolicyConfiguration.Cooldown", c.Cooldown); err != nil {
			return p, err
		}
		for k, a := range c.StepAdjustments {
			if a.ScalingAdjustment == nil {
				return p, fmt.Errorf("%s: StepScalingPolicyConfiguration.StepAdjustments[%d].ScalingAdjustment: missing", path, k)
			}
			step.StepAdjustments = append(step.StepAdjustments, autoscale.StepAdjustment{
				MetricIntervalLowerBound: a.MetricIntervalLowerBound, MetricIntervalUpperBound: a.MetricIntervalUpperBound,
				ScalingAdjustment: *a.ScalingAdjustment})
		}
		if step.Alarm, err = loadAlarm(path, d.Alarm); err != nil {
			return p, err
		}
		p.StepScaling = step
	case "TargetTrackingScaling":
		c := d.TargetTrackingScalingPolicyConfiguration
		if c == nil {
			return p, fmt.Errorf("%s: TargetTrackingScalingPolicyConfiguration: missing, required with PolicyType TargetTrackingScaling", path)
		}
		if c.TargetValue == nil {
			return p, fmt.Errorf("%s: TargetTrackingScalingPolicyConfiguration.TargetValue: missing", path)
		}
		tt := &autoscale.TargetTrackingPolicy{TargetValue: *c.TargetValue, DisableScaleIn: c.DisableScaleIn}
		if pm := c.PredefinedMetricSpecification; pm != nil {
			tt.PredefinedMetricSpecification = &autoscale.PredefinedMetricSpecification{
				PredefinedMetricType: autoscale.PredefinedMetricType(pm.PredefinedMetricType), ResourceLabel: pm.ResourceLabel}
		}
		if cm := c.CustomizedMetricSpecification; cm != nil {
			tt.CustomizedMetricSpecification = &autoscale.CustomizedMetricSpecification{
				MetricName: cm.MetricName, Namespace: cm.Namespace, Statistic: autoscale.Statistic(cm.Statistic)}
		}
		var err error
		if tt.ScaleOutCooldown, err = seconds(path, "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown", c.ScaleOutCooldown); err != nil {
			return p, err
		}
		if tt.ScaleInCooldown, err = seconds(path, "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", c.ScaleInCooldown); err != nil {
			return p, err
		}
		p.TargetTracking = tt
	case "":
		return p, fmt.Errorf("%s: PolicyType: missing, expected StepScaling or TargetTrackingScaling", path)
	default:
		return p, fmt.Errorf("%s: PolicyType: %q is not supported, expected StepScaling or TargetTrackingScaling", path, d.PolicyType)
	}
	return p, nil
}

func loadAlarm(path string, d *alarmDoc) (autoscale.Alarm, error) {
	a := autoscale.Alarm{MetricName: d.MetricName, ComparisonOperator: autoscale.ComparisonOperator(d.ComparisonOperator),
		Statistic: autoscale.Statistic(d.Statistic)}
	switch {
	case d.MetricName == "":
		return a, fmt.Errorf("%s: Alarm.MetricName: missing", path)
	case d.Threshold == nil:
		return a, fmt.Errorf("%s: Alarm.Threshold: missing", path)
	case d.ComparisonOperator == "":
		return a, fmt.Errorf("%s: Alarm.ComparisonOperator: missing", path)
	case d.EvaluationPeriods == nil:
		return a, fmt.Errorf("%s: Alarm.EvaluationPeriods: missing", path)
	case d.DatapointsToAlarm != nil && *d.DatapointsToAlarm < 1:
		return a, fmt.Errorf("%s: Alarm.DatapointsToAlarm: %d, expected 1 or more", path, *d.DatapointsToAlarm)
	case d.Period != nil && *d.Period < 1:
		return a, fmt.Errorf("%s: Alarm.Period: %d, expected a positive number of seconds", path, *d.Period)
	case d.Period != nil && *d.Period > int(autoscale.MaxEvaluationRange/time.Second):
		return a, fmt.Errorf("%s: Alarm.Period: %d, expected at most %d seconds (seven days)", path, *d.Period, int(autoscale.MaxEvaluationRange/time.Second))
	}
	a.Threshold, a.EvaluationPeriods = *d.Threshold, *d.EvaluationPeriods
	if d.DatapointsToAlarm != nil {
		a.DatapointsToAlarm = *d.DatapointsToAlarm
	}
	if d.Period != nil {
		a.Period = time.Duration(*d.Period) * time.Second
	}
	return a, nil
}

func loadScheduled(path string) (autoscale.ScheduledAction, error) {
	var d scheduledDoc
	if err := decodeFile(path, &d); err != nil {
		return autoscale.ScheduledAction{}, err
	}
	a := autoscale.ScheduledAction{ScheduledActionName: d.ScheduledActionName}
	if d.Schedule == "" {
		return a, fmt.Errorf("%s: Schedule: missing", path)
	}
	var err error
	if a.Schedule, err = autoscale.ParseSchedule(d.Schedule, d.Timezone); err != nil {
		return a, fieldErr(path, err)
	}
	for _, t := range []struct {
		field string
		src   string
		dst   *time.Time
	}{{"StartTime", d.StartTime, &a.StartTime}, {"EndTime", d.EndTime, &a.EndTime}} {
		if t.src == "" {
			continue
		}
		if *t.dst, err = time.Parse(time.RFC3339, t.src); err != nil {
			return a, fmt.Errorf("%s: %s: %q is not an RFC 3339 time", path, t.field, t.src)
		}
	}
	if d.ScalableTargetAction != nil {
		a.ScalableTargetAction = autoscale.ScalableTargetAction{MinCapacity: d.ScalableTargetAction.MinCapacity, MaxCapacity: d.ScalableTargetAction.MaxCapacity}
	}
	return a, nil
}

// timeline is a parsed metrics CSV, held whole (tests only: a replay
// streams).
type timeline struct {
	names []string
	rows  []metricRow
}

type metricRow struct {
	raw    string // the time cell as written
	at     time.Time
	values []float64 // NaN for an empty cell
}

// readMetrics parses a whole metrics CSV.
func readMetrics(r io.Reader, start time.Time) (*timeline, error) {
	mr, err := newMetricsReader(r, start)
	if err != nil {
		return nil, err
	}
	tl := &timeline{names: mr.names}
	for {
		var row metricRow
		err := mr.next(&row)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		tl.rows = append(tl.rows, row)
	}
	if len(tl.rows) == 0 {
		return nil, fmt.Errorf("no rows after the header")
	}
	return tl, nil
}

// metricsSummary is what a first pass over the metrics learns.
type metricsSummary struct {
	names       []string
	rows        int
	first, last time.Time
}

// scanMetrics checks every row of the metrics CSV without keeping them.
func scanMetrics(r io.Reader, start time.Time) (metricsSummary, error) {
	mr, err := newMetricsReader(r, start)
	if err != nil {
		return metricsSummary{}, err
	}
	sum := metricsSummary{names: mr.names}
	var row metricRow
	for {
		err := mr.next(&row)
		if err == io.EOF {
			break
		}
		if err != nil {
			return metricsSummary{}, err
		}
		if sum.rows == 0 {
			sum.first = row.at
		}
		sum.last = row.at
		sum.rows++
	}
	if sum.rows == 0 {
		return metricsSummary{}, fmt.Errorf("no rows after the header")
	}
	return sum, nil
}

// metricsReader streams the metrics CSV: a header time,<MetricName>...,
// then rows whose times strictly increase.
type metricsReader struct {
	cr    *csv.Reader
	start time.Time
	names []string
	prev  time.Time
	rows  int
}

func newMetricsReader(r io.Reader, start time.Time) (*metricsReader, error) {
	cr := csv.NewReader(linelimit.New(r, linelimit.Max))
	cr.FieldsPerRecord = -1 // checked by next, with the counts
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("empty file, expected a header time,<MetricName>...")
	}
	if err != nil {
		return nil, csvErr(err)
	}
	if len(header) < 2 || strings.TrimSpace(header[0]) != "time" {
		return nil, fmt.Errorf("line 1: header %q, expected time,<MetricName>[,<MetricName>...]", strings.Join(header, ","))
	}
	mr := &metricsReader{cr: cr, start: start}
	seen := map[string]bool{}
	for _, h := range header[1:] {
		h = strings.TrimSpace(h)
		if h == "" || seen[h] {
			return nil, fmt.Errorf("line 1: column %q is empty or repeated", h)
		}
		seen[h] = true
		mr.names = append(mr.names, h)
	}
	return mr, nil
}

// next reads the next row into row, reusing its values; io.EOF ends the
// rows.
func (mr *metricsReader) next(row *metricRow) error {
	rec, err := mr.cr.Read()
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return csvErr(err)
	}
	line, _ := mr.cr.FieldPos(0)
	if len(rec) != len(mr.names)+1 {
		return fmt.Errorf("line %d: expected %d fields (time,%s), found %d", line, len(mr.names)+1, strings.Join(mr.names, ","), len(rec))
	}
	row.raw = rec[0]
	if len(row.values) != len(mr.names) {
		row.values = make([]float64, len(mr.names))
	}
	if row.at, err = parseRowTime(strings.TrimSpace(rec[0]), mr.start); err != nil {
		return fmt.Errorf("line %d: time: %v", line, err)
	}
	if mr.rows > 0 && !row.at.After(mr.prev) {
		return fmt.Errorf("line %d: time: %q is not after the previous row's", line, rec[0])
	}
	mr.prev = row.at
	mr.rows++
	for j, cell := range rec[1:] {
		cell = strings.TrimSpace(cell)
		if cell == "" {
			row.values[j] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("line %d: column %q: %q is not a finite number", line, mr.names[j], cell)
		}
		row.values[j] = v
	}
	return nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: %v", pe.Line, pe.Err)
	}
	return err
}

// parseRowTime reads seconds from start or an RFC 3339 time.
func parseRowTime(s string, start time.Time) (time.Time, error) {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 || secs > 1e11 {
			return time.Time{}, fmt.Errorf("%q, expected seconds from the start (0 to 1e11)", s)
		}
		return start.Add(time.Duration(math.Round(secs * 1e9))), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither seconds from the start nor an RFC 3339 time", s)
	}
	return t, nil
}

// maxPlotRows is how many rows a plot shows point by point; a longer
// timeline is drawn from plotBuckets buckets of rows, each keeping its
// first, lowest, highest and last point, which draws the same envelope
// at a fraction of the points.
const (
	maxPlotRows = 4000
	plotBuckets = 300
)

// plotData collects the plotted lines as a replay goes: series 0..n-1
// are the metrics, series n the capacity.
type plotData struct {
	names   []string
	t0      time.Time
	rows    int // rows in the timeline
	seen    int // rows added so far
	lines   []plotter.XYs
	buckets []bucket // per line, the current bucket
	current int      // the current bucket's number
}

// bucket is the first, lowest, highest and last point of a line within
// one bucket of rows.
type bucket struct {
	n                      int
	first, low, high, last plotter.XY
}

func newPlotData(sum metricsSummary) *plotData {
	n := len(sum.names) + 1
	return &plotData{names: sum.names, t0: sum.first, rows: sum.rows, lines: make([]plotter.XYs, n), buckets: make([]bucket, n)}
}

// add records a replayed row and the capacity after it.
func (pd *plotData) add(r *metricRow, capacity int) {
	x := r.at.Sub(pd.t0).Minutes()
	if b := pd.seen * plotBuckets / pd.rows; pd.rows > maxPlotRows && b != pd.current {
		pd.flush()
		pd.current = b
	}
	pd.seen++
	for j, v := range r.values {
		if !math.IsNaN(v) {
			pd.point(j, plotter.XY{X: x, Y: v})
		}
	}
	pd.point(len(pd.names), plotter.XY{X: x, Y: float64(capacity)})
}

func (pd *plotData) point(line int, p plotter.XY) {
	if pd.rows <= maxPlotRows {
		pd.lines[line] = append(pd.lines[line], p)
		return
	}
	b := &pd.buckets[line]
	if b.n == 0 {
		b.first, b.low, b.high = p, p, p
	}
	if p.Y < b.low.Y {
		b.low = p
	}
	if p.Y > b.high.Y {
		b.high = p
	}
	b.last = p
	b.n++
}

// flush appends the current buckets' points to their lines, in time
// order and without repeats.
func (pd *plotData) flush() {
	for j := range pd.buckets {
		b := &pd.buckets[j]
		if b.n == 0 {
			continue
		}
		mid := []plotter.XY{b.low, b.high}
		if b.high.X < b.low.X {
			mid[0], mid[1] = b.high, b.low
		}
		for _, p := range append([]plotter.XY{b.first}, append(mid, b.last)...) {
			if l := pd.lines[j]; len(l) == 0 || l[len(l)-1] != p {
				pd.lines[j] = append(pd.lines[j], p)
			}
		}
		*b = bucket{}
	}
}

// writePlot draws the metrics (top) and the capacity (bottom) against
// minutes from the first row.
func writePlot(file *outputItem, pd *plotData) error {
	pd.flush()
	top := plot.New()
	top.Title.Text = "metrics"
	top.Y.Label.Text = "value"
	top.Legend.Top = true
	palette := []color.Color{color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 255, G: 127, B: 14, A: 255},
		color.RGBA{R: 44, G: 160, B: 44, A: 255}, color.RGBA{R: 214, G: 39, B: 40, A: 255}}
	for j, name := range pd.names {
		xy := pd.lines[j]
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = palette[j%len(palette)]
		top.Add(l)
		top.Legend.Add(name, l)
	}
	bottom := plot.New()
	bottom.Title.Text = "capacity"
	bottom.X.Label.Text = "minutes"
	bottom.Y.Label.Text = "desired count"
	l, err := plotter.NewLine(pd.lines[len(pd.names)])
	if err != nil {
		return err
	}
	l.StepStyle = plotter.PostStep
	bottom.Add(l)
	bottom.Y.Min = 0

	img := vgimg.New(8*vg.Inch, 6*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter, PadY: 3 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return file.write("", b.Bytes())
}
