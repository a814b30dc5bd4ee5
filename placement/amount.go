package placement

import (
	"math/bits"
	"slices"
)

// An amountIndex holds, for one resource, the instances at each remaining
// amount, as bit sets. Binpack counts its ties in them: the candidates at
// the winning amount are that amount's set ANDed, word by word, with the
// bit sets of the filters, so that a draw among thousands of tied
// instances costs a popcount per word instead of a visit per instance.
//
// Built on the first tie that needs it, and from then on kept true for
// every instance: AddInstance, Update and every change of remaining
// resources move the instance between sets.
type amountIndex struct {
	res   Resource
	sets  map[int64]*amountSet
	spare []*amountSet // emptied sets, kept for reuse so moves do not allocate
}

// amountSet is a set of instances kept as its nonzero words only, in
// order of word number: an amount few instances share costs a word or
// two, however large the cluster, and one that every instance shares
// costs the dense set.
type amountSet struct {
	at    []int32 // word numbers, ascending
	words []uint64
	n     int // members
}

// search returns the position of word k in s.at, or where it would go.
func (s *amountSet) search(k int32) (int, bool) { return slices.BinarySearch(s.at, k) }

// add makes instance i a member.
func (s *amountSet) add(i int32) {
	k := i >> 6
	j, ok := s.search(k)
	if !ok {
		s.at = slices.Insert(s.at, j, k)
		s.words = slices.Insert(s.words, j, 0)
	}
	if s.words[j]&(1<<(uint(i)&63)) == 0 {
		s.words[j] |= 1 << (uint(i) & 63)
		s.n++
	}
}

// remove makes instance i no longer a member, dropping its word when it
// empties.
func (s *amountSet) remove(i int32) {
	j, ok := s.search(i >> 6)
	if !ok {
		return
	}
	if s.words[j]&(1<<(uint(i)&63)) == 0 {
		return
	}
	s.n--
	if s.words[j] &^= 1 << (uint(i) & 63); s.words[j] == 0 {
		s.at = slices.Delete(s.at, j, j+1)
		s.words = slices.Delete(s.words, j, j+1)
	}
}

func (s *amountSet) empty() bool { return len(s.at) == 0 }

// amounts returns the amountIndex of r, building it on first use.
func (c *Cluster) amounts(r Resource) *amountIndex {
	ai := c.amountIx[r]
	if ai == nil {
		ai = &amountIndex{res: r, sets: map[int64]*amountSet{}}
		for i, in := range c.instances {
			ai.add(remainingOf(in, r), int32(i))
		}
		c.amountIx[r] = ai
	}
	return ai
}

func (ai *amountIndex) add(v int64, i int32) {
	s := ai.sets[v]
	if s == nil {
		if n := len(ai.spare); n > 0 {
			s = ai.spare[n-1]
			ai.spare = ai.spare[:n-1]
		} else {
			s = &amountSet{}
		}
		ai.sets[v] = s
	}
	s.add(i)
}

func (ai *amountIndex) remove(v int64, i int32) {
	s := ai.sets[v]
	if s == nil {
		return
	}
	if s.remove(i); s.empty() {
		delete(ai.sets, v)
		ai.spare = append(ai.spare, s)
	}
}

// move refiles instance i from amount old to amount v.
func (ai *amountIndex) move(i int32, old, v int64) {
	if old != v {
		ai.remove(old, i)
		ai.add(v, i)
	}
}

// moveAmounts refiles instance i in the amount indexes that exist, after
// its remaining CPU and memory changed from oldCPU and oldMem.
func (c *Cluster) moveAmounts(i int32, oldCPU, oldMem int64) {
	if ai := c.amountIx[CPU]; ai != nil {
		ai.move(i, oldCPU, c.cpu[i])
	}
	if ai := c.amountIx[Memory]; ai != nil {
		ai.move(i, oldMem, c.mem[i])
	}
}

// amountSize returns how many instances have v of the resource remaining, or
// -1 before the index is built.
func (c *Cluster) amountSize(r Resource, v int64) int {
	ai := c.amountIx[r]
	if ai == nil {
		return -1
	}
	if s := ai.sets[v]; s != nil {
		return s.n
	}
	return 0
}

// drawTie counts the candidates for pr among the instances with v of r
// remaining, draws one with the seeded source as the tie-break would draw
// among them in cluster order, and returns it; ok is false when there is
// none. pr must be simple (its fit set decides the resources) with
// pr.fit set.
func (c *Cluster) drawTie(pr *prepared, r Resource, v int64) (int32, bool) {
	s := c.amounts(r).sets[v]
	if s == nil {
		return 0, false
	}
	n := 0
	for j, k := range s.at {
		n += bits.OnesCount64(s.words[j] & c.candidates(pr, int(k), nil))
	}
	if n == 0 {
		return 0, false
	}
	pick := pickTie(n, pr.rng)
	for j, k := range s.at {
		w := s.words[j] & c.candidates(pr, int(k), nil)
		if m := bits.OnesCount64(w); pick >= m {
			pick -= m
			continue
		}
		c.draws++
		return nth(int(k), w, pick), true
	}
	return 0, false // unreachable: nothing changes between the passes
}
