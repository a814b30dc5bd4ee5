package trace

import (
	"io"
	"strconv"
	"strings"
)

// PAIMachineHeader is the header of the PAI 2020 machine spec CSV, which
// the file itself leaves out (it ships as pai_machine_spec.header).
const PAIMachineHeader = "machine,gpu_type,cap_cpu,cap_mem,cap_gpu"

var paiColumns = strings.Split(PAIMachineHeader, ",")

// PAIMachineReader reads the Alibaba PAI 2020 machine spec CSV
// (cluster-trace-gpu-v2020 pai_machine_spec.csv) as Nodes. Create it with
// NewPAIMachines.
//
// The file has no header: its columns are PAIMachineHeader, and a first
// line equal to it is skipped. Units: CPU is cap_cpu cores x 1024;
// MemoryMiB is cap_mem GB x 1024 (the trace's "GB" read as GiB); GPUs is
// cap_gpu and GPUModel is gpu_type, except that gpu_type "CPU" (the
// machines without GPUs) gives GPUModel "". A machine with GPUs and an
// empty gpu_type, or gpu_type CPU with GPUs, is an error.
type PAIMachineReader struct {
	c      csvFile
	opened bool
	err    error
}

// NewPAIMachines returns a reader of the PAI machine spec r; file names
// it in errors.
func NewPAIMachines(r io.Reader, file string) *PAIMachineReader {
	return &PAIMachineReader{c: newCSVFile(r, file, paiColumns)}
}

// Line returns the line of the machine Next last returned.
func (r *PAIMachineReader) Line() int { return r.c.line() }

// Next returns the next machine, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *PAIMachineReader) Next() (Node, error) {
	if r.err != nil {
		return Node{}, r.err
	}
	n, err := r.next()
	if err != nil {
		r.err = err
	}
	return n, err
}

func (r *PAIMachineReader) next() (Node, error) {
	c := &r.c
	if !r.opened {
		if _, err := c.open(paiColumns); err != nil {
			return Node{}, err
		}
		r.opened = true
	}
	if err := c.next(); err != nil {
		return Node{}, err
	}
	n := Node{Name: c.field(0), GPUModel: c.field(1)}
	if n.Name == "" {
		return Node{}, c.fieldError(0, "machine is empty, expected a machine name")
	}
	cores, err := c.count(2)
	if err != nil {
		return Node{}, err
	}
	mem, err := c.count(3)
	if err != nil {
		return Node{}, err
	}
	if cores > 1<<40 {
		return Node{}, c.fieldError(2, "cap_cpu "+c.field(2)+" is too large")
	}
	if mem > 1<<40 {
		return Node{}, c.fieldError(3, "cap_mem "+c.field(3)+" is too large")
	}
	n.CPU, n.MemoryMiB = cores*1024, mem*1024
	if n.GPUs, err = c.smallCount(4); err != nil {
		return Node{}, err
	}
	if n.GPUs > MaxNodeGPUs {
		return Node{}, c.fieldError(4, "cap_gpu "+c.field(4)+" is too many, expected at most "+strconv.Itoa(MaxNodeGPUs))
	}
	switch {
	case n.GPUModel == "CPU" && n.GPUs > 0:
		return Node{}, c.fieldError(1, "gpu_type CPU for a machine with GPUs, expected a GPU model")
	case n.GPUModel == "CPU":
		n.GPUModel = ""
	case n.GPUModel == "" && n.GPUs > 0:
		return Node{}, c.fieldError(1, "gpu_type is empty for a machine with GPUs, expected a GPU model")
	}
	return n, nil
}
