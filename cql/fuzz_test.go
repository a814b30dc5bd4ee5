package cql

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that an accepted expression
// prints a canonical form that parses to an equal tree and prints the
// same again, and that a rejected one yields an *Error with a valid
// offset and a one-line message.
func FuzzParse(f *testing.F) {
	for _, src := range goodExprs {
		f.Add(src)
	}
	for _, src := range badExprs {
		f.Add(src)
	}
	subject := docFleet()[0]
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			ce, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q) error is %T, want *Error", src, err)
			}
			if ce.Offset < 0 || ce.Offset > len(src) || ce.Src != src {
				t.Fatalf("Parse(%q) error offset %d outside [0, %d] or Src %q", src, ce.Offset, len(src), ce.Src)
			}
			if msg := ce.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "cql: ") {
				t.Fatalf("Parse(%q) error %q is not one line starting with cql:", src, msg)
			}
			_ = ce.Caret()
			return
		}
		e.Match(subject)
		s := e.String()
		// The canonical form always parses; the compact form, used when
		// the spaced one is too long, is never longer than the source.
		again, perr := Parse(s)
		if perr != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", src, s, perr)
		}
		var compact strings.Builder
		e.root.write(&compact, true)
		if compact.Len() > len(src) {
			t.Fatalf("Parse(%q) has a compact form of %d bytes, longer than the source: %q", src, compact.Len(), compact.String())
		}
		if again2, err := Parse(compact.String()); err != nil || !again2.Equal(e) {
			t.Fatalf("Parse(%q)'s compact form %q does not parse to an equal tree: %v", src, compact.String(), err)
		}
		if !again.Equal(e) {
			t.Fatalf("Parse(%q) = %s, but its String %q parses to %s", src, dump(e.root), s, dump(again.root))
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("String is not a fixed point for %q: %q then %q", src, s, s2)
		}
	})
}
