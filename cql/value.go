package cql

import (
	"strings"
	"time"
)

// This file holds the typed literals: versions, dates, decimal numbers
// and string sets. Literals are parsed once by Parse; the functions that
// run during Match read the subject's own strings without allocating.

// maxVersionParts is the most dot-separated components a version has.
// Agent versions have three (1.14.5); four leaves room for a build number.
const maxVersionParts = 4

// version is a parsed version: up to maxVersionParts components, missing
// ones zero, so 1.14 == 1.14.0.
type version [maxVersionParts]uint64

// parseVersion parses "1.14.5": one to four dot-separated runs of decimal
// digits, each at most 18 digits. It does not allocate.
func parseVersion(s string) (v version, ok bool) {
	if s == "" {
		return v, false
	}
	part, digits := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 18 {
				return v, false
			}
			v[part] = v[part]*10 + uint64(c-'0')
			digits++
		case c == '.' && digits > 0 && part < maxVersionParts-1:
			part++
			digits = 0
		default:
			return v, false
		}
	}
	return v, digits > 0
}

func (v version) compare(w version) int {
	for i := range v {
		switch {
		case v[i] < w[i]:
			return -1
		case v[i] > w[i]:
			return 1
		}
	}
	return 0
}

// dateLayouts are the registeredAt forms ECS documents, in the order they
// are tried. A form without a zone is UTC; a date alone is midnight UTC.
// time.Parse also accepts a fractional second after the seconds.
var dateLayouts = [...]string{
	time.RFC3339,          // 2018-06-18T22:28:28+00:00 and 2018-06-18T22:28:28Z
	"2006-01-02T15:04:05", // 2018-06-18T22:28:28
	"2006-01-02",          // 2018-06-18
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isDecimal reports whether s is a decimal number: an optional sign, then
// digits with at most one '.', with at least one digit ("3", "-0.5",
// "+1.", ".25"). Exponents, hex, "Inf" and "NaN" are not numbers: such
// values compare as strings.
func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// compareDecimal compares two strings for which isDecimal holds, exactly
// (no float rounding) and without allocating.
func compareDecimal(a, b string) int {
	na, ia, fa := splitDecimal(a)
	nb, ib, fb := splitDecimal(b)
	if na != nb {
		if na {
			return -1
		}
		return 1
	}
	c := len(ia) - len(ib)
	if c == 0 {
		c = strings.Compare(ia, ib)
	}
	if c == 0 {
		c = strings.Compare(fa, fb)
	}
	if na {
		return -c
	}
	return c
}

// splitDecimal returns the sign, the integer digits without leading zeros
// and the fraction digits without trailing zeros. Zero is never negative.
func splitDecimal(s string) (neg bool, intPart, frac string) {
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart = s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" && frac == "" {
		neg = false
	}
	return neg, intPart, frac
}

// compareOrder is how attribute values order: numerically when both are
// decimal numbers, else byte-wise.
func compareOrder(v, lit string, litIsDecimal bool) int {
	if litIsDecimal && isDecimal(v) {
		return compareDecimal(v, lit)
	}
	return strings.Compare(v, lit)
}

// ordered reports whether c, the result of comparing the subject's value
// with the literal, satisfies the ordering operator op.
func ordered(op kind, c int) bool {
	switch op {
	case kGreater:
		return c > 0
	case kGreaterEqual:
		return c >= 0
	case kLess:
		return c < 0
	case kLessEqual:
		return c <= 0
	case kEqual:
		return c == 0
	case kNotEqual:
		return c != 0
	}
	return false
}

// smallSet is the size up to which a set is a slice scanned in order:
// for a handful of strings that beats hashing.
const smallSet = 8

// strSet is the compiled list of an in or !in.
type strSet struct {
	small []string
	large map[string]struct{}
}

func newStrSet(items []string) strSet {
	if len(items) > smallSet {
		m := make(map[string]struct{}, len(items))
		for _, it := range items {
			m[it] = struct{}{}
		}
		return strSet{large: m}
	}
	var uniq []string
	for _, it := range items {
		dup := false
		for _, u := range uniq {
			dup = dup || u == it
		}
		if !dup {
			uniq = append(uniq, it)
		}
	}
	return strSet{small: uniq}
}

func (s *strSet) has(v string) bool {
	if s.large != nil {
		_, ok := s.large[v]
		return ok
	}
	for _, it := range s.small {
		if it == v {
			return true
		}
	}
	return false
}
