package trace

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
)

// SWFReader reads a trace in the Standard Workload Format of the Parallel
// Workloads Archive (plain or gzip) as Tasks. Create it with NewSWF.
//
// Lines starting with ';' are header comments; "; Key: value" lines are
// kept (see HeaderValue, MaxProcs). Every other non-blank line is a job of
// 18 whitespace-separated fields. A job gives a Task with:
//
//   - ID: the job number (field 1); Submit: the submit time (field 2, s);
//     Duration: the run time (field 4, s), a nanosecond for a run time of
//     0 (Duration 0 would mean "runs to the end").
//   - CPU: processors x 1024, one processor being one vCPU of 1024 CPU
//     units; processors are the allocated ones (field 5), or the requested
//     ones (field 8) when field 5 is -1 or 0.
//   - MemoryMiB: memory per processor in KB (used, field 7, or requested,
//     field 10, when used is -1) x processors / 1024, rounded up; 0 when
//     both are -1.
//   - ExitCode: 1 for status 0 (failed); 0 for every other status: 1
//     (completed), 2 to 4 (partial executions), 5 (cancelled: the job is
//     replayed for its recorded run time and counted a success, since SWF
//     does not say why it was cancelled) and -1 (unknown).
//   - HasTimes true; no GPUs, scalars, group or app.
//
// Jobs whose run time, submit time or processor count is unknown (-1) are
// skipped and counted by Skipped. Any other negative value, a field that
// is not a number, a line without 18 fields, or a submit time before the
// previous job's is an error.
type SWFReader struct {
	file     string
	src      io.Reader
	sc       *bufio.Scanner
	line     int
	header   map[string]string
	maxProcs int
	skipped  int
	err      error
	fields   [swfFields]string
	// last is the submit time of the previous job, lastLine its line (0
	// before the first job).
	last     float64
	lastLine int
}

const swfFields = 18

// NewSWF returns a reader of the SWF trace r; file names it in errors.
func NewSWF(r io.Reader, file string) *SWFReader {
	return &SWFReader{file: file, src: r, header: map[string]string{}}
}

// MaxProcs returns the MaxProcs header field read so far (the header
// precedes the jobs, so after the first Next it is complete); 0 when
// absent.
func (r *SWFReader) MaxProcs() int { return r.maxProcs }

// HeaderValue returns the value of the first "; key: value" header
// comment read so far, and whether there was one.
func (r *SWFReader) HeaderValue(key string) (string, bool) {
	v, ok := r.header[key]
	return v, ok
}

// Skipped returns how many jobs were skipped so far because their run
// time, submit time or processor count is unknown.
func (r *SWFReader) Skipped() int { return r.skipped }

// Line returns the line of the job Next last returned.
func (r *SWFReader) Line() int { return r.line }

// Next returns the next job, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *SWFReader) Next() (Task, error) {
	if r.err != nil {
		return Task{}, r.err
	}
	t, err := r.next()
	if err != nil {
		r.err = err
	}
	return t, err
}

func (r *SWFReader) next() (Task, error) {
	if r.sc == nil {
		src, err := decompress(r.src, r.file)
		if err != nil {
			return Task{}, err
		}
		r.src = nil
		r.sc = newScanner(src)
	}
	for r.sc.Scan() {
		r.line++
		text := r.sc.Text()
		s := strings.TrimSpace(text)
		switch {
		case s == "":
			continue
		case s[0] == ';':
			if err := r.comment(s[1:]); err != nil {
				return Task{}, err
			}
			continue
		}
		t, ok, err := r.job(s)
		if err != nil || ok {
			return t, err
		}
	}
	if err := r.sc.Err(); err != nil {
		return Task{}, scanError(r.file, r.line, err)
	}
	return Task{}, io.EOF
}

// comment records a "Key: value" header field.
func (r *SWFReader) comment(s string) error {
	key, value, ok := strings.Cut(s, ":")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.ContainsAny(key, " \t") {
		return nil // a continuation line or free text
	}
	value = strings.TrimSpace(value)
	if _, seen := r.header[key]; !seen {
		r.header[key] = value
	}
	if key == "MaxProcs" {
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return errorAt(r.file, r.line, 0, "header MaxProcs %q is not a number of processors", value)
		}
		r.maxProcs = n
	}
	return nil
}

// job parses one job line; ok is false for a skipped job.
func (r *SWFReader) job(s string) (Task, bool, error) {
	n := 0
	for f := range strings.FieldsSeq(s) {
		if n < swfFields {
			r.fields[n] = f
		}
		n++
	}
	if n != swfFields {
		return Task{}, false, errorAt(r.file, r.line, min(n, swfFields)+1, "expected %d fields, found %d", swfFields, n)
	}
	id, err := r.int(1, "job number")
	if err != nil {
		return Task{}, false, err
	}
	if id < 0 {
		return Task{}, false, r.negative(1, "job number")
	}
	submit, err := r.num(2, "submit time")
	if err != nil {
		return Task{}, false, err
	}
	run, err := r.num(4, "run time")
	if err != nil {
		return Task{}, false, err
	}
	procs, err := r.int(5, "allocated processors")
	if err != nil {
		return Task{}, false, err
	}
	if procs <= 0 {
		if procs < -1 {
			return Task{}, false, r.negative(5, "allocated processors")
		}
		if procs, err = r.int(8, "requested processors"); err != nil {
			return Task{}, false, err
		}
		if procs < -1 {
			return Task{}, false, r.negative(8, "requested processors")
		}
	}
	if submit == -1 || run == -1 || procs <= 0 {
		r.skipped++
		return Task{}, false, nil
	}
	for _, f := range [...]int{2, 4} {
		v, _ := r.num(f, "")
		if v < 0 {
			return Task{}, false, r.negative(f, swfNames[f])
		}
		if v > maxSeconds {
			return Task{}, false, errorAt(r.file, r.line, f, "%s %s is out of range (more than 292 years)", swfNames[f], r.fields[f-1])
		}
	}
	if r.lastLine > 0 && submit < r.last {
		return Task{}, false, errorAt(r.file, r.line, 2, "submit time %s is before %s on line %d, expected times that do not decrease (a replay would submit the job late)",
			r.fields[1], formatFloat(r.last), r.lastLine)
	}
	r.last, r.lastLine = submit, r.line
	t := Task{ID: r.fields[0], Submit: seconds(submit), Duration: runTime(seconds(run)), HasTimes: true}
	if procs > math.MaxInt64/1024 {
		return Task{}, false, errorAt(r.file, r.line, 5, "processors %d is too large", procs)
	}
	t.CPU = procs * 1024
	if t.MemoryMiB, err = r.memory(procs); err != nil {
		return Task{}, false, err
	}
	status, err := r.int(11, "status")
	if err != nil {
		return Task{}, false, err
	}
	switch {
	case status < -1 || status > 5:
		return Task{}, false, errorAt(r.file, r.line, 11, "status %d is not one of -1 (unknown), 0 (failed), 1 (completed), 2 to 4 (partial), 5 (cancelled)", status)
	case status == 0:
		t.ExitCode = 1
	}
	return t, true, nil
}

var swfNames = [...]string{2: "submit time", 4: "run time", 7: "used memory", 10: "requested memory"}

// memory returns the job's memory in MiB from the per-processor KB of
// field 7, or of field 10 when field 7 is -1.
func (r *SWFReader) memory(procs int64) (int64, error) {
	for _, f := range [...]int{7, 10} {
		kb, err := r.num(f, swfNames[f])
		if err != nil {
			return 0, err
		}
		if kb == -1 {
			continue
		}
		if kb < 0 {
			return 0, r.negative(f, swfNames[f])
		}
		mib, ok := scale(kb*float64(procs), 1.0/1024)
		if !ok {
			return 0, errorAt(r.file, r.line, f, "%s %s KB per processor is too large", swfNames[f], r.fields[f-1])
		}
		return mib, nil
	}
	return 0, nil
}

// int parses field f (1-based) as an integer, -1 included.
func (r *SWFReader) int(f int, what string) (int64, error) {
	s := r.fields[f-1]
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errorAt(r.file, r.line, f, "%s %q is not an integer", what, s)
	}
	return n, nil
}

// num parses field f (1-based) as a finite number, -1 included.
func (r *SWFReader) num(f int, what string) (float64, error) {
	s := r.fields[f-1]
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errorAt(r.file, r.line, f, "%s %q is not a number", what, s)
	}
	return v, nil
}

func (r *SWFReader) negative(f int, what string) error {
	return errorAt(r.file, r.line, f, "%s %s is negative, expected -1 (unknown) or more", what, r.fields[f-1])
}
