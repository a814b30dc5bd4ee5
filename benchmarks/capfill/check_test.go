package capfill

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/gpushare"
)

// The typical pods of the default trace (docs/research-bench.md, Typical pods and
// Check values).
func TestTypicalPodsDefault(t *testing.T) {
	w := loadWorkload(t, "openb_pod_list_default")
	keys := map[gpushare.Pod]bool{}
	for _, p := range w.Pods {
		keys[gpushare.Pod{CPUMilli: p.CPUMilli, GPUMilli: p.GPUMilli, GPUCount: p.GPUCount, GPUSpec: p.GPUSpec}] = true
	}
	if len(keys) != 91 || len(w.Typical) != 35 {
		t.Errorf("default: %d distinct keys, %d typical pods; want 91 and 35", len(keys), len(w.Typical))
	}
	type top struct {
		CPU, Milli int64
		Count, N   int
	}
	var got []top
	covered := 0
	for i, tp := range w.Typical {
		if i < 6 {
			got = append(got, top{tp.Pod.CPUMilli, tp.Pod.GPUMilli, tp.Pod.GPUCount, tp.Count})
		}
		covered += tp.Count
	}
	want := []top{{3152, 810, 1, 1047}, {11300, 1000, 1, 874}, {11400, 1000, 1, 599}, {3152, 1000, 1, 470}, {11908, 470, 1, 388}, {12500, 0, 0, 366}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("top typical pods (-want +got):\n%s", diff)
	}
	last := w.Typical[len(w.Typical)-1]
	// 4150 m has been reported for it; the trace has 31 pods of 4152 m and none of 4150.
	if last.Pod.CPUMilli != 4152 || last.Pod.GPUMilli != 810 || last.Pod.GPUCount != 1 || last.Count != 31 {
		t.Errorf("last typical pod = %+v, want (4152 m, 810, 1 GPU) x 31", last)
	}
	if pct := fmt.Sprintf("%.2f", 100*float64(covered)/float64(len(w.Pods))); pct != "95.26" {
		t.Errorf("typical pods cover %s%% of pods, want 95.26", pct)
	}
	sum := 0.0
	for _, tp := range w.Typical {
		sum += tp.Weight
	}
	if sum < 1-1e-9 || sum > 1+1e-9 {
		t.Errorf("typical weights sum to %v, want 1", sum)
	}
}

// The arrangement of every seed of the default trace (docs/research-bench.md, The order
// of a run and its random draws, and Check values).
func TestArrangeDefault(t *testing.T) {
	w := loadWorkload(t, "openb_pod_list_default")
	tests := []struct {
		seed     int64
		pods     int
		milli    int64
		first    [3]string
		rankZero string
	}{
		{42, 10866, 8075080, [3]string{"openb-pod-0255", "openb-pod-1685", "openb-pod-6784"}, "openb-node-0260"},
		{43, 10793, 8074900, [3]string{"openb-pod-2283", "openb-pod-7248", "openb-pod-5897"}, "openb-node-0764"},
		{44, 10863, 8075270, [3]string{"openb-pod-2703", "openb-pod-5401", "openb-pod-5623"}, "openb-node-0644"},
		{45, 10813, 8082190, [3]string{"openb-pod-1603", "openb-pod-6756", "openb-pod-0139"}, "openb-node-1116"},
		{46, 10814, 8075240, [3]string{"openb-pod-4012", "openb-pod-0406", "openb-pod-0404"}, "openb-node-0702"},
		{47, 10831, 8074860, [3]string{"openb-pod-1915", "openb-pod-4744", "openb-pod-7035"}, "openb-node-0926"},
		{48, 10805, 8075340, [3]string{"openb-pod-3154", "openb-pod-3572", "openb-pod-2396"}, "openb-node-0417"},
		{49, 10835, 8075140, [3]string{"openb-pod-7880", "openb-pod-6789", "openb-pod-4238"}, "openb-node-1181"},
		{50, 10766, 8075230, [3]string{"openb-pod-4998", "openb-pod-6404", "openb-pod-4135"}, "openb-node-1080"},
		{51, 10859, 8074900, [3]string{"openb-pod-7151", "openb-pod-7598", "openb-pod-3598"}, "openb-node-0216"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("seed=", tt.seed), func(t *testing.T) {
			arr, _ := w.Arrange(tt.seed, 1.3)
			if len(arr.Order) != tt.pods || arr.GPUMilli != tt.milli {
				t.Errorf("Arrange(%d): %d pods, %d milli; want %d, %d", tt.seed, len(arr.Order), arr.GPUMilli, tt.pods, tt.milli)
			}
			first := [3]string{arr.Order[0].Name, arr.Order[1].Name, arr.Order[2].Name}
			if first != tt.first {
				t.Errorf("Arrange(%d): first pods %v, want %v", tt.seed, first, tt.first)
			}
			if got := nodeOfRank(w, arr, 0); got != tt.rankZero {
				t.Errorf("Arrange(%d): rank 0 is %s, want %s", tt.seed, got, tt.rankZero)
			}
		})
	}
	arr, _ := w.Arrange(42, 1.3)
	if got := nodeOfRank(w, arr, 37); got != "openb-node-1080" {
		t.Errorf("Arrange(42): rank 37 is %s, want openb-node-1080", got)
	}
	if !arr.Order[0].CPUOnly() {
		t.Errorf("Arrange(42): first pod %+v, want CPU-only", arr.Order[0])
	}
}

func nodeOfRank(w *Workload, arr *Arrangement, rank int) string {
	for i, r := range arr.Rank {
		if r == rank {
			return w.Nodes[i].Name
		}
	}
	return ""
}

// multigpu50 tunes down (docs/research-bench.md, The order of a run and its random
// draws).
func TestArrangeTunesDown(t *testing.T) {
	w := loadWorkload(t, "openb_pod_list_multigpu50")
	arr, _ := w.Arrange(42, 1.3)
	if len(w.Pods) != 9061 || len(arr.Order) != 6361 {
		t.Errorf("multigpu50 seed 42: %d pods tuned to %d, want 9061 to 6361", len(w.Pods), len(arr.Order))
	}
	if float64(arr.GPUMilli) > 1.3*float64(w.CapacityMilli()) {
		t.Errorf("multigpu50 seed 42: %d milli left, above the target", arr.GPUMilli)
	}
}

// Fragmentation of the empty cluster (docs/research-bench.md, Check values).
func TestEmptyClusterFrag(t *testing.T) {
	for _, tt := range []struct {
		workload string
		want     string
	}{
		{"openb_pod_list_default", "13.94"},
		{"openb_pod_list_multigpu50", "14.73"},
	} {
		w := loadWorkload(t, tt.workload)
		total := 0.0
		for _, n := range w.Nodes {
			left := make([]int64, n.GPUs)
			for i := range left {
				left[i] = 1000
			}
			f, _ := gpushare.Frag(n.CPUMilli, left, n.Model, w.Typical)
			total += f
		}
		if got := fmt.Sprintf("%.2f", 100*total/float64(w.CapacityMilli())); got != tt.want {
			t.Errorf("%s: empty-cluster fragmentation %s%%, want %s", tt.workload, got, tt.want)
		}
	}
}

// Seed 42 on the default trace, every deterministic policy
// (docs/research-bench.md, Check values).
func TestSeed42Default(t *testing.T) {
	w := loadWorkload(t, "openb_pod_list_default")
	tests := []struct {
		policy                      string
		alloc100, alloc130, frag100 float64
		failed                      int // -1: not published
		usedEnd                     int64
	}{
		{"02-DotProd", 90.34, 90.54, 9.62, -1, 0},
		{"03-GpuClustering", 91.33, 91.53, 8.57, -1, 0},
		{"04-GpuPacking", 91.37, 91.57, 8.55, -1, 0},
		{"05-BestFit", 92.94, 93.13, 6.99, 2676, 0},
		{"06-FGD", 95.14, 95.29, 4.83, 2532, 5919410},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			res, err := w.Run(strategy(t, tt.policy), 42, 1.3)
			if err != nil {
				t.Fatal(err)
			}
			alloc, frag := res.Discrete(Alloc), res.Discrete(Frag)
			if alloc[100] != tt.alloc100 || alloc[130] != tt.alloc130 || frag[100] != tt.frag100 {
				t.Errorf("alloc@100 %v alloc@130 %v frag@100 %v; want %v %v %v", alloc[100], alloc[130], frag[100], tt.alloc100, tt.alloc130, tt.frag100)
			}
			if tt.failed >= 0 && res.Failed != tt.failed {
				t.Errorf("%d failed pods, want %d", res.Failed, tt.failed)
			}
			if last := res.Events[len(res.Events)-1]; tt.usedEnd > 0 && last.UsedMilli != tt.usedEnd {
				t.Errorf("%d milli allocated at the end, want %d", last.UsedMilli, tt.usedEnd)
			}
			if first := res.Events[0]; tt.policy == "06-FGD" && fmt.Sprintf("%.2f", first.FragMilli) != "866232.55" {
				t.Errorf("fragmentation after the first pod %.2f, want 866232.55 (kss log)", first.FragMilli)
			}
		})
	}
}
