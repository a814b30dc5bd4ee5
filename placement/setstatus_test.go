package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSetStatus wants SetStatus to do what Update with a function
// setting the status does, an invalid status restoring the instance
// included, and to copy nothing of the instance to do it.
func TestSetStatus(t *testing.T) {
	for _, steps := range [][]Status{
		{StatusDraining, StatusActive},
		{StatusDraining, StatusInactive},
		{Status("BOGUS"), StatusDraining, Status(""), StatusActive},
	} {
		t.Run(fmt.Sprint(steps), func(t *testing.T) {
			build := func() *Cluster {
				return cluster(t, inst("a", "z1", 2048, 4096), inst("b", "z2", 1024, 2048), inst("c", "z1", 4096, 8192))
			}
			byUpdate, bySet := build(), build()
			for _, s := range steps {
				errU := byUpdate.Update(byUpdate.Instances()[0], func(in *Instance) { in.Status = s })
				errS := bySet.SetStatus(bySet.Instances()[0], s)
				if (errU == nil) != (errS == nil) {
					t.Fatalf("status %q: Update: %v, SetStatus: %v", s, errU, errS)
				}
				// What placement sees: the instances and where a task goes.
				if diff := cmp.Diff(statusView(byUpdate), statusView(bySet)); diff != "" {
					t.Fatalf("status %q (-Update +SetStatus):\n%s", s, diff)
				}
			}
		})
	}
	c := cluster(t, inst("a", "z1", 2048, 4096))
	in := c.Instances()[0]
	if n := testing.AllocsPerRun(20, func() {
		_ = c.SetStatus(in, StatusDraining)
		_ = c.SetStatus(in, StatusActive)
	}); n != 0 {
		t.Errorf("SetStatus allocated %v times, want 0", n)
	}
}

// statusView is what a test compares of a cluster: each instance's status,
// attributes and remaining resources, and the placements of a few tasks.
func statusView(c *Cluster) []string {
	var out []string
	for _, in := range c.Instances() {
		out = append(out, fmt.Sprintf("%s %s %v %+v", name(in), in.Status, in.Attributes, in.Remaining))
	}
	var res Result
	req := &Request{Count: 3, Group: "service:web", Task: Requirements{CPU: 512, MemoryMiB: 512}}
	if err := c.Place(req, rand.New(rand.NewPCG(1, 2)), &res); err != nil {
		return append(out, err.Error())
	}
	for _, p := range res.Placed {
		out = append(out, name(p.Instance))
		_ = c.Release(p.Task)
	}
	return append(out, fmt.Sprint(len(res.Unplaced), " unplaced"))
}
