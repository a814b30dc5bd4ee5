package sim

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestTaskRecordsReusedChangeNothing: giving a new task the record of an
// exited one gives the same event log and result as a new record for
// every start, on planner scenarios whose tasks exit with events still
// naming them: start delays, load balancers (target health, the
// deregistration delay), revisions that crash or fail their health
// checks, desired counts going down.
func TestTaskRecordsReusedChangeNothing(t *testing.T) {
	before := recycledTasks.Load()
	rapid.Check(t, func(t *rapid.T) {
		sc := genPlannerScenario(t)
		dereg := rapid.IntRange(0, 90).Draw(t, "deregistration")
		sc.TargetGroups = []scenario.TargetGroupSpec{{Name: "tg", HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2,
			UnhealthyThresholdCount: 2, DeregistrationDelayTimeoutSeconds: &dereg}}
		for i := range sc.Services {
			sp := &sc.Services[i]
			if sp.SchedulingStrategy == "DAEMON" {
				continue
			}
			sp.TaskDefinition.StartDelay = scenario.Duration(time.Duration(rapid.IntRange(0, 90).Draw(t, fmt.Sprint("delay", i))) * time.Second)
			if rapid.Bool().Draw(t, fmt.Sprint("lb", i)) {
				sp.LoadBalancers = []scenario.LoadBalancerSpec{{TargetGroupArn: "tg", ContainerPort: 80}}
				sp.HealthCheckGracePeriodSeconds = int64(rapid.IntRange(0, 60).Draw(t, fmt.Sprint("grace", i)))
			}
			for k := range rapid.IntRange(0, 3).Draw(t, fmt.Sprint("events", i)) {
				e := scenario.ServiceEvent{At: scenario.Duration(time.Duration(rapid.IntRange(1, 60).Draw(t, fmt.Sprint("eventAt", i, k))) * time.Minute), Service: sp.Name}
				switch rapid.IntRange(0, 2).Draw(t, fmt.Sprint("eventKind", i, k)) {
				case 0:
					td := sp.TaskDefinition
					td.Revision = 2 + k
					td.Crash = rapid.Bool().Draw(t, fmt.Sprint("crash", i, k))
					td.FailsTargetHealthChecks = rapid.Bool().Draw(t, fmt.Sprint("fails", i, k))
					e.TaskDefinition = &td
				case 1:
					n := rapid.IntRange(0, 8).Draw(t, fmt.Sprint("count", i, k))
					e.DesiredCount = &n
				default:
					e.ForceNewDeployment = true
				}
				sc.ServiceEvents = append(sc.ServiceEvents, e)
			}
		}
		if err := sc.Validate(); err != nil {
			t.Skip(err)
		}
		run := func(off bool) (*Result, []byte) {
			recycleOff = off
			defer func() { recycleOff = false }()
			var log bytes.Buffer
			res, err := Simulate(sc, scenario.Variant{}, Options{Log: &log})
			if err != nil {
				t.Fatalf("Simulate (recycleOff %v): %v", off, err)
			}
			return res, log.Bytes()
		}
		reused, reusedLog := run(false)
		fresh, freshLog := run(true)
		if !bytes.Equal(reusedLog, freshLog) {
			t.Fatalf("event logs differ:\n%s", cmp.Diff(string(freshLog), string(reusedLog)))
		}
		if d := cmp.Diff(fresh, reused); d != "" {
			t.Fatalf("results differ (-fresh +reused):\n%s", d)
		}
	})
	if recycledTasks.Load() == before {
		t.Error("no task record was used again")
	}
	t.Logf("%d task records used again", recycledTasks.Load()-before)
}
