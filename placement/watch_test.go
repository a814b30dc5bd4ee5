package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestWatchEqualsRecomputation is the Watch's property: through random
// placements, releases, instance changes and new instances, each Watch's
// per-instance reasons equal the plain reference filters', Fits says
// whether any instance passes them, and Explain equals the reference
// explanation. The journal's length is drawn, down to one entry, so that
// watches catch up through it and also fall behind it and rescan. The
// full pass runs 20 rounds of rapid's 100 cases (-short: 2): a change the
// journal misses, such as an adoption, shows in about one case in a
// thousand.
func TestWatchEqualsRecomputation(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 2
	}
	for r := range rounds {
		t.Run(fmt.Sprintf("round=%d", r), watchEqualsRecomputation)
	}
}

func watchEqualsRecomputation(t *testing.T) {
	exprs := compiledExprs()
	rapid.Check(t, func(t *rapid.T) {
		c, _ := twinClustersOf(t, 1, 150)
		c.journalMax = rapid.SampledFrom([]int{0, 1, 4, 40}).Draw(t, "journalMax")
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		var res Result
		var watches []*Watch
		var reqs []*Request
		for step := range rapid.IntRange(1, 20).Draw(t, "steps") {
			switch rapid.IntRange(0, 6).Draw(t, "op") {
			case 6: // a task the instance already holds, as an ECS snapshot has it
				in := c.instances[rapid.IntRange(0, len(c.instances)-1).Draw(t, "adoptOn")]
				h := HostedTask{Group: rapid.SampledFrom(genGroups).Draw(t, "adoptGroup"), Reserved: true}
				if _, err := c.Adopt(in, h); err != nil {
					t.Fatal(err)
				}
			case 0:
				if len(c.tasks) > 0 {
					_ = c.Release(TaskID(rapid.IntRange(0, len(c.tasks)-1).Draw(t, "release")))
				}
			case 1:
				in := c.instances[rapid.IntRange(0, len(c.instances)-1).Draw(t, "updateOn")]
				st := rapid.SampledFrom([]Status{StatusActive, StatusDraining, StatusInactive}).Draw(t, "newStatus")
				stack := rapid.SampledFrom([]string{"", "dev", "prod"}).Draw(t, "newStack")
				if err := c.Update(in, func(in *Instance) {
					in.Status = st
					in.Attributes = slices.DeleteFunc(in.Attributes, func(a Attribute) bool { return a.Name == "stack" })
					if stack != "" {
						in.Attributes = append(in.Attributes, Attribute{"stack", stack})
					}
				}); err != nil {
					t.Fatal(err)
				}
			case 2:
				for range rapid.IntRange(1, 10).Draw(t, "grow") {
					if err := c.AddInstance(genInstance(t, len(c.instances))); err != nil {
						t.Fatal(err)
					}
				}
			case 3:
				req := genRequest(t, exprs)
				w, err := c.Watch(req)
				if err != nil {
					t.Fatalf("Watch(%+v): %v", req, err)
				}
				watches, reqs = append(watches, w), append(reqs, req)
			default:
				if err := c.Place(genRequest(t, exprs), rng, &res); err != nil {
					t.Fatal(err)
				}
			}
			for k, w := range watches {
				checkWatch(t, step, c, w, reqs[k])
			}
		}
	})
}

func checkWatch(t *rapid.T, step int, c *Cluster, w *Watch, req *Request) {
	if !w.Same(req) {
		t.Fatalf("step %d: Watch(%+v).Same(itself) = false", step, req)
	}
	fits := false
	for _, in := range c.instances {
		want, _ := refCheck(c, in, req)
		fits = fits || want == ReasonNone
		if got := w.Reasons()[in.Index()]; got != want {
			t.Fatalf("step %d: Watch(%+v).Reasons()[%d] = %v, want %v", step, req, in.Index(), got, want)
		}
		if got := w.Reason(in); got != want {
			t.Fatalf("step %d: Watch(%+v).Reason(%s) = %v, want %v", step, req, in.ARN, got, want)
		}
	}
	if got := w.Fits(); got != fits {
		t.Fatalf("step %d: Watch(%+v).Fits() = %v, want %v", step, req, got, fits)
	}
	want, got := refExplain(c, req), w.Explain()
	if diff := cmp.Diff(describeUnplaced(&want), describeUnplaced(&got)); diff != "" {
		t.Fatalf("step %d: Watch(%+v).Explain() differs from the reference (-want +got):\n%s", step, req, diff)
	}
}

func describeUnplaced(u *Unplaced) string {
	return describe(&Result{Unplaced: []Unplaced{*u}}).Unplaced[0] + fmt.Sprintf(" reason=%d", u.Reason)
}

// TestWatchSame checks that a request differing from the watched one in
// any field the filters read is not the same.
func TestWatchSame(t *testing.T) {
	c := NewCluster()
	e, err := NewMemberOf("attribute:stack == prod")
	if err != nil {
		t.Fatal(err)
	}
	base := Request{Count: 1, Group: "g", Task: Requirements{CPU: 1, MemoryMiB: 1, Scalars: []Scalar{{"disk", 1}}, AWSVPC: true},
		Constraints: []Constraint{e}, Zones: []string{"a"}}
	w, err := c.Watch(&base)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Request)
	}{
		{"group", func(r *Request) { r.Group = "h" }},
		{"launchType", func(r *Request) { r.LaunchType = LaunchTypeExternal }},
		{"maxPerInstance", func(r *Request) { r.MaxPerInstance = 2 }},
		{"cpu", func(r *Request) { r.Task.CPU = 2 }},
		{"memory", func(r *Request) { r.Task.MemoryMiB = 2 }},
		{"gpus", func(r *Request) { r.Task.GPUs = 1 }},
		{"gpuMilli", func(r *Request) { r.Task.GPUMilli = 500 }},
		{"allGPUs", func(r *Request) { r.Task.AllGPUs = true }},
		{"awsvpc", func(r *Request) { r.Task.AWSVPC = false }},
		{"portsTCP", func(r *Request) { r.Task.PortsTCP = []uint16{80} }},
		{"portsUDP", func(r *Request) { r.Task.PortsUDP = []uint16{53} }},
		{"scalars", func(r *Request) { r.Task.Scalars = []Scalar{{"disk", 2}} }},
		{"constraints", func(r *Request) {
			r.Constraints = append(slices.Clip(r.Constraints), Constraint{Type: DistinctInstance})
		}},
		{"requiredAttributes", func(r *Request) { r.RequiredAttributes = []Attribute{{Name: "x"}} }},
		{"zones", func(r *Request) { r.Zones = []string{"b"} }},
	}
	for _, tt := range tests {
		req := base
		tt.change(&req)
		if w.Same(&req) {
			t.Errorf("%s: Same(%+v) = true, want false", tt.name, req)
		}
	}
	req := base
	req.Count, req.Strategies = 3, []Strategy{Binpack{CPU}}
	if !w.Same(&req) {
		t.Errorf("Same(%+v) = false for another count and strategy, want true", req)
	}
}
