package capfill

import (
	"math/rand"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// ECS returns Amazon ECS's placement strategies as harness strategies,
// named as their sc_policy column:
//
//   - ecs-binpack-cpu: placement.Binpack{Field: placement.CPU}
//   - ecs-binpack-memory: placement.Binpack{Field: placement.Memory}
//   - ecs-spread: placement.Spread{Field: "instanceId"} over the
//     workload's one task group, PodGroup
//   - ecs-random: a node drawn uniformly among the feasible ones from the
//     run's random stream
//
// The first three run placement's own built-in strategies on a
// placement.Cluster mirroring the fleet (Strategy.Placement): ECS's choices
// by construction, devices included (the lowest-numbered idle devices for
// whole GPUs, the fullest device that holds a share). The ties they leave
// go to the node ranks, a deterministic total order at the end of the
// chain (which placement allows: it then draws nothing), instead of its seeded
// random source: the runs are reproducible and comparable with the paper's
// policies, which break ties the same way. ecs-random is ECS's random
// strategy drawn from the run's math/rand stream, with one Intn over the
// feasible nodes in name order, as the paper's Random draws
// (docs/research-bench.md, Random); its
// devices are placement's defaults. Like 01-Random it is compared by median.
func ECS() []Strategy {
	chain := func(s placement.Strategy) func(Env) []placement.Strategy {
		return func(Env) []placement.Strategy { return []placement.Strategy{s} }
	}
	return []Strategy{
		{Name: "ecs-binpack-cpu", Placement: chain(placement.Binpack{Field: placement.CPU}), PodMicros: 6.3},
		{Name: "ecs-binpack-memory", Placement: chain(placement.Binpack{Field: placement.Memory}), PodMicros: 6.2},
		{Name: "ecs-spread", Placement: chain(placement.Spread{Field: "instanceId"}), PodMicros: 14.2},
		{Name: "ecs-random", New: func(e Env) gpushare.Policy { return ecsRandom{e.Rand} }, Random: true, PodMicros: 8.0},
	}
}

// ecsRandom is ECS's random strategy in the driver: uniform over the
// feasible nodes, and placement's default devices (whole devices are the
// driver's lowest-index idle ones, which are placement's too).
type ecsRandom struct{ rng *rand.Rand }

func (ecsRandom) Score(*gpushare.Node, *gpushare.Pod) int64 { return 0 }
func (r ecsRandom) Choose(feasible int) int                 { return r.rng.Intn(feasible) }

// Device is placement's default for a share: the device with the least
// free milli that holds it, the lowest index among equals.
func (ecsRandom) Device(n *gpushare.Node, p *gpushare.Pod) int {
	return gpushare.BestDevice(n.GPULeft, p.GPUMilli)
}
