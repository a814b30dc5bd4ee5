package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/google/go-cmp/cmp"
)

// FuzzParseFlat: whenever the fast path reads a line, the full path reads
// it too, to the same event and the same key offsets.
func FuzzParseFlat(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "example.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f.Add(line)
	}
	for _, s := range []string{
		`{"time":1,"kind":"submit","task":"a","cpu":1024,"memory":2048,"duration":600}`,
		` { "time" : 1.5e3 , "kind":"submit", "task":"t-1","cpu":0,"untimed":true } `,
		`{"time":01,"kind":"submit","task":"a"}`, `{"time":1,"kind":"submit","task":"a","cpu":1.0}`,
		`{"time":1,"kind":"submit","task":"a","cpu":99999999999999999999}`, `{"time":-0,"kind":"submit","task":"a"}`,
		`{"time":1,"kind":"submit","task":"a\u0062"}`, `{"time":1,"kind":"submit","task":"a","task":"b"}`,
		`{"time":1,"kind":"submit","task":"a"}x`, `{"time":1,"kind":"submit","task":"a",}`, `{}`,
		`{"time":1,"kind":"submit","task":"a","untimed":false}`, `{"time":1,"kind":"submit","task":"a","untimed":tru}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var fast Event
		var fs keyScan
		if !parseFlat(line, &fast, &fs) {
			return
		}
		var full Event
		var ss keyScan
		if _, msg, err := parseEvent(jsondoc.NewParser("", lineLimits), line, &full, &ss); msg != "" {
			t.Fatalf("parseFlat(%q) read it; parseEvent: %s (%v)", line, msg, err)
		}
		if diff := cmp.Diff(full, fast); diff != "" {
			t.Fatalf("parseFlat(%q) differs from parseEvent (-full +fast):\n%s", line, diff)
		}
		if fs != ss {
			t.Fatalf("parseFlat(%q) scanned %+v, parseEvent %+v", line, fs, ss)
		}
	})
}
