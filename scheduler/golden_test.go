package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/golden"
)

// TestEventLog runs a service through a deployment, a circuit-breaker
// rollback, draining and a scale-in, and compares its event log with
// testdata/events.golden.
func TestEventLog(t *testing.T) {
	svc := replicaService(3, taskDef("web", 1, 256, 512))
	svc.DeploymentConfiguration = DeploymentConfiguration{MinimumHealthyPercent: intp(50), CircuitBreaker: &CircuitBreaker{Enable: true, Rollback: true}}
	d := newDriver(t, svc, newCluster(t, 4, 4096, 8192))
	var log strings.Builder
	run := func(n int) {
		for range n {
			for _, e := range d.reconcile().Events {
				log.WriteString(e.At.Format(time.TimeOnly) + " " + e.Message + "\n")
			}
			d.step(30 * time.Second)
		}
	}
	run(4)
	svc.TaskDefinition = taskDef("web", 2, 256, 512)
	run(6)
	svc.TaskDefinition = taskDef("web", 3, 256, 512)
	d.failLaunch[3] = true
	run(8)
	if err := UpdateContainerInstancesState(d.c, []string{arn(0)}, "DRAINING"); err != nil {
		t.Fatal(err)
	}
	run(6)
	*svc.DesiredCount = 1
	run(3)
	got := log.String()
	golden.Check(t, "events.golden", got)
}
