package cql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// attr is one attribute of a test instance. A name listed twice is not
// allowed; an attribute with no value has value "".
type attr struct{ name, value string }

// inst is the test Subject: attributes in a small slice, scanned in
// order, as a real instance type would hold them.
type inst struct {
	name       string
	attrs      []attr
	groups     []string
	connected  bool
	version    string
	id         string
	registered time.Time
	running    int
}

func (i *inst) Attribute(name string) (string, bool) {
	for _, a := range i.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}
func (i *inst) TaskGroups() []string      { return i.groups }
func (i *inst) AgentConnected() bool      { return i.connected }
func (i *inst) AgentVersion() string      { return i.version }
func (i *inst) EC2InstanceID() string     { return i.id }
func (i *inst) RegisteredAt() time.Time   { return i.registered }
func (i *inst) RunningTasksCount() int    { return i.running }
func (i *inst) String() string            { return i.name }
func (i *inst) with(a ...attr) *inst      { i.attrs = append(i.attrs, a...); return i }
func (i *inst) hosting(g ...string) *inst { i.groups = append(i.groups, g...); return i }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// mustParse parses src or fails the test.
func mustParse(t *testing.T, src string) *Expr {
	t.Helper()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", src, err)
	}
	return e
}

// matching returns the names of the instances e matches, in order.
func matching(e *Expr, fleet []*inst) []string {
	names := []string{}
	for _, i := range fleet {
		if e.Match(i) {
			names = append(names, i.name)
		}
	}
	return names
}

// checkMatches parses src and compares the instances it matches.
func checkMatches(t *testing.T, src string, fleet []*inst, want []string) {
	t.Helper()
	e := mustParse(t, src)
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, matching(e, fleet)); diff != "" {
		t.Errorf("Parse(%q) matches (-want +got):\n%s", src, diff)
	}
	// The canonical form must select the same instances.
	if c := mustParse(t, e.String()); !c.Equal(e) {
		t.Errorf("Parse(%q).String() = %q does not parse back to an equal tree", src, e.String())
	}
}

// dump prints the tree unambiguously, for tests that look at structure.
func dump(n *node) string {
	var b strings.Builder
	var walk func(n *node)
	walk = func(n *node) {
		switch n.op {
		case kAnd, kOr, kNot:
			b.WriteString("(" + n.op.String())
			for _, k := range n.kids {
				b.WriteByte(' ')
				walk(k)
			}
			b.WriteByte(')')
			return
		}
		b.WriteString("[" + subjectNames[n.subj] + n.attr + " " + n.op.String())
		for _, a := range n.args {
			b.WriteString(" " + quoteForDump(a))
		}
		b.WriteByte(']')
	}
	walk(n)
	return b.String()
}

func quoteForDump(s string) string { return "«" + s + "»" }

// asError is errors.As for *Error.
func asError(err error, target **Error) bool { return errors.As(err, target) }
