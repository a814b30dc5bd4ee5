package capfill_test

import (
	"fmt"
	"strings"

	"github.com/berthsched/berth/benchmarks/capfill"
	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// Run the deterministic policies on a tiny fleet, tuned to 1.3 x its GPU
// capacity.
func Example() {
	nodes, _ := capfill.ReadNodes(strings.NewReader(`sn,cpu_milli,memory_mib,gpu,model
n0,32000,131072,2,T4
n1,32000,131072,4,G2
`), "nodes.csv")
	pods, _ := capfill.ReadPods(strings.NewReader(`name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec
p0,4000,8192,1,500,
p1,4000,8192,1,500,T4
p2,8000,16384,2,1000,G2
p3,2000,4096,0,0,
p4,4000,8192,1,250,
`), "pods.csv")
	w, err := capfill.NewWorkload("tiny", nodes, pods)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range capfill.Paper()[1:] {
		res, err := w.Run(s, 42, 1.3)
		if err != nil {
			fmt.Println(err)
			return
		}
		last := res.Events[len(res.Events)-1]
		fmt.Printf("%-16s pods %d, failed %d, GPU allocated %d of %d milli\n",
			s.Name, res.Pods, res.Failed, last.UsedMilli, w.CapacityMilli())
	}
	// Output:
	// 02-DotProd       pods 12, failed 2, GPU allocated 6000 of 6000 milli
	// 03-GpuClustering pods 12, failed 2, GPU allocated 6000 of 6000 milli
	// 04-GpuPacking    pods 12, failed 2, GPU allocated 4500 of 6000 milli
	// 05-BestFit       pods 12, failed 2, GPU allocated 6000 of 6000 milli
	// 06-FGD           pods 12, failed 2, GPU allocated 6000 of 6000 milli
}

// Run placement strategies in the harness: the paper's FGD as a placement
// strategy, and a chain of ECS's binpack strategies.
func ExampleStrategy_placement() {
	nodes, _ := capfill.ReadNodes(strings.NewReader(`sn,cpu_milli,memory_mib,gpu,model
n0,32000,131072,2,T4
n1,32000,131072,4,G2
`), "nodes.csv")
	pods, _ := capfill.ReadPods(strings.NewReader(`name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec
p0,4000,8192,1,500,
p1,4000,8192,1,500,T4
p2,8000,16384,2,1000,G2
p3,2000,4096,0,0,
p4,4000,8192,1,250,
`), "pods.csv")
	w, err := capfill.NewWorkload("tiny", nodes, pods)
	if err != nil {
		fmt.Println(err)
		return
	}
	fgd := capfill.Strategy{Name: "fgd-via-placement", Placement: func(e capfill.Env) []placement.Strategy {
		return []placement.Strategy{gpushare.FGDStrategy(e.Typical, gpushare.StrategyOptions{})}
	}}
	mine := capfill.Strategy{Name: "binpack-memory-then-cpu", Placement: func(capfill.Env) []placement.Strategy {
		return []placement.Strategy{placement.Binpack{Field: placement.Memory}, placement.Binpack{Field: placement.CPU}}
	}}
	for _, s := range []capfill.Strategy{capfill.Paper()[5], fgd, mine} {
		res, err := w.Run(s, 42, 1.3)
		if err != nil {
			fmt.Println(err)
			return
		}
		last := res.Events[len(res.Events)-1]
		fmt.Printf("%-23s failed %d, GPU allocated %d of %d milli\n", s.Name, res.Failed, last.UsedMilli, w.CapacityMilli())
	}
	// Output:
	// 06-FGD                  failed 2, GPU allocated 6000 of 6000 milli
	// fgd-via-placement       failed 2, GPU allocated 6000 of 6000 milli
	// binpack-memory-then-cpu failed 2, GPU allocated 6000 of 6000 milli
}
