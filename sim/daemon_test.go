package sim

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/sim/scenario"
)

// A daemon task on a draining instance stops as soon as the other service
// tasks there have stopped, and the daemon's desired count drops at the
// drain. Three instances, web (desired 3, spread over instances: one task
// on each) and the daemon agent (one task on each). At 600 s instance 0
// is set DRAINING: the agent's desired count is 2 from then on. web
// starts a replacement at 600 s, RUNNING 10 s later (startDelay) and
// healthy 40 s after that; the reconciliation one second later, at
// 651 s, stops web's task on the draining instance (minimumHealthyPercent
// 100 waits for the replacement), which exits at once, and the agent's
// task there stops at that same 651 s: no other service task is left.
// (Before, nothing reconciled the agent after web's task left: its task
// ran to the end of the run and its desired count stayed 3.)
func TestPlannerDaemonFollowsDrain(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "drain", "seed": 1, "duration": "30m", "sampleEvery": "5m",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 3}}],
    "events": [{"at": "10m", "kind": "drain", "count": 1}]},
  "services": [{"name": "agent", "schedulingStrategy": "DAEMON", "taskDefinition": {"family": "agent", "cpu": 128, "memory": 256}},
    {"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 3,
     "placementStrategy": [{"type": "spread", "field": "instanceId"}]}]}`)
	type stop struct {
		At      time.Duration
		Service string
	}
	var got []stop
	for _, e := range r.ServiceEvents {
		if strings.Contains(e.Message, "has stopped") {
			got = append(got, stop{e.Time, e.Service})
		}
	}
	want := []stop{{651 * time.Second, "web"}, {651 * time.Second, "agent"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stops (-want +got):\n%s", diff)
	}
	for _, p := range r.Services {
		if p.Service == "agent" && p.Time == 15*time.Minute && (p.Desired != 2 || p.Running != 2) {
			t.Errorf("agent at 15m: desired %d, running %d; want 2 and 2", p.Desired, p.Running)
		}
	}
	if s := serviceSummary(t, r, "agent"); s.Desired != 2 || s.Running != 2 {
		t.Errorf("agent at the end: %+v, want desired 2, running 2", s)
	}
}

// An instance drained by a trace line reconciles the services as a
// scenario's fleet event does: the same run as TestPlannerDaemonFollowsDrain
// with the drain at 600 s from the workload trace gives the same stops at
// 651 s. (Before, a trace's instance events reconciled no service: web's
// task on the drained instance ran on, and the agent's with it.)
func TestPlannerTraceDrainReconciles(t *testing.T) {
	sc, err := scenario.ReadScenario(strings.NewReader(`{"name": "drain", "seed": 1, "duration": "30m",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 3}}]},
  "workload": {"trace": {"format": "native", "path": "drain.jsonl"}},
  "services": [{"name": "agent", "schedulingStrategy": "DAEMON", "taskDefinition": {"family": "agent", "cpu": 128, "memory": 256}},
    {"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 3,
     "placementStrategy": [{"type": "spread", "field": "instanceId"}]}]}`), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	open := func(string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(`{"time": 600, "kind": "instance-drain", "instance": "m5-xlarge-00000"}` + "\n")), nil
	}
	r, err := Simulate(sc, scenario.Variant{}, Options{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range r.ServiceEvents {
		if strings.Contains(e.Message, "has stopped") {
			got = append(got, fmt.Sprintf("%v %s", e.Time, e.Service))
		}
	}
	if diff := cmp.Diff([]string{"10m51s web", "10m51s agent"}, got); diff != "" {
		t.Errorf("stops (-want +got):\n%s", diff)
	}
}
