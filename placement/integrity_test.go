package placement

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func plainInstance(i int, zone string) *Instance {
	return &Instance{
		ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/grow/%03d", i),
		Status:         StatusActive,
		AgentConnected: true,
		Attributes:     []Attribute{{"ecs.availability-zone", zone}, {"ecs.instance-type", "m5.large"}},
		Remaining:      Capacity{CPU: 1024, MemoryMiB: 4096},
	}
}

// TestFleetGrowsPastWordBoundaries places a group on a fleet of 64, grows
// the fleet by a whole word of instances (and more), then places the same
// group with and without the options that build per-group and
// per-expression bit sets. Before every bit set was grown in AddInstance,
// the group's hosting set, built while the fleet was one word long, was
// written past its end when a task of the group landed on instance 64.
func TestFleetGrowsPastWordBoundaries(t *testing.T) {
	distinct := []Constraint{{Type: DistinctInstance}}
	m5, err := NewMemberOf("attribute:ecs.instance-type == m5.large")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// first is placed on the 64 instances, then grow more are added,
		// then second is placed.
		first, second *Request
		grow          int
	}{{
		name:   "distinctInstance, then the same group without it on the new instance",
		first:  &Request{Count: 64, Group: "g", Task: Requirements{CPU: 1}, Constraints: distinct, Strategies: []Strategy{Random{}}},
		grow:   1,
		second: &Request{Count: 1, Group: "g", Task: Requirements{CPU: 1024}, Strategies: []Strategy{Binpack{CPU}}},
	}, {
		name:   "distinctInstance, then distinctInstance again on the new word",
		first:  &Request{Count: 64, Group: "g", Task: Requirements{CPU: 1}, Constraints: distinct, Strategies: []Strategy{Random{}}},
		grow:   64,
		second: &Request{Count: 3, Group: "g", Task: Requirements{CPU: 1}, Constraints: distinct, Strategies: []Strategy{Spread{"instanceId"}, Binpack{CPU}}},
	}, {
		name:   "spread(instanceId) builds the hosting set, then growth by two words",
		first:  &Request{Count: 64, Group: "g", Task: Requirements{CPU: 1}, Strategies: []Strategy{Spread{"instanceId"}}},
		grow:   130,
		second: &Request{Count: 2, Group: "g", Task: Requirements{CPU: 1024}, Strategies: []Strategy{Spread{"instanceId"}, Binpack{Memory}}},
	}, {
		name:   "memberOf bits and the binpack order cover the new instances",
		first:  &Request{Count: 64, Group: "g", Task: Requirements{CPU: 1000}, Constraints: []Constraint{m5}, Strategies: []Strategy{Binpack{CPU}}},
		grow:   65,
		second: &Request{Count: 2, Group: "h", Task: Requirements{CPU: 512}, Constraints: []Constraint{m5, {Type: DistinctInstance}}, Strategies: []Strategy{Spread{"attribute:ecs.availability-zone"}, Binpack{CPU}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// c places with the fast path, ref by the plain definition.
			c, ref := NewCluster(), NewCluster()
			add := func(in *Instance) {
				if err := c.AddInstance(in); err != nil {
					t.Fatal(err)
				}
				if err := ref.AddInstance(cloneInstance(in)); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 64 {
				add(plainInstance(i, "us-east-1a"))
			}
			rng, rngRef := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
			var res, resRef Result
			if err := c.Place(tt.first, rng, &res); err != nil || len(res.Placed) != tt.first.Count {
				t.Fatalf("first Place = %v, %d placed, want %d", err, len(res.Placed), tt.first.Count)
			}
			refPlace(ref, tt.first, rngRef, &resRef)
			for i := range tt.grow {
				add(plainInstance(64+i, []string{"us-east-1b", "us-east-1c"}[i%2]))
			}
			if err := c.Place(tt.second, rng, &res); err != nil {
				t.Fatal(err)
			}
			refPlace(ref, tt.second, rngRef, &resRef)
			if diff := cmp.Diff(describe(&resRef), describe(&res)); diff != "" {
				t.Errorf("second Place differs from the plain definition (-ref +fast):\n%s", diff)
			}
			// Only the new instances have room for the second request.
			for _, p := range res.Placed {
				if p.Instance.Index() < 64 {
					t.Errorf("second Place chose instance %d, one of the first 64", p.Instance.Index())
				}
			}
			if len(res.Placed) != tt.second.Count {
				t.Errorf("second Place placed %d of %d", len(res.Placed), tt.second.Count)
			}
			if err := checkInvariants(c); err != nil {
				t.Error(err)
			}
		})
	}
}

// meddler scores as its base strategy does, after asking its view every
// question it can, Check included, with requests of other groups, sizes
// and constraints.
type meddler struct {
	base   Strategy
	others []*Request
}

func (m meddler) Score(v View, in *Instance, t *Task) float64 {
	for i := 0; i < v.Len(); i++ {
		other := v.At(i)
		_ = v.Instance(other.ARN)
		for _, g := range genGroups {
			v.GroupCount(other, g)
			v.SpreadCount("instanceId", other, g)
			v.SpreadCount("attribute:ecs.availability-zone", other, g)
			v.SpreadCount("attribute:never-seen", other, g)
			v.SpreadCount("bogus", other, g)
		}
		for range v.Hosted(other) {
		}
		for _, r := range m.others {
			v.Check(other, r)
		}
	}
	return m.base.Score(v, in, t)
}

func (m meddler) String() string { return "meddler(" + m.base.String() + ")" }

// TestStrategyViewCannotChangePlacement places the same requests on twin
// clusters, one whose strategy first calls every method of its View: the
// placements, the draws and the clusters must stay the same. Before
// strategies saw a read-only View, Check from inside Score replaced the
// request being placed, and the task was committed under the other
// request's group and reservation.
func TestStrategyViewCannotChangePlacement(t *testing.T) {
	exprs := compiledExprs()
	rapid.Check(t, func(t *rapid.T) {
		calm, nosy := twinClusters(t)
		var others []*Request
		for range rapid.IntRange(1, 3).Draw(t, "others") {
			others = append(others, genRequest(t, exprs))
		}
		seed := rapid.Uint64().Draw(t, "seed")
		rc, rn := rand.New(rand.NewPCG(seed, 4)), rand.New(rand.NewPCG(seed, 4))
		var resC, resN Result
		for step := range rapid.IntRange(1, 6).Draw(t, "steps") {
			req := genRequest(t, exprs)
			base := freePorts{}
			req.Strategies = append(req.Strategies[:0:0], req.Strategies...)
			req.Strategies = append(req.Strategies, base)
			if len(req.Strategies) > MaxStrategies {
				req.Strategies = req.Strategies[len(req.Strategies)-MaxStrategies:]
			}
			nosyReq := *req
			nosyReq.Strategies = append([]Strategy(nil), req.Strategies...)
			nosyReq.Strategies[len(nosyReq.Strategies)-1] = meddler{base, others}
			errC := calm.Place(req, rc, &resC)
			errN := nosy.Place(&nosyReq, rn, &resN)
			if (errC == nil) != (errN == nil) {
				t.Fatalf("step %d: Place = %v (plain strategy), %v (meddling strategy)", step, errC, errN)
			}
			if diff := cmp.Diff(describe(&resC), describe(&resN)); diff != "" {
				t.Fatalf("step %d: a strategy's questions changed the placement (-plain +meddling):\n%s", step, diff)
			}
			if diff := stateDiff(calm, nosy); diff != "" {
				t.Fatalf("step %d: a strategy's questions changed the cluster (-plain +meddling):\n%s", step, diff)
			}
		}
	})
}

// checker asks, from inside Score, whether the instance could take a task
// of another request: the case that corrupted placements.
type checker struct{ other *Request }

func (s checker) Score(v View, in *Instance, _ *Task) float64 {
	v.Check(in, s.other)
	return 0
}
func (checker) String() string { return "checker" }

func TestCheckInsideScore(t *testing.T) {
	c := NewCluster()
	for i := range 3 {
		if err := c.AddInstance(plainInstance(i, "us-east-1a")); err != nil {
			t.Fatal(err)
		}
	}
	other := &Request{Count: 1, Group: "other", Task: Requirements{CPU: 4096}}
	req := &Request{Count: 3, Group: "g", Task: Requirements{CPU: 512}, Strategies: []Strategy{checker{other}}}
	var res Result
	if err := c.Place(req, rand.New(rand.NewPCG(1, 1)), &res); err != nil {
		t.Fatal(err)
	}
	// Three tasks of 512 CPU of group g, on instances of 1024: whichever
	// the ties chose, 1536 CPU is left and only g is hosted.
	left, groups := int64(0), map[string]int{}
	for _, in := range c.Instances() {
		left += in.Remaining.CPU
		for _, g := range in.TaskGroups() {
			groups[g] += c.GroupCount(in, g)
		}
		if in.Remaining.CPU < 0 {
			t.Errorf("%s: remaining CPU %d", in.ARN, in.Remaining.CPU)
		}
	}
	if diff := cmp.Diff(map[string]int{"g": 3}, groups); diff != "" || left != 1536 || len(res.Unplaced) != 0 {
		t.Errorf("a strategy calling Check: %d unplaced, %d CPU left (want 0, 1536); tasks by group (-want +got):\n%s", len(res.Unplaced), left, diff)
	}
}

// TestEntryPointsRejectBadArguments: every exported entry point either
// works or returns an error naming the argument, and changes nothing.
func TestEntryPointsRejectBadArguments(t *testing.T) {
	req := &Request{Count: 1, Group: "g", Task: Requirements{CPU: 1}}
	rng := rand.New(rand.NewPCG(1, 1))
	newCluster := func(t *testing.T) (*Cluster, *Instance) {
		c := NewCluster()
		in := plainInstance(0, "us-east-1a")
		if err := c.AddInstance(in); err != nil {
			t.Fatal(err)
		}
		return c, in
	}
	tests := []struct {
		name string
		call func(t *testing.T, c *Cluster, in *Instance) error
		want string // a part of the error
	}{
		{"Place with a nil result", func(_ *testing.T, c *Cluster, _ *Instance) error { return c.Place(req, rng, nil) }, "res is nil"},
		{"Place with a nil rng", func(_ *testing.T, c *Cluster, _ *Instance) error {
			return c.Place(&Request{Count: 1, Group: "g", Task: Requirements{CPU: 1}}, nil, &Result{})
		}, "rng is nil"},
		{"Place with a nil request", func(_ *testing.T, c *Cluster, _ *Instance) error { return c.Place(nil, rng, &Result{}) }, "req is nil"},
		{"AddInstance without a status", func(_ *testing.T, c *Cluster, _ *Instance) error {
			return c.AddInstance(&Instance{ARN: "arn:new", AgentConnected: true})
		}, `status "": expected one of ACTIVE`},
		{"AddInstance with an unknown status", func(_ *testing.T, c *Cluster, _ *Instance) error {
			return c.AddInstance(&Instance{ARN: "arn:new", Status: "active", AgentConnected: true})
		}, `status "active"`},
		{"AddInstance nil", func(_ *testing.T, c *Cluster, _ *Instance) error { return c.AddInstance(nil) }, "instance is nil"},
		{"AddInstance of another cluster's instance", func(_ *testing.T, _ *Cluster, in *Instance) error {
			return NewCluster().AddInstance(in)
		}, "already in a cluster"},
		{"Update of another cluster's instance", func(t *testing.T, c *Cluster, _ *Instance) error {
			_, foreign := newCluster(t)
			return c.Update(foreign, func(in *Instance) { in.Status = StatusDraining })
		}, "not in the cluster"},
		{"Update to no status", func(_ *testing.T, c *Cluster, in *Instance) error {
			return c.Update(in, func(in *Instance) { in.Status = ""; in.Remaining.CPU = 1 })
		}, `status ""`},
		{"Update of the ARN", func(_ *testing.T, c *Cluster, in *Instance) error {
			return c.Update(in, func(in *Instance) { in.ARN = "arn:other" })
		}, "the ARN changed"},
		{"Check of another cluster's instance", func(t *testing.T, c *Cluster, _ *Instance) error {
			_, foreign := newCluster(t)
			_, err := c.Check(foreign, req)
			return err
		}, "not in the cluster"},
		{"Check with a nil request", func(_ *testing.T, c *Cluster, in *Instance) error { _, err := c.Check(in, nil); return err }, "req is nil"},
		{"Adopt on another cluster's instance", func(t *testing.T, c *Cluster, _ *Instance) error {
			_, foreign := newCluster(t)
			_, err := c.Adopt(foreign, HostedTask{Group: "g"})
			return err
		}, "not in the cluster"},
		{"SelectStop with a nil rng", func(_ *testing.T, c *Cluster, _ *Instance) error {
			_, err := SelectStop(c, nil, 1, nil, nil)
			return err
		}, "rng is nil"},
		{"SelectStop with a nil cluster", func(_ *testing.T, _ *Cluster, _ *Instance) error {
			_, err := SelectStop(nil, nil, 1, nil, rng)
			return err
		}, "cluster is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, in := newCluster(t)
			before := clusterState(c)
			err := tt.call(t, c, in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "placement: ") {
				t.Fatalf("error = %v, want one starting \"placement: \" containing %q", err, tt.want)
			}
			if diff := cmp.Diff(before, clusterState(c)); diff != "" {
				t.Errorf("the failed call changed the cluster (-before +after):\n%s", diff)
			}
		})
	}
}

func TestInstanceIndex(t *testing.T) {
	in := plainInstance(0, "us-east-1a")
	if got := in.Index(); got != -1 {
		t.Errorf("Index() before AddInstance = %d, want -1", got)
	}
	c := NewCluster()
	if err := c.AddInstance(plainInstance(1, "us-east-1a")); err != nil {
		t.Fatal(err)
	}
	if err := c.AddInstance(in); err != nil {
		t.Fatal(err)
	}
	if got := in.Index(); got != 1 {
		t.Errorf("Index() after AddInstance as the second = %d, want 1", got)
	}
	if got := c.GroupCount(plainInstance(5, "x"), "g"); got != 0 {
		t.Errorf("GroupCount(instance not in the cluster) = %d, want 0", got)
	}
}

func TestMembers(t *testing.T) {
	var m members
	for _, i := range []int32{700, 5, 130, 64, 6} {
		m.add(i)
	}
	m.remove(130)
	m.remove(9999) // never a member: nothing to do
	var got []int32
	for k := 0; k < 20; k++ {
		for w := m.word(k); w != 0; w &= w - 1 {
			got = append(got, index(k, w))
		}
	}
	if diff := cmp.Diff([]int32{5, 6, 64, 700}, got); diff != "" {
		t.Errorf("members after adds and removes (-want +got):\n%s", diff)
	}
	if m.first != 0 || len(m.bits) != 11 {
		t.Errorf("members keep words %d..%d, want 0..10 (lowest member 5, highest 700)", m.first, m.first+len(m.bits)-1)
	}
}

// TestUniqueAttributeValuesStayCompact grows a fleet whose instances each
// hold a value of their own of a spread attribute (a host name, a rack
// per instance): each value's member set keeps one word, so the index
// grows with the fleet, not with its square. Sets as long as the cluster
// took 157 words a value at 10,000 instances, and every AddInstance
// walked every value.
func TestUniqueAttributeValuesStayCompact(t *testing.T) {
	const n = 10000
	c := NewCluster()
	req := &Request{Count: 1, Group: "g", Task: Requirements{CPU: 1}, Strategies: []Strategy{Spread{"attribute:host"}, Binpack{CPU}}}
	rng := rand.New(rand.NewPCG(1, 1))
	var res Result
	for i := range n {
		in := plainInstance(i, "us-east-1a")
		in.Attributes = append(in.Attributes, Attribute{"host", fmt.Sprintf("h%05d", i)})
		if err := c.AddInstance(in); err != nil {
			t.Fatal(err)
		}
		if i == 0 || i == n/2 {
			if err := c.Place(req, rng, &res); err != nil || len(res.Placed) != 1 {
				t.Fatalf("Place = %v, %d placed", err, len(res.Placed))
			}
		}
	}
	fi := c.fields["host"]
	words := 0
	for _, m := range fi.members {
		words += len(m.bits)
	}
	if words > n {
		t.Errorf("%d instances with a value each: value sets hold %d words, want at most %d", n, words, n)
	}
	if err := checkInvariants(c); err != nil {
		t.Error(err)
	}
}
