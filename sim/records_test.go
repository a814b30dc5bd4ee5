package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRecords wants records to give back what plain appending gives, in
// order, across chunk boundaries, and nil for none.
func TestRecords(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 200, maxChunk, 3*maxChunk + 17, 20000} {
		var r records[int]
		var want []int
		for i := range n {
			r.add(i * 7)
			want = append(want, i*7)
		}
		got := r.all()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d records (-append +records):\n%s", n, diff)
		}
		if (got == nil) != (n == 0) {
			t.Errorf("%d records: nil is %v", n, got == nil)
		}
		if n > 64 && len(r.full) == 0 {
			t.Errorf("%d records in one chunk", n)
		}
	}
}
