package placement

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestSortedIndexStateMachine checks the block index against a sorted
// slice under random inserts, deletes and seeks.
func TestSortedIndexStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var ix sortedIndex
		var model []key
		genKey := func(label string) key {
			return key{v: rapid.Int64Range(-3, 40).Draw(t, label+"v"), idx: int32(rapid.IntRange(0, 600).Draw(t, label+"i"))}
		}
		cmpKey := func(a, b key) int {
			switch {
			case a.less(b):
				return -1
			case b.less(a):
				return 1
			}
			return 0
		}
		for range rapid.IntRange(0, 1500).Draw(t, "ops") {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0, 1:
				k := genKey("ins")
				if _, found := slices.BinarySearchFunc(model, k, cmpKey); found {
					continue // the index holds a set
				}
				ix.insert(k)
				j, _ := slices.BinarySearchFunc(model, k, cmpKey)
				model = slices.Insert(model, j, k)
			case 2:
				var k key
				if len(model) > 0 && rapid.Bool().Draw(t, "present") {
					k = model[rapid.IntRange(0, len(model)-1).Draw(t, "which")]
				} else {
					k = genKey("del")
				}
				ix.delete(k)
				if j, found := slices.BinarySearchFunc(model, k, cmpKey); found {
					model = slices.Delete(model, j, j+1)
				}
			case 3:
				k := genKey("seek")
				b, j := ix.seek(k)
				var got []key
				for ; b < len(ix.blocks); b, j = b+1, 0 {
					got = append(got, ix.blocks[b][j:]...)
				}
				at, _ := slices.BinarySearchFunc(model, k, cmpKey)
				if !slices.Equal(got, model[at:]) {
					t.Fatalf("seek(%v) walks %v, want %v", k, got, model[at:])
				}
			}
			if ix.len() != len(model) {
				t.Fatalf("len = %d, want %d", ix.len(), len(model))
			}
			for _, blk := range ix.blocks {
				if len(blk) == 0 || len(blk) > maxBlock {
					t.Fatalf("block of %d keys", len(blk))
				}
			}
		}
	})
}
