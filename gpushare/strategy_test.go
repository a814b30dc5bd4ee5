package gpushare

import (
	"math/rand"
	randv2 "math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/berthsched/berth/placement"
)

var strategyTypical = Typical([]Pod{
	{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1},
	{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1},
	{CPUMilli: 8000, GPUMilli: 1000, GPUCount: 1},
	{CPUMilli: 2000},
	{CPUMilli: 6000, GPUMilli: 300, GPUCount: 1, GPUSpec: "T4"},
})

func TestNewStrategy(t *testing.T) {
	src := rand.New(rand.NewSource(1))
	tests := []struct {
		name    string
		in      string
		opts    StrategyOptions
		typical []TypicalPod
		want    string // String() of the result, or the error
	}{
		{name: "short name", in: "fgd", typical: strategyTypical, want: "fgd"},
		{name: "paper name", in: "06-FGD", typical: strategyTypical, want: "fgd"},
		{name: "case-insensitive", in: "BestFit", want: "bestfit"},
		{name: "dotprod", in: "02-dotprod", want: "dotprod"},
		{name: "gpuclustering", in: "gpuclustering", want: "gpuclustering"},
		{name: "gpupacking", in: "04-GpuPacking", want: "gpupacking"},
		{name: "random with a source", in: "random", opts: StrategyOptions{Rand: src}, want: "random"},
		{name: "random without a source", in: "01-Random",
			want: `gpushare: strategy "01-Random": Rand: missing; expected a seeded source for its device draws`},
		{name: "balancedfit", in: "07-BalancedFit", typical: strategyTypical, want: "balancedfit"},
		{name: "balancedfit without typical pods", in: "balancedfit",
			want: `gpushare: strategy "balancedfit": typical pods: none; expected the workload's typical pods`},
		{name: "fgd without typical pods", in: "fgd",
			want: `gpushare: strategy "fgd": typical pods: none; expected the workload's typical pods`},
		{name: "unknown", in: "tetris",
			want: `gpushare: strategy "tetris": unknown; expected one of random, dotprod, gpuclustering, gpupacking, bestfit, fgd, balancedfit`},
	}
	for _, tt := range tests {
		s, err := NewStrategy(tt.in, tt.typical, tt.opts)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = s.String()
		}
		if got != tt.want {
			t.Errorf("%s: NewStrategy(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// cluster adds one instance per node to a new cluster, the model as the
// attribute attr.
func cluster(t interface{ Fatal(...any) }, attr string, nodes ...*Node) *placement.Cluster {
	c := placement.NewCluster()
	for i, n := range nodes {
		in := &placement.Instance{ARN: "i" + string(rune('a'+i)), Status: placement.StatusActive, AgentConnected: true}
		in.Registered = placement.Capacity{CPU: n.CPUMilli, MemoryMiB: n.MemoryMiB}
		for _, l := range n.GPULeft {
			in.Registered.GPUs = append(in.Registered.GPUs, placement.GPU{FreeMilli: int(l)})
		}
		in.Remaining = in.Registered.Clone()
		if n.Model != "" {
			in.Attributes = []placement.Attribute{{Name: attr, Value: n.Model}}
		}
		if err := c.AddInstance(in); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// task is the placement task of a sharing, whole-device or CPU-only pod.
func task(p *Pod) *placement.Task {
	r := placement.Requirements{CPU: p.CPUMilli, MemoryMiB: p.MemoryMiB}
	if !p.CPUOnly() {
		r.GPUs = p.GPUCount
		r.GPUMilli = int(p.GPUMilli)
	}
	return &placement.Task{Group: "family:t", Requirements: r}
}

// The strategies score and choose devices exactly as the policies do, on
// any node state the policies accept.
func TestStrategyMatchesPolicy(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := &Node{
			CPUMilli:  rapid.Int64Range(0, 128).Draw(t, "cpu") * 1000,
			MemoryMiB: rapid.Int64Range(0, 64).Draw(t, "mem") * 1024,
			Model:     rapid.SampledFrom([]string{"T4", "G2"}).Draw(t, "model"),
		}
		for range rapid.IntRange(1, MaxDevices).Draw(t, "devices") {
			n.GPULeft = append(n.GPULeft, rapid.SampledFrom([]int64{0, 100, 300, 500, 700, 1000}).Draw(t, "left"))
		}
		p := Pod{CPUMilli: rapid.Int64Range(0, 16).Draw(t, "pcpu") * 1000, MemoryMiB: 1024}
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 1:
			p.GPUMilli, p.GPUCount = rapid.SampledFrom([]int64{100, 250, 500, 700}).Draw(t, "milli"), 1
		case 2:
			p.GPUMilli, p.GPUCount = 1000, rapid.SampledFrom([]int{1, 2, 4}).Draw(t, "count")
		}
		if p.CPUMilli > n.CPUMilli || p.MemoryMiB > n.MemoryMiB || !p.CPUOnly() && !FitsGPU(n.GPULeft, p.GPUMilli, p.GPUCount) {
			t.Skip("infeasible")
		}
		var tags Tags
		if rapid.Bool().Draw(t, "tagged") {
			tags.Add(&Pod{GPUMilli: 500, GPUCount: 1})
		}
		seed := rapid.Int64().Draw(t, "seed")
		policies := []Policy{NewRandom(rand.New(rand.NewSource(seed))), DotProd(), GpuClustering(), GpuPacking(), BestFit(), NewFGD(strategyTypical),
			NewBalancedFit(strategyTypical, BalancedFitOptions{})}
		for k, pol := range policies {
			c := cluster(t, "model", n)
			in := c.Instances()[0]
			s := newStrategy(policyKind(k), strategyTypical, StrategyOptions{ModelAttribute: "model", Rand: rand.New(rand.NewSource(seed))})
			nn := *n
			if k == int(kindGpuClustering) {
				s.tags = []Tags{tags} // as if it had placed those tasks
				nn.Tags = tags
			}
			tk := task(&p)
			want := float64(pol.Score(&nn, &p))
			if got := s.Score(c.View(), in, tk); got != want && k != int(kindRandom) {
				t.Fatalf("%s: Score = %v, want %v (node %+v, pod %+v)", s, got, want, nn, p)
			}
			if p.CPUOnly() {
				continue
			}
			var wantSet placement.DeviceSet
			if p.Sharing() {
				wantSet = 1 << uint(pol.Device(&nn, &p))
			} else {
				for _, d := range WholeDevices(nil, n.GPULeft, p.GPUCount) {
					wantSet |= 1 << uint(d)
				}
			}
			if got := s.ChooseGPUs(c.View(), in, tk); got != wantSet {
				t.Fatalf("%s: ChooseGPUs = %b, want %b (node %+v, pod %+v)", s, got, wantSet, nn, p)
			}
		}
	})
}

// Placed through a Cluster, GpuClustering sees the kinds of the tasks it
// placed, and forgets those released.
func TestStrategyGpuClusteringTags(t *testing.T) {
	c := cluster(t, DefaultModelAttribute,
		&Node{CPUMilli: 64000, MemoryMiB: 65536, GPULeft: []int64{1000, 1000}, Model: "T4"},
		&Node{CPUMilli: 64000, MemoryMiB: 65536, GPULeft: []int64{1000, 1000}, Model: "T4"})
	s := GpuClusteringStrategy(StrategyOptions{})
	rank := rankFirst{}
	share := Pod{CPUMilli: 1000, MemoryMiB: 1024, GPUMilli: 300, GPUCount: 1}
	req := &placement.Request{Count: 1, Group: "family:t", Task: task(&share).Requirements,
		Strategies: []placement.Strategy{s, rank}}
	var res placement.Result
	rng := newRand()
	var placed []placement.Placement
	for range 2 {
		if err := c.Place(req, rng, &res); err != nil || len(res.Placed) != 1 {
			t.Fatalf("Place: %v, %+v", err, res)
		}
		placed = append(placed, res.Placed[0])
	}
	// The second share joins the first: 75 + base beats 25 + base.
	got := []int{placed[0].Instance.Index(), placed[1].Instance.Index()}
	if diff := cmp.Diff([]int{0, 0}, got); diff != "" {
		t.Errorf("instances of two shares (-want +got):\n%s", diff)
	}
	in0 := c.Instances()[0]
	if got, want := s.Score(c.View(), in0, task(&share)), float64(75+25*(8000-1400)/8000); got != want {
		t.Errorf("Score of the instance with two shares = %v, want %v", got, want)
	}
	for _, p := range placed {
		if err := c.Release(p.Task); err != nil {
			t.Fatal(err)
		}
		s.Released(p.Instance, &req.Task)
	}
	if got, want := s.Score(c.View(), in0, task(&share)), float64(25+25*(8000-2000)/8000); got != want {
		t.Errorf("Score after both left = %v, want %v", got, want)
	}
}

// rankFirst prefers the lowest instance index: a total order.
type rankFirst struct{}

func (rankFirst) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	return -float64(in.Index())
}
func (rankFirst) String() string { return "rank" }

// Score does not allocate once the scratch buffers and the memo are warm.
func TestStrategyScoreDoesNotAllocate(t *testing.T) {
	nodes := []*Node{
		{CPUMilli: 64000, MemoryMiB: 65536, GPULeft: []int64{1000, 200, 500, 1000}, Model: "T4"},
		{CPUMilli: 32000, MemoryMiB: 65536, GPULeft: []int64{1000, 1000}, Model: "G2"},
	}
	pods := []Pod{
		{CPUMilli: 1000, MemoryMiB: 1024, GPUMilli: 300, GPUCount: 1},
		{CPUMilli: 1000, MemoryMiB: 1024, GPUMilli: 1000, GPUCount: 2},
		{CPUMilli: 1000, MemoryMiB: 1024},
	}
	for k := range strategyNames {
		s := newStrategy(policyKind(k), strategyTypical, StrategyOptions{Rand: rand.New(rand.NewSource(1))})
		c := cluster(t, DefaultModelAttribute, nodes...)
		tasks := make([]*placement.Task, len(pods))
		for i := range pods {
			tasks[i] = task(&pods[i])
		}
		score := func() {
			for _, in := range c.Instances() {
				for _, tk := range tasks {
					s.Score(c.View(), in, tk)
				}
			}
		}
		score() // warm the memo
		if n := testing.AllocsPerRun(20, score); n != 0 {
			t.Errorf("%s: Score allocates %v times per round", s, n)
		}
	}
}

func TestRandomStrategyPanicsWithoutSource(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "opts.Rand is nil") {
			t.Errorf("RandomStrategy without a source: recover() = %v, want a panic naming opts.Rand", r)
		}
	}()
	RandomStrategy(StrategyOptions{})
}

func newRand() *randv2.Rand { return randv2.New(randv2.NewPCG(1, 2)) }
