package placement

import (
	"math/rand/v2"
	"slices"
)

// selectStopPlain, set by tests, makes SelectStop score every candidate
// again at every choice (stopState.score), the plain way.
var selectStopPlain bool

// stopScores is selectStopScored's table: per candidate, the task's
// instance, group and score under each strategy of the chain, and for an
// attribute spread the instance's value.
type stopScores struct {
	inst, group []int32
	val         []int32 // per candidate and strategy: the value id (attribute spreads)
	score       []int64 // per candidate and strategy
}

// selectStopScored is SelectStop's loop with each candidate scored once:
// a choice changes only the scores of the candidates that share its
// instance (binpack, instance spread) or its group's value (attribute
// spread), by the chosen task's resources or by one, as stopState.score
// would see them after stopState.remove. Scale-in on a planner fleet
// chooses among a service's tasks hundreds of times a day; scoring anew
// looked up the group's spread counts by attribute name for every
// candidate. It reports false, and chooses nothing, for a chain with a
// strategy it cannot score so (a StopScorer other than Binpack and
// Spread, a binpack field other than cpu and memory): SelectStop then
// scores the plain way. Scores are integers (resources, task counts), as
// float64 in the plain way: they compare the same.
func (s *stopState) selectStopScored(candidates []TaskID, n int, chain []Strategy, rng *rand.Rand) ([]TaskID, bool) {
	for _, st := range chain {
		switch st := st.(type) {
		case Binpack:
			if st.Field != CPU && st.Field != Memory {
				return nil, false
			}
		case Spread:
		case StopScorer:
			return nil, false
		}
	}
	if n <= 0 || len(candidates) == 0 {
		return nil, true // scoring would index fields the plain way does not
	}
	c, k := s.c, len(chain)
	sc := &s.scores
	m := len(candidates)
	sc.inst, sc.group = slices.Grow(sc.inst[:0], m)[:m], slices.Grow(sc.group[:0], m)[:m]
	sc.val, sc.score = slices.Grow(sc.val[:0], m*k)[:m*k], slices.Grow(sc.score[:0], m*k)[:m*k]
	// Each attribute spread's field, and its counts for the group of the
	// candidate before (a service's candidates are of one group).
	var fis [MaxStrategies]*fieldIndex
	var counts [MaxStrategies]*spreadCount
	for j, st := range chain {
		if st, ok := st.(Spread); ok && st.attribute() != "" {
			fis[j] = c.field(st.attribute())
		}
	}
	for i, id := range candidates {
		inst, group := c.taskInst[id], c.taskGroup[id]
		sc.inst[i], sc.group[i] = inst, group
		for j, st := range chain {
			var v int64
			val := int32(0)
			switch st := st.(type) {
			case Binpack:
				v = remainingOf(c.instances[inst], st.Field) + st.amount(&c.tasks[id].req)
			case Spread:
				if fi := fis[j]; fi == nil {
					v = int64(c.instances[inst].groupCount(group))
				} else {
					if counts[j] == nil || counts[j].group != group {
						counts[j] = c.spread(group, fi)
					}
					val = fi.valueOf[inst]
					v = int64(counts[j].at(val))
				}
			}
			sc.val[i*k+j], sc.score[i*k+j] = val, v
		}
	}
	left := append(s.left[:0], candidates...)
	idx := slices.Grow(s.idx[:0], m)[:m]
	for i := range idx {
		idx[i] = int32(i)
	}
	var out []TaskID
	ties := s.ties[:0]
	for ; n > 0 && len(left) > 0; n-- {
		ties = ties[:0]
		var best []int64
		for p, i := range idx {
			v := sc.score[int(i)*k : int(i)*k+k]
			switch cmp := compareVec(v, best); {
			case p == 0 || cmp > 0:
				best, ties = v, append(ties[:0], p)
			case cmp == 0:
				ties = append(ties, p)
			}
		}
		p := ties[pickTie(len(ties), rng)]
		out = append(out, left[p])
		s.chose(int(idx[p]), left[p], chain)
		left = slices.Delete(left, p, p+1)
		idx = slices.Delete(idx, p, p+1)
	}
	s.left, s.ties, s.idx = left, ties, idx
	return out, true
}

// chose updates the scores of the candidates left as the choice of the
// candidate i, the task id, changes them: more free on its instance, one task fewer of
// its group on its instance and at its values.
func (s *stopState) chose(i int, id TaskID, chain []Strategy) {
	sc, k := &s.scores, len(chain)
	req := &s.c.tasks[id].req
	inst, group := sc.inst[i], sc.group[i]
	for j, st := range chain {
		switch st := st.(type) {
		case Binpack:
			d := st.amount(req)
			for q := range sc.inst {
				if sc.inst[q] == inst {
					sc.score[q*k+j] += d
				}
			}
		case Spread:
			attr := st.attribute() != ""
			val := sc.val[i*k+j]
			for q := range sc.inst {
				if sc.group[q] == group && (attr && sc.val[q*k+j] == val || !attr && sc.inst[q] == inst) {
					sc.score[q*k+j]--
				}
			}
		}
	}
}
