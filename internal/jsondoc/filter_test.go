package jsondoc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testFilter keeps of the elements of "items" only their "id" and "tags"
// members, and of "tags" no more than is written; "other" is kept whole.
var testFilter = &Filter{Keys: map[string]*Filter{
	"items": {Elems: &Filter{Only: true, Keys: map[string]*Filter{"id": nil, "tags": nil}}},
}}

// prune is the reference of ParseFiltered: the whole tree, pruned after.
func prune(n Node, f *Filter) Node {
	if f == nil {
		return n
	}
	switch n.Kind {
	case Object:
		var ms []Member
		for _, m := range n.Members {
			sub, named := f.Keys[m.Key]
			if named || !f.Only {
				m.Value = prune(m.Value, sub)
				ms = append(ms, m)
			}
		}
		n.Members = ms
	case Array:
		es := make([]Node, 0, len(n.Elems))
		for _, e := range n.Elems {
			es = append(es, prune(e, f.Elems))
		}
		n.Elems = es
		if len(es) == 0 {
			n.Elems = nil
		}
	}
	return n
}

// TestParseFiltered: what a filter drops is read as strictly as the rest,
// with the same errors, and the tree is the whole one pruned.
func TestParseFiltered(t *testing.T) {
	tests := []struct{ name, doc, err string }{
		{"pruned", `{"items": [{"id": 1, "big": {"a": [1, 2, {"b": "c"}]}, "tags": ["x"]}, {"id": 2}], "other": {"x": 1}}`, ""},
		{"not-an-array", `{"items": {"id": 1, "big": 2}}`, ""},
		{"not-an-object", `{"items": [1, "a", null, [{"big": 1}]]}`, ""},
		{"duplicate-in-dropped", `{"items": [{"id": 1, "big": {"a": 1, "a": 2}}]}`, `f:1:38: items[0].big: duplicate key "a" (first at line 1, column 30)`},
		{"duplicate-dropped-key", `{"items": [{"big": 1, "big": 2}]}`, `f:1:23: items[0]: duplicate key "big" (first at line 1, column 13)`},
		{"control-character", "{\"items\": [{\"big\": \"a\tb\"}]}", ""},
		{"bad-escape", `{"items": [{"big": "a\qb"}]}`, "f:1:24: items[0].big: expected an escape such as \\n or \\u00e9, found \\q"},
		{"bad-literal", `{"items": [{"big": tru}]}`, `f:1:20: items[0].big: expected a value, found "tru"`},
		{"too-many-values", `{"items": [{"big": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]}`, "f:1:53: items[0].big[16]: more than the limit of 20 values"},
		{"too-deep", `{"items": [{"big": [[[[[[[[[[]]]]]]]]]]}]}`, "f:1:27: items[0].big[0][0][0][0][0][0][0]: nested deeper than the limit of 10 levels"},
		{"string-too-long", `{"items": [{"big": "` + string(make([]byte, 40)) + `"}]}`, ""},
	}
	lim := Limits{MaxDepth: 10, MaxValues: 20, MaxString: 32}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			whole, werr := Parse([]byte(tt.doc), "f", lim)
			got, err := NewParser("f", lim).ParseFiltered([]byte(tt.doc), testFilter)
			if errString(err) != errString(werr) {
				t.Fatalf("ParseFiltered(%q) error %v, Parse's %v", tt.doc, err, werr)
			}
			if tt.err != "" && errString(err) != tt.err {
				t.Errorf("ParseFiltered(%q) error %v, want %s", tt.doc, err, tt.err)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(prune(*whole, testFilter), *got); diff != "" {
				t.Errorf("ParseFiltered(%q) (-whole pruned +filtered):\n%s", tt.doc, diff)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzParseFiltered: a filter never changes whether a document reads, nor
// its error, and keeps exactly what it says.
func FuzzParseFiltered(f *testing.F) {
	for _, s := range []string{`{"items": [{"id": 1, "big": {"a": [1, 2]}, "tags": ["x"]}], "other": 1}`, `{"items": [{"big": {"a": 1, "a": 2}}]}`, `{"items": [{"big": "\u00e9\x"}]}`, `{"items": [[[[`, `{"items": 1}`} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxDepth: 20, MaxValues: 1000, MaxString: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, werr := Parse(data, "f", lim)
		got, err := NewParser("f", lim).ParseFiltered(data, testFilter)
		if errString(err) != errString(werr) {
			t.Fatalf("ParseFiltered(%q) error %v, Parse's %v", data, err, werr)
		}
		if err != nil {
			return
		}
		if diff := cmp.Diff(prune(*whole, testFilter), *got); diff != "" {
			t.Fatalf("ParseFiltered(%q) (-whole pruned +filtered):\n%s", data, diff)
		}
	})
}
