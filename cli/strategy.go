package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// Option configures the berth that NewCommand, Main or Run builds.
type Option func(*config)

// config is what the options set.
type config struct {
	strategies registry
	getenv     func(string) string
}

func newConfig(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithEnv gives berth the environment variables that --shard auto reads
// (an array job's index and size; see berth sim --help). Main passes
// os.Getenv; Run and NewCommand read nothing from the environment unless
// given this option.
func WithEnv(getenv func(string) string) Option {
	return func(c *config) { c.getenv = getenv }
}

// StrategyFactory builds a registered placement strategy for one run: a
// strategy may keep state about its cluster, so every run (each variant
// of berth sim, each pod list, policy and seed of berth pack) gets a new
// one. An error ends the command with exit 1, naming the strategy.
// Factories of one berth sim run may be called concurrently.
type StrategyFactory func(env StrategyEnv) (placement.Strategy, error)

// StrategyEnv is what a registered strategy is built from.
type StrategyEnv struct {
	// Field is the strategy's field as given: "memory" for
	// --strategy 'leastloaded(memory)' or a scenario variant's
	// {"type": "leastloaded", "field": "memory"}; empty when none was
	// given, as always in berth pack. A factory that takes no field, or
	// not this one, returns an error.
	Field string
	// TypicalPods returns the workload's typical GPU pods
	// (gpushare.Typical over every task of the workload), against which
	// FGD measures fragmentation. berth sim reads the scenario's workload
	// on the first call and shares the answer between the run's
	// strategies; berth pack has it at hand (the pod list before tuning).
	TypicalPods func() ([]gpushare.TypicalPod, error)
}

// WithStrategy registers a placement strategy by name, for:
//
//   - berth sim: a strategy type in --strategy ('name' or 'name(field)')
//     and in a scenario's compare variants ({"type": "name"}), chained
//     with ECS's strategies like any other;
//   - berth pack: a --policy name, next to the FGD paper's policies and
//     the ecs-* strategies, run by placement on a cluster mirroring the
//     fleet, with no field.
//
// Names match case-insensitively. A name is lowercase letters, digits,
// '.', '_' and '-', starting with a letter; it must not be a strategy or
// policy berth already has (binpack, spread, random, fgd, bestfit,
// gpupacking, gpuclustering, dotprod, balancedfit, the numbered
// 01-Random..07-BalancedFit and 07-BalancedFit's ablations,
// ecs-binpack-cpu, ecs-binpack-memory, ecs-spread, ecs-random, all) nor
// one registered before. Breaking those rules, or a nil factory, is a
// programmer error: WithStrategy panics for a bad name or a clash with
// berth's own, and NewCommand, Main and Run for a name given twice.
func WithStrategy(name string, factory StrategyFactory) Option {
	if err := checkStrategyName(name); err != nil {
		panic("cli: WithStrategy: " + err.Error())
	}
	if factory == nil {
		panic(fmt.Sprintf("cli: WithStrategy(%q): nil factory", name))
	}
	return func(c *config) {
		if c.strategies.lookup(name) != nil {
			panic(fmt.Sprintf("cli: WithStrategy(%q): registered twice", name))
		}
		if c.strategies.byName == nil {
			c.strategies.byName = map[string]StrategyFactory{}
		}
		c.strategies.byName[name] = factory
		c.strategies.names = append(c.strategies.names, name)
		slices.Sort(c.strategies.names)
	}
}

// registry is the strategies registered with WithStrategy. It is built
// before a run and only read during one.
type registry struct {
	byName map[string]StrategyFactory
	names  []string // sorted
}

// lookup returns the factory registered as name, in any case, or nil.
func (r registry) lookup(name string) StrategyFactory {
	return r.byName[strings.ToLower(name)]
}

// checkStrategyName reports why name cannot be registered.
func checkStrategyName(name string) error {
	if name == "" {
		return fmt.Errorf("empty strategy name")
	}
	for i, c := range name {
		letter := c >= 'a' && c <= 'z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
			return fmt.Errorf("strategy name %q: expected lowercase letters, digits, '.', '_' and '-', starting with a letter", name)
		}
	}
	if _, paper := gpushareName(name); paper || slices.Contains(builtinStrategyNames(), name) {
		return fmt.Errorf("strategy name %q: berth already has a strategy or policy of that name", name)
	}
	return nil
}

// builtinStrategyNames lists, in lowercase, every name berth sim or berth
// pack already gives a meaning.
func builtinStrategyNames() []string {
	names := []string{"binpack", "spread", "random", "all"}
	for _, s := range packStrategies() {
		name := strings.ToLower(s.Name)
		names = append(names, name)
		if short, paper := gpushareName(name); paper || short != name {
			names = append(names, short)
		}
	}
	return names
}
