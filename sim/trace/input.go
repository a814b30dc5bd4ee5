package trace

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxSeconds is the largest time a trace may give, in seconds: the
// largest time.Duration, about 292 years.
const maxSeconds = float64(math.MaxInt64) / 1e9

// maxLine is the longest line a line-oriented reader accepts.
const maxLine = 1 << 20

// decompress returns r, or a gzip reader over it when r starts with
// gzip's magic bytes (1f 8b). Every reader accepts both.
func decompress(r io.Reader, file string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, &Error{File: file, Msg: "read: " + err.Error(), Err: err}
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "gzip: ") {
			msg = "gzip: " + msg
		}
		return nil, &Error{File: file, Msg: msg, Err: err}
	}
	return zr, nil
}

// newScanner returns a line scanner over r accepting lines up to maxLine.
func newScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	return sc
}

// scanError turns the error of a bufio.Scanner that stopped after line
// lines into an *Error on the next line.
func scanError(file string, line int, err error) *Error {
	if err == bufio.ErrTooLong {
		return &Error{File: file, Line: line + 1, Msg: "line longer than the limit of 1 MiB", Err: err}
	}
	return &Error{File: file, Line: line + 1, Msg: readMsg(err), Err: err}
}

// readMsg describes an error reading the input. Only a gzip stream ends
// with io.ErrUnexpectedEOF: its file was cut short.
func readMsg(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "gzip: the file is cut short (the compressed data ends early)"
	}
	return "read: " + err.Error()
}

// parseCount parses a non-negative decimal integer; what names the field
// in the message.
func parseCount(what, s string) (int64, string) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if s == "" {
			return 0, what + " is empty, expected an integer"
		}
		return 0, what + " " + strconv.Quote(s) + " is not an integer"
	}
	if n < 0 {
		return 0, what + " " + s + " is negative"
	}
	return n, ""
}

// parseAmount parses a non-negative finite decimal number.
func parseAmount(what, s string) (float64, string) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		if s == "" {
			return 0, what + " is empty, expected a number"
		}
		return 0, what + " " + strconv.Quote(s) + " is not a number"
	}
	if f < 0 {
		return 0, what + " " + s + " is negative"
	}
	return f, ""
}

// parseSeconds parses a time or duration in seconds (a non-negative
// decimal number, fractions allowed) into a time.Duration.
func parseSeconds(what, s string) (time.Duration, string) {
	f, msg := parseAmount(what, s)
	if msg != "" {
		return 0, msg
	}
	if f > maxSeconds {
		return 0, what + " " + s + " is out of range (more than 292 years)"
	}
	return seconds(f), ""
}

// seconds converts seconds to a time.Duration, rounding to the
// nanosecond. f must be in [0, maxSeconds].
func seconds(f float64) time.Duration {
	d := math.Round(f * 1e9)
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(d)
}

// scale converts an amount in a unit to an integer amount of a unit
// factor times smaller (vCPU to CPU units, GiB to MiB), rounding up so
// that a request is never shrunk. ok is false when it overflows int64.
func scale(f, factor float64) (int64, bool) {
	v := math.Ceil(f*factor - 1e-9)
	if v < 0 {
		v = 0
	}
	if v >= math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
