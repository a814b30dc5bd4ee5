// Package printable checks the names that users give things in berth's input
// documents: containers, instance types, zones, services, capacity
// providers, task kinds and scalar resources.
//
// A name is printed in tables, reports, event logs and errors, and sent to
// the Docker engine as part of container names. A control character (NUL,
// ESC, a newline) or a bidirectional formatting character (U+202E RIGHT-TO-
// LEFT OVERRIDE and its kin) would make it print as something else, or not
// at all, so such names are rejected where they are read; so are other
// characters strconv.Quote would escape (unassigned code points, spaces
// other than U+0020). Check is cheap
// and allocates only for a bad name; it runs at validation, never on a hot
// path.
package printable

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Check returns nil when s holds only printable characters, those that
// strconv.Quote leaves as they are (letters, marks, numbers, punctuation,
// symbols and the ASCII space), else an error naming the first character
// that is not, by code point and byte offset: `has the control character
// U+001B at byte 3; expected printable characters`. The caller prefixes
// its package, the field and the name (quoted with %q, so that the name
// itself prints safely).
func Check(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !valid(s[i:]):
			return fmt.Errorf("has a byte that is not UTF-8 at byte %d; expected printable characters", i)
		case strconv.IsPrint(r):
		case unicode.IsControl(r):
			return fmt.Errorf("has the control character %U at byte %d; expected printable characters", r, i)
		case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			return fmt.Errorf("has the formatting character %U at byte %d; expected printable characters", r, i)
		default:
			return fmt.Errorf("has the unprintable character %U at byte %d; expected printable characters", r, i)
		}
	}
	return nil
}

// valid reports whether s starts with a valid encoding (U+FFFD written
// out is a valid, printable character).
func valid(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return r != utf8.RuneError || n == 3
}
