package placement

import "math/bits"

// bitset is a set of instance indexes, bit i for the cluster's instance i.
//
// Invariant: every bitset a Cluster keeps per instance (eligible, hosting,
// fit sets, memberOf results, attribute values) covers every instance of
// the cluster: AddInstance grows them all before the instance is used, so
// has, set and word never index past the end. Only this file turns an
// instance index into a word and a bit.
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
