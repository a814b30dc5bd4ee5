package scheduler

import (
	"fmt"
	"slices"

	"github.com/berthsched/berth/placement"
)

// CapacityProviderStrategyItem is one capacity provider of a service's
// capacityProviderStrategy. Weight 0 and Base 0 are the API defaults.
type CapacityProviderStrategyItem struct {
	// CapacityProvider is the provider's short name.
	CapacityProvider string
	// Weight is the provider's share of the tasks beyond the base: 0 to
	// 1000.
	Weight int
	// Base is how many tasks, at a minimum, run on this provider: 0 to
	// 100000, on at most one item.
	Base int
	// Instances selects the provider's container instances: a memberOf
	// constraint (ECS knows which instances a provider's Auto Scaling
	// group launched; the caller says how to tell). Compile it once: the
	// cluster keeps its indexes per compiled expression.
	Instances placement.Constraint
}

// Limits of a capacity provider strategy (CapacityProviderStrategyItem in
// the ECS API reference).
const (
	MaxStrategyItems = 20
	MaxWeight        = 1000
	MaxBase          = 100000
)

func (s *Service) validStrategy() error {
	cps := s.CapacityProviderStrategy
	if len(cps) == 0 {
		return nil
	}
	if s.strategy() == Daemon {
		return fieldErrorf("capacityProviderStrategy", "%d providers, expected none for a DAEMON service", len(cps))
	}
	if len(cps) > MaxStrategyItems {
		return fieldErrorf("capacityProviderStrategy", "%d providers, expected at most %d", len(cps), MaxStrategyItems)
	}
	base, weighted := -1, false
	for i, it := range cps {
		switch {
		case it.CapacityProvider == "":
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].capacityProvider", i), "missing")
		case it.Weight < 0 || it.Weight > MaxWeight:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].weight", i), "%d, expected 0 to %d", it.Weight, MaxWeight)
		case it.Base < 0 || it.Base > MaxBase:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].base", i), "%d, expected 0 to %d", it.Base, MaxBase)
		case it.Base > 0 && base >= 0:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].base", i), "%d, but item %d already defines a base; only one may", it.Base, base)
		case it.Instances.Type != placement.MemberOf || it.Instances.Expr == nil:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].instances", i), "missing, expected a memberOf constraint selecting the provider's instances")
		}
		for _, prev := range cps[:i] {
			if prev.CapacityProvider == it.CapacityProvider {
				return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].capacityProvider", i), "%q appears twice", it.CapacityProvider)
			}
		}
		if it.Base > 0 {
			base = i
		}
		weighted = weighted || it.Weight > 0
	}
	if len(cps) > 1 && !weighted {
		return fieldErrorf("capacityProviderStrategy", "every weight is 0, expected at least one above 0")
	}
	return nil
}

// Split returns how many of n tasks the service's capacity provider
// strategy puts on each provider: the base first, then each further task
// to the provider furthest below its weighted share of the tasks beyond
// the base, ties to the earlier provider. A weight-0 provider gets only
// its base; with a single weight-0 provider, it gets every task. There is
// no fallback: a provider gets its share whether or not it has capacity.
// Nil without a strategy.
func (s *Service) Split(n int) []int {
	cps := s.CapacityProviderStrategy
	if len(cps) == 0 {
		return nil
	}
	return s.Assign(make([]int, len(cps)), n)
}

// Assign returns how n more tasks of the service divide among the
// providers of its strategy, given have[i] tasks already on provider i
// (have is not changed): scale-out as ECS describes it, base first, then
// by weight. Each task goes to the provider whose base is not yet met,
// else to the provider furthest below its weighted share of the tasks
// beyond the base once the task is added, ties to the earlier provider.
// So Assign(zeros, n) is Split(n), and starting from any counts the
// result moves toward the split without stopping anything.
func (s *Service) Assign(have []int, n int) []int {
	out := make([]int, len(s.CapacityProviderStrategy))
	if len(out) == 0 || n <= 0 {
		return out
	}
	if len(out) == 1 { // the only provider takes every task, at no cost per task
		out[0] = n
		return out
	}
	cur := append([]int(nil), have...)
	for range n {
		i := s.nextProvider(cur)
		cur[i]++
		out[i]++
	}
	return out
}

// nextProvider returns the provider Assign gives one more task, given cur.
func (s *Service) nextProvider(cur []int) int {
	cps := s.CapacityProviderStrategy
	total, base, bi, sum := 0, 0, -1, 0
	for i, it := range cps {
		total += it.Weight
		sum += cur[i]
		if it.Base > 0 {
			base, bi = it.Base, i
		}
	}
	switch {
	case bi >= 0 && cur[bi] < base:
		return bi
	case total == 0:
		return 0
	}
	// k is the number of tasks beyond the base once this one is added;
	// a provider's deficit against weight/total x k is scaled by total so
	// that it stays integral.
	k := sum + 1
	if bi >= 0 {
		k -= base
	}
	pick, best := -1, 0
	for i, it := range cps {
		extra := cur[i]
		if i == bi {
			extra -= base
		}
		if d := it.Weight*k - extra*total; pick < 0 || d > best {
			pick, best = i, d
		}
	}
	return pick
}

// Shed returns how many of n tasks to stop on each provider on scale-in,
// given have[i] tasks on each (have is not changed): the inverse of
// Assign, which ECS does not document. From the split of m tasks it
// leaves the split of m-n. From other counts each stop takes a task Assign
// could have added last (a provider i such that, with one task fewer
// there, Assign would give the next task to i), else one from the
// provider furthest above its weighted share; the base goes last. It
// never takes more than a provider has.
func (s *Service) Shed(have []int, n int) []int {
	cps := s.CapacityProviderStrategy
	out := make([]int, len(cps))
	if len(cps) == 0 {
		return out
	}
	cur := append([]int(nil), have...)
	total := 0
	for _, c := range cur {
		total += c
	}
	if split := s.Split(total); slices.Equal(split, cur) {
		// The common case, the service at its split: the split of fewer.
		for i, c := range s.Split(max(total-n, 0)) {
			out[i] = cur[i] - c
		}
		return out
	}
	for ; n > 0; n-- {
		i := s.lastProvider(cur)
		if i < 0 {
			break
		}
		cur[i]--
		out[i]++
	}
	return out
}

// lastProvider returns the provider Shed takes one task from, given cur,
// or -1 when there is no task.
func (s *Service) lastProvider(cur []int) int {
	cps := s.CapacityProviderStrategy
	total, base, bi := 0, 0, -1
	for i, it := range cps {
		total += it.Weight
		if it.Base > 0 {
			base, bi = it.Base, i
		}
	}
	beyond := func(i int) int {
		if i == bi {
			return max(cur[i]-base, 0)
		}
		return cur[i]
	}
	for i := len(cps) - 1; i >= 0; i-- {
		if beyond(i) == 0 {
			continue
		}
		cur[i]--
		next := s.nextProvider(cur)
		cur[i]++
		if next == i {
			return i
		}
	}
	// Not a state Assign makes: the largest surplus beyond the base,
	// else the base provider.
	k := -1
	for i := range cps {
		k += beyond(i)
	}
	pick, best := -1, 0
	for i, it := range cps {
		if beyond(i) == 0 {
			continue
		}
		if d := beyond(i)*max(total, 1) - it.Weight*k; pick < 0 || d >= best {
			pick, best = i, d
		}
	}
	if pick < 0 && bi >= 0 && cur[bi] > 0 {
		pick = bi
	}
	return pick
}

// providerOf returns the index of the strategy item whose instances
// include in, or -1.
func (s *Service) providerOf(in *placement.Instance) int {
	for i := range s.CapacityProviderStrategy {
		if s.CapacityProviderStrategy[i].Instances.Expr.Match(in.Subject()) {
			return i
		}
	}
	return -1
}

// allOn reports whether every task of ids runs on provider k's instances.
func (r *reconciler) allOn(ids []placement.TaskID, k int) bool {
	for _, id := range ids {
		if r.svc.providerOf(r.c.TaskInstance(id)) != k {
			return false
		}
	}
	return true
}

// byProvider sorts the observed tasks by the provider of the service's
// strategy whose instances hold them; the last slot holds those on no
// provider's instances.
func (r *reconciler) byProvider(tasks []int) [][]int {
	cps := r.svc.CapacityProviderStrategy
	by := make([][]int, len(cps)+1)
	for _, i := range tasks {
		k := r.svc.providerOf(r.c.TaskInstance(r.obs.Tasks[i].Placement))
		if k < 0 {
			k = len(cps)
		}
		by[k] = append(by[k], i)
	}
	return by
}
