package capfill

import (
	"fmt"
	randv2 "math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// mirror is the tests' own mapping of a workload to placement, written
// independently of the driver's placer:
//
//   - node i of w.Nodes (name order) is instance i of the Cluster: ARN the
//     node's name, ACTIVE, agent connected, CPU = cpu_milli, MemoryMiB =
//     memory_mib, gpu devices of 1000 free milli each, and the attribute
//     gpu-model = model when the node has GPUs;
//   - a pod is a Request for one task of group "family:openb": CPU =
//     cpu_milli, MemoryMiB = memory_mib, and for a GPU pod GPUs = num_gpu,
//     GPUMilli = gpu_milli, plus, when gpu_spec names models, memberOf
//     "attribute:gpu-model == 'A' or attribute:gpu-model == 'B' ...".
type mirror struct {
	c    *placement.Cluster
	cons map[string]placement.Constraint
	res  placement.Result
	rng  *randv2.Rand
}

type fatalf interface {
	Fatalf(format string, args ...any)
}

func newMirror(t fatalf, w *Workload) *mirror {
	m := &mirror{c: placement.NewCluster(), cons: map[string]placement.Constraint{}, rng: randv2.New(randv2.NewPCG(7, 7))}
	for _, n := range w.Nodes {
		in := &placement.Instance{ARN: n.Name, Status: placement.StatusActive, AgentConnected: true}
		in.Registered.CPU, in.Registered.MemoryMiB = n.CPUMilli, n.MemoryMiB
		for range n.GPUs {
			in.Registered.GPUs = append(in.Registered.GPUs, placement.GPU{FreeMilli: 1000})
		}
		in.Remaining = in.Registered.Clone()
		if n.GPUs > 0 {
			in.Attributes = append(in.Attributes, placement.Attribute{Name: "gpu-model", Value: n.Model})
		}
		if err := m.c.AddInstance(in); err != nil {
			t.Fatalf("AddInstance(%s): %v", n.Name, err)
		}
	}
	return m
}

func (m *mirror) request(t fatalf, p *gpushare.Pod, strategies ...placement.Strategy) *placement.Request {
	req := &placement.Request{Count: 1, Group: "family:openb", Strategies: strategies,
		Task: placement.Requirements{CPU: p.CPUMilli, MemoryMiB: p.MemoryMiB}}
	if p.GPUCount > 0 && p.GPUMilli > 0 {
		req.Task.GPUs, req.Task.GPUMilli = p.GPUCount, int(p.GPUMilli)
		var terms []string
		for _, model := range strings.Split(p.GPUSpec, "|") {
			if model != "" {
				terms = append(terms, "attribute:gpu-model == '"+model+"'")
			}
		}
		if len(terms) > 0 {
			c, ok := m.cons[p.GPUSpec]
			if !ok {
				var err error
				if c, err = placement.NewMemberOf(strings.Join(terms, " or ")); err != nil {
					t.Fatalf("memberOf for %q: %v", p.GPUSpec, err)
				}
				m.cons[p.GPUSpec] = c
			}
			req.Constraints = []placement.Constraint{c}
		}
	}
	return req
}

// choice is where a pod went: the instance index (-1 unplaced) and devices.
type choice struct {
	Node    int
	Devices uint64
}

// place places one pod and returns its choice.
func (m *mirror) place(t fatalf, req *placement.Request) choice {
	if err := m.c.Place(req, m.rng, &m.res); err != nil {
		t.Fatalf("Place: %v", err)
	}
	if len(m.res.Placed) == 0 {
		return choice{Node: -1}
	}
	return choice{Node: m.res.Placed[0].Instance.Index(), Devices: uint64(m.res.Placed[0].GPUs)}
}

func choices(events []Event) []choice {
	out := make([]choice, len(events))
	for i, e := range events {
		out[i] = choice{Node: e.Node, Devices: e.Devices}
	}
	return out
}

// rankScore gives each instance its capfill rank as a unique score, the
// smallest rank best.
type rankScore []int

func (r rankScore) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	return -float64(r[in.Index()])
}
func (rankScore) String() string { return "rank" }

// pin scores one instance above all others.
type pin int

func (p pin) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	if in.Index() == int(p) {
		return 1
	}
	return 0
}
func (pin) String() string { return "pin" }

var deterministic = []string{"02-DotProd", "03-GpuClustering", "04-GpuPacking", "05-BestFit", "06-FGD", "07-BalancedFit"}

// Placing an openb excerpt through placement.Cluster with [the gpushare
// strategy, the node ranks] takes exactly the node and the devices the
// driver takes, pod for pod, for each deterministic policy.
func TestGpushareStrategiesMatchDriver(t *testing.T) {
	limit := 400
	if testing.Short() {
		limit = 120
	}
	for _, wl := range []string{"openb_pod_list_default", "openb_pod_list_gpuspec10"} {
		w := loadWorkload(t, wl)
		for _, name := range deterministic {
			t.Run(wl+"/"+name, func(t *testing.T) {
				t.Parallel()
				res, err := w.Run(strategy(t, name), 42, 1.3)
				if err != nil {
					t.Fatal(err)
				}
				arr, _ := w.Arrange(42, 1.3)
				s, err := gpushare.NewStrategy(name, w.Typical, gpushare.StrategyOptions{})
				if err != nil {
					t.Fatal(err)
				}
				m := newMirror(t, w)
				var got []choice
				for k := range min(limit, len(arr.Order)) {
					got = append(got, m.place(t, m.request(t, &arr.Order[k].Pod, s, rankScore(arr.Rank))))
				}
				want := choices(res.Events[:len(got)])
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("placement with %s chose differently from the driver (-want +got):\n%s", s, diff)
				}
			})
		}
	}
}

// The driver's placement path, given the gpushare strategy, runs exactly
// the paper's policy: every event of a whole run is equal.
func TestPlacementPathMatchesPolicyPath(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping whole runs through placement under -short")
	}
	w := loadWorkload(t, "openb_pod_list_default")
	for _, name := range deterministic {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := w.Run(strategy(t, name), 43, 1.3)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.Run(viaPlacement(name), 43, 1.3)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Events, got.Events); diff != "" {
				t.Errorf("%s through placement differs from the driver (-want +got):\n%s", name, diff)
			}
		})
	}
}

func viaPlacement(name string) Strategy {
	return Strategy{Name: name, Placement: func(e Env) []placement.Strategy {
		s, err := gpushare.NewStrategy(name, e.Typical, gpushare.StrategyOptions{Rand: e.Rand})
		if err != nil {
			panic(err)
		}
		return []placement.Strategy{s}
	}}
}

// ecsDefinition is the ECS strategies' definition on the driver's nodes,
// for the plain loop: binpack prefers the least remaining CPU or memory,
// spread(instanceId) the fewest pods of the group; ties to the smallest
// rank; placement's default devices.
func ecsDefinition(name string) func(n *gpushare.Node, pods int) int64 {
	switch name {
	case "ecs-binpack-cpu":
		return func(n *gpushare.Node, _ int) int64 { return -n.CPUMilli }
	case "ecs-binpack-memory":
		return func(n *gpushare.Node, _ int) int64 { return -n.MemoryMiB }
	case "ecs-spread":
		return func(_ *gpushare.Node, pods int) int64 { return -int64(pods) }
	}
	return nil
}

// plainECS places the first limit pods by the ECS definition, scanning
// every node.
func plainECS(w *Workload, name string, seed int64, tune float64, limit int) []choice {
	score := ecsDefinition(name)
	arr, _ := w.Arrange(seed, tune)
	nodes := make([]gpushare.Node, len(w.Nodes))
	pods := make([]int, len(w.Nodes))
	for i, n := range w.Nodes {
		left := make([]int64, n.GPUs)
		for d := range left {
			left[d] = 1000
		}
		nodes[i] = gpushare.Node{CPUMilli: n.CPUMilli, MemoryMiB: n.MemoryMiB, GPULeft: left, Model: n.Model}
	}
	out := []choice{}
	for k := range min(limit, len(arr.Order)) {
		p := &arr.Order[k].Pod
		c := choice{Node: -1}
		var best int64
		for i := range nodes {
			if !gpushare.Feasible(&nodes[i], p) {
				continue
			}
			s := score(&nodes[i], pods[i])
			if c.Node < 0 || s > best || s == best && arr.Rank[i] < arr.Rank[c.Node] {
				c.Node, best = i, s
			}
		}
		if c.Node >= 0 {
			n := &nodes[c.Node]
			var devs []int
			switch {
			case p.Sharing():
				devs = []int{gpushare.BestDevice(n.GPULeft, p.GPUMilli)}
			case !p.CPUOnly():
				devs = gpushare.WholeDevices(nil, n.GPULeft, p.GPUCount)
			}
			n.CPUMilli -= p.CPUMilli
			n.MemoryMiB -= p.MemoryMiB
			for _, d := range devs {
				n.GPULeft[d] -= p.GPUMilli
				c.Devices |= 1 << uint(d)
			}
			pods[c.Node]++
		}
		out = append(out, c)
	}
	return out
}

// The ECS strategies of the harness make the choices of their definition
// on the openb traces (binpack and spread), and of placement's own filter
// and default devices with the run's draws (random).
func TestECSStrategiesOnTraces(t *testing.T) {
	limit := 10866
	if testing.Short() {
		limit = 300
	}
	for _, wl := range []string{"openb_pod_list_default", "openb_pod_list_gpuspec10"} {
		w := loadWorkload(t, wl)
		for _, s := range ECS() {
			t.Run(wl+"/"+s.Name, func(t *testing.T) {
				t.Parallel()
				res, err := w.Run(s, 42, 1.3)
				if err != nil {
					t.Fatal(err)
				}
				var want []choice
				if s.Name == "ecs-random" {
					want = ecsRandomReference(t, w, 42, 1.3, min(limit, 300))
				} else {
					want = plainECS(w, s.Name, 42, 1.3, limit)
				}
				if diff := cmp.Diff(want, choices(res.Events[:len(want)])); diff != "" {
					t.Errorf("%s differs from its definition (-want +got):\n%s", s.Name, diff)
				}
			})
		}
	}
}

// ecsRandomReference is ecs-random from placement's side: the instances
// placement.Cluster.Check lets take the pod, in cluster order, one drawn
// by the run's stream when there are two or more, and the devices
// placement gives by default on it.
func ecsRandomReference(t fatalf, w *Workload, seed int64, tune float64, limit int) []choice {
	arr, rng := w.Arrange(seed, tune)
	m := newMirror(t, w)
	out := []choice{}
	var feasible []int
	for k := range min(limit, len(arr.Order)) {
		p := &arr.Order[k].Pod
		probe := m.request(t, p)
		feasible = feasible[:0]
		for i, in := range m.c.Instances() {
			r, err := m.c.Check(in, probe)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if r == placement.ReasonNone {
				feasible = append(feasible, i)
			}
		}
		switch len(feasible) {
		case 0:
			out = append(out, m.place(t, probe)) // unplaced, and placement agrees
		default:
			at := feasible[0]
			if len(feasible) > 1 {
				at = feasible[rng.Intn(len(feasible))]
			}
			c := m.place(t, m.request(t, p, pin(at)))
			if c.Node != at {
				t.Fatalf("pod %d: placement placed on %d, not the pinned feasible instance %d", k, c.Node, at)
			}
			out = append(out, c)
		}
	}
	return out
}

// On random small fleets and workloads: the placement path with the
// gpushare strategies runs the paper's policies and BalancedFit event for
// event, and the
// ECS strategies follow their definition.
func TestPlacementPathProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		models := []string{"G2", "T4", "P100"}
		var nodes []NodeSpec
		for i := range rapid.IntRange(1, 8).Draw(t, "nodes") {
			n := NodeSpec{
				Name:      fmt.Sprintf("n%02d", i),
				CPUMilli:  rapid.Int64Range(1, 64).Draw(t, "cpu") * 1000,
				MemoryMiB: rapid.Int64Range(1, 64).Draw(t, "mem") * 1024,
				GPUs:      rapid.SampledFrom([]int{0, 1, 2, 4, 8}).Draw(t, "gpus"),
			}
			if n.GPUs > 0 {
				n.Model = rapid.SampledFrom(models).Draw(t, "model")
			}
			nodes = append(nodes, n)
		}
		nodes[0].GPUs, nodes[0].Model = 2, "T4"
		var pods []PodSpec
		for i := range rapid.IntRange(1, 50).Draw(t, "pods") {
			p := PodSpec{Name: fmt.Sprintf("p%03d", i)}
			p.CPUMilli = rapid.Int64Range(0, 16).Draw(t, "pcpu") * 1000
			p.MemoryMiB = rapid.Int64Range(0, 16).Draw(t, "pmem") * 1024
			switch rapid.IntRange(0, 2).Draw(t, "kind") {
			case 1:
				p.GPUMilli, p.GPUCount = rapid.SampledFrom([]int64{100, 250, 500, 700}).Draw(t, "milli"), 1
			case 2:
				p.GPUMilli, p.GPUCount = 1000, rapid.SampledFrom([]int{1, 2, 4}).Draw(t, "count")
			}
			if p.GPUCount > 0 {
				p.GPUSpec = rapid.SampledFrom([]string{"", "G2", "T4|P100", "T4|T4"}).Draw(t, "spec")
			}
			pods = append(pods, p)
		}
		w, err := NewWorkload("w", nodes, pods)
		if err != nil {
			t.Fatal(err)
		}
		seed := rapid.Int64Range(0, 1000).Draw(t, "seed")
		tune := rapid.SampledFrom([]float64{0.5, 1, 1.3}).Draw(t, "tune")
		byName := map[string]Strategy{}
		for _, s := range append(Paper(), Beyond()...) {
			byName[s.Name] = s
		}
		for _, name := range deterministic {
			want, err := w.Run(byName[name], seed, tune)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.Run(viaPlacement(name), seed, tune)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Events, got.Events); diff != "" {
				t.Fatalf("%s through placement differs from the driver (-want +got):\n%s", name, diff)
			}
		}
		for _, s := range ECS() {
			res, err := w.Run(s, seed, tune)
			if err != nil {
				t.Fatal(err)
			}
			var want []choice
			if s.Name == "ecs-random" {
				want = ecsRandomReference(t, w, seed, tune, len(res.Events))
			} else {
				want = plainECS(w, s.Name, seed, tune, len(res.Events))
			}
			if diff := cmp.Diff(want, choices(res.Events)); diff != "" {
				t.Fatalf("%s differs from its definition (-want +got):\n%s", s.Name, diff)
			}
		}
	})
}

// A strategy must set exactly one of New and Placement, and a chain leaves
// the last place to the node ranks.
func TestRunStrategyErrors(t *testing.T) {
	w, err := NewWorkload("w", []NodeSpec{{Name: "n", CPUMilli: 1000, MemoryMiB: 1024, GPUs: 1, Model: "T4"}},
		[]PodSpec{{Name: "p", Pod: gpushare.Pod{CPUMilli: 100, GPUMilli: 500, GPUCount: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	five := func(Env) []placement.Strategy {
		return []placement.Strategy{placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU},
			placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU}}
	}
	tests := []struct {
		name string
		s    Strategy
		want string
	}{
		{name: "neither", s: Strategy{Name: "x"}, want: `capfill: strategy "x": expected exactly one of New and Placement`},
		{name: "both", s: Strategy{Name: "x", New: Paper()[1].New, Placement: ECS()[0].Placement},
			want: `capfill: strategy "x": expected exactly one of New and Placement`},
		{name: "chain too long", s: Strategy{Name: "x", Placement: five},
			want: "capfill: x: 5 placement strategies; expected at most 4 (the node ranks take the last place)"},
	}
	for _, tt := range tests {
		_, err := w.Run(tt.s, 1, 1)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Run error %v, want %q", tt.name, err, tt.want)
		}
	}
}
