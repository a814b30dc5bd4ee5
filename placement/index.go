package placement

// key orders instances by a remaining amount, then by cluster index. p
// rides along outside the order: the remaining amount of the other
// resource (memory when v is CPU, CPU when v is memory), so that a walk
// skips instances that are full on it without looking them up.
type key struct {
	v   int64
	p   int64
	idx int32
}

func (a key) less(b key) bool { return a.v < b.v || a.v == b.v && a.idx < b.idx }

// same reports whether a and b are the same position in the order.
func (a key) same(b key) bool { return a.v == b.v && a.idx == b.idx }

// sortedIndex is an ordered set of keys kept in blocks of bounded size: a
// B+-tree with one level. Insert and delete cost two binary searches and a
// copy of at most maxBlock keys; iteration from a lower bound is a slice
// walk. Each block also keeps the largest p of its keys, so that a walk
// for a task that needs more of the other resource than that skips the
// block whole. Searches are written out so that nothing escapes to the
// heap.
type sortedIndex struct {
	blocks [][]key
	pmax   []int64 // per block: the largest p of its keys
}

const maxBlock = 128

// blockFor returns the block that holds k, or should: the last block whose
// first key is not greater than k (block 0 when there is none).
func (s *sortedIndex) blockFor(k key) int {
	lo, hi := 0, len(s.blocks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k.less(s.blocks[m][0]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if lo > 0 {
		lo--
	}
	return lo
}

// lowerBound returns the first position in blk whose key is not less than k.
func lowerBound(blk []key, k key) int {
	lo, hi := 0, len(blk)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if blk[m].less(k) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// maxP returns the largest p of blk's keys.
func maxP(blk []key) int64 {
	m := blk[0].p
	for _, k := range blk[1:] {
		m = max(m, k.p)
	}
	return m
}

func (s *sortedIndex) insert(k key) {
	if len(s.blocks) == 0 {
		s.blocks = append(s.blocks, append(make([]key, 0, maxBlock+1), k))
		s.pmax = append(s.pmax, k.p)
		return
	}
	b := s.blockFor(k)
	blk := s.blocks[b]
	j := lowerBound(blk, k)
	blk = append(blk, key{})
	copy(blk[j+1:], blk[j:])
	blk[j] = k
	s.blocks[b] = blk
	s.pmax[b] = max(s.pmax[b], k.p)
	if len(blk) > maxBlock {
		half := len(blk) / 2
		right := make([]key, len(blk)-half, maxBlock+1)
		copy(right, blk[half:])
		s.blocks[b] = blk[:half]
		s.blocks = append(s.blocks, nil)
		copy(s.blocks[b+2:], s.blocks[b+1:])
		s.blocks[b+1] = right
		s.pmax = append(s.pmax, 0)
		copy(s.pmax[b+2:], s.pmax[b+1:])
		s.pmax[b], s.pmax[b+1] = maxP(s.blocks[b]), maxP(right)
	}
}

// find returns the block and offset of the key at k's position, ok false
// when there is none.
func (s *sortedIndex) find(k key) (b, j int, ok bool) {
	if len(s.blocks) == 0 {
		return 0, 0, false
	}
	b = s.blockFor(k)
	j = lowerBound(s.blocks[b], k)
	return b, j, j < len(s.blocks[b]) && s.blocks[b][j].same(k)
}

// delete removes the key at k's position (k.p is ignored).
func (s *sortedIndex) delete(k key) {
	b, j, ok := s.find(k)
	if !ok {
		return
	}
	blk := s.blocks[b]
	p := blk[j].p
	copy(blk[j:], blk[j+1:])
	blk = blk[:len(blk)-1]
	if len(blk) == 0 {
		copy(s.blocks[b:], s.blocks[b+1:])
		s.blocks[len(s.blocks)-1] = nil
		s.blocks = s.blocks[:len(s.blocks)-1]
		copy(s.pmax[b:], s.pmax[b+1:])
		s.pmax = s.pmax[:len(s.pmax)-1]
		return
	}
	s.blocks[b] = blk
	if p == s.pmax[b] {
		s.pmax[b] = maxP(blk)
	}
}

// setP sets the p of the key at k's position to k.p.
func (s *sortedIndex) setP(k key) {
	b, j, ok := s.find(k)
	if !ok {
		return
	}
	blk := s.blocks[b]
	old := blk[j].p
	blk[j].p = k.p
	switch {
	case k.p > s.pmax[b]:
		s.pmax[b] = k.p
	case old == s.pmax[b] && k.p < old:
		s.pmax[b] = maxP(blk)
	}
}

// seek returns the position of the first key not less than k, as a block
// and an offset in it; b == len(blocks) when there is none.
func (s *sortedIndex) seek(k key) (b, j int) {
	if len(s.blocks) == 0 {
		return 0, 0
	}
	b = s.blockFor(k)
	j = lowerBound(s.blocks[b], k)
	if j == len(s.blocks[b]) {
		return b + 1, 0
	}
	return b, j
}

func (s *sortedIndex) len() int {
	n := 0
	for _, b := range s.blocks {
		n += len(b)
	}
	return n
}
