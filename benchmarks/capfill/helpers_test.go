package capfill

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/berthsched/berth/internal/tracedir"
)

// needTraces returns the real traces directory (BERTH_TRACES, else
// ../shared/traces beside the repository), or skips t.
func needTraces(t testing.TB) string {
	t.Helper()
	return tracedir.Require(t)
}

var (
	workloadsMu sync.Mutex
	workloads   = map[string]*Workload{}
)

// loadWorkload loads an openb workload once per test binary.
func loadWorkload(t testing.TB, name string) *Workload {
	t.Helper()
	dir := needTraces(t)
	workloadsMu.Lock()
	defer workloadsMu.Unlock()
	if w := workloads[name]; w != nil {
		return w
	}
	nodes, err := LoadNodes(filepath.Join(dir, "openb", "openb_node_list_gpu_node.csv"))
	if err != nil {
		t.Fatal(err)
	}
	pods, err := LoadPods(filepath.Join(dir, "openb", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkload(name, nodes, pods)
	if err != nil {
		t.Fatal(err)
	}
	workloads[name] = w
	return w
}

func strategy(t testing.TB, name string) Strategy {
	for _, s := range append(Paper(), Beyond()...) {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no strategy %q", name)
	return Strategy{}
}
