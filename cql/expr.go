package cql

import (
	"slices"
	"strings"
	"time"
)

// Expr is a compiled expression. Parse builds it; its literals, regular
// expressions and lists are already parsed and compiled, so Match only
// compares. An Expr is immutable and safe for concurrent use by any
// number of goroutines. The zero Expr matches nothing and prints as "".
type Expr struct {
	root  *node
	uses  Uses
	attrs []string // distinct attribute names, sorted
}

// Uses is a set of the subjects an expression reads, one bit per
// subject. Placement uses it to cache results: an expression whose Uses
// is a subset of UsesAttribute gives the same answer on every instance
// with equal attributes, while UsesTaskGroup and UsesRunningTasksCount
// mean the answer changes as tasks are placed.
type Uses uint8

// The subjects, as bits of Uses.
const (
	UsesAttribute         Uses = 1 << iota // attribute:<name>
	UsesTaskGroup                          // task:group
	UsesAgentConnected                     // agentConnected
	UsesAgentVersion                       // agentVersion
	UsesEC2InstanceID                      // ec2InstanceId
	UsesRegisteredAt                       // registeredAt
	UsesRunningTasksCount                  // runningTasksCount
)

// subject identifies what a simple expression reads. Its value is the
// bit position of its Uses bit.
type subject uint8

const (
	sAttribute subject = iota
	sTaskGroup
	sAgentConnected
	sAgentVersion
	sEC2InstanceID
	sRegisteredAt
	sRunningTasksCount
)

// subjectNames spells each subject; attribute's name follows the prefix.
var subjectNames = [...]string{
	sAttribute:         "attribute:",
	sTaskGroup:         "task:group",
	sAgentConnected:    "agentConnected",
	sAgentVersion:      "agentVersion",
	sEC2InstanceID:     "ec2InstanceId",
	sRegisteredAt:      "registeredAt",
	sRunningTasksCount: "runningTasksCount",
}

// node is one node of the tree: and, or (two or more kids, never a kid
// of their own kind: chains are flattened), not (one kid), or a simple
// expression (op is a comparison operator). One struct for every node
// keeps Match free of interface calls.
type node struct {
	op   kind
	kids []*node

	// A simple expression as written: subject, attribute name and the
	// literal values (none for exists, one or more for in, else one).
	subj subject
	attr string
	args []string

	// Compiled forms of args, filled by compile according to subj and op.
	str             string    // args[0], for string subjects
	num             bool      // str is a decimal number (attribute ordering)
	set             strSet    // in, !in
	re              matcher   // =~, !~
	ver             version   // agentVersion
	at              time.Time // registeredAt
	n               int       // runningTasksCount
	ifTrue, ifFalse bool      // agentConnected: the answer for each state
}

// Match reports whether s satisfies the expression. It neither parses
// nor allocates (beyond what s's methods do) and is safe to call
// concurrently.
func (e *Expr) Match(s Subject) bool {
	if e == nil || e.root == nil {
		return false
	}
	return e.root.eval(s)
}

func (n *node) eval(s Subject) bool {
	switch n.op {
	case kAnd:
		for _, k := range n.kids {
			if !k.eval(s) {
				return false
			}
		}
		return true
	case kOr:
		for _, k := range n.kids {
			if k.eval(s) {
				return true
			}
		}
		return false
	case kNot:
		return !n.kids[0].eval(s)
	}
	switch n.subj {
	case sAttribute:
		v, ok := s.Attribute(n.attr)
		if !ok {
			// On an absent attribute only !exists holds.
			return n.op == kNotExists
		}
		return n.test(v)
	case sTaskGroup:
		groups := s.TaskGroups()
		switch n.op {
		case kExists:
			return len(groups) > 0
		case kNotExists:
			return len(groups) == 0
		}
		// True when some hosted task's group satisfies op.
		for _, g := range groups {
			if n.test(g) {
				return true
			}
		}
		return false
	case sEC2InstanceID:
		return n.test(s.EC2InstanceID())
	case sAgentConnected:
		if s.AgentConnected() {
			return n.ifTrue
		}
		return n.ifFalse
	case sAgentVersion:
		v, ok := parseVersion(s.AgentVersion())
		return ok && ordered(n.op, v.compare(n.ver))
	case sRegisteredAt:
		return ordered(n.op, s.RegisteredAt().Compare(n.at))
	case sRunningTasksCount:
		c := s.RunningTasksCount()
		return ordered(n.op, compareInt(c, n.n))
	}
	return false
}

// test applies a string-valued simple expression to one value.
func (n *node) test(v string) bool {
	switch n.op {
	case kEqual:
		return v == n.str
	case kNotEqual:
		return v != n.str
	case kIn:
		return n.set.has(v)
	case kNotIn:
		return !n.set.has(v)
	case kMatches:
		return n.re.match(v)
	case kNotMatches:
		return !n.re.match(v)
	case kExists:
		return true
	case kNotExists:
		return false
	}
	return ordered(n.op, compareOrder(v, n.str, n.num))
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Uses reports which subjects the expression reads.
func (e *Expr) Uses() Uses {
	if e == nil {
		return 0
	}
	return e.uses
}

// Attributes returns the distinct attribute names the expression reads,
// sorted, in a slice the caller may keep and modify.
func (e *Expr) Attributes() []string {
	if e == nil || len(e.attrs) == 0 {
		return nil
	}
	return slices.Clone(e.attrs)
}

// String returns the canonical form: symbol operators (==, !=, >, >=, <,
// <=, in, !in, =~, !~, exists, !exists), "and", "or", "not(...)", one
// space around operators, lists as [a, b], values bare where possible
// and otherwise single-quoted (double-quoted when they hold a single
// quote), parentheses only where precedence needs them.
//
// The canonical form always parses back to an Equal expression. MaxLength
// limits the source, and the spaced form above can be longer than the
// source it came from (a source written without spaces close to the limit
// prints longer than the limit). When the spaced form is longer than
// MaxLength, String returns the compact form instead: the same tokens in
// their shortest spellings (&&, ||, ! and no optional spaces or brackets),
// which is never longer than any source of the same expression, so never
// longer than MaxLength.
func (e *Expr) String() string {
	if e == nil || e.root == nil {
		return ""
	}
	var b strings.Builder
	e.root.write(&b, false)
	if b.Len() <= MaxLength {
		return b.String()
	}
	b.Reset()
	e.root.write(&b, true)
	return b.String()
}

// write prints n in canonical form, or in compact form: where the spaced
// form writes " and ", "not(x)", "in [v]" and " == ", the compact one
// writes "&&", "!x", "in v" and "==", keeping a space only between two
// words that would otherwise run together.
func (n *node) write(b *strings.Builder, compact bool) {
	switch n.op {
	case kAnd, kOr:
		for i, k := range n.kids {
			if i > 0 {
				switch {
				case !compact:
					b.WriteString(" " + n.op.String() + " ")
				case n.op == kAnd:
					b.WriteString("&&")
				default:
					b.WriteString("||")
				}
			}
			// Only an or inside an and needs parentheses: not binds
			// tighter than both, and chains of one kind are flattened.
			paren := n.op == kAnd && k.op == kOr
			if paren {
				b.WriteByte('(')
			}
			k.write(b, compact)
			if paren {
				b.WriteByte(')')
			}
		}
		return
	case kNot:
		k := n.kids[0]
		if !compact {
			b.WriteString("not(")
			k.write(b, compact)
			b.WriteByte(')')
			return
		}
		// not binds tightest: only an and or an or under it needs
		// parentheses.
		b.WriteByte('!')
		paren := k.op == kAnd || k.op == kOr
		if paren {
			b.WriteByte('(')
		}
		k.write(b, compact)
		if paren {
			b.WriteByte(')')
		}
		return
	}
	b.WriteString(subjectNames[n.subj])
	b.WriteString(n.attr)
	if !compact {
		b.WriteByte(' ')
		b.WriteString(n.op.String())
	} else {
		// in and exists are words: a space keeps them apart from the
		// subject. Every other operator starts with a symbol byte.
		if n.op == kIn || n.op == kExists {
			b.WriteByte(' ')
		}
		b.WriteString(n.op.String())
	}
	switch {
	case (n.op == kIn || n.op == kNotIn) && (!compact || len(n.args) != 1):
		if !compact {
			b.WriteByte(' ')
		}
		b.WriteByte('[')
		for i, a := range n.args {
			if i > 0 {
				b.WriteString(",")
				if !compact {
					b.WriteByte(' ')
				}
			}
			quote(b, a)
		}
		b.WriteByte(']')
	case len(n.args) == 1:
		// A bare value after an operator ending in a letter (in, !in)
		// needs a space; after a symbol it does not.
		if !compact || isBare(n.args[0]) && (n.op == kIn || n.op == kNotIn) {
			b.WriteByte(' ')
		}
		quote(b, n.args[0])
	}
}

// Equal reports whether e and f have the same tree: the same structure,
// subjects, operators (whatever their spelling) and literal values as
// written. It lets go-cmp compare values that hold an *Expr.
func (e *Expr) Equal(f *Expr) bool {
	if e == nil || f == nil {
		return e == f
	}
	return equalNodes(e.root, f.root)
}

func equalNodes(a, b *node) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.op == b.op && a.subj == b.subj && a.attr == b.attr &&
		slices.Equal(a.args, b.args) &&
		slices.EqualFunc(a.kids, b.kids, equalNodes)
}
