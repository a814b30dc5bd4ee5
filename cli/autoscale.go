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
	"slices"
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
                  [--scheduled FILE ...] [--alarms FILE] [--resource-id ID]
                  --metrics FILE [--start RFC3339] [--plot FILE.png]

The documents are the AWS API input shapes with their PascalCase names, or
the AWS CLI's describe outputs as printed (--output json):
  --target     RegisterScalableTarget (MinCapacity, MaxCapacity, SuspendedState,
               ...), optionally with "Capacity", the service's desired count at
               the start; without it the replay starts at MinCapacity. Or the
               output of describe-scalable-targets (ScalableTargets).
  --policy     PutScalingPolicy (PolicyName, PolicyType StepScaling or
               TargetTrackingScaling, and its configuration), or the output of
               describe-scaling-policies (ScalingPolicies), which gives every
               policy of the service. A step policy carries the CloudWatch
               alarm that invokes it under "Alarm", with PutMetricAlarm's
               fields: MetricName, Threshold, ComparisonOperator and
               EvaluationPeriods are required; DatapointsToAlarm
               (= EvaluationPeriods), Period (60) and Statistic (Average) are
               optional; AlarmName, Namespace and Dimensions are ignored. A
               describe-scaling-policies step policy names its alarm under
               "Alarms" instead, and --alarms defines it. A target-tracking
               policy reads the column named by its PredefinedMetricType, or
               by its CustomizedMetricSpecification's MetricName; with metric
               math (Metrics), a query's value is the column named after its
               Id, else the one named after its MetricStat's MetricName, else
               its Expression (numbers, Ids, + - * / and parentheses) computed
               from the others; the query with ReturnData true (the default)
               is the metric.
  --scheduled  PutScheduledAction (ScheduledActionName, Schedule, Timezone,
               StartTime, EndTime, ScalableTargetAction), or the output of
               describe-scheduled-actions (ScheduledActions). StartTime and
               EndTime are RFC 3339, a date-time without a zone (UTC, as AWS
               reads it) or seconds since 1970.
  --alarms     the output of aws cloudwatch describe-alarms (MetricAlarms).
  --resource-id
               the service, service/CLUSTER/SERVICE, whose elements of the
               describe outputs are read; by default the target's ResourceId.
               A describe output with elements of several services and no
               service to pick is an error listing their ResourceIds.
  --metrics    CSV with the header time,<MetricName>[,<MetricName>...] and one
               row per period; time is seconds from --start or an RFC 3339
               time; an empty cell is a missing datapoint.

Unknown fields are ignored, so that documents saved from the AWS CLI work;
a field that is present with a value of the wrong type is an error naming
it, by its path from a describe output's list (ScalingPolicies[0].Alarms).
stdout is CSV, time,capacity,reason: one row per metrics row, time
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

  # The AWS CLI's describe outputs as printed: one service's step policies
  # and their alarms, then another's metric math backlog per task
  A=examples/autoscale/aws
  berth autoscale --target $A/scalable-targets.json \
      --resource-id service/default/web-app --policy $A/scaling-policies.json \
      --alarms $A/alarms.json --scheduled $A/scheduled-actions.json \
      --metrics $A/web.csv
  berth autoscale --target $A/scalable-targets.json \
      --resource-id service/default/worker --policy $A/scaling-policies.json \
      --scheduled $A/scheduled-actions.json --metrics $A/worker.csv \
      --start 2026-01-05T19:50:00Z
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
			target := fs.String("target", "", "RegisterScalableTarget or describe-scalable-targets `FILE` (required)")
			fs.Var(&policies, "policy", "PutScalingPolicy or describe-scaling-policies `FILE` (repeatable)")
			fs.Var(&scheduled, "scheduled", "PutScheduledAction or describe-scheduled-actions `FILE` (repeatable)")
			alarms := fs.String("alarms", "", "describe-alarms `FILE` defining the step policies' alarms")
			resourceID := fs.String("resource-id", "", "`ID` (service/CLUSTER/SERVICE) of the service whose describe-output elements are read")
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
				files := scalerFiles{target: *target, policies: policies, scheduled: scheduled, alarms: *alarms, resourceID: *resourceID}
				return runAutoscale(e, files, *metrics, t0, *plotPath)
			}
		},
	}
}

func runAutoscale(e *env, files scalerFiles, metricsPath string, start time.Time, plotPath string) error {
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
	ld, err := loadScaler(files)
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
	derived, err := resolveMath(ld, sum.names, metricsPath)
	if err != nil {
		return err
	}
	if err := checkColumns(ld, sum.names, derived, metricsPath); err != nil {
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
	if err := replay(ld.scaler, ld.capacity, newComputer(derived), mr, e.stdout, pl); err != nil {
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
func replay(s *autoscale.Scaler, capacity int, c *computer, mr *metricsReader, w io.Writer, pl *plotData) error {
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
		c.row(&r, m)
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

// checkColumns reports a policy whose metric is not a column (or a
// derived series): a typo would otherwise read as missing data and never
// scale.
func checkColumns(ld *loaded, names []string, derived []derivedSeries, metricsPath string) error {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, d := range derived {
		have[d.name] = true
	}
	for k, p := range ld.scaler.Policies {
		at, field, name := ld.policyRefs[k], "", ""
		if p.StepScaling != nil {
			at, field, name = ld.alarmRefs[k], "MetricName", p.StepScaling.Alarm.MetricName
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
			return at.errorf(field, "%q is not a column of %s (columns: %s)", name, metricsPath, strings.Join(quoted, ", "))
		}
	}
	return nil
}

// The input documents. Pointers tell a missing field from a zero one;
// json.RawMessage fields are accepted and ignored. Each is either an API
// input (PutScalingPolicy, ...) or an element of the matching describe
// output (ScalingPolicies[i], ...), whose extra fields are ignored.
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
	// queryDoc is a TargetTrackingMetricDataQuery.
	queryDoc struct {
		Id         string //nolint:revive // the AWS field name
		Expression string
		Label      string
		MetricStat *struct {
			Metric struct {
				MetricName string
				Namespace  string
				Dimensions json.RawMessage
			}
			Stat string
			Unit string
		}
		ReturnData *bool
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
			Metrics    []queryDoc
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
		// ExtendedStatistic (a percentile) and Metrics (metric math) are
		// read only to refuse them: berth's alarms take one statistic of
		// one metric.
		ExtendedStatistic string
		Metrics           json.RawMessage
	}
	policyDoc struct {
		PolicyName                               string
		PolicyType                               string
		ResourceId                               string //nolint:revive // the AWS field name
		StepScalingPolicyConfiguration           *stepDoc
		TargetTrackingScalingPolicyConfiguration *trackingDoc
		Alarm                                    *alarmDoc
		// Alarms is how describe-scaling-policies names a step policy's
		// alarm; --alarms defines it.
		Alarms []struct {
			AlarmName string
			AlarmARN  string
		}
	}
	scheduledDoc struct {
		ScheduledActionName  string
		Schedule             string
		Timezone             string
		StartTime            awsTime
		EndTime              awsTime
		ScalableTargetAction *struct {
			MinCapacity *int
			MaxCapacity *int
		}
	}
)

// awsTime is a timestamp as written: a string, or a number of seconds
// since the epoch (the AWS CLI v1 prints timestamps so). parseAWSTime
// reads it.
type awsTime struct {
	text   string
	number bool
}

// UnmarshalJSON keeps the text of a string or a number.
func (a *awsTime) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &a.text)
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("expected a time, found %s", fielderr.Shorten(string(b), fielderr.MaxValue))
	}
	a.text, a.number = string(b), true
	return nil
}

// parseAWSTime reads a time as Application Auto Scaling does: RFC 3339,
// a date-time without a zone as UTC, or seconds since the epoch.
func parseAWSTime(a awsTime) (time.Time, bool) {
	if a.number {
		secs, _ := strconv.ParseFloat(a.text, 64)
		if secs < 0 || secs > 1e11 {
			return time.Time{}, false
		}
		return time.Unix(0, 0).UTC().Add(time.Duration(math.Round(secs * 1e9))), true
	}
	if t, err := time.Parse(time.RFC3339, a.text); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05", a.text); err == nil {
		return t, true // time.Parse without a zone gives UTC
	}
	return time.Time{}, false
}

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
	return docRef{file: path}.wrap(err)
}

// docRef names a document: its file and, for an element of a describe
// output, its path from the wrapper ("ScalingPolicies[0]").
type docRef struct{ file, at string }

// errorf returns "FILE: PATH.FIELD: MESSAGE".
func (r docRef) errorf(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %s", r.file, fielderr.Join(r.at, field), fmt.Sprintf(format, args...))
}

// wrap puts err, about a field of the document, below the document's
// path and in its file.
func (r docRef) wrap(err error) error {
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		return fe.Under(r.at).WithFile(r.file)
	}
	if r.at != "" {
		return fmt.Errorf("%s: %s: %w", r.file, r.at, err)
	}
	return fmt.Errorf("%s: %w", r.file, err)
}

// element is one document read from a file.
type element struct {
	node *jsondoc.Node
	ref  docRef
}

// decode reads the element into v, with errors at its path.
func (el element) decode(v any) error {
	if err := jsondoc.DecodeKnown(el.node, el.ref.file, v); err != nil {
		return el.ref.wrap(err)
	}
	return nil
}

// resourceID is the element's ResourceId, or "".
func (el element) resourceID() string {
	if n := el.node.Get("ResourceId"); n != nil && n.Kind == jsondoc.String {
		return n.Text
	}
	return ""
}

// describeList is a describe output's list and the API input that an
// element of it corresponds to.
type describeList struct{ list, command, input string }

var describeLists = []describeList{
	{"ScalableTargets", "describe-scalable-targets", "RegisterScalableTarget"},
	{"ScalingPolicies", "describe-scaling-policies", "PutScalingPolicy"},
	{"ScheduledActions", "describe-scheduled-actions", "PutScheduledAction"},
	{"MetricAlarms", "cloudwatch describe-alarms", "PutMetricAlarm"},
}

// readElements reads path: a describe output (an object with the key
// wrapper, a list) gives its elements of the resource resourceID, every
// one when resourceID is "" and they name one resource; any other
// document is itself the one element.
func readElements(path, wrapper, resourceID string) ([]element, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := jsondoc.ReadDocument(f, path, jsondoc.DefaultLimits)
	if err != nil {
		return nil, err
	}
	w := n.Get(wrapper)
	if n.Kind != jsondoc.Object || w == nil {
		for _, other := range describeLists {
			if other.list != wrapper && n.Kind == jsondoc.Object && n.Get(other.list) != nil {
				want := describeLists[slices.IndexFunc(describeLists, func(d describeList) bool { return d.list == wrapper })]
				return nil, fmt.Errorf("%s: %s: the output of %s, expected %s or the output of %s", path, other.list, other.command, want.input, want.command)
			}
		}
		return []element{{node: n, ref: docRef{file: path}}}, nil
	}
	if w.Kind != jsondoc.Array {
		return nil, &fielderr.Error{File: path, Line: w.Pos.Line, Column: w.Pos.Col, Path: wrapper, Msg: "expected an array, found " + jsondoc.Found(w)}
	}
	var all, picked []element
	var ids []string
	seen := map[string]bool{}
	for i := range w.Elems {
		el := element{node: &w.Elems[i], ref: docRef{file: path, at: fielderr.Index(wrapper, i)}}
		all = append(all, el)
		id := el.resourceID()
		if !seen[id] {
			seen[id] = true
			ids = append(ids, strconv.Quote(id))
		}
		if resourceID == "" || id == resourceID {
			picked = append(picked, el)
		}
	}
	switch {
	case len(all) == 0:
		return nil, fmt.Errorf("%s: %s: empty, expected at least one element", path, wrapper)
	case resourceID == "" && len(ids) > 1:
		return nil, fmt.Errorf("%s: %s: elements of %d resources (ResourceId %s), expected --resource-id to pick one", path, wrapper, len(ids), strings.Join(ids, ", "))
	case len(picked) == 0:
		return nil, fmt.Errorf("%s: %s: no element has ResourceId %q (found %s)", path, wrapper, resourceID, strings.Join(ids, ", "))
	}
	return picked, nil
}

// scalerFiles are the documents that make a Scaler.
type scalerFiles struct {
	target     string
	policies   []string
	scheduled  []string
	alarms     string // a describe-alarms output, or ""
	resourceID string // --resource-id, or ""
}

// loaded is a Scaler read from its documents.
type loaded struct {
	scaler   *autoscale.Scaler
	capacity int
	// policyRefs[k] is where s.Policies[k] was read, and alarmRefs[k]
	// where its alarm was (a step policy's).
	policyRefs, alarmRefs []docRef
	// math holds the policies whose customized metric is metric math.
	math []mathPolicy
}

func loadScaler(files scalerFiles) (*loaded, error) {
	targets, err := readElements(files.target, "ScalableTargets", files.resourceID)
	if err != nil {
		return nil, err
	}
	if len(targets) > 1 {
		return nil, fmt.Errorf("%s: ScalableTargets: %d targets of ResourceId %q, expected one", files.target, len(targets), targets[0].resourceID())
	}
	var td targetDoc
	tr := targets[0].ref
	if err := targets[0].decode(&td); err != nil {
		return nil, err
	}
	switch {
	case td.MinCapacity == nil:
		return nil, tr.errorf("MinCapacity", "missing")
	case td.MaxCapacity == nil:
		return nil, tr.errorf("MaxCapacity", "missing")
	case td.Capacity != nil && *td.Capacity < 0:
		return nil, tr.errorf("Capacity", "%d is negative", *td.Capacity)
	}
	s := &autoscale.Scaler{Target: autoscale.ScalableTarget{
		ServiceNamespace: td.ServiceNamespace, ResourceId: td.ResourceId, ScalableDimension: td.ScalableDimension,
		MinCapacity: *td.MinCapacity, MaxCapacity: *td.MaxCapacity,
	}}
	ld := &loaded{scaler: s, capacity: *td.MinCapacity}
	if td.Capacity != nil {
		ld.capacity = *td.Capacity
	}
	if ss := td.SuspendedState; ss != nil {
		s.Target.SuspendedState = autoscale.SuspendedState{
			DynamicScalingInSuspended:  ss.DynamicScalingInSuspended,
			DynamicScalingOutSuspended: ss.DynamicScalingOutSuspended,
			ScheduledScalingSuspended:  ss.ScheduledScalingSuspended,
		}
	}
	if err := s.Target.Validate(); err != nil {
		return nil, tr.wrap(err)
	}
	// The policies and actions are the target's service's, unless
	// --resource-id says otherwise.
	resource := files.resourceID
	if resource == "" {
		resource = td.ResourceId
	}
	alarms, err := readAlarms(files.alarms)
	if err != nil {
		return nil, err
	}
	for _, path := range files.policies {
		els, err := readElements(path, "ScalingPolicies", resource)
		if err != nil {
			return nil, err
		}
		for _, el := range els {
			p, mp, ar, err := loadPolicy(el, alarms)
			if err != nil {
				return nil, err
			}
			if err := p.Validate(); err != nil {
				return nil, el.ref.wrap(err)
			}
			if mp != nil {
				mp.policy = len(s.Policies)
				ld.math = append(ld.math, *mp)
			}
			s.Policies = append(s.Policies, p)
			ld.policyRefs = append(ld.policyRefs, el.ref)
			ld.alarmRefs = append(ld.alarmRefs, ar)
		}
	}
	for _, path := range files.scheduled {
		els, err := readElements(path, "ScheduledActions", resource)
		if err != nil {
			return nil, err
		}
		for _, el := range els {
			a, err := loadScheduled(el)
			if err != nil {
				return nil, err
			}
			if err := a.Validate(); err != nil {
				return nil, el.ref.wrap(err)
			}
			s.ScheduledActions = append(s.ScheduledActions, a)
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return ld, nil
}

// namedAlarm is an alarm of a describe-alarms output.
type namedAlarm struct {
	doc alarmDoc
	ref docRef
}

// alarmSet is the alarms of --alarms by name; file is "" without it.
type alarmSet struct {
	file   string
	byName map[string]namedAlarm
}

func readAlarms(path string) (alarmSet, error) {
	set := alarmSet{file: path, byName: map[string]namedAlarm{}}
	if path == "" {
		return set, nil
	}
	els, err := readElements(path, "MetricAlarms", "")
	if err != nil {
		return set, err
	}
	for _, el := range els {
		var d alarmDoc
		if err := el.decode(&d); err != nil {
			return set, err
		}
		if d.AlarmName == "" {
			return set, el.ref.errorf("AlarmName", "missing")
		}
		if _, dup := set.byName[d.AlarmName]; dup {
			return set, el.ref.errorf("AlarmName", "%q is given twice", d.AlarmName)
		}
		set.byName[d.AlarmName] = namedAlarm{doc: d, ref: el.ref}
	}
	return set, nil
}

// alarmOf returns a step policy's alarm: the one under Alarm, else the
// one its Alarms names, from --alarms.
func alarmOf(r docRef, d *policyDoc, alarms alarmSet) (*alarmDoc, docRef, error) {
	if d.Alarm != nil {
		return d.Alarm, docRef{file: r.file, at: fielderr.Join(r.at, "Alarm")}, nil
	}
	switch {
	case len(d.Alarms) == 0:
		return nil, r, r.errorf("Alarm", "missing, expected the CloudWatch alarm that invokes the policy")
	case len(d.Alarms) > 1:
		return nil, r, r.errorf("Alarms", "%d alarms, expected one (berth drives a step policy by one alarm)", len(d.Alarms))
	}
	name := d.Alarms[0].AlarmName
	switch a, ok := alarms.byName[name]; {
	case alarms.file == "":
		return nil, r, r.errorf("Alarms[0].AlarmName", "%q is not defined, expected --alarms FILE with the output of aws cloudwatch describe-alarms", name)
	case !ok:
		return nil, r, r.errorf("Alarms[0].AlarmName", "%q is not in %s (%d alarms)", name, alarms.file, len(alarms.byName))
	default:
		return &a.doc, a.ref, nil
	}
}

// maxCooldownSeconds bounds a cooldown well inside a time.Duration.
const maxCooldownSeconds = 365 * 24 * 3600

// seconds converts an optional count of seconds to the library's
// convention: absent is 0 (the default), an explicit 0 is -1 (none).
func seconds(r docRef, field string, v *int) (time.Duration, error) {
	switch {
	case v == nil:
		return 0, nil
	case *v < 0:
		return 0, r.errorf(field, "%d is negative", *v)
	case *v == 0:
		return -1, nil
	case *v > maxCooldownSeconds:
		return 0, r.errorf(field, "%d, expected at most %d seconds (a year)", *v, maxCooldownSeconds)
	}
	return time.Duration(*v) * time.Second, nil
}

// loadPolicy reads a policy; a metric math policy's queries come back
// in mathPolicy, and a step policy's alarm's place in the docRef.
func loadPolicy(el element, alarms alarmSet) (autoscale.Policy, *mathPolicy, docRef, error) {
	var d policyDoc
	r := el.ref
	if err := el.decode(&d); err != nil {
		return autoscale.Policy{}, nil, r, err
	}
	p := autoscale.Policy{PolicyName: d.PolicyName}
	if d.PolicyName == "" {
		return p, nil, r, r.errorf("PolicyName", "missing")
	}
	switch d.PolicyType {
	case "StepScaling":
		step, ar, err := loadStep(r, &d, alarms)
		p.StepScaling = step
		return p, nil, ar, err
	case "TargetTrackingScaling":
		tt, mp, err := loadTracking(r, &d)
		p.TargetTracking = tt
		return p, mp, r, err
	case "":
		return p, nil, r, r.errorf("PolicyType", "missing, expected StepScaling or TargetTrackingScaling")
	default:
		return p, nil, r, r.errorf("PolicyType", "%q is not supported, expected StepScaling or TargetTrackingScaling", d.PolicyType)
	}
}

func loadStep(r docRef, d *policyDoc, alarms alarmSet) (*autoscale.StepScalingPolicy, docRef, error) {
	c := d.StepScalingPolicyConfiguration
	if c == nil {
		return nil, r, r.errorf("StepScalingPolicyConfiguration", "missing, required with PolicyType StepScaling")
	}
	ad, ar, err := alarmOf(r, d, alarms)
	if err != nil {
		return nil, r, err
	}
	step := &autoscale.StepScalingPolicy{
		AdjustmentType:        autoscale.AdjustmentType(c.AdjustmentType),
		MetricAggregationType: autoscale.MetricAggregationType(c.MetricAggregationType),
	}
	if c.MinAdjustmentMagnitude != nil {
		step.MinAdjustmentMagnitude = *c.MinAdjustmentMagnitude
	}
	if step.Cooldown, err = seconds(r, "StepScalingPolicyConfiguration.Cooldown", c.Cooldown); err != nil {
		return nil, r, err
	}
	for k, a := range c.StepAdjustments {
		if a.ScalingAdjustment == nil {
			return nil, r, r.errorf(fmt.Sprintf("StepScalingPolicyConfiguration.StepAdjustments[%d].ScalingAdjustment", k), "missing")
		}
		step.StepAdjustments = append(step.StepAdjustments, autoscale.StepAdjustment{
			MetricIntervalLowerBound: a.MetricIntervalLowerBound, MetricIntervalUpperBound: a.MetricIntervalUpperBound,
			ScalingAdjustment: *a.ScalingAdjustment})
	}
	if step.Alarm, err = loadAlarm(ar, ad); err != nil {
		return nil, r, err
	}
	return step, ar, nil
}

func loadTracking(r docRef, d *policyDoc) (*autoscale.TargetTrackingPolicy, *mathPolicy, error) {
	const cfg = "TargetTrackingScalingPolicyConfiguration"
	c := d.TargetTrackingScalingPolicyConfiguration
	if c == nil {
		return nil, nil, r.errorf(cfg, "missing, required with PolicyType TargetTrackingScaling")
	}
	if c.TargetValue == nil {
		return nil, nil, r.errorf(cfg+".TargetValue", "missing")
	}
	tt := &autoscale.TargetTrackingPolicy{TargetValue: *c.TargetValue, DisableScaleIn: c.DisableScaleIn}
	if pm := c.PredefinedMetricSpecification; pm != nil {
		tt.PredefinedMetricSpecification = &autoscale.PredefinedMetricSpecification{
			PredefinedMetricType: autoscale.PredefinedMetricType(pm.PredefinedMetricType), ResourceLabel: pm.ResourceLabel}
	}
	var mp *mathPolicy
	if cm := c.CustomizedMetricSpecification; cm != nil {
		tt.CustomizedMetricSpecification = &autoscale.CustomizedMetricSpecification{
			MetricName: cm.MetricName, Namespace: cm.Namespace, Statistic: autoscale.Statistic(cm.Statistic)}
		if cm.Metrics != nil {
			var err error
			at := docRef{file: r.file, at: fielderr.Join(r.at, cfg+".CustomizedMetricSpecification")}
			if mp, err = loadQueries(at, cm.MetricName, cm.Metrics); err != nil {
				return nil, nil, err
			}
			tt.CustomizedMetricSpecification.MetricName = mp.queries[mp.ret].Id
		}
	}
	var err error
	if tt.ScaleOutCooldown, err = seconds(r, cfg+".ScaleOutCooldown", c.ScaleOutCooldown); err != nil {
		return nil, nil, err
	}
	if tt.ScaleInCooldown, err = seconds(r, cfg+".ScaleInCooldown", c.ScaleInCooldown); err != nil {
		return nil, nil, err
	}
	return tt, mp, nil
}

// loadAlarm reads an alarm at r: a policy's "Alarm" or an element of a
// describe-alarms output.
func loadAlarm(r docRef, d *alarmDoc) (autoscale.Alarm, error) {
	a := autoscale.Alarm{MetricName: d.MetricName, ComparisonOperator: autoscale.ComparisonOperator(d.ComparisonOperator),
		Statistic: autoscale.Statistic(d.Statistic)}
	maxPeriod := int(autoscale.MaxEvaluationRange / time.Second)
	switch {
	case d.ExtendedStatistic != "":
		return a, r.errorf("ExtendedStatistic", "%q: percentile alarms are not modelled, expected Statistic (Average, Sum, Minimum, Maximum or SampleCount)", d.ExtendedStatistic)
	case len(d.Metrics) > 0 && string(d.Metrics) != "null":
		return a, r.errorf("Metrics", "metric math alarms are not modelled, expected MetricName with a Statistic")
	case d.MetricName == "":
		return a, r.errorf("MetricName", "missing")
	case d.Threshold == nil:
		return a, r.errorf("Threshold", "missing")
	case d.ComparisonOperator == "":
		return a, r.errorf("ComparisonOperator", "missing")
	case d.EvaluationPeriods == nil:
		return a, r.errorf("EvaluationPeriods", "missing")
	case d.DatapointsToAlarm != nil && *d.DatapointsToAlarm < 1:
		return a, r.errorf("DatapointsToAlarm", "%d, expected 1 or more", *d.DatapointsToAlarm)
	case d.Period != nil && *d.Period < 1:
		return a, r.errorf("Period", "%d, expected a positive number of seconds", *d.Period)
	case d.Period != nil && *d.Period > maxPeriod:
		return a, r.errorf("Period", "%d, expected at most %d seconds (seven days)", *d.Period, maxPeriod)
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

func loadScheduled(el element) (autoscale.ScheduledAction, error) {
	var d scheduledDoc
	r := el.ref
	if err := el.decode(&d); err != nil {
		return autoscale.ScheduledAction{}, err
	}
	a := autoscale.ScheduledAction{ScheduledActionName: d.ScheduledActionName}
	if d.Schedule == "" {
		return a, r.errorf("Schedule", "missing")
	}
	var err error
	if a.Schedule, err = autoscale.ParseSchedule(d.Schedule, d.Timezone); err != nil {
		return a, r.wrap(err)
	}
	for _, t := range []struct {
		field string
		src   awsTime
		dst   *time.Time
	}{{"StartTime", d.StartTime, &a.StartTime}, {"EndTime", d.EndTime, &a.EndTime}} {
		if t.src.text == "" {
			continue
		}
		var ok bool
		if *t.dst, ok = parseAWSTime(t.src); !ok {
			return a, r.errorf(t.field, "%q is not an RFC 3339 time, a date-time without a zone (UTC) or seconds since 1970", t.src.text)
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

// mathPolicy is a target tracking policy whose customized metric is a
// list of metric data queries (metric math).
type mathPolicy struct {
	policy  int    // its index in Scaler.Policies
	ref     docRef // its CustomizedMetricSpecification
	queries []queryDoc
	exprs   []*autoscale.MetricMath // per query; nil for a MetricStat
	ret     int                     // the query with ReturnData
}

// loadQueries checks a CustomizedMetricSpecification's Metrics and
// compiles their expressions.
func loadQueries(r docRef, metricName string, qs []queryDoc) (*mathPolicy, error) {
	switch {
	case metricName != "":
		return nil, r.errorf("Metrics", "given with MetricName, expected one of them")
	case len(qs) == 0:
		return nil, r.errorf("Metrics", "empty, expected at least one query")
	}
	mp := &mathPolicy{ref: r, queries: qs, exprs: make([]*autoscale.MetricMath, len(qs)), ret: -1}
	ids := map[string]bool{}
	var returning []string
	for i, q := range qs {
		at := fmt.Sprintf("Metrics[%d]", i)
		switch {
		case q.Id == "":
			return nil, r.errorf(at+".Id", "missing")
		case ids[q.Id]:
			return nil, r.errorf(at+".Id", "%q is the Id of an earlier query", q.Id)
		case q.Expression == "" && q.MetricStat == nil:
			return nil, r.errorf(at, "neither Expression nor MetricStat, expected one of them")
		case q.Expression != "" && q.MetricStat != nil:
			return nil, r.errorf(at, "both Expression and MetricStat, expected one of them")
		case q.MetricStat != nil && q.MetricStat.Metric.MetricName == "":
			return nil, r.errorf(at+".MetricStat.Metric.MetricName", "missing")
		}
		ids[q.Id] = true
		if q.Expression != "" {
			m, err := autoscale.CompileMetricMath(q.Expression)
			if err != nil {
				var me *autoscale.MathError
				errors.As(err, &me)
				return nil, r.errorf(at+".Expression", "%q: offset %d: %s", q.Expression, me.Offset, me.Msg)
			}
			mp.exprs[i] = m
		}
		if q.ReturnData == nil || *q.ReturnData { // omitted means true, as in CloudWatch
			mp.ret = i
			returning = append(returning, q.Id)
		}
	}
	if len(returning) != 1 {
		return nil, r.errorf("Metrics", "%d queries return data (%s), expected exactly one with ReturnData true", len(returning), strings.Join(returning, ", "))
	}
	return mp, nil
}

// derivedSeries is a metric computed per metrics row from the columns
// and earlier derived series.
type derivedSeries struct {
	name string // the series name, when it is a policy's metric
	expr *autoscale.MetricMath
	// args[i] is the source of expr.Vars()[i]: a column index, or
	// -(k+1) for derived series k.
	args []int
}

// resolveMath binds each metric math policy to the metrics CSV: a query
// Id names a column of that name, else its MetricStat's MetricName names
// one, else its expression is computed from the others. It sets each
// policy's metric name to the series it reads and returns the series to
// compute, in the order to compute them.
func resolveMath(ld *loaded, names []string, metricsPath string) ([]derivedSeries, error) {
	col := map[string]int{}
	for i, n := range names {
		col[n] = i
	}
	var out []derivedSeries
	used := map[string]bool{}
	for _, mp := range ld.math {
		rv := &mathResolver{mp: mp, col: col, names: names, metricsPath: metricsPath, state: map[string]int{}}
		ret := mp.queries[mp.ret]
		name := ret.Id
		if _, ok := col[ret.Id]; !ok {
			src, err := rv.source(ret.Id, mp.ret)
			if err != nil {
				return nil, err
			}
			if src >= 0 { // a MetricStat read from its MetricName's column
				name = names[src]
			} else { // the returned expression, rv's last series
				for n := 2; used[name] || hasKey(col, name); n++ {
					name = ret.Id + "#" + strconv.Itoa(n)
				}
				rv.out[len(rv.out)-1].name = name
			}
		}
		// Shift rv's derived indices past the earlier policies'.
		base := len(out)
		for _, d := range rv.out {
			for i, a := range d.args {
				if a < 0 {
					d.args[i] = a - base
				}
			}
			out = append(out, d)
		}
		used[name] = true
		ld.scaler.Policies[mp.policy].TargetTracking.CustomizedMetricSpecification.MetricName = name
	}
	return out, nil
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// mathResolver resolves one policy's queries.
type mathResolver struct {
	mp          mathPolicy
	col         map[string]int
	names       []string
	metricsPath string
	state       map[string]int // Id -> source; inProgress while resolving
	out         []derivedSeries
}

const inProgress = math.MinInt

// source returns where the value of query Id comes from (see
// derivedSeries.args), query i being the one that names it.
func (rv *mathResolver) source(id string, from int) (int, error) {
	if c, ok := rv.col[id]; ok {
		return c, nil
	}
	if s, ok := rv.state[id]; ok {
		if s == inProgress {
			return 0, rv.fail(from, "%s depends on itself", id)
		}
		return s, nil
	}
	k := -1
	for i, q := range rv.mp.queries {
		if q.Id == id {
			k = i
		}
	}
	if k < 0 {
		return 0, rv.fail(from, "%s is no query's Id and no column of %s (columns: %s)", id, rv.metricsPath, rv.columns())
	}
	q := rv.mp.queries[k]
	if q.MetricStat != nil {
		c, ok := rv.col[q.MetricStat.Metric.MetricName]
		if !ok {
			return 0, rv.fail(from, "%s (MetricName %q) is not a column of %s, expected a column named %s or %s (columns: %s)",
				id, q.MetricStat.Metric.MetricName, rv.metricsPath, id, q.MetricStat.Metric.MetricName, rv.columns())
		}
		rv.state[id] = c
		return c, nil
	}
	rv.state[id] = inProgress
	e := rv.mp.exprs[k]
	args := make([]int, len(e.Vars()))
	for i, v := range e.Vars() {
		s, err := rv.source(v, k)
		if err != nil {
			return 0, err
		}
		args[i] = s
	}
	rv.out = append(rv.out, derivedSeries{expr: e, args: args})
	s := -len(rv.out)
	rv.state[id] = s
	return s, nil
}

// fail is an error about query i's expression (or, for a returned
// MetricStat, the query itself).
func (rv *mathResolver) fail(i int, format string, args ...any) error {
	q := rv.mp.queries[i]
	if q.Expression == "" {
		return rv.mp.ref.errorf(fmt.Sprintf("Metrics[%d]", i), format, args...)
	}
	return rv.mp.ref.errorf(fmt.Sprintf("Metrics[%d].Expression", i), "%q: %s", q.Expression, fmt.Sprintf(format, args...))
}

func (rv *mathResolver) columns() string {
	quoted := make([]string, len(rv.names))
	for i, n := range rv.names {
		quoted[i] = strconv.Quote(n)
	}
	return strings.Join(quoted, ", ")
}

// computer evaluates the derived series row by row without allocating.
type computer struct {
	series []derivedSeries
	vals   []float64 // per series, the current row's value (NaN: none)
	args   []float64
}

func newComputer(series []derivedSeries) *computer {
	c := &computer{series: series, vals: make([]float64, len(series))}
	for _, d := range series {
		if len(d.args) > len(c.args) {
			c.args = make([]float64, len(d.args))
		}
	}
	return c
}

// row computes the derived series of a row and appends the named ones'
// datapoints to m.
func (c *computer) row(r *metricRow, m autoscale.Metrics) {
	for k, d := range c.series {
		args := c.args[:len(d.args)]
		for i, a := range d.args {
			if a >= 0 {
				args[i] = r.values[a]
			} else {
				args[i] = c.vals[-a-1]
			}
		}
		v, ok := d.expr.Eval(args)
		if !ok {
			v = math.NaN()
		}
		c.vals[k] = v
		if ok && d.name != "" {
			m[d.name] = append(m[d.name], autoscale.Sample{Time: r.at, Value: v})
		}
	}
}
