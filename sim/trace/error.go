package trace

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/berthsched/berth/fielderr"
)

// Error is an error in a trace file. Every reader returns its errors
// (other than io.EOF) as an *Error. Its message is one line:
//
//	trace: openb_pod_list_default.csv:17:2: cpu_milli "12x" is not an integer
type Error struct {
	// File is the name given to the reader.
	File string
	// Line is the 1-based line of the error; 0 when the error is about the
	// whole input (a bad gzip header, an empty file).
	Line int
	// Col is the 1-based column; 0 when the error is about a whole line.
	// In CSV and SWF files it is the field number (a CSV quoting error
	// reports encoding/csv's byte column); in native JSON Lines files it
	// is the byte column.
	Col int
	// Msg says what is wrong: the field, the value, and what was expected.
	Msg string
	// Err is the underlying cause, if any (a *json.SyntaxError, a gzip
	// error, ErrNoTimes).
	Err error
}

// Error returns "trace: file:line:col: msg", leaving out an empty file
// name and a zero line or column.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("trace: ")
	pos := e.File
	if e.Line > 0 {
		if pos != "" {
			pos += ":"
		}
		pos += strconv.Itoa(e.Line)
		if e.Col > 0 {
			pos += ":" + strconv.Itoa(e.Col)
		}
	}
	if pos != "" {
		b.WriteString(pos)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the error as a *fielderr.Error, the location every berth
// document error has (File, Line, Column as Col, Msg), whose cause is
// Err: so errors.As finds a *fielderr.Error in a trace error as in a
// scenario's, and errors.Is and errors.As still reach Err.
//
// A trace error stays its own type because a trace is a stream of
// records, not a document of keys: it has a position but no path, and
// a CSV or SWF file's column is a field number.
func (e *Error) Unwrap() error {
	return &fielderr.Error{File: e.File, Line: e.Line, Column: e.Col, Msg: e.Msg, Err: e.Err}
}

// ErrNoTimes is the cause of the error NoTimesError returns: the trace has
// no creation or deletion times (openb's 5-column multigpu pod lists). Such
// a trace can be packed (every task placed once, no departures) but not
// replayed in time.
var ErrNoTimes = errors.New("trace: the trace has no times")

// NoTimesError returns the error a simulator gives when asked to replay
// in time the trace file, whose tasks have HasTimes false. It wraps
// ErrNoTimes:
//
//	trace: openb_pod_list_multigpu20.csv: no creation_time and deletion_time columns: the trace can be packed but not replayed in time
func NoTimesError(file string) error {
	return &Error{File: file, Msg: "no creation_time and deletion_time columns: the trace can be packed but not replayed in time", Err: ErrNoTimes}
}

func errorAt(file string, line, col int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}
