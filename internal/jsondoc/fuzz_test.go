package jsondoc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/berthsched/berth/fielderr"
	"github.com/google/go-cmp/cmp"
)

// FuzzParse: no input panics; an error is a one-line *Error whose position
// is inside the input; a document read prints as JSON that encoding/json
// accepts and that reads back to the same values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a": [1, -2.5e3, true, null, "x\u00e9\ud83d\ude00"]}`, `{"a": 1, "a": 2}`, "\uFEFF[]", `[[[[`, `"\ud800"`, `01`, `{"a":tru}`, ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data, "f", Limits{MaxDepth: 20, MaxValues: 1000})
		if err != nil {
			var e *fielderr.Error
			if !errors.As(err, &e) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q (%T) is not a one-line *Error", err, err)
			}
			lines := strings.Count(string(data), "\n") + 1
			if e.Line > lines || e.Line < 0 {
				t.Fatalf("error %v: line beyond the input's %d lines", err, lines)
			}
			return
		}
		out := n.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("AppendJSON printed invalid JSON %q", out)
		}
		back, err := Parse(out, "again", Limits{MaxDepth: 20, MaxValues: 1000})
		if err != nil {
			t.Fatalf("rereading %q: %v", out, err)
		}
		if diff := cmp.Diff(n.Any(), back.Any()); diff != "" {
			t.Fatalf("reread differs (-read +reread):\n%s", diff)
		}
	})
}
