package placement

import (
	"math/rand/v2"
	"testing"
)

// TestAttributeValues: a task's value number names its instance's
// attribute value as Attribute reads it, through an instance gaining,
// changing and losing the attribute, and 0 for a released task.
func TestAttributeValues(t *testing.T) {
	c := cluster(t, inst("a", "z1", 4096, 8192), inst("b", "z2", 4096, 8192), inst("c", "z1", 4096, 8192), inst("d", "", 4096, 8192))
	ins := c.Instances()
	const zone = "ecs.availability-zone"
	if err := c.Update(ins[3], func(in *Instance) { in.Attributes = in.Attributes[1:] }); err != nil {
		t.Fatal(err)
	}
	var res Result
	req := &Request{Count: 8, Group: "service:web", Task: Requirements{CPU: 256, MemoryMiB: 256}}
	if err := c.Place(req, rand.New(rand.NewPCG(1, 2)), &res); err != nil || len(res.Placed) != 8 {
		t.Fatalf("Place: %v, %d placed", err, len(res.Placed))
	}
	zones := c.AttributeValues(zone)
	check := func(when string) {
		t.Helper()
		for _, p := range res.Placed {
			in := c.TaskInstance(p.Task)
			want, ok := in.Attribute(zone)
			v := zones.OfTask(p.Task)
			if (v != 0) != ok || ok && zones.Value(v) != want {
				t.Errorf("%s: OfTask(%d) = %d, want the number of %q (present %v)", when, p.Task, v, want, ok)
			}
		}
	}
	check("added")
	if err := c.Update(ins[3], func(in *Instance) { in.Attributes = []Attribute{{Name: zone, Value: "z3"}} }); err != nil {
		t.Fatal(err)
	}
	check("gained")
	if err := c.Update(ins[0], func(in *Instance) { in.Attributes = []Attribute{{Name: zone, Value: "z2"}} }); err != nil {
		t.Fatal(err)
	}
	check("changed")
	if err := c.Update(ins[1], func(in *Instance) { in.Attributes = nil }); err != nil {
		t.Fatal(err)
	}
	check("lost")
	if err := c.Release(res.Placed[0].Task); err != nil {
		t.Fatal(err)
	}
	if v := zones.OfTask(res.Placed[0].Task); v != 0 {
		t.Errorf("released: OfTask = %d, want 0", v)
	}
	if err := checkInvariants(c); err != nil {
		t.Error(err)
	}
}
