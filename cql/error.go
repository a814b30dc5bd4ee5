package cql

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a syntax or type error in an expression. Parse returns every
// error as an *Error.
type Error struct {
	Src    string // the expression as given to Parse
	Offset int    // byte offset into Src of the offending token, 0 <= Offset <= len(Src)
	Msg    string // what was expected and what was found, without position
}

// Error returns the error on one line, with the 1-based line and column:
// `cql: 1:27: expected value after "in", found "]"`.
func (e *Error) Error() string {
	line, col := e.Pos()
	return "cql: " + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": " + e.Msg
}

// Pos returns the 1-based line and column of Offset. Lines are separated
// by '\n'; the column counts bytes, as go/token does, so a column after a
// multi-byte character is larger than the number of characters before it.
func (e *Error) Pos() (line, col int) {
	off := e.clampedOffset()
	before := e.Src[:off]
	line = 1 + strings.Count(before, "\n")
	col = off - (strings.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Caret returns the line of the expression that holds Offset, then a
// second line with a ^ under the offending column, without a trailing
// newline. The caret is placed by characters, not bytes, and tabs on the
// first line are repeated on the second, so it lines up in a terminal.
func (e *Error) Caret() string {
	off := e.clampedOffset()
	start := strings.LastIndexByte(e.Src[:off], '\n') + 1
	end := strings.IndexByte(e.Src[off:], '\n')
	if end < 0 {
		end = len(e.Src)
	} else {
		end += off
	}
	line := strings.TrimSuffix(e.Src[start:end], "\r")
	var b strings.Builder
	b.WriteString(line)
	b.WriteByte('\n')
	for _, r := range e.Src[start:off] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}

func (e *Error) clampedOffset() int {
	return max(0, min(e.Offset, len(e.Src)))
}

// describe names a token for "found ..." in error messages.
func describe(t token) string {
	if t.kind == kEOF {
		return "end of expression"
	}
	text := t.text
	if len(text) > 40 {
		// Cut on a rune boundary so the message stays valid UTF-8.
		cut := 40
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "..."
	}
	return strconv.Quote(text)
}
