package cql

import (
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// MaxLength is the longest expression Parse accepts, in bytes: ECS's
// limit on a placement constraint's expression (2,000 characters, which
// are bytes for the ASCII that CQL is written in).
const MaxLength = 2000

// MaxDepth is how deeply parentheses and negations may nest. Each "(" and
// each "not" or "!" counts one level, except that "not(" (with or without
// a space) counts one level, not two.
const MaxDepth = 100

// opsOf lists, per subject, the operators it accepts: the
// documented ones, plus for attribute: every operator and for task:group
// the equality, list, pattern and presence operators. Any other pairing
// is an error at Parse time.
var opsOf = [...][]kind{
	sAttribute:         {kEqual, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual, kIn, kNotIn, kMatches, kNotMatches, kExists, kNotExists},
	sTaskGroup:         {kEqual, kNotEqual, kIn, kNotIn, kMatches, kNotMatches, kExists, kNotExists},
	sAgentConnected:    {kEqual, kNotEqual, kIn, kNotIn, kMatches, kNotMatches},
	sAgentVersion:      {kEqual, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual},
	sEC2InstanceID:     {kEqual, kNotEqual, kIn, kNotIn, kMatches, kNotMatches},
	sRegisteredAt:      {kEqual, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual},
	sRunningTasksCount: {kEqual, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual},
}

// Parse compiles src. The error, if any, is an *Error for the first
// problem found: syntax, an operator the subject does not take, a value
// of the wrong type, a regular expression RE2 cannot express, an empty
// expression, nesting deeper than MaxDepth, or src longer than MaxLength.
func Parse(src string) (*Expr, error) {
	e, err := parse(src, MaxLength)
	if err != nil {
		// Return a nil error interface, not a nil *Error, on success.
		return nil, err
	}
	return e, nil
}

func parse(src string, maxLength int) (*Expr, *Error) {
	if len(src) > maxLength {
		return nil, &Error{Src: src, Offset: maxLength, Msg: "expression is " + strconv.Itoa(len(src)) +
			" bytes, longer than the limit of " + strconv.Itoa(maxLength)}
	}
	p := &parser{src: src, sc: scanner{src: src}}
	p.next()
	if p.tok.kind == kEOF {
		return nil, p.errorf(p.tok, "empty expression")
	}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != kEOF {
		return nil, p.errorf(p.tok, `expected "and", "or" or end of expression, found `+describe(p.tok)+hint(p.tok))
	}
	e := &Expr{root: root}
	e.collect(root)
	slices.Sort(e.attrs)
	e.attrs = slices.Compact(e.attrs)
	return e, nil
}

func (e *Expr) collect(n *node) {
	for _, k := range n.kids {
		e.collect(k)
	}
	if n.op.isOperator() {
		e.uses |= 1 << n.subj
		if n.subj == sAttribute {
			e.attrs = append(e.attrs, n.attr)
		}
	}
}

type parser struct {
	src string
	sc  scanner
	tok token // the current token
}

func (p *parser) next() { p.tok = p.sc.next() }

func (p *parser) errorf(t token, msg string) *Error {
	if t.kind == kIllegal && t.msg != "" {
		msg = t.msg
	}
	return &Error{Src: p.src, Offset: t.pos, Msg: msg}
}

// position formats the line:column of off, for messages that point back.
func (p *parser) position(off int) string {
	line, col := (&Error{Src: p.src, Offset: off}).Pos()
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

// parseOr parses and_expr { or and_expr }.
func (p *parser) parseOr(depth int) (*node, *Error) {
	return p.parseChain(kOr, depth)
}

// parseChain parses a chain of op (or, or and) into one flat node.
func (p *parser) parseChain(op kind, depth int) (*node, *Error) {
	sub := func() (*node, *Error) {
		if op == kOr {
			return p.parseChain(kAnd, depth)
		}
		return p.parseUnary(depth)
	}
	x, err := sub()
	if err != nil || p.tok.kind != op {
		return x, err
	}
	kids := flatten(op, nil, x)
	for p.tok.kind == op {
		p.next()
		y, err := sub()
		if err != nil {
			return nil, err
		}
		kids = flatten(op, kids, y)
	}
	return &node{op: op, kids: kids}, nil
}

// flatten appends x to kids, or x's kids when x is itself an op node:
// (a and b) and c is the same tree as a and b and c.
func flatten(op kind, kids []*node, x *node) []*node {
	if x.op == op {
		return append(kids, x.kids...)
	}
	return append(kids, x)
}

// parseUnary parses not unary | "(" expr ")" | simple.
func (p *parser) parseUnary(depth int) (*node, *Error) {
	switch p.tok.kind {
	case kNot:
		if depth >= MaxDepth {
			return nil, p.errorf(p.tok, "expression nests deeper than "+strconv.Itoa(MaxDepth)+" levels")
		}
		p.next()
		var x *node
		var err *Error
		if p.tok.kind == kLParen {
			x, err = p.parseParen(depth + 1)
		} else {
			x, err = p.parseUnary(depth + 1)
		}
		if err != nil {
			return nil, err
		}
		return &node{op: kNot, kids: []*node{x}}, nil
	case kLParen:
		if depth >= MaxDepth {
			return nil, p.errorf(p.tok, "expression nests deeper than "+strconv.Itoa(MaxDepth)+" levels")
		}
		return p.parseParen(depth + 1)
	case kWord:
		return p.parseSimple()
	}
	return nil, p.errorf(p.tok, `expected subject, "not" or "(", found `+describe(p.tok)+hint(p.tok))
}

// parseParen parses "(" expr ")"; the caller has counted the depth.
func (p *parser) parseParen(depth int) (*node, *Error) {
	open := p.tok
	p.next()
	x, err := p.parseOr(depth)
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case kRParen:
		p.next()
		return x, nil
	case kEOF:
		return nil, p.errorf(p.tok, `expected ")" to close "(" at `+p.position(open.pos)+", found end of expression")
	}
	return nil, p.errorf(p.tok, `expected "and", "or" or ")", found `+describe(p.tok)+hint(p.tok))
}

// parseSimple parses subject operator [argument] and compiles it.
func (p *parser) parseSimple() (*node, *Error) {
	n := &node{}
	if err := p.subject(n); err != nil {
		return nil, err
	}
	subj := p.tok.text
	p.next()
	op := p.tok
	if !op.kind.isOperator() {
		return nil, p.errorf(op, "expected operator after "+strconv.Quote(subj)+", found "+describe(op)+hint(op))
	}
	if !slices.Contains(opsOf[n.subj], op.kind) {
		name := subjectNames[n.subj]
		if n.subj == sAttribute {
			name = "attribute:<name>"
		}
		var takes []string
		for _, k := range opsOf[n.subj] {
			takes = append(takes, k.String())
		}
		return nil, p.errorf(op, "operator "+strconv.Quote(op.text)+" does not apply to "+name+
			"; it takes "+strings.Join(takes[:len(takes)-1], ", ")+" or "+takes[len(takes)-1])
	}
	n.op = op.kind
	p.next()
	switch {
	case op.kind == kExists || op.kind == kNotExists:
		// No argument.
	case (op.kind == kIn || op.kind == kNotIn) && p.tok.kind == kLBrack:
		p.next()
		for {
			if err := p.value(n, op); err != nil {
				return nil, err
			}
			if p.tok.kind == kRBrack {
				p.next()
				break
			}
			if p.tok.kind != kComma {
				return nil, p.errorf(p.tok, `expected "," or "]" in the list after `+strconv.Quote(op.text)+
					", found "+describe(p.tok))
			}
			p.next()
		}
	default:
		// A single value; after in or !in it is a list of one.
		if err := p.value(n, op); err != nil {
			return nil, err
		}
	}
	p.compile(n)
	return n, nil
}

// subject reads the current word as a subject into n.
func (p *parser) subject(n *node) *Error {
	w := p.tok.text
	if name, ok := strings.CutPrefix(w, subjectNames[sAttribute]); ok {
		n.subj, n.attr = sAttribute, name
		if !validAttributeName(name) {
			found := "nothing"
			if name != "" {
				found = describe(token{kind: kWord, text: name})
			}
			return &Error{Src: p.src, Offset: p.tok.pos + len(subjectNames[sAttribute]),
				Msg: "expected attribute name (1 to 128 letters, digits, '-', '_', '/', '\\' or '.') after \"attribute:\", found " +
					found}
		}
		return nil
	}
	for s, name := range subjectNames {
		if s != int(sAttribute) && w == name {
			n.subj = subject(s)
			return nil
		}
	}
	msg := "expected subject (attribute:<name>, task:group, agentConnected, agentVersion, ec2InstanceId, " +
		"registeredAt or runningTasksCount), found " + describe(p.tok)
	for _, name := range subjectNames {
		if strings.EqualFold(w, name) {
			msg += " (subjects are case-sensitive: " + strconv.Quote(name) + ")"
		}
	}
	return p.errorf(p.tok, msg)
}

// validAttributeName applies ECS's rule for attribute names: 1 to 128
// letters, digits, '-', '_', '/', '\' or '.'.
func validAttributeName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '/' || c == '\\' || c == '.') {
			return false
		}
	}
	return true
}

// value reads one literal after op, checks its type for n's subject and
// appends it to n.args.
func (p *parser) value(n *node, op token) *Error {
	t := p.tok
	if t.kind != kWord && t.kind != kString {
		msg := "expected value after " + strconv.Quote(op.text) + ", found " + describe(t)
		if t.kind == kLBrack {
			msg += ` (a list follows only "in" and "!in")`
		}
		return p.errorf(t, msg+hint(t))
	}
	v := t.val
	bad := func(want string) *Error {
		return p.errorf(t, "expected "+want+" for "+subjectNames[n.subj]+", found "+describe(t))
	}
	switch {
	case op.kind == kMatches || op.kind == kNotMatches:
		m, err := compileMatcher(v)
		if err != nil {
			return p.errorf(t, "invalid regular expression "+strconv.Quote(v)+": "+regexpReason(err))
		}
		n.re = m
	case n.subj == sAgentConnected:
		if v != "true" && v != "false" {
			return bad("true or false")
		}
	case n.subj == sAgentVersion:
		ver, ok := parseVersion(v)
		if !ok {
			return bad("a version such as 1.14.5")
		}
		n.ver = ver
	case n.subj == sRegisteredAt:
		at, ok := parseDate(v)
		if !ok {
			return bad("a date such as 2018-06-18, 2018-06-18T22:28:28, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00")
		}
		n.at = at
	case n.subj == sRunningTasksCount:
		c, err := strconv.Atoi(v)
		if err != nil {
			return bad("a whole number")
		}
		n.n = c
	}
	n.args = append(n.args, v)
	p.next()
	return nil
}

// regexpReason is regexp/syntax's message without its "error parsing
// regexp: " prefix, which the caller's message replaces.
func regexpReason(err error) string {
	if se, ok := err.(*syntax.Error); ok {
		msg := se.Code.String() + ": " + strconv.Quote(se.Expr)
		if se.Code == syntax.ErrInvalidPerlOp || se.Code == syntax.ErrInvalidEscape {
			msg += " (patterns are RE2: no back-references or look-around)"
		}
		return msg
	}
	return err.Error()
}

// compile fills n's compiled fields from its args. value has already
// checked and parsed the typed literals.
func (p *parser) compile(n *node) {
	if len(n.args) > 0 {
		n.str = n.args[0]
		n.num = isDecimal(n.str)
	}
	if n.op == kIn || n.op == kNotIn {
		n.set = newStrSet(n.args)
	}
	if n.subj == sAgentConnected {
		// The answer depends on one bit: work it out for both now.
		n.ifTrue, n.ifFalse = n.test("true"), n.test("false")
	}
}

// hint adds a word of help to "found" messages for common slips.
func hint(t token) string {
	if t.kind != kWord {
		return ""
	}
	if t.text == "empty" {
		return ` (CQL has no "empty" operator; "!exists" tests absence)`
	}
	if lower := strings.ToLower(t.text); lower != t.text && isKeyword(lower) {
		return " (keywords are lowercase: " + strconv.Quote(lower) + ")"
	}
	return ""
}
