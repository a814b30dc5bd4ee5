package placement

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// MaxStrategies is the most placement strategies one request may chain.
const MaxStrategies = 5

// Task is the task being placed, as strategies see it.
type Task struct {
	// Group is the task group (family:<name>, service:<name>, or custom).
	Group string
	// Requirements is what the task reserves.
	Requirements Requirements
}

// Strategy ranks the instances that passed every filter. The strategies of
// a request are applied in order: each breaks the ties the ones before it
// left, and a seeded random choice breaks the ties that remain.
//
// The built-in strategies (Binpack, Spread, Random) are recognised by type
// and placed through indexes; any other Strategy is scored instance by
// instance. Implementations must be deterministic: the same cluster state
// and task give the same score.
type Strategy interface {
	// Score scores placing t on in. Higher is better; equal scores are
	// ties for the next strategy. It is called only for instances that
	// passed every filter. v answers questions about the cluster and
	// changes nothing; in and the instances v returns are the cluster's
	// and must not be modified.
	Score(v View, in *Instance, t *Task) float64
	// String names the strategy as ECS would print it, e.g. "binpack(memory)".
	String() string
}

// GPUChooser is implemented by strategies that decide which GPU devices a
// task gets on the instance chosen for it. The first strategy of a chain
// that implements it decides; without one, whole-device tasks get the
// lowest-numbered free devices and shared-device tasks the device with the
// least free milli that still fits (lowest number on ties).
type GPUChooser interface {
	// ChooseGPUs returns the devices for t on in, which has room for it:
	// t.Requirements.GPUs devices, each with at least the task's share free.
	ChooseGPUs(v View, in *Instance, t *Task) DeviceSet
}

// StopScorer is implemented by strategies that take part in choosing which
// tasks to stop on scale-in. Higher stops first. Strategies without it act
// as Random on scale-in.
type StopScorer interface {
	StopScore(v View, in *Instance, t *Task) float64
}

// Resource names a resource binpack can pack on.
type Resource uint8

// Resources binpack accepts.
const (
	CPU Resource = iota + 1
	Memory
)

func (r Resource) String() string {
	switch r {
	case CPU:
		return "cpu"
	case Memory:
		return "memory"
	}
	return fmt.Sprintf("Resource(%d)", uint8(r))
}

// Binpack places a task on the instance with the least remaining amount of
// Field that can still take it, which keeps the number of instances in use
// low. On scale-in it stops the task on the instance that will have the
// most of Field free after the stop.
type Binpack struct {
	Field Resource
}

func (s Binpack) remaining(in *Instance) int64 {
	if s.Field == CPU {
		return in.Remaining.CPU
	}
	return in.Remaining.MemoryMiB
}

func (s Binpack) amount(r *Requirements) int64 {
	if s.Field == CPU {
		return r.CPU
	}
	return r.MemoryMiB
}

// Score implements Strategy: less remaining scores higher.
func (s Binpack) Score(_ View, in *Instance, _ *Task) float64 { return -float64(s.remaining(in)) }

// StopScore implements StopScorer: more free after the stop scores higher.
func (s Binpack) StopScore(_ View, in *Instance, t *Task) float64 {
	return float64(s.remaining(in) + s.amount(&t.Requirements))
}

func (s Binpack) String() string { return "binpack(" + s.Field.String() + ")" }

// Spread balances the tasks of the group over the distinct values of Field:
// "instanceId" (or its synonym "host") spreads over instances, and
// "attribute:<name>" over the values of an attribute, where the instances
// that lack the attribute form one more value of their own. Counts include
// the group's PENDING and RUNNING tasks on every instance of the cluster.
// On scale-in it stops a task where the group has the most tasks.
type Spread struct {
	Field string
}

// attribute returns the attribute name of an attribute spread, or "" for
// an instance spread.
func (s Spread) attribute() string {
	name, _ := strings.CutPrefix(s.Field, "attribute:")
	if name == s.Field {
		return ""
	}
	return name
}

// Score implements Strategy: fewer tasks of the group at the instance's
// value scores higher.
func (s Spread) Score(v View, in *Instance, t *Task) float64 {
	return -float64(v.SpreadCount(s.Field, in, t.Group))
}

// StopScore implements StopScorer.
func (s Spread) StopScore(v View, in *Instance, t *Task) float64 {
	return float64(v.SpreadCount(s.Field, in, t.Group))
}

func (s Spread) String() string { return "spread(" + s.Field + ")" }

// Random picks uniformly among the instances left tied. Strategies after
// it never see a tie.
type Random struct{}

// Score implements Strategy; every instance ties.
func (Random) Score(View, *Instance, *Task) float64 { return 0 }

func (Random) String() string { return "random" }

// ParseStrategy builds a strategy from ECS's PlacementStrategy fields:
// type binpack (field cpu or memory), spread (field instanceId, host or
// attribute:<name>) or random (no field).
func ParseStrategy(typ, field string) (Strategy, error) {
	switch typ {
	case "binpack":
		switch field {
		case "cpu", "CPU":
			return Binpack{Field: CPU}, nil
		case "memory", "MEMORY":
			return Binpack{Field: Memory}, nil
		}
		return nil, fieldErrorf("", "binpack field %q: expected cpu or memory", field)
	case "spread":
		if err := validSpreadField(field); err != nil {
			return nil, err
		}
		return Spread{Field: field}, nil
	case "random":
		if field != "" {
			return nil, fieldErrorf("", "random field %q: random takes no field", field)
		}
		return Random{}, nil
	}
	return nil, fieldErrorf("", "strategy type %q: expected binpack, spread or random", typ)
}

func validSpreadField(field string) error {
	switch {
	case field == "instanceId" || field == "host":
		return nil
	case strings.HasPrefix(field, "attribute:") && len(field) > len("attribute:"):
		if len(field) > 255 {
			return fieldErrorf("", "spread field %.40q...: longer than 255 characters", field)
		}
		return nil
	}
	return fieldErrorf("", "spread field %q: expected instanceId, host or attribute:<name>", field)
}

// ServiceDefaultStrategies is ECS's placement for a REPLICA service that
// names no strategy: the availability zone with the fewest tasks of the
// service, then the instance with the fewest.
func ServiceDefaultStrategies() []Strategy {
	return []Strategy{Spread{Field: "attribute:ecs.availability-zone"}, Spread{Field: "instanceId"}}
}

// pickTie chooses one of n tied candidates with the seeded source. It draws
// only when there is a choice, so a chain that ends in a total order
// consumes no randomness.
func pickTie(n int, rng *rand.Rand) int {
	if n <= 1 {
		return 0
	}
	return rng.IntN(n)
}
