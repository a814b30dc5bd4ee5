package cql

import (
	"strconv"
	"strings"
)

// kind is the kind of a token and, for operators, of a tree node.
type kind uint8

const (
	kEOF     kind = iota
	kIllegal      // a byte no token starts with, or an unterminated string
	kWord         // a bare word: a subject or an unquoted value
	kString       // a quoted value

	kLParen // (
	kRParen // )
	kLBrack // [
	kRBrack // ]
	kComma  // ,

	kAnd // and &&
	kOr  // or ||
	kNot // not !

	// The comparison operators, in the order of the ECS Developer
	// Guide's table of operators.
	kEqual        // == equals
	kNotEqual     // != not_equals
	kGreater      // > greater_than
	kGreaterEqual // >= greater_than_equal
	kLess         // < less_than
	kLessEqual    // <= less_than_equal
	kIn           // in
	kNotIn        // !in not_in
	kMatches      // =~ matches
	kNotMatches   // !~ not_matches
	kExists       // exists
	kNotExists    // !exists not_exists
)

// opFirst and opLast bracket the comparison operators.
const opFirst, opLast = kEqual, kNotExists

// kindNames spells every kind as it is printed in canonical form and in
// error messages.
var kindNames = [...]string{
	kEOF:          "end of expression",
	kIllegal:      "illegal",
	kWord:         "value",
	kString:       "quoted value",
	kLParen:       "(",
	kRParen:       ")",
	kLBrack:       "[",
	kRBrack:       "]",
	kComma:        ",",
	kAnd:          "and",
	kOr:           "or",
	kNot:          "not",
	kEqual:        "==",
	kNotEqual:     "!=",
	kGreater:      ">",
	kGreaterEqual: ">=",
	kLess:         "<",
	kLessEqual:    "<=",
	kIn:           "in",
	kNotIn:        "!in",
	kMatches:      "=~",
	kNotMatches:   "!~",
	kExists:       "exists",
	kNotExists:    "!exists",
}

func (k kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

func (k kind) isOperator() bool { return k >= opFirst && k <= opLast }

// lookup maps every spelling of a keyword or symbol, word form and symbol
// form alike, to its kind. It is the one place aliases are defined.
var lookup = map[string]kind{
	"(": kLParen, ")": kRParen, "[": kLBrack, "]": kRBrack, ",": kComma,

	"and": kAnd, "&&": kAnd,
	"or": kOr, "||": kOr,
	"not": kNot, "!": kNot,

	"==": kEqual, "equals": kEqual,
	"!=": kNotEqual, "not_equals": kNotEqual,
	">": kGreater, "greater_than": kGreater,
	">=": kGreaterEqual, "greater_than_equal": kGreaterEqual,
	"<": kLess, "less_than": kLess,
	"<=": kLessEqual, "less_than_equal": kLessEqual,
	"in":  kIn,
	"!in": kNotIn, "not_in": kNotIn,
	"=~": kMatches, "matches": kMatches,
	"!~": kNotMatches, "not_matches": kNotMatches,
	"exists":  kExists,
	"!exists": kNotExists, "not_exists": kNotExists,
}

// isKeyword reports whether the bare word w is reserved. A value spelled
// like a keyword must be quoted.
func isKeyword(w string) bool {
	_, ok := lookup[w]
	return ok
}

// isDelim reports whether c ends a bare word: whitespace, the bytes that
// start a symbol, and quotes.
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '(', ')', '[', ']', ',', '\'', '"', '!', '=', '<', '>', '&', '|', '~':
		return true
	}
	return c < ' ' || c == 0x7f
}

// isBare reports whether v can be written without quotes: it is not
// empty, has no delimiter byte and is not a keyword.
func isBare(v string) bool {
	if v == "" || isKeyword(v) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if isDelim(v[i]) {
			return false
		}
	}
	return true
}

// quote writes v as a value token: bare when it can be, else in single
// quotes, or double quotes when v contains a single quote. A value that
// Parse produced never contains both.
func quote(b *strings.Builder, v string) {
	switch {
	case isBare(v):
		b.WriteString(v)
	case !strings.Contains(v, "'"):
		b.WriteByte('\'')
		b.WriteString(v)
		b.WriteByte('\'')
	default:
		b.WriteByte('"')
		b.WriteString(v)
		b.WriteByte('"')
	}
}

// token is one lexical token. pos is its byte offset in the source; text
// is its source text; val is the value of a word or quoted string (the
// text without quotes).
type token struct {
	kind kind
	pos  int
	text string
	val  string
	msg  string // for kIllegal tokens that carry their own message
}

// scanner splits a source into tokens, one at a time, so that parsing
// stops at the first error without scanning the rest.
type scanner struct {
	src string
	off int
}

func (s *scanner) next() token {
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case ' ', '\t', '\n', '\r':
			s.off++
			continue
		}
		break
	}
	start := s.off
	if start >= len(s.src) {
		return token{kind: kEOF, pos: start}
	}
	c := s.src[start]
	switch {
	case c == '\'' || c == '"':
		return s.quoted(c)
	case !isDelim(c):
		for s.off < len(s.src) && !isDelim(s.src[s.off]) {
			s.off++
		}
		w := s.src[start:s.off]
		if k, ok := lookup[w]; ok {
			return token{kind: k, pos: start, text: w}
		}
		return token{kind: kWord, pos: start, text: w, val: w}
	case c == '!':
		// !exists and !in are one token when the word ends there.
		for _, w := range [...]string{"!exists", "!in"} {
			if strings.HasPrefix(s.src[start:], w) && (start+len(w) == len(s.src) || isDelim(s.src[start+len(w)])) {
				s.off += len(w)
				return token{kind: lookup[w], pos: start, text: w}
			}
		}
	}
	// Symbols: the longest spelling in lookup wins.
	if start+2 <= len(s.src) {
		if k, ok := lookup[s.src[start:start+2]]; ok {
			s.off += 2
			return token{kind: k, pos: start, text: s.src[start:s.off]}
		}
	}
	if k, ok := lookup[s.src[start:start+1]]; ok {
		s.off++
		return token{kind: k, pos: start, text: s.src[start:s.off]}
	}
	s.off++
	return token{kind: kIllegal, pos: start, text: s.src[start:s.off]}
}

// quoted scans a string quoted with q. There are no escapes: a value
// that contains one kind of quote is written in the other kind.
func (s *scanner) quoted(q byte) token {
	start := s.off
	for i := start + 1; i < len(s.src); i++ {
		switch s.src[i] {
		case q:
			s.off = i + 1
			return token{kind: kString, pos: start, text: s.src[start:s.off], val: s.src[start+1 : i]}
		case '\n':
			s.off = i
			return token{kind: kIllegal, pos: start, text: s.src[start:i], msg: "newline in quoted value"}
		}
	}
	s.off = len(s.src)
	return token{kind: kIllegal, pos: start, text: s.src[start:], msg: "quoted value not terminated"}
}
