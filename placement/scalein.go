package placement

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
)

// SelectStop chooses n of the candidate tasks to stop on scale-in, one at
// a time, each choice seeing the ones before it, by the strategies in
// order (ECS's scale-in rules):
//
//   - binpack(f) stops the task on the instance that will have the most of
//     f free after the stop;
//   - spread(f) stops a task where the task's group has the most tasks at
//     the instance's value of f (instanceId: on the instance);
//   - random, and any strategy that does not implement StopScorer, leaves
//     every candidate tied.
//
// Ties left by the last strategy are broken by rng. A REPLICA service
// that names no strategy uses ServiceDefaultStrategies: the zone with the
// most tasks of the service, then the instance with the most. The result
// lists the chosen tasks in the order chosen; n larger than the number of
// candidates selects them all. The cluster is not changed.
func SelectStop(c *Cluster, candidates []TaskID, n int, strategies []Strategy, rng *rand.Rand) ([]TaskID, error) {
	switch {
	case c == nil:
		return nil, errors.New("placement: select stop: cluster is nil")
	case rng == nil:
		return nil, errors.New("placement: select stop: rng is nil: ties are broken by a seeded *rand.Rand")
	}
	for _, id := range candidates {
		if c.TaskInstance(id) == nil {
			return nil, fmt.Errorf("placement: select stop: task %d is not in the cluster", id)
		}
	}
	if len(strategies) > MaxStrategies {
		return nil, fmt.Errorf("placement: placementStrategy: %d strategies, at most %d allowed", len(strategies), MaxStrategies)
	}
	chain := strategies
	if k := slices.IndexFunc(chain, func(s Strategy) bool { _, ok := s.(Random); return ok }); k >= 0 {
		chain = chain[:k]
	}
	sel := stopStates.Get().(*stopState)
	defer sel.put()
	sel.c = c
	if !selectStopPlain {
		if out, ok := sel.selectStopScored(candidates, n, chain, rng); ok {
			return out, nil
		}
	}
	left := append(sel.left[:0], candidates...)
	var out []TaskID
	ties := sel.ties[:0]
	for ; n > 0 && len(left) > 0; n-- {
		ties = ties[:0]
		var best [MaxStrategies]float64
		for k, id := range left {
			var v [MaxStrategies]float64
			for j, s := range chain {
				v[j] = sel.score(s, id)
			}
			switch cmp := compareVec(v[:len(chain)], best[:len(chain)]); {
			case k == 0 || cmp > 0:
				best, ties = v, append(ties[:0], k)
			case cmp == 0:
				ties = append(ties, k)
			}
		}
		k := ties[pickTie(len(ties), rng)]
		id := left[k]
		out = append(out, id)
		sel.remove(id)
		left = slices.Delete(left, k, k+1)
	}
	sel.left, sel.ties = left, ties
	return out, nil
}

// compareVec compares a and b element by element, the first difference
// deciding, over the shorter's length (an empty b, the scored path's
// first candidate, compares equal): the plain scores are float64s, the
// scored path's int64s.
func compareVec[T int64 | float64](a, b []T) int {
	for i := range min(len(a), len(b)) {
		switch {
		case a[i] > b[i]:
			return 1
		case a[i] < b[i]:
			return -1
		}
	}
	return 0
}

// stopState scores candidates as if the tasks already selected had
// stopped.
type stopState struct {
	c     *Cluster
	freed map[int32][2]int64            // per instance: cpu, memory freed so far
	gone  map[spreadKey]map[int32]int32 // per group and field ("" = instance): value -> tasks selected
	// What a call leaves for the next, emptied: the inner maps of gone,
	// and SelectStop's candidates left and ties. A service scaling in
	// every few minutes built all of them anew each time.
	spare []map[int32]int32
	left  []TaskID
	ties  []int
	// selectStopScored's table and its candidates' rows.
	scores stopScores
	idx    []int32
}

var stopStates = sync.Pool{New: func() any {
	return &stopState{freed: map[int32][2]int64{}, gone: map[spreadKey]map[int32]int32{}}
}}

// put empties s, keeping its maps, and returns it to stopStates.
func (s *stopState) put() {
	clear(s.freed)
	for _, m := range s.gone {
		clear(m)
		s.spare = append(s.spare, m)
	}
	clear(s.gone)
	s.c = nil
	stopStates.Put(s)
}

func (s *stopState) score(st Strategy, id TaskID) float64 {
	// A spread's score reads the task's instance and group only: from
	// taskInst and taskGroup, not the task's record.
	inst, group := s.c.taskInst[id], s.c.taskGroup[id]
	switch st := st.(type) {
	case Binpack:
		t := &s.c.tasks[id]
		free := remainingOf(s.c.instances[inst], st.Field) + s.freed[inst][st.Field-1]
		return float64(free + st.amount(&t.req))
	case Spread:
		name := st.attribute()
		k := spreadKey{group, name}
		if name == "" {
			return float64(int32(s.c.instances[inst].groupCount(group)) - s.gone[k][inst])
		}
		fi := s.c.field(name)
		v := fi.valueOf[inst]
		return float64(s.c.spread(group, fi).at(v) - s.gone[k][v])
	case StopScorer:
		t := &s.c.tasks[id]
		return st.StopScore(view{s.c}, s.c.instances[inst], &Task{Group: s.c.groupNames[group], Requirements: t.req})
	}
	return 0
}

func (s *stopState) remove(id TaskID) {
	t := &s.c.tasks[id]
	f := s.freed[t.inst]
	f[0] += t.req.CPU
	f[1] += t.req.MemoryMiB
	s.freed[t.inst] = f
	s.bump(spreadKey{t.group, ""}, t.inst)
	for _, sc := range s.c.spreadsOf(t.group) {
		s.bump(spreadKey{t.group, sc.field.name}, s.c.field(sc.field.name).valueOf[t.inst])
	}
}

func (s *stopState) bump(k spreadKey, v int32) {
	m := s.gone[k]
	if m == nil {
		if n := len(s.spare); n > 0 {
			m, s.spare = s.spare[n-1], s.spare[:n-1]
		} else {
			m = map[int32]int32{}
		}
		s.gone[k] = m
	}
	m[v]++
}
