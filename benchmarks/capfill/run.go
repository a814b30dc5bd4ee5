package capfill

import (
	"fmt"
	"math/rand"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// Strategy is a placement policy under the name its rows carry.
type Strategy struct {
	// Name is the sc_policy column: "01-Random" ... "06-FGD" for the
	// paper's policies, a clear name (e.g. "ecs-binpack-memory") for others.
	Name string
	// New builds the policy for one run. A policy that is not a
	// gpushare.Chooser must score as a pure function of the node and the
	// pod: the driver caches its scores.
	New func(env Env) gpushare.Policy
	// Placement, set instead of New, builds a placement strategy chain for
	// one run: each pod is then placed by a placement.Cluster that mirrors
	// the fleet (see [Workload.Run]), ranked by this chain followed by the
	// node ranks, a total order that leaves no tie to chance. The chain's
	// strategies see one Cluster for the whole run.
	Placement func(env Env) []placement.Strategy
	// Random marks a policy whose rows vary with the random stream beyond
	// the paper's control (01-Random): it is compared by median over seeds,
	// not cell by cell.
	Random bool
	// PodMicros is the expected CPU time to place one pod, in
	// microseconds, as BenchmarkPack measures it on the default openb
	// workload; berth pack --shard balances its shards by it. Zero means
	// unknown: PodCost then assumes 10.
	PodMicros float64
}

// PodCost returns s.PodMicros, or 10 (about the paper's policies') when
// it is unknown.
func (s Strategy) PodCost() float64 {
	if s.PodMicros > 0 {
		return s.PodMicros
	}
	return 10
}

// Env is what a strategy may use to build its policy for one run.
type Env struct {
	Typical []gpushare.TypicalPod // the workload's typical pods
	// Frag measures fragmentation against Typical; the driver uses it for
	// the run's fragmentation metric, so sharing it shares the memo.
	Frag *gpushare.Fragmenter
	// Rand is the run's random stream, positioned after the arrangement's
	// draws. The paper's Random draws from it.
	Rand *rand.Rand
}

// Paper returns the paper's six policies, in the order of their names.
func Paper() []Strategy {
	return []Strategy{
		{Name: "01-Random", New: func(e Env) gpushare.Policy { return gpushare.NewRandom(e.Rand) }, Random: true, PodMicros: 8.5},
		{Name: "02-DotProd", New: func(Env) gpushare.Policy { return gpushare.DotProd() }, PodMicros: 7.6},
		{Name: "03-GpuClustering", New: func(Env) gpushare.Policy { return gpushare.GpuClustering() }, PodMicros: 7.2},
		{Name: "04-GpuPacking", New: func(Env) gpushare.Policy { return gpushare.GpuPacking() }, PodMicros: 7.4},
		{Name: "05-BestFit", New: func(Env) gpushare.Policy { return gpushare.BestFit() }, PodMicros: 7.4},
		{Name: "06-FGD", New: func(e Env) gpushare.Policy { return gpushare.NewFGDWith(e.Frag) }, PodMicros: 11.5},
	}
}

// Beyond returns the strategies berth adds to the paper's: 07-BalancedFit
// (gpushare.BalancedFit, see docs/research-bench.md, Beyond the paper).
func Beyond() []Strategy {
	return []Strategy{balanced("07-BalancedFit", gpushare.BalancedFitOptions{})}
}

// Ablations returns 07-BalancedFit with one part changed in turn:
// 07-BalancedFit-nobalance, -nodeadspace, -nonearfit and -nobuckets
// remove a part, 07-BalancedFit-withfrag adds FGD's fragmentation change
// (the fields of gpushare.BalancedFitOptions).
func Ablations() []Strategy {
	return []Strategy{
		balanced("07-BalancedFit-nobalance", gpushare.BalancedFitOptions{NoBalance: true}),
		balanced("07-BalancedFit-nodeadspace", gpushare.BalancedFitOptions{NoDeadSpace: true}),
		balanced("07-BalancedFit-nonearfit", gpushare.BalancedFitOptions{NoNearFit: true}),
		balanced("07-BalancedFit-nobuckets", gpushare.BalancedFitOptions{NoBuckets: true}),
		balanced("07-BalancedFit-withfrag", gpushare.BalancedFitOptions{WithFrag: true}),
	}
}

func balanced(name string, opt gpushare.BalancedFitOptions) Strategy {
	return Strategy{Name: name, New: func(e Env) gpushare.Policy { return gpushare.NewBalancedFitWith(e.Frag, opt) }, PodMicros: 10.4}
}

// Event is the cluster after one pod's attempt, placed or failed.
type Event struct {
	Node         int     // index in Workload.Nodes of the node chosen; -1 when the pod failed
	Devices      uint64  // the devices the pod took on it: bit d is device d
	ArrivedMilli int64   // GPU requested by the pods so far, this one included
	UsedMilli    int64   // GPU allocated
	FragMilli    float64 // Σ over nodes of gpushare.Frag, in node name order
	IdleMilli    float64 // Σ over nodes of the idle GPU the measure sees
}

// Result is one run: one event per pod of the arrangement's order.
type Result struct {
	Workload string
	Strategy string
	Seed     int64
	Tune     float64
	GPUs     int // devices in the fleet
	Pods     int // pods after tuning
	Failed   int // pods that fit no node
	Events   []Event
}

// cacheEntry is a cached score; valid while ver equals the node's version.
type cacheEntry struct {
	ver   uint32
	score int64
}

// Run runs the capacity-fill experiment once (docs/research-bench.md, The order of a
// run and its random draws, and What each pod records): arrange
// the pods for seed and tune, then place each in order on the feasible
// node with the highest score, ties to the smallest rank (a Chooser picks
// among the feasible nodes in name order instead), and record one event.
// A pod that fits nowhere fails and is not retried. The result is exactly
// that of scoring every feasible node for every pod; scores are cached per
// node and request shape until the node changes.
//
// A strategy with Placement instead places each pod with
// placement.Cluster.Place on a mirror of the fleet, ranked by the
// strategy's chain and then by the node ranks; the devices are those
// placement gives. The mirror: node i is instance i (ARN the node's name,
// ACTIVE, agent connected) with the node's CPU millicores, memory MiB, one
// 1000-milli device per GPU and the model as the attribute
// gpushare.DefaultModelAttribute; a pod is one task of [PodGroup]
// reserving [Requirements], with, when its GPU spec names models, the
// constraint memberOf(attribute:gpu-model in [models]). placement's random
// source (math/rand/v2 PCG seeded with the seed) is drawn only by a chain
// holding placement.Random, which ends the chain before the node ranks.
func (w *Workload) Run(s Strategy, seed int64, tune float64) (*Result, error) {
	if !validTune(tune) {
		return nil, fmt.Errorf("capfill: tune %v; expected above 0 and at most %d", tune, MaxTune)
	}
	if (s.New == nil) == (s.Placement == nil) {
		return nil, fmt.Errorf("capfill: strategy %q: expected exactly one of New and Placement", s.Name)
	}
	arr, rng := w.Arrange(seed, tune)
	frag := gpushare.NewFragmenter(w.Typical)
	env := Env{Typical: w.Typical, Frag: frag, Rand: rng}
	st := newState(w, arr, frag)
	var pol gpushare.Policy
	var pl *placer
	if s.Placement != nil {
		var err error
		if pl, err = newPlacer(w, arr, st, s.Placement(env), seed); err != nil {
			return nil, fmt.Errorf("capfill: %s: %w", s.Name, err)
		}
	} else {
		pol = s.New(env)
	}
	chooser, _ := pol.(gpushare.Chooser)
	res := &Result{Workload: w.Name, Strategy: s.Name, Seed: seed, Tune: tune, GPUs: w.GPUs,
		Pods: len(arr.Order), Events: make([]Event, 0, len(arr.Order))}
	var arrived, used int64
	var devs []int
	for i := range arr.Order {
		p := &arr.Order[i].Pod
		arrived += p.TotalGPUMilli()
		var chosen int
		var err error
		devs = devs[:0]
		switch {
		case pl != nil:
			chosen, devs, err = pl.place(st.shapeOf[i], devs)
			if err == nil && chosen >= 0 {
				err = st.check(chosen, p, devs)
			}
		case chooser != nil:
			chosen = st.choose(p, chooser)
		default:
			chosen = st.best(p, st.shapeOf[i], pol)
		}
		if err == nil && chosen >= 0 && pl == nil {
			devs, err = st.devices(devs, chosen, p, pol)
		}
		if err != nil {
			node := "-"
			if chosen >= 0 {
				node = w.Nodes[chosen].Name
			}
			return nil, fmt.Errorf("capfill: %s: pod %s on node %s: %w", s.Name, arr.Order[i].Name, node, err)
		}
		ev := Event{Node: chosen}
		if chosen < 0 {
			res.Failed++
		} else {
			for _, d := range devs {
				ev.Devices |= 1 << uint(d)
			}
			st.commit(chosen, p, devs)
			used += p.TotalGPUMilli()
		}
		ev.ArrivedMilli, ev.UsedMilli = arrived, used
		ev.FragMilli, ev.IdleMilli = st.total()
		res.Events = append(res.Events, ev)
	}
	return res, nil
}

// state is the fleet during one run.
type state struct {
	nodes   []gpushare.Node // name order
	model   []uint16        // index of each node's model
	idle    []int8          // idle devices per node
	maxLeft []int64         // largest free share per node
	frag    []float64       // gpushare.Frag per node
	idleGPU []float64
	ver     []uint32
	byRank  []int32 // node indices, smallest rank first
	feas    []int32 // scratch: feasible nodes for a Chooser

	shapeOf []int32  // shape of each pod of the order
	accepts [][]bool // accepts[shape][model]
	shapes  int      // distinct shapes
	cache   []cacheEntry
	fr      *gpushare.Fragmenter
}

func newState(w *Workload, arr *Arrangement, fr *gpushare.Fragmenter) *state {
	n := len(w.Nodes)
	st := &state{nodes: make([]gpushare.Node, n), model: make([]uint16, n), idle: make([]int8, n),
		maxLeft: make([]int64, n), frag: make([]float64, n), idleGPU: make([]float64, n),
		ver: make([]uint32, n), byRank: make([]int32, n), fr: fr}
	left := make([]int64, w.GPUs)
	var models []string
	for i, spec := range w.Nodes {
		dev := left[:spec.GPUs:spec.GPUs]
		left = left[spec.GPUs:]
		for d := range dev {
			dev[d] = gpushare.DeviceMilli
		}
		st.nodes[i] = gpushare.Node{CPUMilli: spec.CPUMilli, MemoryMiB: spec.MemoryMiB, GPULeft: dev, Model: spec.Model}
		m := indexOf(&models, spec.Model)
		st.model[i] = uint16(m)
		st.ver[i] = 1
		st.refresh(i)
		st.byRank[arr.Rank[i]] = int32(i)
	}
	shapes := map[gpushare.Pod]int32{}
	st.shapeOf = make([]int32, len(arr.Order))
	for i := range arr.Order {
		p := arr.Order[i].Pod
		id, ok := shapes[p]
		if !ok {
			id = int32(len(shapes))
			shapes[p] = id
			acc := make([]bool, len(models))
			for m, name := range models {
				acc[m] = gpushare.Accepts(p.GPUSpec, name)
			}
			st.accepts = append(st.accepts, acc)
		}
		st.shapeOf[i] = id
	}
	st.shapes = len(shapes)
	st.cache = make([]cacheEntry, n*st.shapes)
	return st
}

func indexOf(list *[]string, s string) int {
	for i, v := range *list {
		if v == s {
			return i
		}
	}
	*list = append(*list, s)
	return len(*list) - 1
}

// refresh recomputes node i's derived values.
func (st *state) refresh(i int) {
	n := &st.nodes[i]
	var idle int8
	var maxLeft int64
	for _, l := range n.GPULeft {
		if l == gpushare.DeviceMilli {
			idle++
		}
		maxLeft = max(maxLeft, l)
	}
	st.idle[i], st.maxLeft[i] = idle, maxLeft
	st.frag[i], st.idleGPU[i] = st.fr.Frag(n.CPUMilli, n.GPULeft, n.Model)
}

// feasible is gpushare.Feasible on the derived values.
func (st *state) feasible(i int, p *gpushare.Pod, accepts []bool) bool {
	n := &st.nodes[i]
	if p.CPUMilli > n.CPUMilli || p.MemoryMiB > n.MemoryMiB {
		return false
	}
	if p.GPUMilli <= 0 {
		return true
	}
	if len(n.GPULeft) == 0 || !accepts[st.model[i]] {
		return false
	}
	switch {
	case p.GPUCount == 1:
		return st.maxLeft[i] >= p.GPUMilli
	case p.GPUMilli == gpushare.DeviceMilli:
		return int(st.idle[i]) >= p.GPUCount
	}
	return gpushare.FitsGPU(n.GPULeft, p.GPUMilli, p.GPUCount)
}

// best returns the feasible node with the highest score, the smallest rank
// among equals, or -1.
func (st *state) best(p *gpushare.Pod, shape int32, pol gpushare.Policy) int {
	accepts := st.accepts[shape]
	best, bestScore := -1, int64(0)
	for _, ni := range st.byRank {
		i := int(ni)
		if !st.feasible(i, p, accepts) {
			continue
		}
		e := &st.cache[i*st.shapes+int(shape)]
		if e.ver != st.ver[i] {
			e.ver, e.score = st.ver[i], pol.Score(&st.nodes[i], p)
		}
		if best < 0 || e.score > bestScore {
			best, bestScore = i, e.score
		}
	}
	return best
}

// choose lets c pick among the feasible nodes in name order.
func (st *state) choose(p *gpushare.Pod, c gpushare.Chooser) int {
	st.feas = st.feas[:0]
	for i := range st.nodes {
		if gpushare.Feasible(&st.nodes[i], p) {
			st.feas = append(st.feas, int32(i))
		}
	}
	switch len(st.feas) {
	case 0:
		return -1
	case 1:
		return int(st.feas[0])
	}
	return int(st.feas[c.Choose(len(st.feas))])
}

// devices returns the devices p takes on node i.
func (st *state) devices(dst []int, i int, p *gpushare.Pod, pol gpushare.Policy) ([]int, error) {
	n := &st.nodes[i]
	switch {
	case p.CPUOnly():
		return dst, nil
	case p.Sharing():
		d := pol.Device(n, p)
		if d < 0 || d >= len(n.GPULeft) || n.GPULeft[d] < p.GPUMilli {
			return nil, fmt.Errorf("policy chose device %d, which does not hold %d milli-GPU", d, p.GPUMilli)
		}
		return append(dst, d), nil
	}
	// Whole devices; a share below 1000 on several devices cannot reach
	// here (the readers refuse it) but is served by the filter's walk.
	if p.GPUMilli == gpushare.DeviceMilli {
		dst = gpushare.WholeDevices(dst, n.GPULeft, p.GPUCount)
		if len(dst) != p.GPUCount {
			return nil, fmt.Errorf("%d idle devices needed", p.GPUCount)
		}
		return dst, nil
	}
	for d, l := range n.GPULeft {
		for ; l >= p.GPUMilli && len(dst) < p.GPUCount; l -= p.GPUMilli {
			dst = append(dst, d)
		}
	}
	return dst, nil
}

// check reports whether devices devs of node i, as placement chose them,
// are what p needs: GPUCount devices that each hold its share.
func (st *state) check(i int, p *gpushare.Pod, devs []int) error {
	n := &st.nodes[i]
	want := 0
	if !p.CPUOnly() {
		want = p.GPUCount
	}
	if len(devs) != want {
		return fmt.Errorf("placement gave %d devices; expected %d", len(devs), want)
	}
	for _, d := range devs {
		if n.GPULeft[d] < p.GPUMilli {
			return fmt.Errorf("placement gave device %d, which does not hold %d milli-GPU", d, p.GPUMilli)
		}
	}
	return nil
}

// commit places p on node i, on devices devs.
func (st *state) commit(i int, p *gpushare.Pod, devs []int) {
	n := &st.nodes[i]
	n.CPUMilli -= p.CPUMilli
	n.MemoryMiB -= p.MemoryMiB
	for _, d := range devs {
		n.GPULeft[d] -= p.GPUMilli
	}
	n.Tags.Add(p)
	st.ver[i]++
	st.refresh(i)
}

// total sums the fragmentation and idle GPU over nodes in name order.
func (st *state) total() (frag, idle float64) {
	for i := range st.frag {
		frag += st.frag[i]
		idle += st.idleGPU[i]
	}
	return frag, idle
}
