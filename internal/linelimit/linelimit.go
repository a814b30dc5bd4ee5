// Package linelimit bounds the lines a line-oriented reader may be handed:
// encoding/csv has no limit of its own, and holds a line in memory until
// its end, so an endless line (/dev/zero, a cut-off binary file) would
// grow until the process ran out of memory.
//
// Wrap the input once, under the CSV reader; the wrapper counts the bytes
// of the current record (a line, or the lines a quoted field spans, which
// encoding/csv holds together) and fails with an *Error when a record
// passes the limit, having held nothing itself. A Reader is not safe for concurrent
// use.
package linelimit

import (
	"bytes"
	"io"
	"strconv"
)

// Max is the line limit berth's readers use: 1 MiB, beyond any real line
// of a trace or metrics file.
const Max = 1 << 20

// Error reports a line longer than the limit.
type Error struct {
	// Line is the 1-based number of the long line.
	Line int
	// Max is the limit in bytes.
	Max int
}

func (e *Error) Error() string {
	return "line " + strconv.Itoa(e.Line) + " is longer than the limit of " + size(e.Max)
}

func size(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + " MiB"
	}
	return strconv.Itoa(n) + " bytes"
}

// Reader passes its source through until a record exceeds its limit.
type Reader struct {
	r     io.Reader
	max   int
	line  int   // newlines read
	start int   // the line the current record starts on, 0-based
	width int   // bytes of the current record so far
	state state // where in a CSV record the last byte was
	err   error
}

// state follows CSV quoting, so that a newline inside a quoted field does
// not end the record (encoding/csv holds the whole record), as loosely as
// encoding/csv's LazyQuotes: a quote opens a quoted field only as the
// field's first byte, and closes it only before a comma or a newline.
type state uint8

const (
	fieldStart state = iota
	unquoted
	quoted
	quoteInQuoted // a quote seen in a quoted field: its end, or "" or lazy
)

// New returns a Reader of r that fails once a record (a line, or the
// lines a quoted field spans) exceeds max bytes.
func New(r io.Reader, max int) *Reader { return &Reader{r: r, max: max} }

// Read reads from the source; after a record passes the limit it returns
// an *Error, and keeps returning it.
func (l *Reader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		if l.state == quoted || l.state == quoteInQuoted {
			c := b[0]
			b = b[1:]
			if l.step(c) {
				return 0, l.err
			}
			continue
		}
		// Outside quotes, up to the next quote: newlines end records, and
		// bytes.IndexByte finds them fast.
		seg := b
		if q := bytes.IndexByte(b, '"'); q >= 0 {
			seg = b[:q]
		}
		if len(seg) == 0 {
			if l.step(b[0]) {
				return 0, l.err
			}
			b = b[1:]
			continue
		}
		switch seg[len(seg)-1] {
		case ',', '\n':
			l.state = fieldStart
		default:
			l.state = unquoted
		}
		b = b[len(seg):]
		for {
			i := bytes.IndexByte(seg, '\n')
			if i < 0 {
				break
			}
			if l.width+i > l.max {
				return 0, l.fail()
			}
			l.line++
			l.width, l.start, seg = 0, l.line, seg[i+1:]
		}
		if l.width += len(seg); l.width > l.max {
			return 0, l.fail()
		}
	}
	return n, err
}

// step moves over one byte; true when the record passed the limit.
func (l *Reader) step(c byte) bool {
	if c == '\n' {
		l.line++
	}
	if l.state = l.state.next(c); l.state == fieldStart && c == '\n' {
		l.width, l.start = 0, l.line
		return false
	}
	if l.width++; l.width > l.max {
		l.fail()
		return true
	}
	return false
}

func (l *Reader) fail() error {
	l.err = &Error{Line: l.start + 1, Max: l.max}
	return l.err
}

func (s state) next(c byte) state {
	switch s {
	case quoted:
		if c == '"' {
			return quoteInQuoted
		}
		return quoted
	case quoteInQuoted:
		switch c {
		case ',', '\n':
			return fieldStart
		}
		return quoted // "" or a lazy quote
	case fieldStart:
		if c == '"' {
			return quoted
		}
	}
	switch c {
	case ',', '\n':
		return fieldStart
	}
	return unquoted
}
