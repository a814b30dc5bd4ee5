package placement

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTaskInstanceFollowsTasks wants TaskInstance, which reads the compact
// taskInst rather than the task records, to name each task's instance
// through placements, adoptions and releases, ids reused after a release
// included, and nil for every id not held; and taskGroup to keep each held
// task's group as its record does.
func TestTaskInstanceFollowsTasks(t *testing.T) {
	c := cluster(t, inst("a", "z1", 4096, 8192), inst("b", "z2", 4096, 8192), inst("c", "z1", 4096, 8192))
	rng := rand.New(rand.NewPCG(3, 4))
	want := map[TaskID]string{} // the plain record: every held id's instance
	place := func(n int) {
		var res Result
		req := &Request{Count: n, Group: "service:web", Task: Requirements{CPU: 256, MemoryMiB: 256}}
		if err := c.Place(req, rng, &res); err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Placed {
			want[p.Task] = name(p.Instance)
		}
	}
	release := func(ids ...TaskID) {
		for _, id := range ids {
			if err := c.Release(id); err != nil {
				t.Fatal(err)
			}
			delete(want, id)
		}
	}
	check := func(step string) {
		t.Helper()
		got, exp := map[TaskID]string{}, map[TaskID]string{}
		for id := TaskID(-2); id < TaskID(len(want)+20); id++ {
			if in := c.TaskInstance(id); in != nil {
				got[id] = name(in)
			}
			if n, ok := want[id]; ok {
				exp[id] = n
				// The scale-in scores read the group from taskGroup.
				if r := &c.tasks[id]; c.taskInst[id] != r.inst || c.taskGroup[id] != r.group {
					t.Fatalf("%s: task %d: instance %d and group %d, the record's %d and %d", step, id, c.taskInst[id], c.taskGroup[id], r.inst, r.group)
				}
			}
		}
		if diff := cmp.Diff(exp, got); diff != "" {
			t.Fatalf("%s: TaskInstance (-want +got):\n%s", step, diff)
		}
	}
	place(6)
	check("placed 6")
	release(1, 4, 2)
	check("released 3")
	place(2) // takes two of the released ids
	check("placed 2 more")
	id, err := c.Adopt(c.Instances()[2], HostedTask{Group: "service:api", Requirements: Requirements{CPU: 128, MemoryMiB: 128}})
	if err != nil {
		t.Fatal(err)
	}
	want[id] = "c"
	check("adopted 1") // another group, in a released id
	release(id, 0)
	place(1)
	check("released 2, placed 1")
}
