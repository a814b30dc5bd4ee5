package placement

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSameFiltersCoversEveryField fails when Request or Requirements gains
// a field that sameFilters and remember do not know: a new field may be
// one the filters read, and a recalled failure would then be wrong.
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
			t.Errorf("fields of %v changed (-known +now): teach sameFilters and remember the new ones:\n%s", typ, diff)
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
	if _, ok := c.recalled(big); ok {
		t.Error("big's failure is recalled after an instance changed")
	}
	if err := c.Place(big, rng, &res); err != nil {
		t.Fatal(err)
	}
	if got := res.Unplaced[0].Removed[ReasonStatus]; got != 1 {
		t.Errorf("after draining one instance, Removed[STATUS] = %d, want 1", got)
	}
}
