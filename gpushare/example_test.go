package gpushare_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
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

// Place GPU-sharing tasks on a placement.Cluster with FGD: the strategy
// scores the instances and picks the device; placement filters them.
func ExampleFGDStrategy() {
	typical := gpushare.Typical([]gpushare.Pod{
		{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1},
		{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1},
		{CPUMilli: 8000, GPUMilli: 1000, GPUCount: 1},
	})
	c := placement.NewCluster()
	for _, name := range []string{"a", "b"} {
		in := &placement.Instance{ARN: name, Status: placement.StatusActive, AgentConnected: true,
			Attributes: []placement.Attribute{{Name: gpushare.DefaultModelAttribute, Value: "T4"}},
			Registered: placement.Capacity{CPU: 32000, MemoryMiB: 65536,
				GPUs: []placement.GPU{{FreeMilli: 1000}, {FreeMilli: 1000}}}}
		in.Remaining = in.Registered.Clone()
		if err := c.AddInstance(in); err != nil {
			fmt.Println(err)
			return
		}
	}
	req := &placement.Request{Count: 3, Group: "family:infer",
		Task:       placement.Requirements{CPU: 4000, MemoryMiB: 8192, GPUs: 1, GPUMilli: 500},
		Strategies: []placement.Strategy{gpushare.FGDStrategy(typical, gpushare.StrategyOptions{})}}
	var res placement.Result
	if err := c.Place(req, rand.New(rand.NewPCG(1, 2)), &res); err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Placed {
		fmt.Printf("%s devices %b\n", p.Instance.ARN, p.GPUs)
	}
	// Output:
	// a devices 1
	// a devices 1
	// a devices 10
}

// Where FGD and BalancedFit part: a whole-GPU pod that needs little CPU,
// and two nodes that both keep room for every typical pod after it, one
// rich in CPU and one poor. FGD scores them alike and leaves the choice to
// the tie-break; BalancedFit sends the light pod to the CPU-poor node, whose
// free CPU and GPU it brings back towards the typical pods' 4 cores per
// GPU, and keeps the CPU-rich node for CPU-heavy pods.
func ExampleBalancedFit() {
	typical := gpushare.Typical([]gpushare.Pod{
		{CPUMilli: 2000, GPUMilli: 500, GPUCount: 1},
		{CPUMilli: 4000, GPUMilli: 1000, GPUCount: 1},
	})
	nodes := []gpushare.Node{
		{CPUMilli: 64000, MemoryMiB: 65536, GPULeft: []int64{1000, 1000}, Model: "T4"},
		{CPUMilli: 6000, MemoryMiB: 65536, GPULeft: []int64{1000, 1000}, Model: "T4"},
	}
	pod := &gpushare.Pod{CPUMilli: 1000, MemoryMiB: 8192, GPUMilli: 1000, GPUCount: 1}
	fgd := gpushare.NewFGD(typical)
	balanced := gpushare.NewBalancedFit(typical, gpushare.BalancedFitOptions{})
	fmt.Printf("ratio %.0f cores per GPU\n", balanced.Ratio())
	for i := range nodes {
		fmt.Printf("node %d: FGD %d\n", i, fgd.Score(&nodes[i], pod))
	}
	a, b := balanced.Score(&nodes[0], pod), balanced.Score(&nodes[1], pod)
	fmt.Printf("BalancedFit prefers node 1: %v\n", b > a)
	// Output:
	// ratio 4 cores per GPU
	// node 0: FGD 50
	// node 1: FGD 50
	// BalancedFit prefers node 1: true
}
