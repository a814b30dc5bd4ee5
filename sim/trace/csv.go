package trace

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/internal/linelimit"
)

// csvFile is the shared machinery of the CSV readers: lazy opening (with
// gzip detection), the header, field counts, and errors at line:field.
type csvFile struct {
	file   string
	src    io.Reader
	r      *csv.Reader
	fixed  []string // the columns of a headerless file; nil when the file has a header
	header []string // the columns, from the file or fixed
	rec    []string // the current record
	err    error    // sticky
}

func newCSVFile(r io.Reader, file string, fixed []string) csvFile {
	return csvFile{file: file, src: r, fixed: fixed}
}

// open reads the header (or, for a headerless file, checks whether the
// first record repeats the fixed header and skips it if so) and returns
// the index of each column of cols in a record, -1 when absent.
func (c *csvFile) open(cols []string) ([]int, error) {
	r, err := decompress(c.src, c.file)
	if err != nil {
		return nil, err
	}
	c.r = csv.NewReader(linelimit.New(r, maxLine))
	c.r.FieldsPerRecord = -1
	c.r.ReuseRecord = true
	c.r.LazyQuotes = true
	c.src = nil
	if c.fixed != nil {
		c.header = c.fixed
	} else {
		rec, err := c.r.Read()
		if err == io.EOF {
			return nil, &Error{File: c.file, Msg: "empty file, expected a header line"}
		}
		if err != nil {
			return nil, c.readError(err)
		}
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		if headerless(rec, cols) {
			return nil, &Error{File: c.file, Line: 1, Msg: "no header: the first line " + strconv.Quote(shorten(strings.Join(rec, ","))) +
				" is data, expected a header line naming the columns (" + strings.Join(cols, ",") + ")"}
		}
		c.header = make([]string, len(rec))
		for i, name := range rec {
			name = strings.TrimSpace(name)
			for _, prev := range c.header[:i] {
				if prev == name {
					return nil, errorAt(c.file, 1, i+1, "column %q appears twice in the header", name)
				}
			}
			c.header[i] = name
		}
	}
	idx := make([]int, len(cols))
	for i, col := range cols {
		idx[i] = -1
		for j, h := range c.header {
			if h == col {
				idx[i] = j
			}
		}
	}
	return idx, nil
}

// headerless reports whether the first record rec of a file is data
// rather than a header: it names none of cols and holds a number, as a
// data record does and a header does not.
func headerless(rec, cols []string) bool {
	number := false
	for _, f := range rec {
		f = strings.TrimSpace(f)
		if slices.Contains(cols, f) {
			return false
		}
		if _, err := strconv.ParseFloat(f, 64); err == nil {
			number = true
		}
	}
	return number
}

// shorten cuts s to 60 bytes for a message.
func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// require is open for a file whose every column of cols is required: an
// absent one is the error.
func (c *csvFile) require(cols []string) ([]int, error) {
	col, err := c.open(cols)
	if err != nil {
		return nil, err
	}
	for i, j := range col {
		if j < 0 {
			return nil, c.missing(cols[i])
		}
	}
	return col, nil
}

// missing returns the error for an absent required column.
func (c *csvFile) missing(col string) error {
	if c.fixed != nil {
		return &Error{File: c.file, Msg: "missing column " + strconv.Quote(col)}
	}
	return &Error{File: c.file, Line: 1, Msg: "missing column " + strconv.Quote(col) + " in the header " + strconv.Quote(strings.Join(c.header, ","))}
}

// next reads the next record into c.rec. A headerless file whose first
// record equals its fixed header skips that record.
func (c *csvFile) next() error {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return c.readError(err)
		}
		if len(rec) != len(c.header) {
			line, _ := c.r.FieldPos(0)
			return errorAt(c.file, line, min(len(rec), len(c.header))+1, "expected %d fields (%s), found %d", len(c.header), strings.Join(c.header, ","), len(rec))
		}
		c.rec = rec
		if c.fixed != nil {
			if line, _ := c.r.FieldPos(0); line == 1 && equalStrings(rec, c.fixed) {
				continue
			}
		}
		return nil
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// line returns the line of the current record (0 before the first).
func (c *csvFile) line() int {
	if c.r == nil || c.rec == nil {
		return 0
	}
	l, _ := c.r.FieldPos(0)
	return l
}

// field returns field i of the current record.
func (c *csvFile) field(i int) string { return c.rec[i] }

// fieldError returns an error at field i of the current record.
func (c *csvFile) fieldError(i int, msg string) error {
	line, _ := c.r.FieldPos(i)
	return &Error{File: c.file, Line: line, Col: i + 1, Msg: msg}
}

func (c *csvFile) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: c.file, Line: pe.Line, Col: pe.Column, Msg: pe.Err.Error(), Err: err}
	}
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var le *linelimit.Error
	if errors.As(err, &le) {
		return &Error{File: c.file, Line: le.Line, Msg: "line longer than the limit of 1 MiB", Err: err}
	}
	return &Error{File: c.file, Msg: readMsg(err), Err: err}
}

// count parses field i as a non-negative integer named by its column.
func (c *csvFile) count(i int) (int64, error) {
	n, msg := parseCount(c.header[i], c.rec[i])
	if msg != "" {
		return 0, c.fieldError(i, msg)
	}
	return n, nil
}

// amount parses field i as a non-negative number.
func (c *csvFile) amount(i int) (float64, error) {
	f, msg := parseAmount(c.header[i], c.rec[i])
	if msg != "" {
		return 0, c.fieldError(i, msg)
	}
	return f, nil
}

// maxInt is the largest count that fits an int on every platform berth
// supports.
const maxInt = 1<<31 - 1

// smallCount parses field i as a non-negative integer that fits an int.
func (c *csvFile) smallCount(i int) (int, error) {
	n, err := c.count(i)
	if err != nil {
		return 0, err
	}
	if n > maxInt {
		return 0, c.fieldError(i, c.header[i]+" "+c.rec[i]+" is too large")
	}
	return int(n), nil
}
