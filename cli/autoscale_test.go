package cli

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/internal/golden"
	"github.com/google/go-cmp/cmp"
)

func asData(name string) string { return filepath.Join("testdata", "autoscale", name) }

func TestAutoscaleGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"worked", []string{"--target", asData("target.json"), "--policy", asData("step-out.json"),
			"--policy", asData("step-in.json"), "--metrics", asData("worked.csv")}},
		{"day", []string{"--target", asData("day-target.json"), "--policy", asData("cpu-tracking.json"),
			"--policy", asData("queue-tracking.json"), "--scheduled", asData("business-hours.json"), "--metrics", asData("day.csv")}},
		{"scheduled-only", []string{"--target", asData("target.json"), "--scheduled", asData("business-hours.json"),
			"--metrics", asData("day.csv")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", append([]string{"autoscale"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			golden.Check(t, "autoscale/"+tt.name+".golden.csv", stdout)
		})
	}
}

func TestAutoscaleWorkedExample(t *testing.T) {
	// The documented sequence, independent of the golden file.
	stdout, _, _ := runBerth(t, "", "autoscale", "--target", asData("target.json"), "--policy", asData("step-out.json"),
		"--policy", asData("step-in.json"), "--metrics", asData("worked.csv"))
	var caps []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		caps = append(caps, strings.Split(line, ",")[1])
	}
	if got, want := strings.Join(caps, " "), "10 11 14 14 13 10 10"; got != want {
		t.Errorf("capacities %q, want %q", got, want)
	}
}

// writeDoc writes content to a file in dir and returns its path.
func writeDoc(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAutoscaleErrors(t *testing.T) {
	dir := t.TempDir()
	target := asData("target.json")
	out := asData("step-out.json")
	metrics := asData("worked.csv")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no target", []string{"--policy", out, "--metrics", metrics}, 2, "--target is required"},
		{"no metrics", []string{"--target", target, "--policy", out}, 2, "--metrics is required"},
		{"no policy", []string{"--target", target, "--metrics", metrics}, 2, "at least one --policy or --scheduled"},
		{"bad start", []string{"--target", target, "--policy", out, "--metrics", metrics, "--start", "yesterday"}, 2, "--start"},
		{"stray argument", []string{"--target", target, "--policy", out, "--metrics", metrics, "extra"}, 2, `unexpected argument "extra"`},
		{"missing file", []string{"--target", filepath.Join(dir, "nope.json"), "--policy", out, "--metrics", metrics}, 1, "nope.json"},
		{"string for a number", []string{"--target", writeDoc(t, dir, "t1.json", `{"MinCapacity": "1", "MaxCapacity": 5, "Capacity": 2}`),
			"--policy", out, "--metrics", metrics}, 1, `t1.json:1:2: MinCapacity: expected an integer, found "1"`},
		{"fractional adjustment", []string{"--target", target, "--policy", writeDoc(t, dir, "p1.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity",
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1.5}]},"Alarm":{}}`), "--metrics", metrics},
			1, `StepScalingPolicyConfiguration.StepAdjustments[0].ScalingAdjustment: expected an integer, found 1.5`},
		{"negative capacity", []string{"--target", writeDoc(t, dir, "t2.json", `{"MinCapacity": 1, "MaxCapacity": 5, "Capacity": -1}`),
			"--policy", out, "--metrics", metrics}, 1, "t2.json: Capacity: -1 is negative"},
		{"max below min", []string{"--target", writeDoc(t, dir, "t3.json", `{"MinCapacity": 6, "MaxCapacity": 5, "Capacity": 5}`),
			"--policy", out, "--metrics", metrics}, 1, "t3.json: MaxCapacity: 5 is below MinCapacity 6"},
		{"overlapping steps", []string{"--target", target, "--policy", writeDoc(t, dir, "p2.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity",
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"MetricIntervalUpperBound":10,"ScalingAdjustment":1},
			{"MetricIntervalLowerBound":5,"ScalingAdjustment":2}]},
			"Alarm":{"MetricName":"CPUUtilization","Threshold":50,"ComparisonOperator":"GreaterThanThreshold","EvaluationPeriods":1}}`),
			"--metrics", metrics}, 1, `p2.json: policy "p": StepAdjustments[1].MetricIntervalLowerBound: 5 overlaps step 0 [0, 10)`},
		{"step policy without alarm", []string{"--target", target, "--policy", writeDoc(t, dir, "p3.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity",
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]}}`), "--metrics", metrics}, 1, "p3.json: Alarm: missing"},
		{"alarm without threshold", []string{"--target", target, "--policy", writeDoc(t, dir, "p4.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity",
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]},
			"Alarm":{"MetricName":"CPUUtilization","ComparisonOperator":"GreaterThanThreshold","EvaluationPeriods":1}}`), "--metrics", metrics},
			1, "p4.json: Alarm.Threshold: missing"},
		{"predictive policy", []string{"--target", target, "--policy", writeDoc(t, dir, "p5.json",
			`{"PolicyName":"p","PolicyType":"PredictiveScaling"}`), "--metrics", metrics}, 1, `p5.json: PolicyType: "PredictiveScaling" is not supported`},
		{"metric not in the CSV", []string{"--target", target, "--policy", asData("cpu-tracking.json"), "--metrics", metrics},
			1, `PredefinedMetricType: "ECSServiceAverageCPUUtilization" is not a column of`},
		{"ALB without label", []string{"--target", target, "--policy", writeDoc(t, dir, "p6.json",
			`{"PolicyName":"p","PolicyType":"TargetTrackingScaling","TargetTrackingScalingPolicyConfiguration":{"TargetValue":100,
			"PredefinedMetricSpecification":{"PredefinedMetricType":"ALBRequestCountPerTarget"}}}`), "--metrics", metrics},
			1, "PredefinedMetricSpecification.ResourceLabel: missing"},
		{"bad cron", []string{"--target", target, "--scheduled", writeDoc(t, dir, "s1.json",
			`{"ScheduledActionName":"s","Schedule":"cron(0 8 * * MON *)","ScalableTargetAction":{"MinCapacity":2}}`), "--metrics", metrics},
			1, `s1.json: Schedule: "cron(0 8 * * MON *)": expected '?' in exactly one`},
		{"bad StartTime", []string{"--target", target, "--scheduled", writeDoc(t, dir, "s2.json",
			`{"ScheduledActionName":"s","Schedule":"rate(1 hour)","StartTime":"tomorrow","ScalableTargetAction":{"MinCapacity":2}}`), "--metrics", metrics},
			1, `s2.json: StartTime: "tomorrow" is not an RFC 3339 time, a date-time without a zone (UTC) or seconds since 1970`},
		{"bad metrics cell", []string{"--target", target, "--policy", out, "--metrics", writeDoc(t, dir, "m1.csv", "time,CPUUtilization\n0,12\n60,abc\n")},
			1, `m1.csv: line 3: column "CPUUtilization": "abc" is not a finite number`},
		{"wrong number of fields", []string{"--target", target, "--policy", out, "--metrics", writeDoc(t, dir, "m3.csv", "time,CPUUtilization\n0,12\n60,1,2\n")},
			1, `m3.csv: line 3: expected 2 fields (time,CPUUtilization), found 3`},
		{"time going back", []string{"--target", target, "--policy", out, "--metrics", writeDoc(t, dir, "m2.csv", "time,CPUUtilization\n60,12\n0,1\n")},
			1, `m2.csv: line 3: time: "0" is not after the previous row's`},
		{"Period past a time.Duration", []string{"--target", target, "--policy", writeDoc(t, dir, "p7.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity",
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]},
			"Alarm":{"MetricName":"CPUUtilization","Threshold":50,"ComparisonOperator":"GreaterThanThreshold","EvaluationPeriods":1,"Period":4611686018427387904}}`),
			"--metrics", metrics}, 1, `p7.json: Alarm.Period: 4611686018427387904, expected at most 604800 seconds (seven days)`},
		{"a billion evaluation periods", []string{"--target", target, "--policy", writeDoc(t, dir, "p8.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity",
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]},
			"Alarm":{"MetricName":"CPUUtilization","Threshold":50,"ComparisonOperator":"GreaterThanThreshold","EvaluationPeriods":1000000000}}`),
			"--metrics", metrics}, 1, `p8.json: policy "p": Alarm.EvaluationPeriods: 1000000000 periods of 1m0s, expected at most 1440`},
		{"cooldown past a time.Duration", []string{"--target", target, "--policy", writeDoc(t, dir, "p9.json",
			`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity","Cooldown":10000000000,
			"StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]},
			"Alarm":{"MetricName":"CPUUtilization","Threshold":50,"ComparisonOperator":"GreaterThanThreshold","EvaluationPeriods":1}}`),
			"--metrics", metrics}, 1, `p9.json: StepScalingPolicyConfiguration.Cooldown: 10000000000, expected at most 31536000 seconds (a year)`},
		{"scale-out cooldown past a time.Duration", []string{"--target", asData("day-target.json"), "--policy", writeDoc(t, dir, "p10.json",
			`{"PolicyName":"p","PolicyType":"TargetTrackingScaling","TargetTrackingScalingPolicyConfiguration":{"TargetValue":50,
			"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"},"ScaleOutCooldown":10000000000}}`),
			"--metrics", asData("day.csv")}, 1, `p10.json: TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown: 10000000000, expected at most 31536000 seconds`},
		{"invalid JSON", []string{"--target", writeDoc(t, dir, "t4.json", `{"MinCapacity": 1,`), "--policy", out, "--metrics", metrics},
			1, "t4.json"},
		{"empty document", []string{"--target", writeDoc(t, dir, "t5.json", "\n"), "--policy", out, "--metrics", metrics},
			1, "t5.json: empty document"},
		{"duplicate key", []string{"--target", writeDoc(t, dir, "t6.json", "{\"MinCapacity\": 1,\n\"MinCapacity\": 2}"), "--policy", out, "--metrics", metrics},
			1, `t6.json:2:1: duplicate key "MinCapacity" (first at line 1, column 2)`},
		{"key case", []string{"--target", writeDoc(t, dir, "t7.json", `{"minCapacity": 1, "MaxCapacity": 4, "Capacity": 2}`), "--policy", out, "--metrics", metrics},
			1, "t7.json: MinCapacity: missing"},
		{"byte order mark", []string{"--target", writeDoc(t, dir, "t8.json", "\uFEFF{\"MinCapacity\": \"x\"}"), "--policy", out, "--metrics", metrics},
			1, `t8.json:1:2: MinCapacity: expected an integer, found "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", append([]string{"autoscale"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
			if tt.wantCode == 1 && (strings.Count(stderr, "\n") != 1 || stdout != "") {
				t.Errorf("want a one-line error and no stdout, got stderr %q stdout %q", stderr, stdout)
			}
		})
	}
}

func TestAutoscalePlot(t *testing.T) {
	out := filepath.Join(t.TempDir(), "day.png")
	_, stderr, code := runBerth(t, "", "autoscale", "--target", asData("day-target.json"), "--policy", asData("cpu-tracking.json"),
		"--metrics", asData("day.csv"), "--plot", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("--plot wrote an invalid PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("PNG is %dx%d, want a real chart", b.Dx(), b.Dy())
	}
}

func TestReadMetricsTimes(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tl, err := readMetrics(strings.NewReader("time,A,B\n0,1,\n 90.5 ,2,3\n2024-01-01T00:05:00Z,,4\n"), start)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2024-01-01T00:00:00Z", "2024-01-01T00:01:30.5Z", "2024-01-01T00:05:00Z"}
	for k, r := range tl.rows {
		if got := r.at.Format(time.RFC3339Nano); got != want[k] {
			t.Errorf("row %d at %s, want %s", k, got, want[k])
		}
	}
	if tl.rows[1].raw != " 90.5 " {
		t.Errorf("raw time %q, want it echoed exactly", tl.rows[1].raw)
	}
	for _, bad := range []string{"", "when,A\n0,1\n", "time\n0\n", "time,A,A\n0,1,2\n", "time,A\n", "time,A\n-5,1\n", "time,A\n0,1,2\n", "time,A\n0,NaN\n"} {
		if _, err := readMetrics(strings.NewReader(bad), start); err == nil {
			t.Errorf("readMetrics(%q): no error", bad)
		}
	}
}

func FuzzReadMetrics(f *testing.F) {
	f.Add("time,CPUUtilization\n0,55\n60,60\n120,\n")
	f.Add("time,A,B\n2024-01-01T00:00:00Z,1,2\n2024-01-01T00:01:00Z,,3\n")
	f.Add("time,A\n\"0\",\"1\"\n")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src string) {
		tl, err := readMetrics(strings.NewReader(src), start)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for k, r := range tl.rows {
			if len(r.values) != len(tl.names) {
				t.Fatalf("row %d has %d values for %d columns", k, len(r.values), len(tl.names))
			}
			if k > 0 && !r.at.After(tl.rows[k-1].at) {
				t.Fatalf("row %d time %v is not after row %d", k, r.at, k-1)
			}
		}
	})
}

// FuzzAutoscaleDocuments: no document panics decodeDoc, and every error is
// one line naming the file.
func FuzzAutoscaleDocuments(f *testing.F) {
	f.Add([]byte(`{"MinCapacity": 1, "MaxCapacity": 4, "Capacity": 2}`))
	f.Add([]byte(`{"PolicyName":"p","PolicyType":"StepScaling","StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity","StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]},"Alarm":{"Threshold":1,"Dimensions":[{"Name":"a"}]}}`))
	f.Add([]byte(`{"ScheduledActionName":"s","Schedule":"rate(1 hour)","ScalableTargetAction":{"MinCapacity":2}}`))
	f.Add([]byte(`{"ScheduledActionName":"s","Schedule":"rate(1 hour)","StartTime":1767600000.5,"EndTime":"2026-01-05T08:00:00"}`))
	f.Add([]byte(`{"PolicyName":"p","PolicyType":"TargetTrackingScaling","TargetTrackingScalingPolicyConfiguration":{"TargetValue":1,"CustomizedMetricSpecification":{"Metrics":[{"Id":"e1","Expression":"m1 / m2","ReturnData":true}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs := []any{new(targetDoc), new(policyDoc), new(scheduledDoc)}
		for _, d := range docs {
			err := decodeDoc(bytes.NewReader(data), "f.json", d)
			if err != nil && (!strings.HasPrefix(err.Error(), "f.json") || strings.Contains(err.Error(), "\n")) {
				t.Fatalf("error %q is not one line naming the file", err)
			}
		}
	})
}

func describeData(name string) string {
	return filepath.Join("testdata", "autoscale", "describe", name)
}

// TestAutoscaleDescribeGolden replays the AWS CLI's describe outputs as
// printed: two services' targets, policies and actions in one file each.
func TestAutoscaleDescribeGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"web", []string{"--target", describeData("scalable-targets.json"), "--resource-id", "service/default/web-app",
			"--policy", describeData("scaling-policies.json"), "--alarms", describeData("alarms.json"),
			"--scheduled", describeData("scheduled-actions.json"), "--metrics", describeData("web.csv")}},
		{"worker", []string{"--target", describeData("scalable-targets.json"), "--resource-id", "service/default/worker",
			"--policy", describeData("scaling-policies.json"), "--scheduled", describeData("scheduled-actions.json"),
			"--metrics", describeData("worker.csv"), "--start", "2026-01-05T19:50:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", append([]string{"autoscale"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			golden.Check(t, "autoscale/describe/"+tt.name+".golden.csv", stdout)
		})
	}
}

// TestLoadScalerDescribe checks what is read from the describe outputs:
// the selected service's documents only, the capacity at MinCapacity.
func TestLoadScalerDescribe(t *testing.T) {
	type summary struct {
		Capacity  int
		Policies  []string
		Metrics   []string
		Scheduled []string
		At        []string
	}
	tests := []struct {
		name  string
		files scalerFiles
		want  summary
	}{
		{"web-app", scalerFiles{target: describeData("scalable-targets.json"), resourceID: "service/default/web-app",
			policies: []string{describeData("scaling-policies.json")}, scheduled: []string{describeData("scheduled-actions.json")},
			alarms: describeData("alarms.json")},
			summary{Capacity: 1, Policies: []string{"web-app-cpu-gt-75", "web-app-cpu-lt-25"},
				Metrics: []string{"CPUUtilization", "CPUUtilization"}, Scheduled: []string{"web-app-morning"},
				At: []string{"ScalingPolicies[0]", "ScalingPolicies[1]"}}},
		{"worker", scalerFiles{target: describeData("scalable-targets.json"), resourceID: "service/default/worker",
			policies: []string{describeData("scaling-policies.json")}, scheduled: []string{describeData("scheduled-actions.json")}},
			summary{Capacity: 1, Policies: []string{"worker-backlog-per-task"}, Metrics: []string{"e1"},
				Scheduled: []string{"worker-night"}, At: []string{"ScalingPolicies[2]"}}},
		{"API input documents, the target's Capacity", scalerFiles{target: asData("target.json"),
			policies: []string{asData("step-out.json"), asData("step-in.json")}},
			summary{Capacity: 10, Policies: []string{"cpu-step-out", "cpu-step-in"},
				Metrics: []string{"CPUUtilization", "CPUUtilization"}, At: []string{"", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ld, err := loadScaler(tt.files)
			if err != nil {
				t.Fatalf("loadScaler = %v", err)
			}
			got := summary{Capacity: ld.capacity}
			for k, p := range ld.scaler.Policies {
				got.Policies = append(got.Policies, p.PolicyName)
				if p.StepScaling != nil {
					got.Metrics = append(got.Metrics, p.StepScaling.Alarm.MetricName)
				} else {
					got.Metrics = append(got.Metrics, p.TargetTracking.MetricName())
				}
				got.At = append(got.At, ld.policyRefs[k].at)
			}
			for _, a := range ld.scaler.ScheduledActions {
				got.Scheduled = append(got.Scheduled, a.ScheduledActionName)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("loadScaler(%+v) (-want +got):\n%s", tt.files, diff)
			}
		})
	}
}

func TestParseAWSTime(t *testing.T) {
	tests := []struct {
		in   awsTime
		want time.Time
		ok   bool
	}{
		{awsTime{text: "2026-01-05T08:00:00Z"}, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), true},
		{awsTime{text: "2026-01-05T08:00:00+01:00"}, time.Date(2026, 1, 5, 7, 0, 0, 0, time.UTC), true},
		{awsTime{text: "2026-01-05T08:00:00"}, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), true},
		{awsTime{text: "2026-01-05T08:00:00.5"}, time.Date(2026, 1, 5, 8, 0, 0, 5e8, time.UTC), true},
		{awsTime{text: "1767600000", number: true}, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), true},
		{awsTime{text: "2026-01-05"}, time.Time{}, false},
		{awsTime{text: "-1", number: true}, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseAWSTime(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseAWSTime(%+v) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestAutoscaleZonelessTimes: a StartTime without a zone is UTC, as AWS
// reads it, so an action starting at 08:00 does not fire at 07:00.
func TestAutoscaleZonelessTimes(t *testing.T) {
	dir := t.TempDir()
	sched := writeDoc(t, dir, "s.json", `{"ScheduledActionName":"s","Schedule":"rate(1 minute)","StartTime":"1970-01-01T00:02:00",
		"EndTime":"1970-01-01T00:03:30","ScalableTargetAction":{"MinCapacity":3}}`)
	target := writeDoc(t, dir, "t.json", `{"ResourceId":"service/default/web","MinCapacity":1,"MaxCapacity":5}`)
	stdout, stderr, code := runBerth(t, "", "autoscale", "--target", target, "--scheduled", sched,
		"--metrics", writeDoc(t, dir, "m.csv", "time,x\n0,1\n60,1\n120,1\n180,1\n240,1\n"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var caps []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		caps = append(caps, strings.Split(line, ",")[1])
	}
	if got, want := strings.Join(caps, " "), "1 1 3 3 3"; got != want {
		t.Errorf("capacities %q, want %q (starting at MinCapacity 1, raised at 00:02 UTC)", got, want)
	}
}

func TestAutoscaleDescribeErrors(t *testing.T) {
	dir := t.TempDir()
	targets := describeData("scalable-targets.json")
	policies := describeData("scaling-policies.json")
	alarms := describeData("alarms.json")
	web := describeData("web.csv")
	worker := describeData("worker.csv")
	noID := writeDoc(t, dir, "t.json", `{"MinCapacity": 1, "MaxCapacity": 10}`)
	mathPolicy := func(name string, metrics string) string {
		return writeDoc(t, dir, name, `{"ScalingPolicies":[{"PolicyName":"p","PolicyType":"TargetTrackingScaling","ResourceId":"service/default/worker",
			"TargetTrackingScalingPolicyConfiguration":{"TargetValue":100,"CustomizedMetricSpecification":{"Metrics":`+metrics+`}}}]}`)
	}
	m1 := `{"Id":"m1","MetricStat":{"Metric":{"MetricName":"ApproximateNumberOfMessagesVisible"},"Stat":"Sum"},"ReturnData":false}`
	m2 := `{"Id":"m2","MetricStat":{"Metric":{"MetricName":"RunningTaskCount"},"Stat":"Average"},"ReturnData":false}`
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"several targets without --resource-id", []string{"--target", targets, "--policy", policies, "--metrics", web},
			`scalable-targets.json: ScalableTargets: elements of 2 resources (ResourceId "service/default/web-app", "service/default/worker"), expected --resource-id to pick one`},
		{"unknown resource", []string{"--target", targets, "--resource-id", "service/default/nope", "--policy", policies, "--metrics", web},
			`scalable-targets.json: ScalableTargets: no element has ResourceId "service/default/nope" (found "service/default/web-app", "service/default/worker")`},
		{"policy missing inside the wrapper", []string{"--target", noID, "--policy", writeDoc(t, dir, "p1.json",
			`{"ScalingPolicies":[{"ResourceId":"service/default/web-app","PolicyType":"StepScaling"}]}`), "--metrics", web},
			`p1.json: ScalingPolicies[0].PolicyName: missing`},
		{"wrong type inside the wrapper", []string{"--target", noID, "--policy", writeDoc(t, dir, "p2.json",
			`{"ScalingPolicies":[{"ResourceId":"service/default/web-app","PolicyName":"p","PolicyType":"StepScaling","Alarms":{}}]}`), "--metrics", web},
			`p2.json:1:105: ScalingPolicies[0].Alarms: expected an array, found an object`},
		{"step policy alarm without --alarms", []string{"--target", targets, "--resource-id", "service/default/web-app", "--policy", policies, "--metrics", web},
			`scaling-policies.json: ScalingPolicies[0].Alarms[0].AlarmName: "web-app-cpu-gt-75" is not defined, expected --alarms FILE with the output of aws cloudwatch describe-alarms`},
		{"alarm not in --alarms", []string{"--target", targets, "--resource-id", "service/default/web-app", "--policy", writeDoc(t, dir, "p3.json",
			`{"ScalingPolicies":[{"ResourceId":"service/default/web-app","PolicyName":"p","PolicyType":"StepScaling",
			"StepScalingPolicyConfiguration":{"AdjustmentType":"ChangeInCapacity","StepAdjustments":[{"MetricIntervalLowerBound":0,"ScalingAdjustment":1}]},
			"Alarms":[{"AlarmName":"nope"}]}]}`), "--alarms", alarms, "--metrics", web},
			`p3.json: ScalingPolicies[0].Alarms[0].AlarmName: "nope" is not in ` + alarms + ` (2 alarms)`},
		{"alarm metric not a column", []string{"--target", targets, "--resource-id", "service/default/web-app", "--policy", policies,
			"--alarms", alarms, "--metrics", worker},
			`alarms.json: MetricAlarms[0].MetricName: "CPUUtilization" is not a column of ` + worker},
		{"policies of two services", []string{"--target", noID, "--policy", policies, "--metrics", web},
			`scaling-policies.json: ScalingPolicies: elements of 2 resources`},
		{"policies of other services than the target's", []string{"--target", asData("target.json"), "--policy", policies, "--metrics", web},
			`scaling-policies.json: ScalingPolicies: no element has ResourceId "service/default/web" (found "service/default/web-app", "service/default/worker")`},
		{"unsupported metric math", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p4.json", `[`+m1+`,{"Id":"e1","Expression":"SUM(METRICS())"}]`), "--metrics", worker},
			`p4.json: ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics[1].Expression: "SUM(METRICS())": offset 0: function SUM is not supported`},
		{"expression over an unknown Id", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p5.json", `[`+m1+`,{"Id":"e1","Expression":"m1 / m3"}]`), "--metrics", worker},
			`Metrics[1].Expression: "m1 / m3": m3 is no query's Id and no column of ` + worker},
		{"expression over a metric the CSV lacks", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p6.json", `[`+m1+`,`+m2+`,{"Id":"e1","Expression":"m1 / m2"}]`), "--metrics", web},
			`Metrics[2].Expression: "m1 / m2": m1 (MetricName "ApproximateNumberOfMessagesVisible") is not a column of ` + web + `, expected a column named m1 or ApproximateNumberOfMessagesVisible`},
		{"percentile alarm", []string{"--target", targets, "--resource-id", "service/default/web-app", "--policy", policies,
			"--alarms", writeDoc(t, dir, "a1.json", `{"MetricAlarms":[{"AlarmName":"web-app-cpu-gt-75","MetricName":"CPUUtilization","ExtendedStatistic":"p90",
			"Threshold":75,"ComparisonOperator":"GreaterThanThreshold","EvaluationPeriods":1}]}`), "--metrics", web},
			`MetricAlarms[0].ExtendedStatistic: "p90": percentile alarms are not modelled`},
		{"two returned queries", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p7.json", `[{"Id":"m1","MetricStat":{"Metric":{"MetricName":"x"}}},{"Id":"e1","Expression":"m1 * 2"}]`), "--metrics", worker},
			`CustomizedMetricSpecification.Metrics: 2 queries return data (m1, e1), expected exactly one with ReturnData true`},
		{"a cycle", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p8.json", `[{"Id":"e2","Expression":"e1 + 1","ReturnData":false},{"Id":"e1","Expression":"e2 * 2"}]`), "--metrics", worker},
			`Metrics[0].Expression: "e1 + 1": e1 depends on itself`},
		{"a describe output of another kind", []string{"--target", policies, "--policy", policies, "--metrics", web},
			`scaling-policies.json: ScalingPolicies: the output of describe-scaling-policies, expected RegisterScalableTarget or the output of describe-scalable-targets`},
		{"bad zone-less StartTime", []string{"--target", noID, "--scheduled", writeDoc(t, dir, "s1.json",
			`{"ScheduledActions":[{"ResourceId":"service/default/web-app","ScheduledActionName":"s","Schedule":"rate(1 hour)","StartTime":"2026-01-05 08:00"}]}`),
			"--metrics", web},
			`s1.json: ScheduledActions[0].StartTime: "2026-01-05 08:00" is not an RFC 3339 time`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", append([]string{"autoscale"}, tt.args...)...)
			if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1, no stdout and a one-line error", code, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
		})
	}
}

// TestMetricMathSeries: queries resolve to columns by Id, then by
// MetricName, then through other expressions; a missing input or a
// division by zero is a missing datapoint.
func TestMetricMathSeries(t *testing.T) {
	dir := t.TempDir()
	policy := writeDoc(t, dir, "p.json", `{"PolicyName":"p","PolicyType":"TargetTrackingScaling",
		"TargetTrackingScalingPolicyConfiguration":{"TargetValue":100,"CustomizedMetricSpecification":{"Metrics":[
		{"Id":"m1","MetricStat":{"Metric":{"MetricName":"Queue"},"Stat":"Sum"},"ReturnData":false},
		{"Id":"m2","MetricStat":{"Metric":{"MetricName":"RunningTaskCount"},"Stat":"Average"},"ReturnData":false},
		{"Id":"e1","Expression":"m1 / m2","ReturnData":false},
		{"Id":"e2","Expression":"(e1 + 10) * 2","ReturnData":true}]}}}`)
	ld, err := loadScaler(scalerFiles{target: asData("target.json"), policies: []string{policy}})
	if err != nil {
		t.Fatal(err)
	}
	csv := "time,m1,RunningTaskCount\n0,100,4\n60,,4\n120,50,0\n180,30,3\n"
	tl, err := readMetrics(strings.NewReader(csv), time.Unix(0, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	derived, err := resolveMath(ld, tl.names, "m.csv")
	if err != nil {
		t.Fatalf("resolveMath = %v", err)
	}
	if got := ld.scaler.Policies[0].TargetTracking.MetricName(); got != "e2" {
		t.Errorf("the policy reads %q, want e2", got)
	}
	c := newComputer(derived)
	m := autoscale.Metrics{}
	for k := range tl.rows {
		c.row(&tl.rows[k], m)
	}
	want := autoscale.Series{{Time: time.Unix(0, 0).UTC(), Value: 70}, {Time: time.Unix(180, 0).UTC(), Value: 40}}
	if diff := cmp.Diff(want, m["e2"]); diff != "" {
		t.Errorf("series e2 (-want +got):\n%s", diff)
	}
}
