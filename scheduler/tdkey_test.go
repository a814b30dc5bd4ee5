package scheduler

import (
	"strconv"
	"testing"

	"github.com/berthsched/berth/placement"
	"pgregory.net/rapid"
)

// TestPropIsTDKeyEqualsTDKey checks the allocation-free comparison with
// the key it stands for, on keys built from nearby families and
// revisions.
func TestPropIsTDKeyEqualsTDKey(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fam := rapid.SampledFrom([]string{"", "web", "web:1", "we", "web1"}).Draw(t, "family")
		rev := rapid.SampledFrom([]int{0, 1, 10, -1, 12345678901}).Draw(t, "revision")
		td := &placement.TaskDefinition{Family: fam, Revision: rev}
		key := rapid.OneOf(
			rapid.Just(tdKey(td)),
			rapid.Custom(func(t *rapid.T) string {
				return rapid.SampledFrom([]string{"", "web", "web:1", "we", "web1"}).Draw(t, "kfamily") + ":" +
					strconv.Itoa(rapid.SampledFrom([]int{0, 1, 10, -1, 11}).Draw(t, "krevision"))
			}),
			rapid.StringMatching(`[a-z:0-9-]{0,8}`),
		).Draw(t, "key")
		if got, want := isTDKey(key, td), key == tdKey(td); got != want {
			t.Fatalf("isTDKey(%q, %q) = %v, want %v", key, tdKey(td), got, want)
		}
	})
}
