package sim

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"
)

// runPlanner reads a scenario and runs it once, returning the result and
// the event log.
func runPlanner(t *testing.T, src string) (*Result, string) {
	t.Helper()
	sc, err := scenario.ReadScenario(strings.NewReader(src), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	r, err := Simulate(sc, scenario.Variant{}, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	return r, log.String()
}

const fleet10 = `"fleet": {
    "instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 5, "b": 5}}]
  }`

func serviceSummary(t *testing.T, r *Result, name string) ServiceSummary {
	t.Helper()
	for _, s := range r.Summary.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %q in %+v", name, r.Summary.Services)
	return ServiceSummary{}
}

// Target tracking at 50% CPU: the load doubles at 30m, so 3 datapoints
// later (the third at 32m) the 4 tasks become 8; it returns at 90m and the
// 15th low datapoint (104m) scales in to 4.
func TestPlannerTargetTracking(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "tt", "seed": 1, "duration": "3h", `+fleet10+`,
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 4,
    "usage": {"cpu": 1024, "steps": [{"at": "30m", "factor": 2}, {"at": "90m", "factor": 1}]},
    "scaling": {"minCapacity": 1, "maxCapacity": 20, "targetTracking": [{"metric": "ECSServiceAverageCPUUtilization", "targetValue": 50}]}}]}`)
	type act struct {
		Min      float64
		From, To int
	}
	var got []act
	for _, a := range r.Scaling {
		got = append(got, act{a.Time.Minutes(), a.From, a.To})
	}
	want := []act{{32, 4, 8}, {104, 8, 4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scaling activities (-want +got):\n%s", diff)
	}
	if s := serviceSummary(t, r, "web"); s.Running != 4 || s.Started != 8 {
		t.Errorf("web at the end: %+v, want 4 running after 8 starts", s)
	}
}

// Managed scaling settles at N = ceil(100 x M / targetCapacity): 10 tasks
// of 1024 CPU units on 2048-unit instances need M = 5.
func TestPlannerManagedScalingConverges(t *testing.T) {
	for _, tc := range []struct {
		target, want int
	}{{100, 5}, {80, 7}, {50, 10}, {30, 17}} {
		t.Run(fmt.Sprint("target=", tc.target), func(t *testing.T) {
			r, _ := runPlanner(t, fmt.Sprintf(`{"name": "ms", "seed": 2, "duration": "3h",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7500, "pricePerHour": 0.096}]},
  "capacityProviders": [{"name": "asg", "instanceTypes": ["m5.large"], "zones": ["a", "b"], "maxSize": 50,
     "managedScaling": {"targetCapacity": %d, "instanceWarmupPeriod": "60s"}}],
  "services": [{"name": "api", "taskDefinition": {"family": "api", "cpu": 1024, "memory": 2048}, "desiredCount": 10,
     "placementStrategy": [{"type": "binpack", "field": "cpu"}],
     "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]}]}`, tc.target))
			last := r.Providers[len(r.Providers)-1]
			if last.Instances != tc.want || last.Launching != 0 {
				t.Errorf("instances at the end = %d (+%d launching), want %d", last.Instances, last.Launching, tc.want)
			}
			if s := serviceSummary(t, r, "api"); s.Running != 10 {
				t.Errorf("api running = %d, want 10", s.Running)
			}
		})
	}
}

// A rolling deployment with minimumHealthyPercent 50 and maximumPercent
// 150 keeps, at every minute, at most 15 tasks and at least 5 RUNNING.
func TestPlannerDeploymentBounds(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "deploy", "seed": 3, "duration": "1h", "sampleEvery": "1m", `+fleet10+`,
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 256, "memory": 512, "startDelay": "90s"}, "desiredCount": 10,
    "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 150}}],
  "serviceEvents": [{"at": "10m", "service": "web", "taskDefinition": {"family": "web", "revision": 2, "cpu": 256, "memory": 512, "startDelay": "90s"}}]}`)
	for _, p := range r.Services {
		if p.Running+p.Pending > 15 || (p.Time > 10*60e9 && p.Running < 5) {
			t.Errorf("at %v: %d running, %d pending; want at most 15 in all and at least 5 running", p.Time, p.Running, p.Pending)
		}
	}
	if s := serviceSummary(t, r, "web"); s.Started != 20 || s.Running != 10 || s.Rollout != "COMPLETED" {
		t.Errorf("web at the end: %+v, want 20 started, 10 running, COMPLETED", s)
	}
}

// A revision whose container exits before RUNNING trips the circuit
// breaker, which rolls back to the last completed deployment.
func TestPlannerCircuitBreakerRollback(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "cb", "seed": 4, "duration": "1h", `+fleet10+`,
  "services": [{"name": "api", "taskDefinition": {"family": "api", "cpu": 512, "memory": 1024}, "desiredCount": 4,
    "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}}],
  "serviceEvents": [{"at": "10m", "service": "api", "taskDefinition": {"family": "api", "revision": 2, "cpu": 512, "memory": 1024, "crash": true}}]}`)
	var msgs []string
	for _, e := range r.ServiceEvents {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"deployment failed: tasks failed to start.", "rolling back to deployment"} {
		if !strings.Contains(all, want) {
			t.Errorf("service events lack %q:\n%s", want, all)
		}
	}
	s := serviceSummary(t, r, "api")
	if s.Running != 4 || s.Rollout != "COMPLETED" || s.FailedLaunches < 3 {
		t.Errorf("api at the end: %+v, want 4 running, COMPLETED, at least 3 failed launches", s)
	}
}

// A daemon service runs one task on every instance, including those added
// during the run.
func TestPlannerDaemonOnNewInstances(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "daemon", "seed": 5, "duration": "1h",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7500}],
    "pools": [{"type": "m5.large", "zones": {"a": 3}}], "registrationDelay": "1m",
    "events": [{"at": "20m", "kind": "add", "type": "m5.large", "zone": "b", "count": 2}]},
  "services": [{"name": "logs", "schedulingStrategy": "DAEMON", "taskDefinition": {"family": "logs", "cpu": 128, "memory": 256}},
    {"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 20}]}`)
	if s := serviceSummary(t, r, "logs"); s.Running != 5 {
		t.Errorf("daemon tasks running = %d, want 5 (one per instance)", s.Running)
	}
	// 3 web tasks fit beside each daemon task; 4 would leave it no room.
	if s := serviceSummary(t, r, "web"); s.Running != 15 {
		t.Errorf("web running = %d, want 15", s.Running)
	}
}

// An instance lost mid-run: its service tasks are replaced, its standalone
// tasks are counted as lost.
func TestPlannerInstanceLost(t *testing.T) {
	r, log := runPlanner(t, `{"name": "lost", "seed": 6, "duration": "2h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 2}}],
    "events": [{"at": "1h", "kind": "fail", "count": 1}]},
  "workload": {"generator": {"ratePerHour": 10, "mix": [{"name": "job", "weight": 1, "cpu": 256, "memory": 256,
    "duration": {"kind": "constant", "median": "3h"}}]}},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 256, "memory": 512}, "desiredCount": 4,
    "placementStrategy": [{"type": "spread", "field": "instanceId"}]}]}`)
	s := serviceSummary(t, r, "web")
	if s.Lost != 2 || s.Running != 4 || s.Started != 6 {
		t.Errorf("web: %+v, want 2 lost, 6 started, 4 running", s)
	}
	if r.Summary.Lost == 0 {
		t.Errorf("standalone tasks lost = 0, want the failed instance's")
	}
	if !strings.Contains(log, `"kind":"instance-fail"`) {
		t.Errorf("the event log has no instance-fail")
	}
}

// A Spot interruption drains the instance: the service's tasks are
// replaced within the two-minute notice, so none is lost.
func TestPlannerSpotDrainsFirst(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "spot", "seed": 7, "duration": "1h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 3}}],
    "events": [{"at": "30m", "kind": "interrupt", "count": 1}]},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 512}, "desiredCount": 6,
    "placementStrategy": [{"type": "spread", "field": "instanceId"}]}]}`)
	s := serviceSummary(t, r, "web")
	if s.Lost != 0 || s.Running != 6 || s.Started != 8 {
		t.Errorf("web: %+v, want 0 lost, 8 started (2 replaced), 6 running", s)
	}
	replaced := false
	for _, e := range r.ServiceEvents {
		if e.Time >= 30*60e9 && e.Time < 32*60e9 && strings.Contains(e.Message, "has stopped 2 running tasks") {
			replaced = true
		}
	}
	if !replaced {
		t.Errorf("no replacement stopped the drained tasks within the notice: %v", r.ServiceEvents)
	}
}

// Fargate tasks need no instances; FARGATE_SPOT is cheaper; the task
// size must be one Fargate offers.
func TestPlannerFargate(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "fargate", "seed": 8, "duration": "2h",
  "services": [{"name": "api", "taskDefinition": {"family": "api", "cpu": 1024, "memory": 2048}, "desiredCount": 4,
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "base": 2, "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 1}]}],
  "serviceEvents": [{"at": "1h", "service": "api", "taskDefinition": {"family": "api", "revision": 2, "cpu": 1024, "memory": 2048}}]}`)
	// The deployment at 1h replaces the 4 tasks on new Fargate capacity.
	if s := serviceSummary(t, r, "api"); s.Running != 4 || s.Started != 8 || s.TimeToStart.P50 != 30 || s.Rollout != "COMPLETED" {
		t.Errorf("api: %+v, want 4 running, 8 started after the 30s provisioning, COMPLETED", s)
	}
	c := r.Summary.CostByProvider
	// 3 on-demand tasks x (1 vCPU x 0.04048 + 2 GB x 0.004445) per hour.
	if c["FARGATE"] < 0.28 || c["FARGATE"] > 0.30 || c["FARGATE_SPOT"] >= c["FARGATE"]/2 {
		t.Errorf("cost by provider = %v, want FARGATE about 0.29 and FARGATE_SPOT 30%% of a third of it", c)
	}
	_, err := scenario.ReadScenario(strings.NewReader(`{"duration": "1h", "services": [{"name": "x", "taskDefinition": {"family": "x", "cpu": 1000, "memory": 2048},
  "desiredCount": 1, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}]}`), "f.json")
	if err == nil || !strings.Contains(err.Error(), "is not a Fargate task size") {
		t.Errorf("invalid Fargate size: err = %v", err)
	}
}

// Scheduled tasks run on their rate.
func TestPlannerScheduledTasks(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "cron", "seed": 9, "duration": "1h", `+fleet10+`,
  "scheduledTasks": [{"name": "report", "schedule": "rate(10 minutes)", "count": 2,
    "taskDefinition": {"family": "report", "cpu": 256, "memory": 256, "duration": {"kind": "constant", "median": "1m"}}},
    {"name": "nightly", "schedule": "cron(30 0 * * ? *)", "taskDefinition": {"family": "nightly", "cpu": 256, "memory": 256}}]}`)
	// rate: 10, 20, ..., 60 minutes, 2 each; cron: 00:30.
	if r.Summary.Submitted != 13 || r.Summary.Finished != 10 {
		t.Errorf("submitted %d, finished %d; want 13 and 10", r.Summary.Submitted, r.Summary.Finished)
	}
}

// A scheduled task whose definition lists its containers reserves their
// host ports: two tasks asking for host port 80 cannot share an instance.
// With one m5.large (fleet1) the first of the pair starts at 10m and the
// second waits, failing on RESOURCE:PORTS, until the first exits at 11m.
func TestPlannerScheduledTaskContainers(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "cron-ports", "seed": 9, "duration": "15m",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7500, "pricePerHour": 0.096}],
            "pools": [{"type": "m5.large", "zones": {"a": 1}}]},
  "scheduledTasks": [{"name": "web", "schedule": "rate(10 minutes)", "count": 2,
    "taskDefinition": {"family": "web", "cpu": 256, "memory": 256, "duration": {"kind": "constant", "median": "1m"},
      "containers": [{"name": "app", "memory": 256, "portMappings": [{"containerPort": 80, "hostPort": 80}]}]}}]}`)
	// Submitted 2 at 10m; the second waits 60 s for the port: time to
	// place over [0, 60] has p99 60; both finish by 12m.
	if r.Summary.Submitted != 2 || r.Summary.Finished != 2 || r.Summary.TimeToPlace.P99 != 60 {
		t.Errorf("submitted %d, finished %d, time to place p99 %v; want 2, 2 and 60", r.Summary.Submitted, r.Summary.Finished, r.Summary.TimeToPlace.P99)
	}
}

// plannerSpotScenario scales a service on Spot capacity with managed
// scaling and interruptions: every part of the planner's output.
const plannerSpotScenario = `{"name": "det", "seed": 11, "duration": "2h",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7500, "pricePerHour": 0.096}]},
  "capacityProviders": [{"name": "spot", "instanceTypes": ["m5.large"], "zones": ["a", "b"], "minSize": 1, "maxSize": 30,
     "spot": true, "interruptionsPerHour": 0.2, "managedScaling": {"targetCapacity": 90}}],
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 6,
    "capacityProviderStrategy": [{"capacityProvider": "spot", "weight": 1}],
    "usage": {"cpu": 2000, "dailyCycle": 0.5, "peakHour": 1},
    "scaling": {"minCapacity": 2, "maxCapacity": 30, "targetTracking": [{"metric": "ECSServiceAverageCPUUtilization", "targetValue": 60}]}}]}`

func TestPlannerDeterministic(t *testing.T) {
	r1, log1 := runPlanner(t, plannerSpotScenario)
	r2, log2 := runPlanner(t, plannerSpotScenario)
	if log1 != log2 {
		t.Errorf("two runs wrote different event logs")
	}
	if diff := cmp.Diff(r1, r2); diff != "" {
		t.Errorf("two runs differ (-first +second):\n%s", diff)
	}
	if len(r1.Scaling) == 0 {
		t.Errorf("no scaling activity: the scenario does not exercise the planner")
	}
}

func TestPlannerValidate(t *testing.T) {
	const svc = `{"name": "web", "taskDefinition": {"family": "web", "cpu": 256, "memory": 512}, "desiredCount": 1`
	tests := []struct {
		name, extra, want string
	}{
		{"duplicate service", `"services": [` + svc + `}, ` + svc + `}]`, `services[1].name: "web" is defined twice`},
		{"replica without count", `"services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 256, "memory": 512}}]`, `services[0]: desiredCount: missing for REPLICA`},
		{"unknown provider", `"services": [` + svc + `, "capacityProviderStrategy": [{"capacityProvider": "nope", "weight": 1}]}]`,
			`services[0].capacityProviderStrategy[0].capacityProvider: "nope" is not one of capacityProviders, FARGATE or FARGATE_SPOT`},
		{"mixed fargate", `"capacityProviders": [{"name": "asg", "instanceTypes": ["m"], "maxSize": 1}], "services": [` + svc +
			`, "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}, {"capacityProvider": "FARGATE", "weight": 1}]}]`, `mixes FARGATE providers with Auto Scaling group providers`},
		{"scaling without usage", `"services": [` + svc + `, "scaling": {"minCapacity": 1, "maxCapacity": 2, "targetTracking": [{"metric": "ECSServiceAverageCPUUtilization", "targetValue": 50}]}}]`,
			`services[0].usage: missing`},
		{"bad metric", `"services": [` + svc + `, "usage": {"cpu": 1}, "scaling": {"minCapacity": 1, "maxCapacity": 2, "targetTracking": [{"metric": "Load", "targetValue": 50}]}}]`,
			`PredefinedMetricType: "Load" is not one of`},
		{"bounds", `"services": [` + svc + `, "scaling": {"minCapacity": 3, "maxCapacity": 2}}]`, `services[0].scaling: MaxCapacity: 2 is below MinCapacity 3`},
		{"bad schedule", `"scheduledTasks": [{"name": "x", "schedule": "rate(0 minutes)", "taskDefinition": {"family": "x", "cpu": 256, "memory": 256}}]`, `scheduledTasks[0].schedule:`},
		{"provider type", `"capacityProviders": [{"name": "asg", "instanceTypes": ["z"], "maxSize": 1}], "services": [` + svc + `}]`, `capacityProviders[0].instanceTypes[0]: "z" is not one of fleet.instanceTypes`},
		{"provider bounds", `"capacityProviders": [{"name": "asg", "instanceTypes": ["m"], "minSize": 3, "maxSize": 1}], "services": [` + svc + `}]`, `capacityProviders[0]: minSize 3, maxSize 1`},
		{"provider target", `"capacityProviders": [{"name": "asg", "instanceTypes": ["m"], "maxSize": 1, "managedScaling": {"targetCapacity": 120}}], "services": [` + svc + `}]`, `managedScaling.targetCapacity: 120, expected 1 to 100`},
		{"event service", `"services": [` + svc + `}], "serviceEvents": [{"at": "1h", "service": "api"}]`, `serviceEvents[0].service: "api" is not one of services`},
		{"daemon scaling", `"services": [{"name": "d", "schedulingStrategy": "DAEMON", "taskDefinition": {"family": "d", "cpu": 256, "memory": 512}, "scaling": {"maxCapacity": 1}}]`, `services[0].scaling: DAEMON services do not scale`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `{"duration": "1h", "fleet": {"instanceTypes": [{"name": "m", "cpu": 1024, "memory": 1024}], "pools": [{"type": "m", "zones": {"a": 1}}]}, ` + tt.extra + `}`
			_, err := scenario.ReadScenario(strings.NewReader(src), "p.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "sim: p.json: ") {
				t.Errorf("ReadScenario error = %v, want %q", err, tt.want)
			}
		})
	}
}

// The DLRM planning example runs on the real trace: its first 12 hours,
// on T4 machines, place every task that a PAI machine shape can hold.
func TestDLRMPlanningExample(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the DLRM trace")
	}
	dir := filepath.Join("..", "examples", "dlrm-planning")
	open := openTraces(t, dir)
	sc := readExample(t, dir, "scenario.json")
	sc.Duration = scenario.Duration(12 * time.Hour)
	r, err := Simulate(sc, scenario.Variant{}, Options{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	// Of the 7,439 instances created in 12 hours, 190 CN instances ask for
	// more than 96 vCPU or 507 GiB (checked with awk on the file): no shape
	// holds them, and they are the only ones left waiting.
	if s.Submitted != 7439 || s.NeverPlaced != 190 || s.Lost != 0 || s.CostByProvider["t4"] <= 0 {
		t.Errorf("summary: %d submitted, %d never placed (%v), %d lost, cost %v; want 7,439, 190, 0 and a cost on t4",
			s.Submitted, s.NeverPlaced, s.ByReason, s.Lost, s.CostByProvider)
	}
}

func TestUsageLoad(t *testing.T) {
	rows, err := readLoadTrace(strings.NewReader("time_s,web,api\n0,1,0.5\n3600,2,1.5\n"), "load.csv", "api")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(&scenario.UsageSpec{DailyCycle: 0.5, PeakHour: 12, Steps: []scenario.LoadStep{{At: scenario.Duration(2 * time.Hour), Factor: 3}}},
		&dailyCurve{peak: 12}, rows)
	tests := []struct {
		name string
		at   time.Duration
		want float64
	}{
		{"midnight: trough, trace 0.5", 0, 0.5 * 0.5},
		{"1h: trace 1.5", time.Hour, (1 + 0.5*math.Cos(2*math.Pi*-11/24)) * 1.5},
		{"noon: peak, step 3, trace 1.5", 12 * time.Hour, 1.5 * 3 * 1.5},
	}
	for _, tt := range tests {
		if got := m.load(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: load(%v) = %g, want %g", tt.name, tt.at, got, tt.want)
		}
	}
	for _, bad := range []struct{ csv, column, want string }{
		{"time_s,web\n0,1\n", "api", `no column "api"`},
		{"0,1\n60,x\n", "", `load.csv:2: "60","x": expected numbers`},
		{"0,-1\n", "", "expected non-negative finite values"},
	} {
		if _, err := readLoadTrace(strings.NewReader(bad.csv), "load.csv", bad.column); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("readLoadTrace(%q, %q) error = %v, want %q", bad.csv, bad.column, err, bad.want)
		}
	}
}

// TestDailyCurveShared checks that usage models sharing a peak hour's
// curve, read at times in any order and again at the same time, load
// exactly what the plain cosine gives.
func TestDailyCurveShared(t *testing.T) {
	c := &core{}
	specs := []*scenario.UsageSpec{{DailyCycle: 0.6, PeakHour: 7}, {DailyCycle: 0.3, PeakHour: 7}, {DailyCycle: 0.6, PeakHour: 19}}
	var models []*usageModel
	for _, u := range specs {
		m, err := c.newUsage(u)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	if models[0].curve != models[1].curve || models[0].curve == models[2].curve {
		t.Fatalf("curves shared: %v and %v, want true and false", models[0].curve == models[1].curve, models[0].curve == models[2].curve)
	}
	for _, at := range []time.Duration{0, time.Minute, time.Minute, 90 * time.Second, 0, 23*time.Hour + 59*time.Minute, 7 * time.Hour} {
		for k, m := range models {
			u := specs[k]
			want := 1 + u.DailyCycle*math.Cos(2*math.Pi*(at.Hours()-u.PeakHour)/24) // load's expression before the curves
			if got := m.load(at); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("load(%v) of peak hour %v cycle %v = %v, want %v", at, u.PeakHour, u.DailyCycle, got, want)
			}
		}
	}
}

// TestSeriesByMetric checks that a service's series are read back by the
// names scalers give them.
func TestSeriesByMetric(t *testing.T) {
	var ss seriesByMetric
	for m := range metricKinds {
		ss[m] = autoscale.Series{{Value: float64(m)}}
	}
	for m, name := range metricNames {
		if got := ss.Series(name); len(got) != 1 || got[0].Value != float64(m) {
			t.Errorf("Series(%q) = %v, want the series of metric %d", name, got, m)
		}
	}
	if got := ss.Series("CPUUtilization"); got != nil {
		t.Errorf("Series(%q) = %v, want nil", "CPUUtilization", got)
	}
}
