package benchmarks

import (
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/berthsched/berth/benchmarks/capfill"
	"github.com/berthsched/berth/internal/tracedir"
)

func loadPackWorkload(b *testing.B) *capfill.Workload {
	b.Helper()
	packTraces := filepath.Join(tracedir.Require(b), "openb")
	nodes, err := capfill.LoadNodes(filepath.Join(packTraces, "openb_node_list_gpu_node.csv"))
	if err != nil {
		b.Fatal(err)
	}
	pods, err := capfill.LoadPods(filepath.Join(packTraces, "openb_pod_list_default.csv"))
	if err != nil {
		b.Fatal(err)
	}
	w, err := capfill.NewWorkload("openb_pod_list_default", nodes, pods)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkPack is one capacity-fill run per policy on the default openb
// trace, seed 42: the paper's six, berth's 07-BalancedFit, then ECS's four
// (run through a placement.Cluster mirroring the fleet). Acceptance: under
// 1 s/run for every policy, FGD and BalancedFit included.
func BenchmarkPack(b *testing.B) {
	w := loadPackWorkload(b)
	strategies := append(capfill.Paper(), capfill.Beyond()...)
	for _, s := range append(strategies, capfill.ECS()...) {
		b.Run("policy="+s.Name, func(b *testing.B) {
			res, err := w.Run(s, 42, 1.3)
			if err != nil || len(res.Events) != 10866 {
				b.Fatalf("setup run: %v, %d events; want 10866", err, len(res.Events))
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.Run(s, 42, 1.3); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(len(res.Events))*float64(b.N)/b.Elapsed().Seconds(), "pods/s")
		})
	}
}

// BenchmarkPackAll is the paper's matrix on the default trace: six
// policies x ten seeds, over all cores. Acceptance: under 60 s.
func BenchmarkPackAll(b *testing.B) {
	w := loadPackWorkload(b)
	strategies := capfill.Paper()
	for b.Loop() {
		jobs := make(chan func())
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					j()
				}
			}()
		}
		for _, s := range strategies {
			for seed := int64(42); seed <= 51; seed++ {
				jobs <- func() {
					if _, err := w.Run(s, seed, 1.3); err != nil {
						b.Error(err)
					}
				}
			}
		}
		close(jobs)
		wg.Wait()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/matrix")
}
