package capfill

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/sim/trace"
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
// gpu, model, in any order; others ignored) with the CSV reading of
// sim/trace (trace.NewOpenBNodeRows), then applies the benchmark's rules:
// at most gpushare.MaxDevices GPUs, a model for a node with GPUs, unique
// names. file names the input in errors, which are *trace.Error values
// giving its line and field number.
func ReadNodes(r io.Reader, file string) ([]NodeSpec, error) {
	rows := trace.NewOpenBNodeRows(r, file)
	var out []NodeSpec
	seen := map[string]int{}
	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case row.GPUs > gpushare.MaxDevices:
			return nil, rows.FieldError("gpu", fmt.Sprintf("%d is too many, expected at most %d", row.GPUs, gpushare.MaxDevices))
		case seen[row.Name] > 0:
			return nil, rows.FieldError("sn", fmt.Sprintf("%q duplicates line %d, expected unique names", row.Name, seen[row.Name]))
		case row.GPUs > 0 && row.Model == "":
			return nil, rows.FieldError("model", fmt.Sprintf("is empty for a node with %d GPUs, expected a GPU model", row.GPUs))
		}
		seen[row.Name] = rows.Line()
		out = append(out, NodeSpec{Name: row.Name, CPUMilli: row.CPUMilli, MemoryMiB: row.MemoryMiB, GPUs: row.GPUs, Model: row.Model})
	}
}

// ReadPods reads an openb pod list (columns name, cpu_milli, memory_mib,
// num_gpu, gpu_milli and, optionally, gpu_spec, in any order; others
// ignored) with the CSV reading of sim/trace (trace.NewOpenBPodRows), then
// converts each pod as the paper's converter does: a pod with num_gpu 0 or
// gpu_milli <= 0 is CPU-only, gpu_milli above 1000 counts as 1000, and
// empty '|'-parts are dropped from gpu_spec (duplicates are kept: the
// string is the typical-pod key). A pod with num_gpu > 1 must have
// gpu_milli 1000 (or more); names must be unique. file names the input in
// errors, which are *trace.Error values giving its line and field number.
func ReadPods(r io.Reader, file string) ([]PodSpec, error) {
	rows := trace.NewOpenBPodRows(r, file)
	var out []PodSpec
	seen := map[string]int{}
	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		count, milli := row.NumGPU, row.GPUMilli
		switch {
		case seen[row.Name] > 0:
			return nil, rows.FieldError("name", fmt.Sprintf("%q duplicates line %d, expected unique names", row.Name, seen[row.Name]))
		case count > 1 && milli < gpushare.DeviceMilli:
			return nil, rows.FieldError("gpu_milli", fmt.Sprintf("%d with num_gpu %d, expected %d when num_gpu > 1", milli, count, gpushare.DeviceMilli))
		case count > 1<<20:
			return nil, rows.FieldError("num_gpu", fmt.Sprintf("%d is too large, expected a device count", count))
		}
		p := PodSpec{Name: row.Name}
		p.CPUMilli = row.CPUMilli
		p.MemoryMiB = row.MemoryMiB
		if count > 0 && milli > 0 {
			p.GPUMilli = min(milli, gpushare.DeviceMilli)
			p.GPUCount = count
			p.GPUSpec = cleanSpec(row.GPUSpec)
		}
		seen[row.Name] = rows.Line()
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
