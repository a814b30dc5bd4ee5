// Package linelimit bounds the lines a line-oriented reader may be handed:
// encoding/csv has no limit of its own, and holds a line in memory until
// its end, so an endless line (/dev/zero, a cut-off binary file) would
// grow until the process ran out of memory.
//
// Wrap the input once, under the CSV reader; the wrapper counts bytes
// since the last newline and fails with an *Error when a line passes the
// limit, having held nothing itself. A Reader is not safe for concurrent
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

// Reader passes its source through until a line exceeds Max bytes.
type Reader struct {
	r     io.Reader
	max   int
	line  int // complete lines read
	width int // bytes of the current line so far
	err   error
}

// New returns a Reader of r that fails once a line exceeds max bytes
// (without its newline).
func New(r io.Reader, max int) *Reader { return &Reader{r: r, max: max} }

// Read reads from the source; after a line passes the limit it returns
// an *Error, and keeps returning it.
func (l *Reader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	b := p[:n]
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		if l.width+i > l.max {
			break
		}
		l.line++
		l.width, b = 0, b[i+1:]
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 || l.width+len(b) > l.max {
		l.err = &Error{Line: l.line + 1, Max: l.max}
		return 0, l.err
	}
	l.width += len(b)
	return n, err
}
