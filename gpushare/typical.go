package gpushare

import (
	"cmp"
	"slices"
)

// TypicalThresholdPercent is the share of a workload's pods that its typical
// pods cover (podPopularityThreshold).
const TypicalThresholdPercent = 95

// TypicalPod is one of a workload's most frequent request shapes.
type TypicalPod struct {
	// Pod is the shape: CPUMilli, GPUMilli, GPUCount and the GPUSpec string
	// as given (duplicate parts kept); MemoryMiB is always 0, memory is not
	// part of the shape.
	Pod    Pod
	Count  int     // pods of the workload with this shape
	Weight float64 // probability of the shape among the typical pods; the weights sum to 1
}

// Typical returns the typical pods of a workload (the FGD paper's): the
// pods grouped by shape (CPU, per-device GPU, device count, GPU spec
// string; not memory), the groups ordered by count descending and then by
// shape descending, and the top groups taken until they cover
// TypicalThresholdPercent of the pods (the group that crosses the threshold
// included). CPU-only pods take part. The order of pods does not matter.
func Typical(pods []Pod) []TypicalPod {
	counts := map[Pod]int{}
	for _, p := range pods {
		k := shapeKey(&p)
		counts[k]++
	}
	out := make([]TypicalPod, 0, len(counts))
	for k, c := range counts {
		out = append(out, TypicalPod{Pod: k, Count: c})
	}
	slices.SortFunc(out, func(a, b TypicalPod) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return -compareShape(&a.Pod, &b.Pod)
	})
	total := float64(len(pods))
	expected := float64(TypicalThresholdPercent) * total / 100.0
	cum := 0.0
	i := 0
	for cum < expected && i < len(out) {
		cum += float64(out[i].Count)
		out[i].Weight = float64(out[i].Count) / total
		i++
	}
	if i >= len(out) {
		// The simulator skips the renormalisation when every shape is typical.
		return out
	}
	out = out[:i]
	for j := range out {
		out[j].Weight /= cum / total
	}
	return out
}

// shapeKey is p as a typical-pod key.
func shapeKey(p *Pod) Pod {
	if p.CPUOnly() {
		return Pod{CPUMilli: p.CPUMilli}
	}
	return Pod{CPUMilli: p.CPUMilli, GPUMilli: p.GPUMilli, GPUCount: p.GPUCount, GPUSpec: p.GPUSpec}
}

func compareShape(a, b *Pod) int {
	if c := cmp.Compare(a.CPUMilli, b.CPUMilli); c != 0 {
		return c
	}
	if c := cmp.Compare(a.GPUMilli, b.GPUMilli); c != 0 {
		return c
	}
	if c := cmp.Compare(a.GPUCount, b.GPUCount); c != 0 {
		return c
	}
	return cmp.Compare(a.GPUSpec, b.GPUSpec)
}
