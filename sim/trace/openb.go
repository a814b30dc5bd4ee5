package trace

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// OpenBNodeReader reads an openb node list CSV
// (sn,cpu_milli,memory_mib,gpu,model) as Nodes: CPU in millicores, memory
// in MiB, GPUModel from model. A node with GPUs but no model is an error.
// Create it with NewOpenBNodes.
type OpenBNodeReader struct {
	c   csvFile
	col []int
	err error
}

var openBNodeColumns = []string{"sn", "cpu_milli", "memory_mib", "gpu", "model"}

// NewOpenBNodes returns a reader of the openb node list r; file names it
// in errors.
func NewOpenBNodes(r io.Reader, file string) *OpenBNodeReader {
	return &OpenBNodeReader{c: newCSVFile(r, file, nil)}
}

// Line returns the line of the node Next last returned.
func (r *OpenBNodeReader) Line() int { return r.c.line() }

// Next returns the next node, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *OpenBNodeReader) Next() (Node, error) {
	if r.err != nil {
		return Node{}, r.err
	}
	n, err := r.next()
	if err != nil {
		r.err = err
	}
	return n, err
}

func (r *OpenBNodeReader) next() (Node, error) {
	c := &r.c
	if r.col == nil {
		col, err := c.require(openBNodeColumns)
		if err != nil {
			return Node{}, err
		}
		r.col = col
	}
	if err := c.next(); err != nil {
		return Node{}, err
	}
	col := r.col
	n := Node{Name: c.field(col[0]), GPUModel: c.field(col[4])}
	if n.Name == "" {
		return Node{}, c.fieldError(col[0], "sn is empty, expected a node name")
	}
	var err error
	if n.CPU, err = c.count(col[1]); err != nil {
		return Node{}, err
	}
	if n.MemoryMiB, err = c.count(col[2]); err != nil {
		return Node{}, err
	}
	if n.GPUs, err = c.smallCount(col[3]); err != nil {
		return Node{}, err
	}
	if n.GPUs > MaxNodeGPUs {
		return Node{}, c.fieldError(col[3], "gpu "+c.field(col[3])+" is too many, expected at most "+strconv.Itoa(MaxNodeGPUs))
	}
	if n.GPUs > 0 && n.GPUModel == "" {
		return Node{}, c.fieldError(col[4], "model is empty for a node with "+strconv.Itoa(n.GPUs)+" GPUs, expected a GPU model")
	}
	return n, nil
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
	c     csvFile
	col   []int
	timed bool
	err   error
	// last is the creation time of the previous pod, lastLine its line
	// (0 before the first pod).
	last     time.Duration
	lastLine int
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

// NewOpenBPods returns a reader of the openb pod list r; file names it in
// errors.
func NewOpenBPods(r io.Reader, file string) *OpenBPodReader {
	return &OpenBPodReader{c: newCSVFile(r, file, nil)}
}

// Line returns the line of the pod Next last returned.
func (r *OpenBPodReader) Line() int { return r.c.line() }

// Next returns the next task, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *OpenBPodReader) Next() (Task, error) {
	if r.err != nil {
		return Task{}, r.err
	}
	t, err := r.next()
	if err != nil {
		r.err = err
	}
	return t, err
}

func (r *OpenBPodReader) open() error {
	col, err := r.c.open(openBPodColumns)
	if err != nil {
		return err
	}
	for i := podName; i <= podGPUMilli; i++ {
		if col[i] < 0 {
			return r.c.missing(openBPodColumns[i])
		}
	}
	switch {
	case col[podCreation] >= 0 && col[podDeletion] < 0:
		return r.c.missing("deletion_time")
	case col[podCreation] < 0 && col[podDeletion] >= 0:
		return r.c.missing("creation_time")
	}
	r.timed = col[podCreation] >= 0
	r.col = col
	return nil
}

func (r *OpenBPodReader) next() (Task, error) {
	c := &r.c
	if r.col == nil {
		if err := r.open(); err != nil {
			return Task{}, err
		}
	}
	if err := c.next(); err != nil {
		return Task{}, err
	}
	col := r.col
	t := Task{ID: c.field(col[podName]), HasTimes: r.timed}
	if t.ID == "" {
		return Task{}, c.fieldError(col[podName], "name is empty, expected a pod name")
	}
	var err error
	if t.CPU, err = c.count(col[podCPU]); err != nil {
		return Task{}, err
	}
	if t.MemoryMiB, err = c.count(col[podMemory]); err != nil {
		return Task{}, err
	}
	if t.GPUs, err = c.smallCount(col[podNumGPU]); err != nil {
		return Task{}, err
	}
	milli, err := c.smallCount(col[podGPUMilli])
	if err != nil {
		return Task{}, err
	}
	switch {
	case t.GPUs == 0 && milli != 0:
		return Task{}, c.fieldError(col[podGPUMilli], "gpu_milli "+strconv.Itoa(milli)+" for a pod with num_gpu 0, expected 0")
	case t.GPUs == 1 && (milli < 1 || milli > 1000):
		return Task{}, c.fieldError(col[podGPUMilli], "gpu_milli "+strconv.Itoa(milli)+" is out of range, expected 1 to 1000 for a pod with num_gpu 1")
	case t.GPUs == 1:
		t.GPUMilli = milli
	case t.GPUs > 1:
		t.GPUMilli = 1000 // whole devices; the trace's gpu_milli is 1000 here
	}
	if col[podGPUSpec] >= 0 {
		t.GPUSpec = c.field(col[podGPUSpec])
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
	c := &r.c
	ci, di := r.col[podCreation], r.col[podDeletion]
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
