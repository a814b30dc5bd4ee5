package placement

import "math/bits"

// bitset is a set of instance indexes, bit i for the cluster's instance i.
//
// Invariant: every bitset a Cluster keeps over all its instances
// (eligible, hosting, fit sets, memberOf results) covers every instance of
// the cluster: AddInstance grows them all before the instance is used, so
// has, set and word never index past the end. The instances that share an
// attribute value are a members set instead (below), and those that share
// a remaining amount an amountSet (amount.go). Only these two files turn
// an instance index into a word and a bit.
type bitset []uint64

// wordsFor returns the number of words a bitset over n instances needs.
func wordsFor(n int) int { return (n + 63) >> 6 }

// has reports whether bit i is set.
func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// set sets bit i to v.
func (b bitset) set(i int32, v bool) {
	if v {
		b[i>>6] |= 1 << (uint(i) & 63)
	} else {
		b[i>>6] &^= 1 << (uint(i) & 63)
	}
}

// grow extends b with clear bits to cover n instances.
func (b *bitset) grow(n int) {
	if w := wordsFor(n); len(*b) < w {
		*b = append(*b, make(bitset, w-len(*b))...)
	}
}

// index returns the instance index of the lowest set bit of word k's
// value w (w != 0).
func index(k int, w uint64) int32 { return int32(k<<6 | bits.TrailingZeros64(w)) }

// nth returns the instance index of the n-th (from 0) set bit of word k's
// value w; w has more than n bits set.
func nth(k int, w uint64, n int) int32 {
	for ; n > 0; n-- {
		w &= w - 1
	}
	return index(k, w)
}

// members is the set of instances that hold one value of an attribute,
// kept over the words from its lowest member's to its highest's: words
// outside read as zero. A value that few instances share (a rack, a host
// name) then costs a word or two however large the cluster, and adding an
// instance touches only its own value's set.
type members struct {
	first int // the word of bits[0]
	bits  bitset
}

// word returns word k of the set.
func (m *members) word(k int) uint64 {
	if k -= m.first; k >= 0 && k < len(m.bits) {
		return m.bits[k]
	}
	return 0
}

// has reports whether instance i is a member.
func (m *members) has(i int32) bool { return m.word(int(i>>6))&(1<<(uint(i)&63)) != 0 }

// add makes instance i a member, widening the words kept to cover it.
func (m *members) add(i int32) {
	k := int(i >> 6)
	switch {
	case len(m.bits) == 0:
		m.first, m.bits = k, make(bitset, 1)
	case k < m.first:
		m.bits = append(make(bitset, m.first-k), m.bits...)
		m.first = k
	case k >= m.first+len(m.bits):
		m.bits = append(m.bits, make(bitset, k-m.first-len(m.bits)+1)...)
	}
	m.bits[k-m.first] |= 1 << (uint(i) & 63)
}

// remove makes instance i no longer a member.
func (m *members) remove(i int32) {
	if k := int(i>>6) - m.first; k >= 0 && k < len(m.bits) {
		m.bits[k] &^= 1 << (uint(i) & 63)
	}
}
