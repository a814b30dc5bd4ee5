package capfill

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/berthsched/berth/gpushare"
)

// plainFGD is FGD with no memo at all: gpushare.FGDScore, which the
// gpushare tests check against a literal reading of the rules
// (docs/research-bench.md, Fragmentation and the FGD score).
type plainFGD struct{ typical []gpushare.TypicalPod }

func (p plainFGD) Score(n *gpushare.Node, q *gpushare.Pod) int64 {
	s, _ := gpushare.FGDScore(n, q, p.typical)
	return s
}

func (p plainFGD) Device(n *gpushare.Node, q *gpushare.Pod) int {
	_, d := gpushare.FGDScore(n, q, p.typical)
	return d
}

// plainRun is the loop of docs/research-bench.md (What one run does) with nothing
// cached: every
// node is tested and scored for every pod, and the fragmentation is summed
// afresh after every pod. It stops after limit pods.
func plainRun(w *Workload, s Strategy, seed int64, tune float64, limit int) []Event {
	arr, rng := w.Arrange(seed, tune)
	env := Env{Typical: w.Typical, Frag: gpushare.NewFragmenter(w.Typical), Rand: rng}
	pol := s.New(env)
	if s.Name == "06-FGD" {
		pol = plainFGD{w.Typical}
	}
	nodes := make([]gpushare.Node, len(w.Nodes))
	byRank := make([]int, len(w.Nodes))
	for i, n := range w.Nodes {
		left := make([]int64, n.GPUs)
		for d := range left {
			left[d] = 1000
		}
		nodes[i] = gpushare.Node{CPUMilli: n.CPUMilli, MemoryMiB: n.MemoryMiB, GPULeft: left, Model: n.Model}
		byRank[arr.Rank[i]] = i
	}
	events := []Event{}
	var arrived, used int64
	for k := range min(limit, len(arr.Order)) {
		p := &arr.Order[k].Pod
		arrived += p.TotalGPUMilli()
		chosen := -1
		if c, ok := pol.(gpushare.Chooser); ok {
			var feas []int
			for i := range nodes {
				if gpushare.Feasible(&nodes[i], p) {
					feas = append(feas, i)
				}
			}
			switch len(feas) {
			case 0:
			case 1:
				chosen = feas[0]
			default:
				chosen = feas[c.Choose(len(feas))]
			}
		} else {
			var best int64
			for _, i := range byRank {
				if !gpushare.Feasible(&nodes[i], p) {
					continue
				}
				if s := pol.Score(&nodes[i], p); chosen < 0 || s > best {
					chosen, best = i, s
				}
			}
		}
		ev := Event{Node: chosen}
		if chosen >= 0 {
			n := &nodes[chosen]
			var devs []int
			switch {
			case p.Sharing():
				devs = []int{pol.Device(n, p)}
			case !p.CPUOnly():
				devs = gpushare.WholeDevices(nil, n.GPULeft, p.GPUCount)
			}
			n.CPUMilli -= p.CPUMilli
			n.MemoryMiB -= p.MemoryMiB
			for _, d := range devs {
				n.GPULeft[d] -= p.GPUMilli
				ev.Devices |= 1 << uint(d)
			}
			n.Tags.Add(p)
			used += p.TotalGPUMilli()
		}
		var frag, idle float64
		for i := range nodes {
			f, id := gpushare.Frag(nodes[i].CPUMilli, nodes[i].GPULeft, nodes[i].Model, w.Typical)
			frag += f
			idle += id
		}
		ev.ArrivedMilli, ev.UsedMilli, ev.FragMilli, ev.IdleMilli = arrived, used, frag, idle
		events = append(events, ev)
	}
	return events
}

// The fast driver takes exactly the plain loop's decisions on real steps
// of the openb traces.
func TestRunMatchesPlainOnTraces(t *testing.T) {
	limit := 400
	if testing.Short() {
		limit = 60
	}
	for _, wl := range []string{"openb_pod_list_default", "openb_pod_list_gpuspec10"} {
		w := loadWorkload(t, wl)
		for _, s := range Paper() {
			t.Run(wl+"/"+s.Name, func(t *testing.T) {
				t.Parallel()
				res, err := w.Run(s, 43, 1.3)
				if err != nil {
					t.Fatal(err)
				}
				want := plainRun(w, s, 43, 1.3, limit)
				if diff := cmp.Diff(want, res.Events[:len(want)]); diff != "" {
					t.Errorf("Run events differ from the plain loop (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// On random small fleets and workloads, the whole run equals the plain
// loop, for every policy.
func TestRunMatchesPlainProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		models := []string{"G2", "T4", "P100"}
		var nodes []NodeSpec
		for i := range rapid.IntRange(1, 10).Draw(t, "nodes") {
			nodes = append(nodes, NodeSpec{
				Name:      fmt.Sprintf("n%02d", i),
				CPUMilli:  rapid.Int64Range(1, 64).Draw(t, "cpu") * 1000,
				MemoryMiB: rapid.Int64Range(1, 64).Draw(t, "mem") * 1024,
				GPUs:      rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "gpus"),
				Model:     rapid.SampledFrom(models).Draw(t, "model"),
			})
		}
		var pods []PodSpec
		for i := range rapid.IntRange(1, 60).Draw(t, "pods") {
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
				p.GPUSpec = rapid.SampledFrom([]string{"", "G2", "T4|P100"}).Draw(t, "spec")
			}
			pods = append(pods, p)
		}
		w, err := NewWorkload("w", nodes, pods)
		if err != nil {
			t.Fatal(err)
		}
		seed := rapid.Int64Range(0, 1000).Draw(t, "seed")
		tune := rapid.SampledFrom([]float64{0.5, 1, 1.3}).Draw(t, "tune")
		for _, s := range Paper() {
			res, err := w.Run(s, seed, tune)
			if err != nil {
				t.Fatal(err)
			}
			want := plainRun(w, s, seed, tune, len(res.Events))
			if diff := cmp.Diff(want, res.Events); diff != "" {
				t.Fatalf("%s: Run events differ from the plain loop (-want +got):\n%s", s.Name, diff)
			}
		}
	})
}
