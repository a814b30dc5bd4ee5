package gpushare_test

import (
	"fmt"

	"github.com/berthsched/berth/gpushare"
)

// Score two nodes for a pod that shares a GPU, with FGD and BestFit.
func Example() {
	workload := []gpushare.Pod{
		{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1},
		{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1},
		{CPUMilli: 8000, GPUMilli: 1000, GPUCount: 1},
	}
	fgd := gpushare.NewFGD(gpushare.Typical(workload))
	nodes := []gpushare.Node{
		{CPUMilli: 32000, MemoryMiB: 65536, GPULeft: []int64{1000, 1000}, Model: "T4"},
		{CPUMilli: 32000, MemoryMiB: 65536, GPULeft: []int64{1000, 500}, Model: "T4"},
	}
	pod := gpushare.Pod{CPUMilli: 4000, MemoryMiB: 8192, GPUMilli: 500, GPUCount: 1}
	for i := range nodes {
		n := &nodes[i]
		fmt.Printf("node %d: feasible %v, FGD %d (device %d), BestFit %d\n", i,
			gpushare.Feasible(n, &pod), fgd.Score(n, &pod), fgd.Device(n, &pod), gpushare.BestFitScore(n, &pod))
	}
	// Output:
	// node 0: feasible true, FGD 45 (device 0), BestFit 79
	// node 1: feasible true, FGD 54 (device 1), BestFit 82
}
