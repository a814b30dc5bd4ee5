package capfill

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// tracesDir is ../shared/traces relative to the repository root, which is
// two levels up from this package (docs/traces.md says where to get it).
var tracesDir = filepath.Join("..", "..", "..", "shared", "traces")

func needTraces(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(tracesDir); err != nil {
		t.Skipf("skipping: %s is absent (it holds the openb traces; CI has it)", tracesDir)
	}
}

var (
	workloadsMu sync.Mutex
	workloads   = map[string]*Workload{}
)

// loadWorkload loads an openb workload once per test binary.
func loadWorkload(t testing.TB, name string) *Workload {
	t.Helper()
	needTraces(t)
	workloadsMu.Lock()
	defer workloadsMu.Unlock()
	if w := workloads[name]; w != nil {
		return w
	}
	nodes, err := LoadNodes(filepath.Join(tracesDir, "openb", "openb_node_list_gpu_node.csv"))
	if err != nil {
		t.Fatal(err)
	}
	pods, err := LoadPods(filepath.Join(tracesDir, "openb", name+".csv"))
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
	for _, s := range Paper() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no strategy %q", name)
	return Strategy{}
}
