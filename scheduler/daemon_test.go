package scheduler

import (
	"testing"

	"github.com/berthsched/berth/placement"
)

// TestDesiredCountFollowsInstances: a DAEMON service's desired count is
// its eligible instances, so an instance set DRAINING, deregistered or
// joining changes it at the next Reconcile, even while the daemon task on
// the draining instance waits for the other service tasks there to stop.
// A REPLICA service's is its DesiredCount.
func TestDesiredCountFollowsInstances(t *testing.T) {
	c := newCluster(t, 6, 4096, 8192)
	d := newDriver(t, daemonService(taskDef("agent", 1, 128, 128)), c)
	d.settle()
	desired := func() int { return d.obs.State.Primary().DesiredCount }
	if got := desired(); got != 6 {
		t.Fatalf("6 ACTIVE instances: desired count %d, want 6", got)
	}
	// A replica task on instance 0 keeps its daemon task there.
	if _, err := c.Adopt(c.Instance(arn(0)), placement.HostedTask{Group: "service:web", Requirements: placement.Requirements{CPU: 256, MemoryMiB: 256}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func()
		want   int
	}{
		{"drain instance 0 (its daemon task waits)", func() { setStatus(c, 0, placement.StatusDraining) }, 5},
		{"deregister instance 1", func() { setStatus(c, 1, placement.StatusInactive) }, 4},
		{"instance 6 joins", func() {
			if err := c.AddInstance(newInstance(6, 4096, 8192)); err != nil {
				t.Fatal(err)
			}
		}, 5},
		{"instance 0 back to ACTIVE", func() { setStatus(c, 0, placement.StatusActive) }, 6},
	}
	for _, tt := range tests {
		tt.change()
		d.reconcile()
		if got := desired(); got != tt.want {
			t.Errorf("%s: desired count %d, want %d", tt.name, got, tt.want)
		}
	}
	r := newDriver(t, replicaService(3, taskDef("web", 1, 256, 512)), newCluster(t, 2, 4096, 8192))
	r.reconcile()
	if got := r.obs.State.Primary().DesiredCount; got != 3 {
		t.Errorf("REPLICA desiredCount 3: deployment's desired count %d, want 3", got)
	}
}

func setStatus(c *placement.Cluster, i int, s placement.Status) {
	c.Update(c.Instance(arn(i)), func(in *placement.Instance) { in.Status = s })
}
