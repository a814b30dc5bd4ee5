package gpushare

import "strings"

// MaxDevices is the largest number of GPU devices on one node.
const MaxDevices = 8

// Normalising constants of the paper's scores (MaxSpecCpu, MaxSpecGpu).
const (
	MaxCPUMilli = 128000 // the largest node's CPU, millicores
	MaxGPUMilli = 8000   // the largest node's GPU, milli-GPU
	DeviceMilli = 1000   // one whole GPU device, milli-GPU
)

// Node is the free capacity of one node as the policies see it.
type Node struct {
	CPUMilli  int64   // free CPU, millicores
	MemoryMiB int64   // free memory, MiB
	GPULeft   []int64 // free milli-GPU of each device; index = device id
	Model     string  // GPU model ("" for a node without GPUs)
	Tags      Tags    // GPU pods already placed on the node, by kind
}

// Tags counts the GPU pods on a node by kind, as GpuClustering groups them:
// index 0 counts pods sharing one device, index k (1..MaxDevices) pods
// holding k whole devices. CPU-only pods are not counted.
type Tags [MaxDevices + 1]int32

// Add counts pod p. It does nothing for a CPU-only pod or one that needs
// more than MaxDevices devices.
func (t *Tags) Add(p *Pod) {
	if i := p.tag(); i >= 0 {
		t[i]++
	}
}

// Pod is a request.
type Pod struct {
	CPUMilli  int64  // CPU, millicores
	MemoryMiB int64  // memory, MiB
	GPUMilli  int64  // share of each device, milli-GPU: 0 CPU-only, 1..999 shared, 1000 whole
	GPUCount  int    // number of devices; 0 for a CPU-only pod
	GPUSpec   string // accepted GPU models separated by '|'; "" accepts any
}

// CPUOnly reports whether p uses no GPU.
func (p *Pod) CPUOnly() bool { return p.GPUMilli <= 0 }

// Sharing reports whether p takes part of one device, so that a policy
// chooses the device.
func (p *Pod) Sharing() bool {
	return p.GPUCount == 1 && p.GPUMilli > 0 && p.GPUMilli < DeviceMilli
}

// TotalGPUMilli is p's whole GPU request, GPUMilli x GPUCount.
func (p *Pod) TotalGPUMilli() int64 {
	if p.CPUOnly() {
		return 0
	}
	return p.GPUMilli * int64(p.GPUCount)
}

// tag is p's index in Tags, or -1.
func (p *Pod) tag() int {
	switch {
	case p.CPUOnly():
		return -1
	case p.Sharing():
		return 0
	case p.GPUCount >= 1 && p.GPUCount <= MaxDevices:
		return p.GPUCount
	}
	return -1
}

// Accepts reports whether a pod with GPU spec spec may use a device of the
// given model: some non-empty '|'-separated part equals model, or spec has
// no non-empty part at all. Duplicate parts are harmless.
func Accepts(spec, model string) bool {
	any := true
	for spec != "" {
		var part string
		part, spec, _ = strings.Cut(spec, "|")
		if part == "" {
			continue
		}
		if part == model {
			return true
		}
		any = false
	}
	return any
}

// Feasible reports whether pod p fits node n: CPU and
// memory, then, for a GPU pod, a node with GPUs of an accepted model and
// enough room on its devices.
func Feasible(n *Node, p *Pod) bool {
	if p.CPUMilli > n.CPUMilli || p.MemoryMiB > n.MemoryMiB {
		return false
	}
	if p.CPUOnly() {
		return true
	}
	if len(n.GPULeft) == 0 || !Accepts(p.GPUSpec, n.Model) {
		return false
	}
	return FitsGPU(n.GPULeft, p.GPUMilli, p.GPUCount)
}

// FitsGPU reports whether count shares of milli fit the devices left, by
// the simulator's greedy walk: device by device in index order, put shares
// on the current device while it has room, then move on.
func FitsGPU(left []int64, milli int64, count int) bool {
	if count <= 0 || milli <= 0 {
		return true
	}
	placed := 0
	for _, l := range left {
		for l >= milli {
			l -= milli
			placed++
			if placed == count {
				return true
			}
		}
	}
	return false
}

// BestDevice returns the device with the least free share that still holds
// milli, the lowest index among equals, or -1 if none does. An idle device
// is chosen only when no partly used one fits.
func BestDevice(left []int64, milli int64) int {
	best := -1
	for i, l := range left {
		if l >= milli && (best < 0 || l < left[best]) {
			best = i
		}
	}
	return best
}

// WholeDevices appends to dst the count lowest-index idle devices of left
// and returns it; it returns dst unchanged if fewer than count are idle.
func WholeDevices(dst []int, left []int64, count int) []int {
	n := len(dst)
	for i, l := range left {
		if len(dst)-n == count {
			break
		}
		if l == DeviceMilli {
			dst = append(dst, i)
		}
	}
	if len(dst)-n < count {
		return dst[:n]
	}
	return dst
}

// gpuTotal is the node's free GPU, Σ left.
func gpuTotal(left []int64) int64 {
	var g int64
	for _, l := range left {
		g += l
	}
	return g
}

// after writes into dst (len(left)) the free shares once p is placed on a
// node with free shares left, the simulator's NodeResource.Sub: devices in
// ascending order of free share (stable), p's share taken from the first
// GPUCount devices that hold it. It reports false if they do not all fit.
func after(dst, left []int64, p *Pod) bool {
	copy(dst, left)
	if p.CPUOnly() {
		return true
	}
	var order [MaxDevices]int
	idx := order[:0]
	if len(left) > MaxDevices {
		idx = make([]int, 0, len(left))
	}
	for i := range left {
		idx = append(idx, i)
		for j := len(idx) - 1; j > 0 && left[idx[j]] < left[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	taken := 0
	for _, i := range idx {
		if taken == p.GPUCount {
			break
		}
		if dst[i] >= p.GPUMilli {
			dst[i] -= p.GPUMilli
			taken++
		}
	}
	return taken == p.GPUCount
}
