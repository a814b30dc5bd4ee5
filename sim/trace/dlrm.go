package trace

import (
	"io"
	"strconv"
)

// DLRMReader reads the Alibaba GPU-disaggregated DLRM trace CSV
// (cluster-trace-gpu-v2025) as Tasks. Create it with NewDLRM.
//
// Units: CPU is cpu_request vCPU x 1024; MemoryMiB is memory_request GiB
// x 1024; GPUs is gpu_request (whole devices, GPUMilli 1000); Scalars are
// "disk" (disk_request, GiB) and "rdma" (rdma_request, percent of one
// RDMA NIC), always both, in that order. App is app_name and Group is
// "service:" + app_name (the instances of an app are the replicas of one
// long-running service); MaxPerInstance is max_instance_per_node, with -1
// (no cap) read as 0. An empty (or NaN) creation_time means the instance
// is alive at the start (Submit 0); an empty deletion_time means it runs
// to the end (Duration 0). The *_limit columns, role and scheduled_time
// are not read. Rows are not sorted by creation_time.
type DLRMReader struct {
	c   csvFile
	col []int
	err error
}

var dlrmColumns = []string{"instance_sn", "app_name", "cpu_request", "gpu_request", "rdma_request", "memory_request", "disk_request", "max_instance_per_node", "creation_time", "deletion_time"}

const (
	dlrmName = iota
	dlrmApp
	dlrmCPU
	dlrmGPU
	dlrmRDMA
	dlrmMemory
	dlrmDisk
	dlrmMaxPerNode
	dlrmCreation
	dlrmDeletion
)

// NewDLRM returns a reader of the DLRM trace r; file names it in errors.
func NewDLRM(r io.Reader, file string) *DLRMReader {
	return &DLRMReader{c: newCSVFile(r, file, nil)}
}

// Line returns the line of the task Next last returned.
func (r *DLRMReader) Line() int { return r.c.line() }

// Next returns the next task, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *DLRMReader) Next() (Task, error) {
	if r.err != nil {
		return Task{}, r.err
	}
	t, err := r.next()
	if err != nil {
		r.err = err
	}
	return t, err
}

func (r *DLRMReader) next() (Task, error) {
	c := &r.c
	if r.col == nil {
		col, err := c.require(dlrmColumns)
		if err != nil {
			return Task{}, err
		}
		r.col = col
	}
	if err := c.next(); err != nil {
		return Task{}, err
	}
	col := r.col
	t := Task{ID: c.field(col[dlrmName]), App: c.field(col[dlrmApp]), HasTimes: true}
	if t.ID == "" {
		return Task{}, c.fieldError(col[dlrmName], "instance_sn is empty, expected an instance name")
	}
	if t.App == "" {
		return Task{}, c.fieldError(col[dlrmApp], "app_name is empty, expected an application name")
	}
	t.Group = "service:" + t.App
	var err error
	if t.CPU, err = r.scaled(dlrmCPU, 1024); err != nil {
		return Task{}, err
	}
	if t.MemoryMiB, err = r.scaled(dlrmMemory, 1024); err != nil {
		return Task{}, err
	}
	gpus, err := c.amount(col[dlrmGPU])
	if err != nil {
		return Task{}, err
	}
	if gpus != float64(int(gpus)) || gpus > maxInt {
		return Task{}, c.fieldError(col[dlrmGPU], "gpu_request "+c.field(col[dlrmGPU])+" is not a whole number of GPUs")
	}
	if t.GPUs = int(gpus); t.GPUs > 0 {
		t.GPUMilli = 1000
	}
	disk, err := c.amount(col[dlrmDisk])
	if err != nil {
		return Task{}, err
	}
	rdma, err := c.amount(col[dlrmRDMA])
	if err != nil {
		return Task{}, err
	}
	if rdma > 100 {
		return Task{}, c.fieldError(col[dlrmRDMA], "rdma_request "+c.field(col[dlrmRDMA])+" is out of range, expected a percentage 0 to 100")
	}
	t.Scalars = []Scalar{{Name: "disk", Value: disk}, {Name: "rdma", Value: rdma}}
	if t.MaxPerInstance, err = r.maxPerNode(); err != nil {
		return Task{}, err
	}
	if err := r.times(&t); err != nil {
		return Task{}, err
	}
	return t, nil
}

// scaled parses field f as a non-negative amount and scales it to an
// integer, rounding up.
func (r *DLRMReader) scaled(f int, factor float64) (int64, error) {
	c, i := &r.c, r.col[f]
	v, err := c.amount(i)
	if err != nil {
		return 0, err
	}
	n, ok := scale(v, factor)
	if !ok {
		return 0, c.fieldError(i, c.header[i]+" "+c.field(i)+" is too large")
	}
	return n, nil
}

func (r *DLRMReader) maxPerNode() (int, error) {
	c, i := &r.c, r.col[dlrmMaxPerNode]
	if c.field(i) == "-1" {
		return 0, nil
	}
	n, err := c.smallCount(i)
	if err == nil && n == 0 {
		return 0, c.fieldError(i, "max_instance_per_node 0 is out of range, expected -1 (no cap) or a positive cap")
	}
	return n, err
}

func (r *DLRMReader) times(t *Task) error {
	c := &r.c
	ci, di := r.col[dlrmCreation], r.col[dlrmDeletion]
	created, _, err := optSeconds(c, ci)
	if err != nil {
		return err
	}
	t.Submit = created
	deleted, ok, err := optSeconds(c, di)
	if err != nil || !ok {
		return err
	}
	if deleted < created {
		return c.fieldError(di, "deletion_time "+c.field(di)+" is before creation_time "+strconv.Quote(c.field(ci)))
	}
	t.Duration = runTime(deleted - created)
	return nil
}
