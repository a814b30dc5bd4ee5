package capfill

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strconv"

	"github.com/berthsched/berth/gpushare"
)

// HiddenDraws is the number of Float64 draws the paper's simulator makes
// between tuning and the node permutation (client-go informers taking their
// watch timeouts from the shared random source; docs/research-bench.md, The order of
// a run and its random draws).
const HiddenDraws = 10

// Workload is a fleet and a pod list, ready to run. It is immutable once
// built and safe for concurrent use by any number of runs.
type Workload struct {
	Name    string                // the pod list's file stem, e.g. openb_pod_list_default
	Nodes   []NodeSpec            // sorted by name
	Pods    []PodSpec             // the pod list sorted by name (byte order)
	Typical []gpushare.TypicalPod // typical pods of Pods, before tuning
	GPUs    int                   // devices in the fleet
}

// NewWorkload sorts nodes and pods by name and computes the typical pods.
// The slices are copied. It fails on duplicate names, a node with more
// than gpushare.MaxDevices devices or without a model, or a fleet without
// GPUs.
func NewWorkload(name string, nodes []NodeSpec, pods []PodSpec) (*Workload, error) {
	w := &Workload{Name: name, Nodes: slices.Clone(nodes), Pods: slices.Clone(pods)}
	slices.SortFunc(w.Nodes, func(a, b NodeSpec) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(w.Pods, func(a, b PodSpec) int { return cmp.Compare(a.Name, b.Name) })
	for i, n := range w.Nodes {
		switch {
		case i > 0 && n.Name == w.Nodes[i-1].Name:
			return nil, fmt.Errorf("capfill: node %q appears twice; expected unique names", n.Name)
		case n.GPUs < 0 || n.GPUs > gpushare.MaxDevices:
			return nil, fmt.Errorf("capfill: node %q has %d GPUs; expected 0..%d", n.Name, n.GPUs, gpushare.MaxDevices)
		case n.GPUs > 0 && n.Model == "":
			return nil, fmt.Errorf("capfill: node %q has %d GPUs and no model; expected a GPU model", n.Name, n.GPUs)
		}
		w.GPUs += n.GPUs
	}
	for i := 1; i < len(w.Pods); i++ {
		if w.Pods[i].Name == w.Pods[i-1].Name {
			return nil, fmt.Errorf("capfill: pod %q appears twice; expected unique names", w.Pods[i].Name)
		}
	}
	if w.GPUs == 0 {
		return nil, errors.New("capfill: the fleet has no GPU; expected at least one node with GPUs")
	}
	reqs := make([]gpushare.Pod, len(w.Pods))
	for i := range w.Pods {
		reqs[i] = w.Pods[i].Pod
	}
	w.Typical = gpushare.Typical(reqs)
	return w, nil
}

// CapacityMilli is the fleet's GPU capacity in milli-GPU.
func (w *Workload) CapacityMilli() int64 { return int64(w.GPUs) * gpushare.DeviceMilli }

// Arrangement is how one run of the experiment meets the workload.
type Arrangement struct {
	Order []PodSpec // pods in arrival order: the shuffled list, tuned
	// Rank is the tie-break rank of each node, Rank[i] for Nodes[i]: the
	// simulator renames node i to fmt.Sprintf("%04d-", Rank[i])+name and
	// breaks ties by the smallest name.
	Rank     []int
	GPUMilli int64 // Σ GPU request of Order
}

// Arrange draws the arrival order and the node ranks for seed exactly as
// the paper's simulator does (docs/research-bench.md, The order of a run and its
// random draws), and returns the
// source, positioned after those draws, for the run to continue from.
//
// The order is the name-sorted pod list shuffled; then, while the request
// is below tune x capacity, pods drawn uniformly (with replacement) from
// the name-sorted list are appended, named "<name>-tuned-<i>" with i
// counting from 0, until the next draw's per-device share would overshoot
// (that draw is spent); while it is above, pods drawn uniformly from the
// order are removed. A workload without GPU requests is not tuned up.
// tune must be positive.
func (w *Workload) Arrange(seed int64, tune float64) (*Arrangement, *rand.Rand) {
	// math/rand v1 on purpose: the published rows come from its stream.
	rng := rand.New(rand.NewSource(seed))
	_ = rng.Int() // the argument of a debug log line in the simulator
	order := slices.Clone(w.Pods)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var total int64
	for i := range order {
		total += order[i].TotalGPUMilli()
	}
	target := tune * float64(w.CapacityMilli())
	switch {
	case float64(total) < target && w.hasGPUPod():
		for i := 0; ; i++ {
			q := w.Pods[rng.Intn(len(w.Pods))]
			if float64(total+q.GPUMilli) > target {
				break
			}
			total += q.TotalGPUMilli()
			q.Name += "-tuned-" + strconv.Itoa(i)
			order = append(order, q)
		}
	case float64(total) > target:
		for float64(total) > target && len(order) > 0 {
			i := rng.Intn(len(order))
			total -= order[i].TotalGPUMilli()
			order = slices.Delete(order, i, i+1)
		}
	}
	for range HiddenDraws {
		_ = rng.Float64()
	}
	return &Arrangement{Order: order, Rank: rng.Perm(len(w.Nodes)), GPUMilli: total}, rng
}

// hasGPUPod reports whether some pod requests GPU; without one, tuning up
// would never end.
func (w *Workload) hasGPUPod() bool {
	for i := range w.Pods {
		if !w.Pods[i].CPUOnly() {
			return true
		}
	}
	return false
}

// validTune reports whether tune is a usable multiple of capacity.
// MaxTune is the largest tune: a workload ten times the fleet's GPU
// capacity, far past where every policy has stopped placing, and small
// enough that the tuned pod list fits in memory.
const MaxTune = 10

func validTune(tune float64) bool {
	return tune > 0 && tune <= MaxTune
}
