package scheduler

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/berthsched/berth/placement"
)

// zoneTasks counts the driver's wanted tasks per zone.
func (d *driver) zoneTasks() map[string]int {
	out := map[string]int{}
	for _, tk := range d.obs.Tasks {
		if tk.DesiredStatus != Stopped {
			z, _ := d.c.TaskInstance(tk.Placement).Attribute(zoneAttribute)
			out[z]++
		}
	}
	return out
}

// rebalanceEvents returns the plans' events from plan k on that mention
// rebalancing, with task ids cut.
func (d *driver) rebalanceEvents(k int) []string {
	var out []string
	for _, p := range d.plans[k:] {
		for _, m := range messages(p) {
			if strings.Contains(m, "AZ") {
				if i := strings.Index(m, "(task "); i >= 0 {
					m = m[:i] + "(task)."
				}
				out = append(out, m)
			}
		}
	}
	return out
}

// TestAZRebalancing: desired 3 over three zones, one task in each. Zone c
// loses its instance: its task is replaced in a (a and b have one task
// each and the spread ties go to the first), 2-1-0 with c out of the
// count since it has no instance. When an instance joins c again the
// service is in steady state but 2-1-0 over three zones: rebalancing
// starts a task in c (4 tasks, within maximumPercent 200's 6), and once
// it is healthy stops one in a: 1-1-1, with ECS's events.
func TestAZRebalancing(t *testing.T) {
	c := newCluster(t, 3, 4096, 8192) // ci-0 in a, ci-1 in b, ci-2 in c
	d := newDriver(t, replicaService(3, taskDef("web", 1, 256, 512)), c)
	d.settle()
	if diff := cmp.Diff(map[string]int{"us-east-1a": 1, "us-east-1b": 1, "us-east-1c": 1}, d.zoneTasks()); diff != "" {
		t.Fatalf("start: tasks per zone (-want +got):\n%s", diff)
	}
	// Zone c loses its instance and its task.
	kept := d.obs.Tasks[:0]
	for _, tk := range d.obs.Tasks {
		if d.c.TaskInstance(tk.Placement).ARN == arn(2) {
			tk.StopCode = TerminationNotice
			d.stopTask(tk)
			continue
		}
		kept = append(kept, tk)
	}
	d.obs.Tasks = kept
	setStatus(c, 2, placement.StatusInactive)
	d.settle()
	if diff := cmp.Diff(map[string]int{"us-east-1a": 2, "us-east-1b": 1}, d.zoneTasks()); diff != "" {
		t.Fatalf("zone c lost: tasks per zone (-want +got):\n%s", diff)
	}
	if ev := d.rebalanceEvents(0); len(ev) != 0 {
		t.Fatalf("events before zone c is back: %q, want none (c has no instance)", ev)
	}
	// Zone c regains capacity.
	if err := c.AddInstance(newInstance(5, 4096, 8192)); err != nil {
		t.Fatal(err)
	}
	k := len(d.plans)
	most := 0
	for range 20 {
		d.reconcile()
		most = max(most, d.count(0, Running)+d.count(0, Pending))
		d.step(30 * 1e9)
	}
	if diff := cmp.Diff(map[string]int{"us-east-1a": 1, "us-east-1b": 1, "us-east-1c": 1}, d.zoneTasks()); diff != "" {
		t.Errorf("after rebalancing: tasks per zone (-want +got):\n%s", diff)
	}
	want := []string{
		"(service web) is not AZ balanced with 2 tasks in us-east-1a, 1 in us-east-1b, and 0 in us-east-1c. AZ Rebalancing in progress.",
		"web has started 1 tasks in us-east-1c to AZ Rebalance: (task).",
		"web has stopped 1 running tasks in us-east-1a due to AZ rebalancing: (task).",
		"(service web) is AZ balanced with 1 tasks in us-east-1a, 1 tasks in us-east-1b, and 1 tasks in us-east-1c.",
	}
	if diff := cmp.Diff(want, d.rebalanceEvents(k)); diff != "" {
		t.Errorf("rebalancing events (-want +got):\n%s", diff)
	}
	if most > 4 {
		t.Errorf("%d tasks at once while rebalancing, want at most desired + 1 = 4", most)
	}
}

// TestAZRebalancingDefault: CreateService's default is ENABLED for a
// service that supports it and DISABLED otherwise; ENABLED on a service
// that does not support it is an error.
func TestAZRebalancingDefault(t *testing.T) {
	binpack := []placement.Strategy{placement.Binpack{Field: placement.Memory}}
	tests := []struct {
		name    string
		svc     Service
		want    bool
		wantErr string
	}{
		{"default, spread", Service{}, true, ""},
		{"default, binpack", Service{PlacementStrategy: binpack}, false, ""},
		{"default, DAEMON", Service{SchedulingStrategy: Daemon}, false, ""},
		{"DISABLED", Service{AvailabilityZoneRebalancing: AZRebalancingDisabled}, false, ""},
		{"ENABLED with binpack", Service{PlacementStrategy: binpack, AvailabilityZoneRebalancing: AZRebalancingEnabled}, true, "does not support a binpack placement strategy"},
		{"unknown", Service{AvailabilityZoneRebalancing: "ON"}, false, `"ON", expected ENABLED or DISABLED`},
	}
	for _, tt := range tests {
		if got := tt.svc.rebalancing(); got != tt.want && tt.wantErr == "" {
			t.Errorf("%s: rebalancing() = %v, want %v", tt.name, got, tt.want)
		}
		err := tt.svc.validRebalancing()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: validRebalancing() = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestAZRebalancingDisabled: the same loss and return of zone c leaves a
// service with rebalancing DISABLED at 2-1-0.
func TestAZRebalancingDisabled(t *testing.T) {
	c := newCluster(t, 2, 4096, 8192)
	svc := replicaService(3, taskDef("web", 1, 256, 512))
	svc.AvailabilityZoneRebalancing = AZRebalancingDisabled
	d := newDriver(t, svc, c)
	d.settle()
	if err := c.AddInstance(newInstance(5, 4096, 8192)); err != nil {
		t.Fatal(err)
	}
	d.settle()
	if diff := cmp.Diff(map[string]int{"us-east-1a": 2, "us-east-1b": 1}, d.zoneTasks()); diff != "" {
		t.Errorf("tasks per zone (-want +got):\n%s", diff)
	}
}

// TestAZRebalancingCallerZones: the zones a caller gives in
// Observed.Zones stand for the scan of the cluster; the same cluster gives
// the same rebalancing either way.
func TestAZRebalancingCallerZones(t *testing.T) {
	run := func(caller bool) []string {
		c := newCluster(t, 2, 4096, 8192) // zones a and b
		d := newDriver(t, replicaService(3, taskDef("web", 1, 256, 512)), c)
		d.settle()
		if err := c.AddInstance(newInstance(5, 4096, 8192)); err != nil { // zone c joins
			t.Fatal(err)
		}
		if caller {
			d.obs.Zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
		}
		d.settle()
		return d.rebalanceEvents(0)
	}
	scan, given := run(false), run(true)
	if len(scan) == 0 {
		t.Fatal("no rebalancing after zone c joined")
	}
	if diff := cmp.Diff(scan, given); diff != "" {
		t.Errorf("events with the caller's zones (-scan +given):\n%s", diff)
	}
}

// TestPropAZRebalancing: whatever happened before (tasks failing,
// instances lost, drained, added, deployments, new desired counts), a
// service with rebalancing on, room for one more task and capacity in
// every zone it can use settles with no zone more than one task ahead of
// another; and no plan on the way exceeds maximumPercent
// (checkedReconcile).
func TestPropAZRebalancing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, false)
		for range rapid.IntRange(0, 40).Draw(t, "events") {
			w.event(t)
		}
		w.quiesce(t)
		desired := *w.svc.DesiredCount
		if _, upper := w.svc.Bounds(desired); upper < desired+1 {
			return // no room to start first: berth does not rebalance
		}
		counts := map[string]int{}
		for _, in := range w.c.Instances() {
			if in.Status == placement.StatusActive {
				z, _ := in.Attribute(zoneAttribute)
				counts[z] += 0
			}
		}
		for _, tk := range w.obs.Tasks {
			z, _ := w.c.TaskInstance(tk.Placement).Attribute(zoneAttribute)
			counts[z]++
		}
		lo, hi := desired, 0
		for _, n := range counts {
			lo, hi = min(lo, n), max(hi, n)
		}
		if hi-lo > 1 {
			t.Fatalf("tasks per zone %v after settling, want no zone more than one ahead", counts)
		}
	})
}

// TestZoneConstraintCompiledOnce: rebalancing's constraint for a zone is
// compiled once (the cluster recalls a failed Place only for the same
// compiled expression), and keeps tasks in that zone as the expression
// compiled anew does.
func TestZoneConstraintCompiledOnce(t *testing.T) {
	c := newCluster(t, 6, 2048, 4096)
	for _, z := range zones {
		a, err := zoneConstraint(z)
		if err != nil {
			t.Fatal(err)
		}
		b, err := zoneConstraint(z)
		if err != nil {
			t.Fatal(err)
		}
		if a.Expr != b.Expr {
			t.Errorf("zone %s: compiled twice", z)
		}
		fresh, err := placement.NewMemberOf("attribute:" + zoneAttribute + " == " + z)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []placement.Reason
		for _, in := range c.Instances() {
			r, err := c.Check(in, &placement.Request{Group: "service:s", Task: placement.Requirements{CPU: 256, MemoryMiB: 512}, Count: 1, Constraints: []placement.Constraint{a}})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
			r, err = c.Check(in, &placement.Request{Group: "service:s", Task: placement.Requirements{CPU: 256, MemoryMiB: 512}, Count: 1, Constraints: []placement.Constraint{fresh}})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, r)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zone %s: reasons differ (-fresh +cached):\n%s", z, diff)
		}
	}
}
