package cql

import (
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// This file holds the generators and the properties: compiled evaluation
// (Match) against a deliberately naive evaluator that walks a generated
// tree and re-parses every literal on every call.

// gNode is a generated expression, independent of the package's tree.
type gNode struct {
	op   string // "and", "or", "not" or "cmp"
	kids []*gNode
	subj string // for cmp: "attribute", "task:group", "agentConnected", ...
	attr string
	cop  string // canonical operator: == != > >= < <= in !in =~ !~ exists !exists
	args []string
}

// Small pools, so that generated expressions match often.
var (
	genAttrNames  = []string{"stack", "ecs.instance-type", "n"}
	genAttrValues = []string{"prod", "dev", "", "t2.small", "t2.medium", "g2.2xlarge", "10", "9", "-2.5", "010.0",
		"9a", "a\nb", "\xff", "t2.\xffx", "PROD", "it's", "with space"}
	genStrLiterals = []string{"prod", "dev", "", "t2.small", "10", "9.5", "-3", "9a", "PROD", "it's", "a=b",
		"with space", "and", `"q"`, "web", "i-1"}
	genPatterns = []string{"t2.*", "g2.*", ".*", `t2\..*`, ".*small", "t.*l", "prod", "(?s).*", "^t2.*$", "a.*b",
		"[a-z]+", "t2.(small|medium)", "(?i)PROD", "", ".*\uFFFD", "\uFFFD", "(?s)a.*b", "9.*", `-?[0-9]+(\.[0-9]+)?`,
		`.*\n.*`, "we.*", ".*e.*", "t.*", "f.*", "true"}
	genGroups       = []string{"web", "database", "service:production", "db"}
	genIDs          = []string{"i-1", "i-2", "i-abc"}
	genVersions     = []string{"1.9.0", "1.14.4", "1.14.5", "1.14", "1.20.0", "", "v1", "1.2.3.4", "1.2.3.4.5"}
	genVersionLits  = []string{"1.9.0", "1.14.5", "1.14", "2", "1.20.0.0"}
	genDateLits     = []string{"2018-02-13", "2018-02-13T00:00:00", "2018-02-12T23:59:59Z", "2018-02-13T01:00:00+01:00", "2018-06-18T22:28:28.5Z"}
	genTimes        = []string{"2018-02-12T23:59:59Z", "2018-02-13T00:00:00Z", "2018-02-13T00:00:00+01:00", "2018-06-18T22:28:28.5Z", "2019-01-01T00:00:00Z"}
	genCountLits    = []string{"-1", "0", "1", "2", "3", "+2", "007"}
	genSubjects     = []string{"attribute", "attribute", "attribute", "task:group", "agentConnected", "agentVersion", "ec2InstanceId", "registeredAt", "runningTasksCount"}
	genStringOps    = []string{"==", "!=", "in", "!in", "=~", "!~"}
	genOrderOps     = []string{"==", "!=", ">", ">=", "<", "<="}
	genAttributeOps = []string{"==", "!=", ">", ">=", "<", "<=", "in", "!in", "=~", "!~", "exists", "!exists"}
	genGroupOps     = []string{"==", "!=", "in", "!in", "=~", "!~", "exists", "!exists"}
)

func genCmp(t *rapid.T) *gNode {
	n := &gNode{op: "cmp", subj: rapid.SampledFrom(genSubjects).Draw(t, "subject")}
	lits := genStrLiterals
	switch n.subj {
	case "attribute":
		n.attr = rapid.SampledFrom(genAttrNames).Draw(t, "attr")
		n.cop = rapid.SampledFrom(genAttributeOps).Draw(t, "op")
	case "task:group":
		n.cop = rapid.SampledFrom(genGroupOps).Draw(t, "op")
		lits = append(slices.Clone(genGroups), "other")
	case "ec2InstanceId":
		n.cop = rapid.SampledFrom(genStringOps).Draw(t, "op")
		lits = append(slices.Clone(genIDs), "i-9")
	case "agentConnected":
		n.cop = rapid.SampledFrom(genStringOps).Draw(t, "op")
		lits = []string{"true", "false"}
	case "agentVersion":
		n.cop = rapid.SampledFrom(genOrderOps).Draw(t, "op")
		lits = genVersionLits
	case "registeredAt":
		n.cop = rapid.SampledFrom(genOrderOps).Draw(t, "op")
		lits = genDateLits
	case "runningTasksCount":
		n.cop = rapid.SampledFrom(genOrderOps).Draw(t, "op")
		lits = genCountLits
	}
	switch n.cop {
	case "exists", "!exists":
	case "in", "!in":
		n.args = rapid.SliceOfN(rapid.SampledFrom(lits), 1, 4).Draw(t, "list")
	case "=~", "!~":
		n.args = []string{rapid.SampledFrom(genPatterns).Draw(t, "pattern")}
	default:
		n.args = []string{rapid.SampledFrom(lits).Draw(t, "value")}
	}
	return n
}

func genExpr(t *rapid.T, depth int) *gNode {
	if depth <= 0 || rapid.IntRange(0, 2).Draw(t, "leaf") == 0 {
		return genCmp(t)
	}
	switch op := rapid.SampledFrom([]string{"and", "or", "not"}).Draw(t, "bool"); op {
	case "not":
		return &gNode{op: op, kids: []*gNode{genExpr(t, depth-1)}}
	default:
		k := rapid.IntRange(2, 3).Draw(t, "kids")
		n := &gNode{op: op}
		for range k {
			n.kids = append(n.kids, genExpr(t, depth-1))
		}
		return n
	}
}

func genInstance(t *rapid.T, name string) *inst {
	i := &inst{name: name}
	for _, a := range genAttrNames {
		if rapid.Bool().Draw(t, "has "+a) {
			i.attrs = append(i.attrs, attr{a, rapid.SampledFrom(genAttrValues).Draw(t, a)})
		}
	}
	i.groups = rapid.SliceOfN(rapid.SampledFrom(genGroups), 0, 3).Draw(t, "groups")
	i.connected = rapid.Bool().Draw(t, "connected")
	i.version = rapid.SampledFrom(genVersions).Draw(t, "version")
	i.id = rapid.SampledFrom(genIDs).Draw(t, "id")
	i.registered = at(rapid.SampledFrom(genTimes).Draw(t, "registered"))
	i.running = rapid.IntRange(0, 3).Draw(t, "running")
	return i
}

// render writes n in a randomly chosen but valid spelling: word or
// symbol aliases, bare or quoted values, varied whitespace, and
// parentheses where precedence needs them (and sometimes where not).
func render(t *rapid.T, n *gNode) string {
	var b strings.Builder
	renderTo(t, &b, n, 0)
	return b.String()
}

var genAliases = map[string][]string{
	"and": {" and ", " && ", "&&", "\nand\t"}, "or": {" or ", " || ", "||", "\n\tor "},
	"==": {"==", "equals"}, "!=": {"!=", "not_equals"}, ">": {">", "greater_than"}, ">=": {">=", "greater_than_equal"},
	"<": {"<", "less_than"}, "<=": {"<=", "less_than_equal"}, "in": {"in"}, "!in": {"!in", "not_in"},
	"=~": {"=~", "matches"}, "!~": {"!~", "not_matches"}, "exists": {"exists"}, "!exists": {"!exists", "not_exists"},
}

func precedence(n *gNode) int {
	switch n.op {
	case "or":
		return 1
	case "and":
		return 2
	}
	return 3
}

func renderTo(t *rapid.T, b *strings.Builder, n *gNode, min int) {
	paren := precedence(n) < min || rapid.IntRange(0, 9).Draw(t, "extra paren") == 0
	if paren {
		b.WriteString("(")
	}
	switch n.op {
	case "and", "or":
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(rapid.SampledFrom(genAliases[n.op]).Draw(t, "bool op"))
			}
			renderTo(t, b, k, precedence(n))
		}
	case "not":
		b.WriteString(rapid.SampledFrom([]string{"not ", "! ", "!", "not(", "not (", "!("}).Draw(t, "not"))
		// After "not(" the kid is already in parentheses.
		s := b.String()
		if strings.HasSuffix(s, "(") {
			renderTo(t, b, n.kids[0], 0)
			b.WriteString(")")
		} else {
			renderTo(t, b, n.kids[0], 3)
		}
	default:
		if n.subj == "attribute" {
			b.WriteString("attribute:" + n.attr)
		} else {
			b.WriteString(n.subj)
		}
		b.WriteString(" " + rapid.SampledFrom(genAliases[n.cop]).Draw(t, "op"))
		switch {
		case n.cop == "in" || n.cop == "!in":
			if len(n.args) == 1 && rapid.Bool().Draw(t, "no brackets") {
				b.WriteString(" " + renderValue(t, n.args[0]))
				break
			}
			b.WriteString(rapid.SampledFrom([]string{" [", "[", " [ "}).Draw(t, "open"))
			for i, a := range n.args {
				if i > 0 {
					b.WriteString(rapid.SampledFrom([]string{",", ", ", " , "}).Draw(t, "comma"))
				}
				b.WriteString(renderValue(t, a))
			}
			b.WriteString("]")
		case len(n.args) == 1:
			b.WriteString(" " + renderValue(t, n.args[0]))
		}
	}
	if paren {
		b.WriteString(")")
	}
}

// renderValue writes v bare when it can be (checked here, not with the
// package's own isBare) and otherwise quoted.
func renderValue(t *rapid.T, v string) string {
	bare := v != "" && !strings.ContainsAny(v, " \t\n\r()[],'\"!=<>&|~") && genAliases[v] == nil &&
		!slices.Contains([]string{"and", "or", "not", "equals", "not_equals", "greater_than", "greater_than_equal",
			"less_than", "less_than_equal", "not_in", "matches", "not_matches", "not_exists"}, v)
	if bare && rapid.Bool().Draw(t, "bare") {
		return v
	}
	if strings.Contains(v, "'") {
		return `"` + v + `"`
	}
	if !strings.Contains(v, `"`) && rapid.Bool().Draw(t, "double") {
		return `"` + v + `"`
	}
	return "'" + v + "'"
}

// naive evaluates n on i the slow, obvious way.
func naive(n *gNode, i *inst) bool {
	switch n.op {
	case "and":
		for _, k := range n.kids {
			if !naive(k, i) {
				return false
			}
		}
		return true
	case "or":
		for _, k := range n.kids {
			if naive(k, i) {
				return true
			}
		}
		return false
	case "not":
		return !naive(n.kids[0], i)
	}
	switch n.subj {
	case "attribute":
		idx := slices.IndexFunc(i.attrs, func(a attr) bool { return a.name == n.attr })
		if idx < 0 {
			return n.cop == "!exists"
		}
		return naiveString(n, i.attrs[idx].value)
	case "task:group":
		switch n.cop {
		case "exists":
			return len(i.groups) > 0
		case "!exists":
			return len(i.groups) == 0
		}
		return slices.ContainsFunc(i.groups, func(g string) bool { return naiveString(n, g) })
	case "ec2InstanceId":
		return naiveString(n, i.id)
	case "agentConnected":
		return naiveString(n, strconv.FormatBool(i.connected))
	case "agentVersion":
		v, ok1 := naiveVersion(i.version)
		w, ok2 := naiveVersion(n.args[0])
		if !ok1 || !ok2 {
			return false
		}
		return naiveOrdered(n.cop, slices.Compare(v, w))
	case "registeredAt":
		for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
			if lit, err := time.Parse(layout, n.args[0]); err == nil {
				return naiveOrdered(n.cop, i.registered.Compare(lit))
			}
		}
		panic("bad generated date " + n.args[0])
	case "runningTasksCount":
		lit, err := strconv.Atoi(n.args[0])
		if err != nil {
			panic(err)
		}
		return naiveOrdered(n.cop, i.running-lit)
	}
	panic("unknown subject " + n.subj)
}

func naiveString(n *gNode, v string) bool {
	switch n.cop {
	case "==":
		return v == n.args[0]
	case "!=":
		return v != n.args[0]
	case "in":
		return slices.Contains(n.args, v)
	case "!in":
		return !slices.Contains(n.args, v)
	case "=~":
		return regexp.MustCompile("^(?:" + n.args[0] + ")$").MatchString(v)
	case "!~":
		return !regexp.MustCompile("^(?:" + n.args[0] + ")$").MatchString(v)
	case "exists":
		return true
	case "!exists":
		return false
	}
	numRe := regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)
	if numRe.MatchString(v) && numRe.MatchString(n.args[0]) {
		a, _ := new(big.Rat).SetString(strings.TrimPrefix(v, "+"))
		b, _ := new(big.Rat).SetString(strings.TrimPrefix(n.args[0], "+"))
		return naiveOrdered(n.cop, a.Cmp(b))
	}
	return naiveOrdered(n.cop, strings.Compare(v, n.args[0]))
}

// naiveVersion splits "1.14.5" into four numbers.
func naiveVersion(s string) ([]uint64, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return nil, false
	}
	out := make([]uint64, 4)
	for k, p := range parts {
		if !regexp.MustCompile(`^[0-9]{1,18}$`).MatchString(p) {
			return nil, false
		}
		out[k], _ = strconv.ParseUint(p, 10, 64)
	}
	return out, true
}

func naiveOrdered(op string, c int) bool {
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	panic("not an ordering: " + op)
}

// TestMatchEqualsNaive is the main property: on generated expressions,
// spelled every which way, and generated instances, Match agrees with
// the naive evaluator, and the canonical form parses to an equal tree.
func TestMatchEqualsNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genExpr(t, 3)
		src := render(t, g)
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q) error: %v", src, err)
		}
		if again, err := Parse(e.String()); err != nil || !again.Equal(e) {
			t.Fatalf("Parse(%q).String() = %q does not parse back to an equal tree (err %v)", src, e.String(), err)
		}
		for k := range 5 {
			i := genInstance(t, "i"+strconv.Itoa(k))
			if got, want := e.Match(i), naive(g, i); got != want {
				t.Fatalf("Parse(%q).Match(%+v) = %v, naive evaluator says %v", src, *i, got, want)
			}
		}
	})
}

// TestMatcherEqualsRegexp checks the regular-expression fast paths, and
// the fallback, against plain full matching with Go's regexp on patterns
// built from pieces that exercise them: literals, .*, anchors, flags, an
// explicit U+FFFD and newlines; and values with newlines and invalid
// UTF-8.
func TestMatcherEqualsRegexp(t *testing.T) {
	pieces := []string{"a", "b", "é", `\.`, `\n`, ".*", ".*", ".", "^", "$", "(?s)", "(?i)", "x|y", "[ab]",
		`\x{FFFD}`, "+", "?", "(", ")", ".*?"}
	chars := []string{"a", "b", "é", "\n", ".", "\xff", "x", "\uFFFD", "A", "\xe9"}
	fast := 0
	rapid.Check(t, func(t *rapid.T) {
		p := strings.Join(rapid.SliceOfN(rapid.SampledFrom(pieces), 0, 5).Draw(t, "pattern"), "")
		want, err := regexp.Compile("^(?:" + p + ")$")
		if _, perr := regexp.Compile(p); perr != nil {
			err = perr
		}
		m, merr := compileMatcher(p)
		if (err == nil) != (merr == nil) {
			t.Fatalf("compileMatcher(%q) error = %v, regexp.Compile error = %v", p, merr, err)
		}
		if err != nil {
			return
		}
		if m.re == nil {
			fast++
		}
		for k := range 8 {
			v := strings.Join(rapid.SliceOfN(rapid.SampledFrom(chars), 0, 6).Draw(t, "value"+strconv.Itoa(k)), "")
			if got, w := m.match(v), want.MatchString(v); got != w {
				t.Fatalf("compileMatcher(%q) = %+v; match(%q) = %v, regexp says %v", p, m, v, got, w)
			}
		}
	})
	if fast == 0 {
		t.Errorf("no generated pattern took a fast path; the property tests nothing it should")
	}
}

// TestFastPathShapes checks which patterns avoid regexp.
func TestFastPathShapes(t *testing.T) {
	tests := []struct {
		pattern string
		fast    bool
	}{
		{"t2.small", false}, // '.' is a wildcard here
		{`t2\.small`, true},
		{"t2.*", true},
		{"g2.*", true},
		{".*", true},
		{".*small", true},
		{"t2.*small", true},
		{"^t2.*$", true},
		{"(?s)t2.*", true},
		{"t2.*?", true},
		{"", true},
		{"prod", true},
		{"(?i)prod", false},
		{"t2.+", false},
		{"a.*b.*c", false},
		{"\uFFFD.*", false},
		{"[ab].*", false},
	}
	for _, tt := range tests {
		m, err := compileMatcher(tt.pattern)
		if err != nil {
			t.Fatalf("compileMatcher(%q) error: %v", tt.pattern, err)
		}
		if got := m.re == nil; got != tt.fast {
			t.Errorf("compileMatcher(%q) fast path = %v, want %v", tt.pattern, got, tt.fast)
		}
	}
}
