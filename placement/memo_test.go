package placement

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSameFiltersCoversEveryField fails when Request or Requirements gains
// a field that sameFilters, remember and classOf (failKey) do not know: a
// new field may be one the filters read, and a recalled or shared failure
// would then be wrong.
func TestSameFiltersCoversEveryField(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[Request](): {"Count", "Group", "Task", "RequiredAttributes", "Constraints", "Strategies",
			"LaunchType", "Zones", "MaxPerInstance"},
		reflect.TypeFor[Requirements](): {"CPU", "MemoryMiB", "GPUs", "GPUMilli", "AllGPUs", "PortsTCP", "PortsUDP",
			"DynamicPorts", "Scalars", "AWSVPC"},
	}
	for typ, want := range known {
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fields of %v changed (-known +now): teach sameFilters, remember and classOf the new ones:\n%s", typ, diff)
		}
	}
}

// TestPlaceRecallsFailure places a request that cannot fit twice, then
// once after the cluster changed: the second answer is the first (without
// a scan), the third sees the change.
func TestPlaceRecallsFailure(t *testing.T) {
	c := uniformCluster(t, 3)
	rng := rand.New(rand.NewPCG(1, 1))
	big := &Request{Count: 2, Group: "service:big", Task: Requirements{CPU: 9000, MemoryMiB: 1024}}
	var res Result
	if err := c.Place(big, rng, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Unplaced) != 2 || res.Unplaced[0].Reason != ReasonCPU {
		t.Fatalf("Place(big) = %+v, want 2 unplaced for CPU", describe(&res))
	}
	first := res.Unplaced[0]
	if _, ok := c.recalled(big); !ok {
		t.Fatal("the failure of big is not remembered")
	}
	again := *big
	again.Count = 3
	if err := c.Place(&again, rng, &res); err != nil {
		t.Fatal(err)
	}
	want := describe(&Result{Unplaced: []Unplaced{first, first, first}})
	if diff := cmp.Diff(want, describe(&res)); diff != "" {
		t.Errorf("Place(big, count 3) (-want +got):\n%s", diff)
	}
	other := again
	other.Task.MemoryMiB = 2048
	if _, ok := c.recalled(&other); ok {
		t.Error("a request with other requirements recalled big's failure")
	}
	if err := c.Update(c.Instances()[1], func(in *Instance) { in.Status = StatusDraining }); err != nil {
		t.Fatal(err)
	}
	recalls := c.recalls
	if err := c.Place(big, rng, &res); err != nil {
		t.Fatal(err)
	}
	if c.recalls != recalls+1 {
		t.Error("big's failure is not recalled after an instance changed that still cannot take it")
	}
	if got := res.Unplaced[0].Removed[ReasonStatus]; got != 1 {
		t.Errorf("after draining one instance, Removed[STATUS] = %d, want 1", got)
	}
}

// TestRecallSeesFreedInstance fills a cluster so that a request fails,
// then frees an instance: the failure is not recalled, and the request is
// placed there.
func TestRecallSeesFreedInstance(t *testing.T) {
	c := uniformCluster(t, 3)
	rng := rand.New(rand.NewPCG(1, 1))
	fill := &Request{Count: 3, Group: "service:fill", Task: Requirements{CPU: 5000, MemoryMiB: 1024}}
	var filled, res Result
	if err := c.Place(fill, rng, &filled); err != nil || len(filled.Placed) != 3 {
		t.Fatalf("Place(fill) = %+v, %v, want 3 placed", describe(&filled), err)
	}
	mid := &Request{Count: 1, Group: "service:mid", Task: Requirements{CPU: 4000, MemoryMiB: 1024}}
	for range 2 {
		if err := c.Place(mid, rng, &res); err != nil || len(res.Unplaced) != 1 {
			t.Fatalf("Place(mid) = %+v, %v, want 1 unplaced", describe(&res), err)
		}
	}
	if c.recalls != 1 {
		t.Fatalf("recalls = %d after placing mid twice, want 1", c.recalls)
	}
	freed := filled.Placed[2]
	if err := c.Release(freed.Task); err != nil {
		t.Fatal(err)
	}
	if err := c.Place(mid, rng, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Placed) != 1 || res.Placed[0].Instance != freed.Instance {
		t.Errorf("after freeing %s, Place(mid) = %+v, want it placed there", freed.Instance.ARN, describe(&res))
	}
}

// TestRecallAfterChangesEqualsExplain keeps a failure through changes of
// every kind (placements and releases that leave it unplaceable, an
// update, a new instance) and checks each recall against a full explain.
func TestRecallAfterChangesEqualsExplain(t *testing.T) {
	c := uniformCluster(t, 4)
	rng := rand.New(rand.NewPCG(2, 2))
	big := &Request{Count: 1, Group: "service:big", Task: Requirements{CPU: 6000, MemoryMiB: 30000}}
	small := &Request{Count: 1, Group: "service:small", Task: Requirements{CPU: 3000, MemoryMiB: 4000}}
	var res, other Result
	var placed []TaskID
	steps := []func(){
		func() { // a placement elsewhere: the closest instance may change
			if err := c.Place(small, rng, &other); err != nil {
				t.Fatal(err)
			}
			for _, p := range other.Placed {
				placed = append(placed, p.Task)
			}
		},
		func() {
			if err := c.Update(c.Instances()[0], func(in *Instance) { in.AgentConnected = false }); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			in := &Instance{ARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/fleet/new", Status: StatusActive,
				AgentConnected: true, Registered: Capacity{CPU: 4096, MemoryMiB: 40000}, Remaining: Capacity{CPU: 4096, MemoryMiB: 40000}}
			if err := c.AddInstance(in); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			if err := c.Release(placed[0]); err != nil {
				t.Fatal(err)
			}
			placed = placed[1:]
		},
	}
	for _, step := range append(append(steps[:1:1], steps[0], steps[0]), steps...) {
		if err := c.Place(small, rng, &other); err != nil { // fills up: every instance holds some
			t.Fatal(err)
		}
		for _, p := range other.Placed {
			placed = append(placed, p.Task)
		}
		step()
		recalls := c.recalls
		if err := c.Place(big, rng, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Placed) > 0 {
			continue // a change made room: placed, not recalled
		}
		want := c.explain(c.prepareFilters(big), nil)
		if diff := cmp.Diff(describe(&Result{Unplaced: []Unplaced{want}}), describe(&res)); diff != "" {
			t.Errorf("recalled %v: Place(big) differs from explain (-want +got):\n%s", c.recalls > recalls, diff)
		}
	}
	if c.recalls == 0 {
		t.Error("no failure was recalled")
	}
}

// TestFailsAgainAnswersForTheLatestFailure: a group's remembered failure
// answers FailsAgain only for the group's latest failed Place. Here a
// request of the same group with a required attribute (never remembered)
// fails after it; once the cluster changes, FailsAgain must not answer
// for it with the older request's failure. The rapid property found it.
func TestFailsAgainAnswersForTheLatestFailure(t *testing.T) {
	c := uniformCluster(t, 3)
	rng := rand.New(rand.NewPCG(1, 1))
	var res Result
	big := &Request{Count: 1, Group: "service:web", Task: Requirements{CPU: 9000, MemoryMiB: 1024}}
	if err := c.Place(big, rng, &res); err != nil || len(res.Unplaced) != 1 {
		t.Fatalf("Place(big) = %+v, %v; want it unplaced", describe(&res), err)
	}
	gen := c.Generation()
	add := func(n int) {
		t.Helper()
		in := &Instance{ARN: fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/fleet/new%d", n),
			EC2InstanceID: fmt.Sprintf("i-new%d", n), Status: StatusActive, AgentConnected: true,
			Registered: Capacity{CPU: 8192, MemoryMiB: 32768}, Remaining: Capacity{CPU: 8192, MemoryMiB: 32768}}
		if err := c.AddInstance(in); err != nil {
			t.Fatal(err)
		}
	}
	add(1) // still too small for big
	if !c.FailsAgain(big.Group, gen) {
		t.Fatal("FailsAgain after an instance too small for big was added = false, want true")
	}
	pinned := &Request{Count: 1, Group: "service:web", Task: Requirements{CPU: 256, MemoryMiB: 256},
		RequiredAttributes: []Attribute{{Name: "missing", Value: "x"}}}
	if err := c.Place(pinned, rng, &res); err != nil || len(res.Unplaced) != 1 {
		t.Fatalf("Place(pinned) = %+v, %v; want it unplaced", describe(&res), err)
	}
	gen = c.Generation()
	if !c.FailsAgain(pinned.Group, gen) {
		t.Error("FailsAgain with nothing changed = false, want true")
	}
	add(2)
	if c.FailsAgain(pinned.Group, gen) {
		t.Error("FailsAgain answered for pinned's failure with big's remembered one")
	}
}

// TestDeactivations: Deactivations counts the updates that take an
// instance out of ACTIVE, and no other: registering, draining one already
// draining, a failed update.
func TestDeactivations(t *testing.T) {
	a, b := inst("a", "1a", 4096, 8192), inst("b", "1b", 4096, 8192)
	b.Status = StatusRegistering
	c := cluster(t, a, b)
	steps := []struct {
		name string
		do   func() error
		want uint64
	}{
		{"b registers", func() error { return c.SetStatus(b, StatusActive) }, 0},
		{"a drains", func() error { return c.SetStatus(a, StatusDraining) }, 1},
		{"a drains again", func() error { return c.SetStatus(a, StatusDraining) }, 1},
		{"a goes", func() error { return c.SetStatus(a, StatusInactive) }, 1},
		{"b fails to update", func() error { return c.Update(b, func(in *Instance) { in.Status = "BOGUS" }) }, 1},
		{"b goes", func() error { return c.Update(b, func(in *Instance) { in.Status = StatusInactive }) }, 2},
	}
	for _, s := range steps {
		_ = s.do()
		if got := c.Deactivations(); got != s.want {
			t.Errorf("after %s: Deactivations() = %d, want %d", s.name, got, s.want)
		}
	}
	if b.Status != StatusInactive {
		t.Errorf("b is %s, want INACTIVE", b.Status)
	}
}

// TestTaskActive follows a task through its instance's statuses and its
// release, and asks about ids the cluster never gave.
func TestTaskActive(t *testing.T) {
	a, b := inst("a", "1a", 4096, 8192), inst("b", "1b", 4096, 8192)
	c := cluster(t, a, b)
	var res Result
	if err := c.Place(&Request{Count: 1, Group: "service:web", Task: Requirements{CPU: 1024, MemoryMiB: 1024}}, rand.New(rand.NewPCG(1, 1)), &res); err != nil || len(res.Placed) != 1 {
		t.Fatalf("Place = %+v, %v, want 1 placed", describe(&res), err)
	}
	id, on := res.Placed[0].Task, res.Placed[0].Instance
	type answer struct{ Found, Active bool }
	steps := []struct {
		name string
		do   func() error
		id   TaskID
		want answer
	}{
		{"placed", func() error { return nil }, id, answer{true, true}},
		{"instance drains", func() error { return c.SetStatus(on, StatusDraining) }, id, answer{true, false}},
		{"instance active again", func() error { return c.SetStatus(on, StatusActive) }, id, answer{true, true}},
		{"agent disconnects", func() error { return c.Update(on, func(in *Instance) { in.AgentConnected = false }) }, id, answer{true, true}},
		{"released", func() error { return c.Release(id) }, id, answer{false, false}},
		{"negative id", func() error { return nil }, -1, answer{false, false}},
		{"id never given", func() error { return nil }, id + 100, answer{false, false}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var got answer
		got.Found, got.Active = c.TaskActive(s.id)
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("after %s: TaskActive(%d) (-want +got):\n%s", s.name, s.id, diff)
		}
	}
}
