package trace

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// OpenBNodeReader reads an openb node list CSV
// (sn,cpu_milli,memory_mib,gpu,model) as Nodes: CPU in millicores, memory
// in MiB, GPUModel from model. A node with more than MaxNodeGPUs GPUs, or
// with GPUs but no model, is an error. Create it with NewOpenBNodes.
type OpenBNodeReader struct {
	rows OpenBNodeRows
}

// NewOpenBNodes returns a reader of the openb node list r; file names it
// in errors.
func NewOpenBNodes(r io.Reader, file string) *OpenBNodeReader {
	return &OpenBNodeReader{rows: OpenBNodeRows{c: newCSVFile(r, file, nil)}}
}

// Line returns the line of the node Next last returned.
func (r *OpenBNodeReader) Line() int { return r.rows.Line() }

// Next returns the next node, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *OpenBNodeReader) Next() (Node, error) {
	row, err := r.rows.Next()
	if err != nil {
		return Node{}, err
	}
	switch {
	case row.GPUs > MaxNodeGPUs:
		return Node{}, r.rows.FieldError("gpu", r.rows.c.field(r.rows.col[3])+" is too many, expected at most "+strconv.Itoa(MaxNodeGPUs))
	case row.GPUs > 0 && row.Model == "":
		return Node{}, r.rows.FieldError("model", "is empty for a node with "+strconv.Itoa(row.GPUs)+" GPUs, expected a GPU model")
	}
	return Node{Name: row.Name, CPU: row.CPUMilli, MemoryMiB: row.MemoryMiB, GPUs: row.GPUs, GPUModel: row.Model}, nil
}

// OpenBPodReader reads an openb pod list CSV as Tasks. Create it with
// NewOpenBPods.
//
// The full form has the columns name, cpu_milli, memory_mib, num_gpu,
// gpu_milli, gpu_spec, qos, pod_phase, creation_time, deletion_time and
// scheduled_time; the multigpu files have only the first five. Columns
// may come in any order; qos, pod_phase and scheduled_time are not read.
// Without creation_time and deletion_time the tasks have HasTimes false
// (see NoTimesError); with one of them the other is required.
type OpenBPodReader struct {
	rows  OpenBPodRows
	timed bool
	// last is the creation time of the previous pod, lastLine its line
	// (0 before the first pod).
	last     time.Duration
	lastLine int
}

// NewOpenBPods returns a reader of the openb pod list r; file names it in
// errors.
func NewOpenBPods(r io.Reader, file string) *OpenBPodReader {
	return &OpenBPodReader{rows: OpenBPodRows{c: newCSVFile(r, file, nil)}}
}

// Line returns the line of the pod Next last returned.
func (r *OpenBPodReader) Line() int { return r.rows.Line() }

// Next returns the next task, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *OpenBPodReader) Next() (Task, error) {
	if r.rows.err != nil {
		return Task{}, r.rows.err
	}
	t, err := r.next()
	if err != nil {
		r.rows.err = err
	}
	return t, err
}

// open reads the header through the rows' and checks that the times
// come in pairs.
func (r *OpenBPodReader) open() error {
	if err := r.rows.open(); err != nil {
		return err
	}
	col := r.rows.col
	switch {
	case col[podCreation] >= 0 && col[podDeletion] < 0:
		return r.rows.c.missing("deletion_time")
	case col[podCreation] < 0 && col[podDeletion] >= 0:
		return r.rows.c.missing("creation_time")
	}
	r.timed = col[podCreation] >= 0
	return nil
}

func (r *OpenBPodReader) next() (Task, error) {
	if r.rows.col == nil {
		if err := r.open(); err != nil {
			r.rows.col = nil
			return Task{}, err
		}
	}
	row, err := r.rows.next()
	if err != nil {
		return Task{}, err
	}
	c, col := &r.rows.c, r.rows.col
	t := Task{ID: row.Name, CPU: row.CPUMilli, MemoryMiB: row.MemoryMiB, GPUs: row.NumGPU, HasTimes: r.timed}
	milli, mi := row.GPUMilli, col[podGPUMilli]
	switch {
	case milli < 0:
		return Task{}, c.fieldError(mi, "gpu_milli "+c.field(mi)+" is negative")
	case milli > maxInt:
		return Task{}, c.fieldError(mi, "gpu_milli "+c.field(mi)+" is too large")
	case t.GPUs == 0 && milli != 0:
		return Task{}, c.fieldError(mi, "gpu_milli "+strconv.FormatInt(milli, 10)+" for a pod with num_gpu 0, expected 0")
	case t.GPUs == 1 && (milli < 1 || milli > 1000):
		return Task{}, c.fieldError(mi, "gpu_milli "+strconv.FormatInt(milli, 10)+" is out of range, expected 1 to 1000 for a pod with num_gpu 1")
	case t.GPUs == 1:
		t.GPUMilli = int(milli)
	case t.GPUs > 1:
		t.GPUMilli = 1000 // whole devices; the trace's gpu_milli is 1000 here
	}
	if col[podGPUSpec] >= 0 {
		t.GPUSpec = row.GPUSpec
		t.GPUModels = splitModels(t.GPUSpec)
	}
	if r.timed {
		if err := r.times(&t); err != nil {
			return Task{}, err
		}
	}
	return t, nil
}

// times sets Submit and Duration from creation_time and deletion_time.
// An empty creation_time is the trace start; an empty deletion_time means
// the pod runs to the end.
func (r *OpenBPodReader) times(t *Task) error {
	c := &r.rows.c
	ci, di := r.rows.col[podCreation], r.rows.col[podDeletion]
	created, _, err := optSeconds(c, ci)
	if err != nil {
		return err
	}
	line, _ := c.r.FieldPos(ci)
	if r.lastLine > 0 && created < r.last {
		return c.fieldError(ci, "creation_time "+c.field(ci)+" is before "+formatFloat(r.last.Seconds())+" on line "+strconv.Itoa(r.lastLine)+
			", expected times that do not decrease (a replay would submit the pod late)")
	}
	r.last, r.lastLine = created, line
	t.Submit = created
	deleted, ok, err := optSeconds(c, di)
	if err != nil || !ok {
		return err
	}
	if deleted < created {
		return c.fieldError(di, "deletion_time "+c.field(di)+" is before creation_time "+c.field(ci))
	}
	t.Duration = runTime(deleted - created)
	return nil
}

// optSeconds parses field i as seconds; ok is false when it is empty (or
// NaN, as DLRM's documentation spells an absent time).
func optSeconds(c *csvFile, i int) (time.Duration, bool, error) {
	s := c.field(i)
	if s == "" || s == "NaN" {
		return 0, false, nil
	}
	d, msg := parseSeconds(c.header[i], s)
	if msg != "" {
		return 0, false, c.fieldError(i, msg)
	}
	return d, true, nil
}

// runTime returns the Duration of a task that ran for d: d itself, or a
// nanosecond for a task that ran for no time at all, since a Duration of
// 0 means "runs to the end".
func runTime(d time.Duration) time.Duration {
	if d == 0 {
		return time.Nanosecond
	}
	return d
}

// splitModels splits a gpu_spec ("V100M16|V100M32|V100M32") into its
// models, dropping duplicates and empty parts, in the order first seen;
// nil for an empty spec.
func splitModels(spec string) []string {
	if spec == "" {
		return nil
	}
	var models []string
	for m := range strings.SplitSeq(spec, "|") {
		m = strings.TrimSpace(m)
		if m == "" || contains(models, m) {
			continue
		}
		models = append(models, m)
	}
	return models
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
