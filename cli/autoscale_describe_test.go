package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/golden"
	"github.com/google/go-cmp/cmp"
)

func describeData(name string) string { return filepath.Join("testdata", "autoscale", "describe", name) }

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
		{"two returned queries", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p7.json", `[{"Id":"m1","MetricStat":{"Metric":{"MetricName":"x"}}},{"Id":"e1","Expression":"m1 * 2"}]`), "--metrics", worker},
			`CustomizedMetricSpecification.Metrics: 2 queries return data (m1, e1), expected exactly one with ReturnData true`},
		{"a cycle", []string{"--target", targets, "--resource-id", "service/default/worker", "--policy",
			mathPolicy("p8.json", `[{"Id":"e2","Expression":"e1 + 1","ReturnData":false},{"Id":"e1","Expression":"e2 * 2"}]`), "--metrics", worker},
			`Metrics[0].Expression: "e1 + 1": e1 depends on itself`},
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
