package scheduler

import (
	"fmt"
	"strings"
	"testing"
)

// TestMsgTaskList wants msgTaskList, sized before it is built, to say
// what the plain concatenation of its parts says.
func TestMsgTaskList(t *testing.T) {
	for _, ids := range [][]string{{"a"}, {"0123456789abcdef0123456789abcdef", "x"}, strings.Fields("1 2 3 4 5 6 7 8 9 10 11 12")} {
		want := fmt.Sprintf("(service web) has stopped %d running tasks:", len(ids))
		for _, id := range ids {
			want += " (task " + id + ")"
		}
		want += "."
		got := msgTaskList("web", "stopped", "running tasks", len(ids), func(i int) string { return ids[i] })
		if got != want {
			t.Errorf("msgTaskList(%q) = %q, want %q", ids, got, want)
		}
	}
}
