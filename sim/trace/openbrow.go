package trace

import (
	"io"
	"strconv"
)

// OpenBNodeRow is one record of an openb node list with its fields
// parsed but not judged: the shared first step of the readers of openb
// node lists (NewOpenBNodes here, the capacity-fill benchmark's), each of
// which applies its own limits.
type OpenBNodeRow struct {
	Name      string // sn; never empty
	CPUMilli  int64  // cpu_milli, 0 or more
	MemoryMiB int64  // memory_mib, 0 or more
	GPUs      int    // gpu, 0 or more
	Model     string // model, as given; may be empty
}

// OpenBNodeRows reads an openb node list (the columns sn, cpu_milli,
// memory_mib, gpu and model, in any order; others are ignored) row by
// row. Create it with NewOpenBNodeRows.
type OpenBNodeRows struct {
	c   csvFile
	col []int
	err error
}

var openBNodeColumns = []string{"sn", "cpu_milli", "memory_mib", "gpu", "model"}

// NewOpenBNodeRows returns a row reader of the openb node list r; file
// names it in errors.
func NewOpenBNodeRows(r io.Reader, file string) *OpenBNodeRows {
	return &OpenBNodeRows{c: newCSVFile(r, file, nil)}
}

// Line returns the line of the row Next last returned.
func (r *OpenBNodeRows) Line() int { return r.c.line() }

// Next returns the next row, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *OpenBNodeRows) Next() (OpenBNodeRow, error) {
	if r.err != nil {
		return OpenBNodeRow{}, r.err
	}
	n, err := r.next()
	if err != nil {
		r.err = err
	}
	return n, err
}

func (r *OpenBNodeRows) next() (OpenBNodeRow, error) {
	c := &r.c
	if r.col == nil {
		col, err := c.require(openBNodeColumns)
		if err != nil {
			return OpenBNodeRow{}, err
		}
		r.col = col
	}
	if err := c.next(); err != nil {
		return OpenBNodeRow{}, err
	}
	col := r.col
	n := OpenBNodeRow{Name: c.field(col[0]), Model: c.field(col[4])}
	if n.Name == "" {
		return OpenBNodeRow{}, c.fieldError(col[0], "sn is empty, expected a node name")
	}
	var err error
	if n.CPUMilli, err = c.count(col[1]); err != nil {
		return OpenBNodeRow{}, err
	}
	if n.MemoryMiB, err = c.count(col[2]); err != nil {
		return OpenBNodeRow{}, err
	}
	if n.GPUs, err = c.smallCount(col[3]); err != nil {
		return OpenBNodeRow{}, err
	}
	return n, nil
}

// FieldError returns an *Error at column (one of the node list's) of the
// row Next last returned: "file:line:col: column msg". It records the
// error, so that Next keeps returning it.
func (r *OpenBNodeRows) FieldError(column, msg string) error {
	r.err = columnError(&r.c, r.col, openBNodeColumns, column, msg)
	return r.err
}

// OpenBPodRow is one record of an openb pod list with its fields parsed
// but not judged: the shared first step of the readers of openb pod lists
// (NewOpenBPods here, the capacity-fill benchmark's), each of which turns
// num_gpu, gpu_milli and gpu_spec into a GPU request by its own rules.
type OpenBPodRow struct {
	Name      string // name; never empty
	CPUMilli  int64  // cpu_milli, 0 or more
	MemoryMiB int64  // memory_mib, 0 or more
	NumGPU    int    // num_gpu, 0 or more
	GPUMilli  int64  // gpu_milli, any integer: the readers' rules differ
	GPUSpec   string // gpu_spec, as given; "" when the file has no such column
}

// OpenBPodRows reads an openb pod list row by row: the columns name,
// cpu_milli, memory_mib, num_gpu and gpu_milli, and gpu_spec when the file
// has it, in any order; others are ignored here (NewOpenBPods reads the
// times). Create it with NewOpenBPodRows.
type OpenBPodRows struct {
	c   csvFile
	col []int
	err error
}

var openBPodColumns = []string{"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "creation_time", "deletion_time"}

const (
	podName = iota
	podCPU
	podMemory
	podNumGPU
	podGPUMilli
	podGPUSpec
	podCreation
	podDeletion
)

// NewOpenBPodRows returns a row reader of the openb pod list r; file
// names it in errors.
func NewOpenBPodRows(r io.Reader, file string) *OpenBPodRows {
	return &OpenBPodRows{c: newCSVFile(r, file, nil)}
}

// Line returns the line of the row Next last returned.
func (r *OpenBPodRows) Line() int { return r.c.line() }

// Next returns the next row, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *OpenBPodRows) Next() (OpenBPodRow, error) {
	if r.err != nil {
		return OpenBPodRow{}, r.err
	}
	if r.col == nil {
		if err := r.open(); err != nil {
			r.err = err
			return OpenBPodRow{}, err
		}
	}
	p, err := r.next()
	if err != nil {
		r.err = err
	}
	return p, err
}

// open reads the header: every column up to gpu_milli is required.
func (r *OpenBPodRows) open() error {
	col, err := r.c.open(openBPodColumns)
	if err != nil {
		return err
	}
	for i := podName; i <= podGPUMilli; i++ {
		if col[i] < 0 {
			return r.c.missing(openBPodColumns[i])
		}
	}
	r.col = col
	return nil
}

func (r *OpenBPodRows) next() (OpenBPodRow, error) {
	c := &r.c
	if err := c.next(); err != nil {
		return OpenBPodRow{}, err
	}
	col := r.col
	p := OpenBPodRow{Name: c.field(col[podName])}
	if p.Name == "" {
		return OpenBPodRow{}, c.fieldError(col[podName], "name is empty, expected a pod name")
	}
	var err error
	if p.CPUMilli, err = c.count(col[podCPU]); err != nil {
		return OpenBPodRow{}, err
	}
	if p.MemoryMiB, err = c.count(col[podMemory]); err != nil {
		return OpenBPodRow{}, err
	}
	if p.NumGPU, err = c.smallCount(col[podNumGPU]); err != nil {
		return OpenBPodRow{}, err
	}
	if p.GPUMilli, err = c.integer(col[podGPUMilli]); err != nil {
		return OpenBPodRow{}, err
	}
	if col[podGPUSpec] >= 0 {
		p.GPUSpec = c.field(col[podGPUSpec])
	}
	return p, nil
}

// FieldError returns an *Error at column (one of the pod list's) of the
// row Next last returned: "file:line:col: column msg". It records the
// error, so that Next keeps returning it.
func (r *OpenBPodRows) FieldError(column, msg string) error {
	r.err = columnError(&r.c, r.col, openBPodColumns, column, msg)
	return r.err
}

// columnError is the error at the named column of c's current record,
// col giving the record index of each of cols. A column the file lacks,
// or one not in cols, is reported at the line without a column.
func columnError(c *csvFile, col []int, cols []string, column, msg string) error {
	msg = column + " " + msg
	for i, name := range cols {
		if name == column && col[i] >= 0 {
			return c.fieldError(col[i], msg)
		}
	}
	return &Error{File: c.file, Line: c.line(), Msg: msg}
}

// integer parses field i as a decimal integer of either sign.
func (c *csvFile) integer(i int) (int64, error) {
	s := c.rec[i]
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil {
		return n, nil
	}
	if s == "" {
		return 0, c.fieldError(i, c.header[i]+" is empty, expected an integer")
	}
	return 0, c.fieldError(i, c.header[i]+" "+strconv.Quote(s)+" is not an integer")
}
