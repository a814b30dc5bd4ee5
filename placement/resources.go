package placement

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berthsched/berth/fielderr"
)

// GPUMilliPerDevice is the capacity of one GPU device in milli-GPU.
const GPUMilliPerDevice = 1000

// MaxReservedPorts is the most static host ports (TCP and UDP together,
// counting the agent's reserved ports) an instance may have reserved at
// once. Dynamic host ports do not count.
const MaxReservedPorts = 100

// MaxGPUsPerInstance bounds the devices of one instance, so that a task's
// devices fit in a bit set.
const MaxGPUsPerInstance = 64

// Scalar is an amount of a named resource (disk GiB, RDMA percent, ENIs...).
type Scalar struct {
	Name  string
	Value float64
}

// Requirements is what one task reserves on the instance that hosts it.
// The zero value reserves nothing.
type Requirements struct {
	// CPU in the input's unit (ECS CPU units, 1024 per vCPU, or the
	// millicores of a trace); never converted.
	CPU int64
	// MemoryMiB is the memory reserved, in MiB.
	MemoryMiB int64
	// GPUs is the number of GPU devices the task uses. With GPUMilli below
	// GPUMilliPerDevice the task shares a single device (GPUs must be 1);
	// otherwise it takes GPUs whole devices.
	GPUs int
	// GPUMilli is the share of each device the task takes, in milli-GPU
	// (1..1000). Zero means whole devices, as in ECS.
	GPUMilli int
	// AllGPUs takes every GPU device of the instance, all of them free
	// (ECS's resourceRequirements value "ALL"). GPUs and GPUMilli must be 0.
	AllGPUs bool
	// PortsTCP and PortsUDP are the static host ports the task binds.
	PortsTCP, PortsUDP []uint16
	// DynamicPorts counts host ports taken from the ephemeral range. They
	// are not reserved and never block placement.
	DynamicPorts int
	// Scalars are named resources the task consumes, one entry per name.
	Scalars []Scalar
	// AWSVPC says the task runs in awsvpc network mode: it takes one task
	// ENI of its instance (Capacity.ENIs), and its ports live on that ENI,
	// so PortsTCP and PortsUDP reserve nothing on the instance and never
	// collide with other tasks' ports.
	AWSVPC bool
}

// hostPorts returns the static host ports the task reserves on its
// instance: none for an awsvpc task.
func (r *Requirements) hostPorts() (tcp, udp []uint16) {
	if r.AWSVPC {
		return nil, nil
	}
	return r.PortsTCP, r.PortsUDP
}

// gpuShare is the per-device milli the task takes on each of its devices.
func (r *Requirements) gpuShare() int {
	if r.GPUMilli <= 0 || r.GPUMilli > GPUMilliPerDevice {
		return GPUMilliPerDevice
	}
	return r.GPUMilli
}

// validate checks the requirement's own consistency.
func (r *Requirements) validate() error {
	switch {
	case r.CPU < 0:
		return fieldErrorf("cpu", "%d is negative", r.CPU)
	case r.MemoryMiB < 0:
		return fieldErrorf("memory", "%d is negative", r.MemoryMiB)
	case r.GPUs < 0 || r.GPUs > MaxGPUsPerInstance:
		return fieldErrorf("gpus", "%d is outside 0..%d", r.GPUs, MaxGPUsPerInstance)
	case r.GPUMilli < 0 || r.GPUMilli > GPUMilliPerDevice:
		return fieldErrorf("gpuMilli", "%d is outside 0..%d", r.GPUMilli, GPUMilliPerDevice)
	case r.GPUMilli > 0 && r.GPUMilli < GPUMilliPerDevice && r.GPUs != 1:
		return fieldErrorf("gpuMilli", "a share of %d milli needs exactly 1 gpu, not %d", r.GPUMilli, r.GPUs)
	case r.AllGPUs && (r.GPUs != 0 || r.GPUMilli != 0):
		return fieldErrorf("gpus", "ALL cannot be combined with a count or a share")
	case r.DynamicPorts < 0:
		return fieldErrorf("dynamicPorts", "%d is negative", r.DynamicPorts)
	}
	if p, ok := firstDuplicate(r.PortsTCP); ok {
		return fieldErrorf("portsTCP", "host port %d appears twice", p)
	}
	if p, ok := firstDuplicate(r.PortsUDP); ok {
		return fieldErrorf("portsUDP", "host port %d appears twice", p)
	}
	for i, s := range r.Scalars {
		if s.Name == "" {
			return fieldErrorf(fielderr.Index("scalars", i)+".name", "missing")
		}
		if s.Value < 0 {
			return fieldErrorf(fielderr.Index("scalars", i)+".value", "%g is negative", s.Value)
		}
		for _, t := range r.Scalars[:i] {
			if t.Name == s.Name {
				return fieldErrorf(fielderr.Index("scalars", i)+".name", "%q appears twice", s.Name)
			}
		}
	}
	return nil
}

func firstDuplicate(ports []uint16) (uint16, bool) {
	for i, p := range ports {
		if slices.Contains(ports[:i], p) {
			return p, true
		}
	}
	return 0, false
}

// String summarises the requirement, for messages.
func (r Requirements) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cpu=%d memory=%d", r.CPU, r.MemoryMiB)
	switch {
	case r.AllGPUs:
		b.WriteString(" gpus=ALL")
	case r.GPUs > 0 && r.gpuShare() < GPUMilliPerDevice:
		fmt.Fprintf(&b, " gpu=%dm", r.GPUMilli)
	case r.GPUs > 0:
		fmt.Fprintf(&b, " gpus=%d", r.GPUs)
	}
	if len(r.PortsTCP) > 0 {
		fmt.Fprintf(&b, " tcp=%v", r.PortsTCP)
	}
	if len(r.PortsUDP) > 0 {
		fmt.Fprintf(&b, " udp=%v", r.PortsUDP)
	}
	for _, s := range r.Scalars {
		fmt.Fprintf(&b, " %s=%g", s.Name, s.Value)
	}
	if r.AWSVPC {
		b.WriteString(" awsvpc")
	}
	return b.String()
}

// GPU is one GPU device of an instance.
type GPU struct {
	// ID is the device id as the agent reports it (e.g. "GPU-0c1a...").
	ID string
	// FreeMilli is the part of the device not yet taken, 0..1000.
	FreeMilli int
}

// DeviceSet says which GPU devices a placed task got: bit i set means
// device i of the instance's GPU list.
type DeviceSet uint64

// Has reports whether device i is in the set.
func (d DeviceSet) Has(i int) bool { return d&(1<<uint(i)) != 0 }

// Len returns the number of devices in the set.
func (d DeviceSet) Len() int {
	n := 0
	for ; d != 0; d &= d - 1 {
		n++
	}
	return n
}
