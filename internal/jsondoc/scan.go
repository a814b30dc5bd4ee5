package jsondoc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The lexical layer: strings, numbers and literals, each checked against
// the limits before it is held.

func (d *Reader) literal(word string) error {
	p := d.pos()
	for j := 0; j < len(word); j++ {
		if c, ok := d.peek(); !ok || c != word[j] {
			return d.errorf(p, "expected a value, found %s", d.word(word[:j]))
		}
		d.i++
	}
	return d.endOfToken(p, word)
}

// word describes the bare word that starts with prefix, for an error.
func (d *Reader) word(prefix string) string {
	w := []byte(prefix)
	for len(w) < 20 {
		c, ok := d.peek()
		if !ok || !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			break
		}
		w = append(w, c)
		d.i++
	}
	if len(w) == 0 {
		c, ok := d.peek()
		if !ok {
			return "the end of the document"
		}
		return quoteByte(c)
	}
	return strconv.Quote(string(w))
}

// endOfToken checks that a literal or number is not followed by more of
// a word ("truex", "12x").
func (d *Reader) endOfToken(p Pos, tok string) error {
	c, ok := d.peek()
	if ok && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
		return d.errorf(p, "expected a value, found %s", d.word(tok))
	}
	return nil
}

// str reads a string literal; the reader is at its opening quote.
func (d *Reader) str() (string, error) { return d.readString(strCopy) }

// How readString returns the string it read.
type strMode uint8

const (
	strCopy    strMode = iota // a string of its own
	strIntern                 // interned (keys)
	strDiscard                // checked as strictly, but not kept (a skipped value)
)

// intern returns b as a string, the same string for the same key: keys
// repeat (every instance of a snapshot has the same ones), and a table of
// the first ones saves an allocation for each repetition.
func (d *Reader) intern(b []byte) string {
	if s, ok := d.keys[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.keys) < 1024 {
		if d.keys == nil {
			d.keys = make(map[string]string)
		}
		d.keys[s] = s
	}
	return s
}

func (d *Reader) readString(mode strMode) (string, error) {
	p := d.pos()
	d.i++
	b := d.scratch[:0]
	for {
		if len(b) > d.lim.MaxString {
			d.scratch = b[:0]
			return "", d.errorf(p, "string longer than the limit of %s", size(int64(d.lim.MaxString)))
		}
		c, ok := d.peek()
		if !ok {
			return "", d.errorf(p, "unexpected end of the document in a string")
		}
		switch {
		case c == '"':
			d.i++
			d.scratch = b[:0]
			if mode == strDiscard {
				return "", nil
			}
			if !utf8.Valid(b) {
				return strings.ToValidUTF8(string(b), "\uFFFD"), nil
			}
			if mode == strIntern {
				return d.intern(b), nil
			}
			return string(b), nil
		case c == '\\':
			d.i++
			var err error
			if b, err = d.escape(b); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", d.errorf(d.pos(), "expected a character or '\"', found %s (control characters must be escaped)", quoteByte(c))
		default:
			// Copy the run of plain bytes in the buffer at once.
			j := d.i
			for j < d.n && d.buf[j] != '"' && d.buf[j] != '\\' && d.buf[j] >= 0x20 && j-d.i <= d.lim.MaxString {
				j++
			}
			b = append(b, d.buf[d.i:j]...)
			d.i = j
		}
	}
}

func (d *Reader) escape(b []byte) ([]byte, error) {
	c, ok := d.peek()
	if !ok {
		return b, d.errorf(d.pos(), "unexpected end of the document in a string")
	}
	d.i++
	switch c {
	case '"', '\\', '/':
		return append(b, c), nil
	case 'b':
		return append(b, '\b'), nil
	case 'f':
		return append(b, '\f'), nil
	case 'n':
		return append(b, '\n'), nil
	case 'r':
		return append(b, '\r'), nil
	case 't':
		return append(b, '\t'), nil
	case 'u':
		r, err := d.hex4()
		if err != nil {
			return b, err
		}
		if utf16.IsSurrogate(r) {
			r2 := rune(-1)
			if c, ok := d.peek(); ok && c == '\\' {
				d.i++
				if c, ok := d.peek(); !ok || c != 'u' {
					return d.escape(utf8.AppendRune(b, utf8.RuneError))
				}
				d.i++
				if r2, err = d.hex4(); err != nil {
					return b, err
				}
			}
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return utf8.AppendRune(b, dec), nil
			}
			b = utf8.AppendRune(b, utf8.RuneError)
			if r2 < 0 {
				return b, nil
			}
			r = r2
			if utf16.IsSurrogate(r) {
				r = utf8.RuneError
			}
		}
		return utf8.AppendRune(b, r), nil
	}
	return b, d.errorf(d.pos(), "expected an escape such as \\n or \\u00e9, found \\%s", strings.Trim(quoteByte(c), "'\""))
}

func (d *Reader) hex4() (rune, error) {
	var r rune
	for k := 0; k < 4; k++ {
		c, ok := d.peek()
		var v byte
		switch {
		case ok && '0' <= c && c <= '9':
			v = c - '0'
		case ok && 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case ok && 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, d.unexpected("four hexadecimal digits after \\u")
		}
		d.i++
		r = r<<4 | rune(v)
	}
	return r, nil
}

// number reads a number literal and checks its grammar.
func (d *Reader) number() (string, error) {
	p := d.pos()
	b := d.scratch[:0]
	for {
		c, ok := d.peek()
		if !ok || !('0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
		if len(b) >= d.lim.MaxString {
			return "", d.errorf(p, "number longer than the limit of %s", size(int64(d.lim.MaxString)))
		}
		b = append(b, c)
		d.i++
	}
	d.scratch = b[:0]
	lit := string(b)
	if !validNumber(lit) {
		return "", d.errorf(p, "expected a value, found %s (not a JSON number)", d.word(lit))
	}
	return lit, d.endOfToken(p, lit)
}

// validNumber reports whether s is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i := 0
	digits := func() bool {
		j := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

// quoteByte shows a byte for an error message: 'x', or 0x00 when it is
// not printable ASCII.
func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		if c == '\'' {
			return `"'"`
		}
		return "'" + string(c) + "'"
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// size formats a limit in bytes: "256 MiB", "1 MiB", "4 GiB".
func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
