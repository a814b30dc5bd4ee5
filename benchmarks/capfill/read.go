package capfill

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/internal/linelimit"
)

// NodeSpec is one row of an openb node list: a node as it starts, empty.
type NodeSpec struct {
	Name      string // sn, e.g. openb-node-0000
	CPUMilli  int64  // cpu_milli
	MemoryMiB int64  // memory_mib
	GPUs      int    // gpu: number of devices, 0..gpushare.MaxDevices
	Model     string // model; required when GPUs > 0
}

// PodSpec is one row of an openb pod list.
type PodSpec struct {
	Name string // name, e.g. openb-pod-0000
	gpushare.Pod
}

// LoadNodes reads the node list at path with [ReadNodes].
func LoadNodes(path string) ([]NodeSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capfill: %w", err)
	}
	defer f.Close()
	return ReadNodes(f, path)
}

// LoadPods reads the pod list at path with [ReadPods].
func LoadPods(path string) ([]PodSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capfill: %w", err)
	}
	defer f.Close()
	return ReadPods(f, path)
}

// ReadNodes reads an openb node list (columns sn, cpu_milli, memory_mib,
// gpu, model, in any order; others ignored). file names the input in
// errors, which give its line and column.
func ReadNodes(r io.Reader, file string) ([]NodeSpec, error) {
	t, err := newTable(r, file, []string{"sn", "cpu_milli", "memory_mib", "gpu", "model"}, nil)
	if err != nil {
		return nil, err
	}
	var out []NodeSpec
	seen := map[string]int{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		n := NodeSpec{Name: t.str(0), Model: t.str(4)}
		n.CPUMilli = t.int(1, 0, -1)
		n.MemoryMiB = t.int(2, 0, -1)
		n.GPUs = int(t.int(3, 0, gpushare.MaxDevices))
		if t.err == nil {
			switch {
			case n.Name == "":
				t.fail(0, "empty; expected a node name")
			case seen[n.Name] > 0:
				t.fail(0, fmt.Sprintf("%q duplicates line %d; expected unique names", n.Name, seen[n.Name]))
			case n.GPUs > 0 && n.Model == "":
				t.fail(4, fmt.Sprintf("empty for a node with %d GPUs; expected a GPU model", n.GPUs))
			}
		}
		if t.err != nil {
			return nil, t.err
		}
		seen[n.Name] = t.line
		out = append(out, n)
	}
}

// ReadPods reads an openb pod list (columns name, cpu_milli, memory_mib,
// num_gpu, gpu_milli and, optionally, gpu_spec, in any order; others
// ignored). As the paper's converter does, a pod with num_gpu 0 or
// gpu_milli <= 0 is CPU-only, gpu_milli above 1000 counts as 1000, and empty
// '|'-parts are dropped from gpu_spec (duplicates are kept: the string is
// the typical-pod key). A pod with num_gpu > 1 must have gpu_milli 1000.
// file names the input in errors, which give its line and column.
func ReadPods(r io.Reader, file string) ([]PodSpec, error) {
	t, err := newTable(r, file, []string{"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"}, []string{"gpu_spec"})
	if err != nil {
		return nil, err
	}
	var out []PodSpec
	seen := map[string]int{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		p := PodSpec{Name: t.str(0)}
		p.CPUMilli = t.int(1, 0, -1)
		p.MemoryMiB = t.int(2, 0, -1)
		count := t.int(3, 0, -1)
		milli := t.int(4, -1<<62, -1)
		spec := t.str(5)
		if t.err == nil {
			switch {
			case p.Name == "":
				t.fail(0, "empty; expected a pod name")
			case seen[p.Name] > 0:
				t.fail(0, fmt.Sprintf("%q duplicates line %d; expected unique names", p.Name, seen[p.Name]))
			case count > 1 && milli < gpushare.DeviceMilli:
				t.fail(4, fmt.Sprintf("%d with num_gpu %d; expected %d when num_gpu > 1", milli, count, gpushare.DeviceMilli))
			case count > 1<<20:
				t.fail(3, fmt.Sprintf("%d is too large; expected a device count", count))
			}
		}
		if t.err != nil {
			return nil, t.err
		}
		if count > 0 && milli > 0 {
			p.GPUMilli = min(milli, gpushare.DeviceMilli)
			p.GPUCount = int(count)
			p.GPUSpec = cleanSpec(spec)
		}
		seen[p.Name] = t.line
		out = append(out, p)
	}
}

// cleanSpec drops the empty parts of a '|'-separated GPU spec.
func cleanSpec(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	parts := strings.Split(s, "|")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "|")
}

// table reads a CSV with a header, by column name.
type table struct {
	r     *csv.Reader
	file  string
	names []string // wanted columns; optional ones at the end
	cols  []int    // index of each wanted column in a record, -1 if absent
	rec   []string
	line  int
	err   error
}

func newTable(r io.Reader, file string, required, optional []string) (*table, error) {
	cr := csv.NewReader(linelimit.New(r, linelimit.Max))
	t := &table{r: cr, file: file, names: append(append([]string{}, required...), optional...)}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("capfill: %s: empty file; expected a header line with %s", file, strings.Join(required, ","))
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	for i, name := range t.names {
		c, ok := index[name]
		if !ok && i < len(required) {
			return nil, fmt.Errorf("capfill: %s:1: missing column %q; expected columns %s", file, name, strings.Join(required, ","))
		}
		if !ok {
			c = -1
		}
		t.cols = append(t.cols, c)
	}
	return t, nil
}

func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("capfill: %s:%d:%d: %v", t.file, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("capfill: %s: %w", t.file, err)
}

// next reads the next record; false at the end.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, t.csvError(err)
	}
	t.rec = rec
	t.line, _ = t.r.FieldPos(0)
	return true, nil
}

func (t *table) str(i int) string {
	if t.cols[i] < 0 {
		return ""
	}
	return strings.TrimSpace(t.rec[t.cols[i]])
}

// int parses wanted column i as an integer in [lo, hi] (hi < 0: no upper
// bound), recording the first error.
func (t *table) int(i int, lo, hi int64) int64 {
	if t.err != nil {
		return 0
	}
	s := t.str(i)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Some exports write integral values as floats ("64000.0").
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			t.fail(i, fmt.Sprintf("%q is not an integer", s))
			return 0
		}
		v = int64(f)
	}
	switch {
	case v < lo && lo == 0:
		t.fail(i, fmt.Sprintf("%d is negative; expected a value >= 0", v))
	case v < lo || (hi >= 0 && v > hi):
		t.fail(i, fmt.Sprintf("%d is out of range; expected %d..%d", v, lo, hi))
	}
	return v
}

func (t *table) fail(i int, msg string) {
	if t.err != nil {
		return
	}
	line, col := t.r.FieldPos(t.cols[i])
	t.err = fmt.Errorf("capfill: %s:%d:%d: %s: %s", t.file, line, col, t.names[i], msg)
}
