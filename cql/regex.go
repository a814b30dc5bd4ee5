package cql

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// matcher is a compiled =~ pattern. Patterns match the whole value, as
// regexp.MustCompile(`^(?:` + pattern + `)$`) would. Go's regexp costs
// far more than placement can afford per instance, so the shapes users
// actually write are recognised at Parse time and matched with string
// operations that give exactly the same answer:
//
//	t2.small-ish literals   full match is equality
//	prefix.*suffix          HasPrefix, HasSuffix and no '\n' in between
//	                        (either part may be empty; `.` does not match
//	                        '\n' unless the s flag is set)
//
// Everything else runs the compiled *regexp.Regexp.
type matcher struct {
	wild           bool // prefix .* suffix, rather than equality with prefix
	dotNL          bool // the .* also matches '\n' (flag s)
	prefix, suffix string
	re             *regexp.Regexp // nil when a fast path applies
}

func (m *matcher) match(v string) bool {
	switch {
	case m.re != nil:
		return m.re.MatchString(v)
	case !m.wild:
		return v == m.prefix
	}
	if len(v) < len(m.prefix)+len(m.suffix) ||
		!strings.HasPrefix(v, m.prefix) || !strings.HasSuffix(v, m.suffix) {
		return false
	}
	return m.dotNL || !hasNewline(v[len(m.prefix):len(v)-len(m.suffix)])
}

// hasNewline is strings.IndexByte(s, '\n') >= 0 without the call for the
// short strings attribute values usually are.
func hasNewline(s string) bool {
	if len(s) > 32 {
		return strings.IndexByte(s, '\n') >= 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return true
		}
	}
	return false
}

// compileMatcher compiles pattern with RE2 syntax (Go's regexp). A
// pattern RE2 cannot express, such as a back-reference or look-around,
// is an error: the message is regexp/syntax's, without its prefix.
func compileMatcher(pattern string) (matcher, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return matcher{}, err
	}
	if m, ok := fastMatcher(re); ok {
		return m, nil
	}
	// pattern parsed on its own, so its parentheses balance and wrapping
	// it cannot change its meaning.
	full, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return matcher{}, err
	}
	return matcher{re: full}, nil
}

// fastMatcher recognises literal, literal.*, .*literal and
// literal.*literal (with optional ^ and $, which full matching makes
// redundant).
func fastMatcher(re *syntax.Regexp) (matcher, bool) {
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		subs = subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		subs = subs[:len(subs)-1]
	}
	var m matcher
	if len(subs) > 0 && subs[0].Op != syntax.OpStar {
		lit, ok := literal(subs[0])
		if !ok {
			return m, false
		}
		m.prefix, subs = lit, subs[1:]
	}
	if len(subs) == 0 {
		return m, true
	}
	star := subs[0]
	if star.Op != syntax.OpStar || (star.Sub[0].Op != syntax.OpAnyCharNotNL && star.Sub[0].Op != syntax.OpAnyChar) {
		return m, false
	}
	m.wild, m.dotNL, subs = true, star.Sub[0].Op == syntax.OpAnyChar, subs[1:]
	if len(subs) > 0 {
		lit, ok := literal(subs[0])
		if !ok {
			return m, false
		}
		m.suffix, subs = lit, subs[1:]
	}
	return m, len(subs) == 0
}

// literal returns the text of a case-sensitive literal. A literal holding
// U+FFFD is refused: regexp matches it against any invalid UTF-8 byte,
// which string comparison would not.
func literal(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return "", true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return "", false
		}
		for _, r := range re.Rune {
			if r == utf8.RuneError {
				return "", false
			}
		}
		return string(re.Rune), true
	}
	return "", false
}
