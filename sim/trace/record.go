package trace

import "time"

// Task is one task of a workload trace, in the units berth's placement
// uses (the trace's CPU unit kept as it is; memory in MiB).
type Task struct {
	// ID is the trace's name for the task (pod name, job number...).
	ID string
	// Submit is when the task arrives, from the start of the trace.
	Submit time.Duration
	// Duration is how long it runs once started; 0 means it runs until the
	// end of the simulation (or the trace gives no end).
	Duration time.Duration
	// HasTimes is false for traces without times (openb's multigpu files),
	// which can be packed but not replayed in time.
	HasTimes bool
	// CPU in the trace's unit (openb: millicores; SWF: processors x 1024;
	// DLRM: vCPU x 1024). MemoryMiB in MiB.
	CPU       int64
	MemoryMiB int64
	// GPUs is the number of GPU devices; GPUMilli the share of each, 1..1000
	// (1000 = whole devices; below 1000 the task shares one device).
	GPUs     int
	GPUMilli int
	// GPUModels lists the GPU models the task accepts, deduplicated, in
	// the order first seen; empty means any. GPUSpec is the raw string the
	// trace gave (openb's gpu_spec), kept for keys that need it.
	GPUModels []string
	GPUSpec   string
	// Scalars are named resources (disk GiB, rdma percent...).
	Scalars []Scalar
	// Group is the task group to place it in ("" means the reader has no
	// notion of one; the simulator then uses "family:<App or trace>").
	Group string
	// App names the application, where the trace has one (DLRM app_name).
	App string
	// MaxPerInstance caps the tasks of App on one instance; 0 means no cap.
	MaxPerInstance int
	// ExitCode is the code the task exits with (SWF status: failed jobs
	// exit 1); 0 otherwise.
	ExitCode int
	// CPUUse is the CPU the task burns when it can, in CPU's unit; 0
	// means CPU. Only executors that model contention read it.
	CPUUse int64
}

// Scalar is an amount of a named resource.
type Scalar struct {
	Name  string
	Value float64
}

// MaxNodeGPUs is the most GPUs a node may have (the largest machines
// have 16): a node with more is an error, not a fleet of GPU slots
// allocated one by one.
const MaxNodeGPUs = 64

// Node is one machine of a fleet trace.
type Node struct {
	Name      string
	CPU       int64
	MemoryMiB int64
	GPUs      int
	GPUModel  string
	// Attributes are extra instance attributes the reader knows.
	Attributes []Attribute
	// Type is the instance type and Zone the availability zone, where the
	// trace gives them (the native format's instance-add does; the CSV
	// fleets do not). PricePerHour is the instance's price per hour, in
	// the scenario's currency; 0 when unknown.
	Type         string
	Zone         string
	PricePerHour float64
}

// Attribute is an instance attribute.
type Attribute struct {
	Name  string
	Value string
}
