package gpushare

import (
	"fmt"
	"strings"

	"github.com/berthsched/berth/placement"
)

// DefaultModelAttribute is the container instance attribute that holds an
// instance's GPU model, unless StrategyOptions says otherwise. berth sim
// sets it on instances with GPUs.
const DefaultModelAttribute = "gpu-model"

// StrategyOptions configures a [Strategy]. The zero value suits every
// policy but Random, which needs Rand.
type StrategyOptions struct {
	// ModelAttribute names the instance attribute that holds the GPU
	// model; "" means DefaultModelAttribute. An instance without it has
	// model "".
	ModelAttribute string
	// Rand is the source Random draws devices from (one Intn per device
	// that holds the task's share). Only Random uses it, and requires it.
	Rand Source
}

type policyKind uint8

const (
	kindRandom policyKind = iota
	kindDotProd
	kindGpuClustering
	kindGpuPacking
	kindBestFit
	kindFGD
	kindBalancedFit
)

// strategyNames are the names NewStrategy accepts and String returns, by
// kind; paperNames are the paper's sc_policy names, also accepted.
var (
	strategyNames = [...]string{"random", "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd", "balancedfit"}
	paperNames    = [...]string{"01-Random", "02-DotProd", "03-GpuClustering", "04-GpuPacking", "05-BestFit", "06-FGD", "07-BalancedFit"}
)

// Strategy is one of the paper's policies, or BalancedFit, as a placement
// strategy: it
// implements placement.Strategy and placement.GPUChooser, so that a
// placement.Cluster ranks instances and picks the devices of a GPU-sharing
// task exactly as the policy does.
//
// Score reads the instance's full state: Remaining.CPU (as millicores),
// Remaining.MemoryMiB, Remaining.GPUs[i].FreeMilli and the GPU model from
// the model attribute; and the task's Requirements: CPU, MemoryMiB, GPUs
// and GPUMilli, where GPUs == 1 with 0 < GPUMilli < 1000 is a share of one
// device, other GPU tasks take whole devices, and AllGPUs takes every
// device. It returns the policy's score (higher is better, as in
// placement): 0..100 for the paper's policies, BalancedFit's finer scale
// for it. Random scores every instance 0, so that placement's seeded
// tie-break picks uniformly among the instances that can take the task.
// Feasibility is placement's: CPU, memory, GPU room, and the memberOf
// constraint the caller builds from the task's accepted models.
//
// ChooseGPUs applies the policy's device rule, as the paper's simulator
// does: the fullest device that holds the share (best fit) for DotProd,
// GpuClustering, GpuPacking and BestFit; FGD's and BalancedFit's own
// argmax; a uniform draw from Rand for Random; the lowest-numbered idle
// devices for whole-device tasks whatever the policy. For the rule to apply the strategy must be the
// first GPUChooser of the request's chain.
//
// GpuClustering needs the kinds of GPU tasks each instance hosts, which
// placement does not expose: the strategy counts the GPU tasks it chose
// devices for, per instance index. Tasks placed by other requests, adopted
// or released are not seen; call Released when a task it placed leaves.
//
// A Strategy holds scratch buffers (Score does not allocate once they have
// grown to the largest instance, nor, for FGD, once the fragmentation memo
// holds the node states it meets) and, for GpuClustering and Random, state.
// Use a Strategy with one Cluster at a time, from one goroutine; build one
// per Cluster.
type Strategy struct {
	kind  policyKind
	attr  string
	src   Source
	frag  *Fragmenter
	bal   *BalancedFit
	node  Node
	pod   Pod
	left  []int64 // scratch for node.GPULeft
	devs  []int   // scratch for whole devices
	tags  []Tags  // per instance index, GpuClustering only
	tagOn bool
}

var (
	_ placement.Strategy   = (*Strategy)(nil)
	_ placement.GPUChooser = (*Strategy)(nil)
)

// NewStrategy returns the named policy as a placement strategy: "random",
// "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd" or
// "balancedfit", or the sc_policy names ("06-FGD", "07-BalancedFit"),
// case-insensitively. typical is used by FGD and BalancedFit only (the
// workload's typical pods, see [Typical]); opts.Rand is required by Random.
func NewStrategy(name string, typical []TypicalPod, opts StrategyOptions) (*Strategy, error) {
	for k := range strategyNames {
		if !strings.EqualFold(name, strategyNames[k]) && !strings.EqualFold(name, paperNames[k]) {
			continue
		}
		kind := policyKind(k)
		switch {
		case kind == kindRandom && opts.Rand == nil:
			return nil, fmt.Errorf("gpushare: strategy %q: Rand: missing; expected a seeded source for its device draws", name)
		case (kind == kindFGD || kind == kindBalancedFit) && len(typical) == 0:
			return nil, fmt.Errorf("gpushare: strategy %q: typical pods: none; expected the workload's typical pods", name)
		}
		return newStrategy(kind, typical, opts), nil
	}
	return nil, fmt.Errorf("gpushare: strategy %q: unknown; expected one of %s", name, strings.Join(strategyNames[:], ", "))
}

func newStrategy(kind policyKind, typical []TypicalPod, opts StrategyOptions) *Strategy {
	s := &Strategy{kind: kind, attr: opts.ModelAttribute, src: opts.Rand,
		left: make([]int64, 0, MaxDevices), devs: make([]int, 0, MaxDevices),
		tagOn: kind == kindGpuClustering}
	if s.attr == "" {
		s.attr = DefaultModelAttribute
	}
	switch kind {
	case kindFGD:
		s.frag = NewFragmenter(typical)
	case kindBalancedFit:
		s.bal = NewBalancedFit(typical, BalancedFitOptions{})
	}
	return s
}

// RandomStrategy returns 01-Random as a placement strategy: every instance
// ties, so placement's seeded source picks the instance, and a share takes
// a device drawn from opts.Rand. It panics if opts.Rand is nil (use
// NewStrategy for an error instead).
func RandomStrategy(opts StrategyOptions) *Strategy {
	if opts.Rand == nil {
		panic("gpushare: RandomStrategy: opts.Rand is nil")
	}
	return newStrategy(kindRandom, nil, opts)
}

// DotProdStrategy returns 02-DotProd ([DotProdScore]) as a placement
// strategy, with best-fit devices.
func DotProdStrategy(opts StrategyOptions) *Strategy { return newStrategy(kindDotProd, nil, opts) }

// GpuClusteringStrategy returns 03-GpuClustering ([GpuClusteringScore]) as
// a placement strategy, with best-fit devices.
func GpuClusteringStrategy(opts StrategyOptions) *Strategy {
	return newStrategy(kindGpuClustering, nil, opts)
}

// GpuPackingStrategy returns 04-GpuPacking ([GpuPackingScore]) as a
// placement strategy, with best-fit devices.
func GpuPackingStrategy(opts StrategyOptions) *Strategy {
	return newStrategy(kindGpuPacking, nil, opts)
}

// BestFitStrategy returns 05-BestFit ([BestFitScore]) as a placement
// strategy, with best-fit devices.
func BestFitStrategy(opts StrategyOptions) *Strategy { return newStrategy(kindBestFit, nil, opts) }

// FGDStrategy returns 06-FGD ([FGDScore]) measuring against typical, the
// workload's typical pods, as a placement strategy that also picks FGD's
// device. It memoises fragmentation by node state.
func FGDStrategy(typical []TypicalPod, opts StrategyOptions) *Strategy {
	return newStrategy(kindFGD, typical, opts)
}

// BalancedFitStrategy returns BalancedFit ([BalancedFitScore]) measuring
// against typical, the workload's typical pods, as a placement strategy
// that also picks its device. It memoises fragmentation by node state.
func BalancedFitStrategy(typical []TypicalPod, opts StrategyOptions) *Strategy {
	return newStrategy(kindBalancedFit, typical, opts)
}

// String returns the policy's name as NewStrategy accepts it, e.g. "fgd".
func (s *Strategy) String() string { return strategyNames[s.kind] }

// Score implements placement.Strategy: the policy's score of placing t on
// in, 0..100, higher is better.
func (s *Strategy) Score(_ placement.View, in *placement.Instance, t *placement.Task) float64 {
	s.load(in, t)
	switch s.kind {
	case kindDotProd:
		return float64(DotProdScore(&s.node, &s.pod))
	case kindGpuClustering:
		return float64(GpuClusteringScore(&s.node, &s.pod))
	case kindGpuPacking:
		return float64(GpuPackingScore(&s.node, &s.pod))
	case kindBestFit:
		return float64(BestFitScore(&s.node, &s.pod))
	case kindFGD:
		score, _ := fgdScore(&s.node, &s.pod, s.frag)
		return float64(score)
	case kindBalancedFit:
		score, _ := s.bal.score(&s.node, &s.pod)
		return float64(score)
	}
	return 0
}

// ChooseGPUs implements placement.GPUChooser: the devices t takes on in by
// the policy's rule. placement calls it once per GPU task it places, on the
// chosen instance, which is when GpuClustering counts the task.
func (s *Strategy) ChooseGPUs(_ placement.View, in *placement.Instance, t *placement.Task) placement.DeviceSet {
	s.load(in, t)
	var set placement.DeviceSet
	switch {
	case t.Requirements.AllGPUs:
		for d := range s.left {
			set |= 1 << uint(d)
		}
	case s.pod.Sharing():
		if d := s.device(); d >= 0 {
			set = 1 << uint(d)
		}
	case !s.pod.CPUOnly():
		s.devs = WholeDevices(s.devs[:0], s.left, s.pod.GPUCount)
		for _, d := range s.devs {
			set |= 1 << uint(d)
		}
	}
	if s.tagOn && !s.pod.CPUOnly() {
		i := in.Index()
		for len(s.tags) <= i {
			s.tags = append(s.tags, Tags{})
		}
		s.tags[i].Add(&s.pod)
	}
	return set
}

// Released tells the strategy that a task with requirements r, which it
// chose devices for on in, has left: GpuClustering stops counting it. The
// other policies keep no such state and ignore it.
func (s *Strategy) Released(in *placement.Instance, r *placement.Requirements) {
	if !s.tagOn {
		return
	}
	i := in.Index()
	if i < 0 || i >= len(s.tags) {
		return
	}
	p := podOf(r, len(in.Remaining.GPUs))
	if k := p.tag(); k >= 0 && s.tags[i][k] > 0 {
		s.tags[i][k]--
	}
}

// device is the policy's device for the loaded share, or -1.
func (s *Strategy) device() int {
	switch s.kind {
	case kindRandom:
		return random{s.src}.device(s.left, s.pod.GPUMilli)
	case kindFGD:
		_, d := fgdScore(&s.node, &s.pod, s.frag)
		return d
	case kindBalancedFit:
		_, d := s.bal.score(&s.node, &s.pod)
		return d
	}
	return BestDevice(s.left, s.pod.GPUMilli)
}

// load fills s.node and s.pod from the instance and the task.
func (s *Strategy) load(in *placement.Instance, t *placement.Task) {
	gs := in.Remaining.GPUs
	if cap(s.left) < len(gs) {
		s.left = make([]int64, len(gs))
	}
	s.left = s.left[:len(gs)]
	for d := range gs {
		s.left[d] = int64(gs[d].FreeMilli)
	}
	model, _ := in.Attribute(s.attr)
	s.node = Node{CPUMilli: in.Remaining.CPU, MemoryMiB: in.Remaining.MemoryMiB, GPULeft: s.left, Model: model}
	if i := in.Index(); s.tagOn && i >= 0 && i < len(s.tags) {
		s.node.Tags = s.tags[i]
	}
	s.pod = podOf(&t.Requirements, len(gs))
}

// podOf is a placement requirement as a gpushare pod: a share of one
// device for GPUs == 1 and 0 < GPUMilli < 1000, else whole devices (every
// device of the instance for AllGPUs).
func podOf(r *placement.Requirements, devices int) Pod {
	p := Pod{CPUMilli: r.CPU, MemoryMiB: r.MemoryMiB}
	switch {
	case r.AllGPUs:
		p.GPUMilli, p.GPUCount = DeviceMilli, devices
	case r.GPUs > 0:
		p.GPUMilli, p.GPUCount = DeviceMilli, r.GPUs
		if r.GPUs == 1 && r.GPUMilli > 0 && r.GPUMilli < DeviceMilli {
			p.GPUMilli = int64(r.GPUMilli)
		}
	}
	return p
}
