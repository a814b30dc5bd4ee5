package sim

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/tracedir"
	"github.com/berthsched/berth/sim/scenario"
)

// placeLines returns the place and unplaced lines of an event log.
func placeLines(log []byte) []string {
	var out []string
	for _, l := range strings.Split(string(log), "\n") {
		if strings.Contains(l, `"kind":"place"`) || strings.Contains(l, `"kind":"unplaced"`) {
			out = append(out, l)
		}
	}
	return out
}

// A run's event log is a native trace: replayed with the same seed and
// strategy, it brings back the same fleet, the same tasks and the same
// placements.
//
// The default scenario's capacity providers scale with the run, which a
// trace does not replay: the test runs its fleet as fixed pools of the
// groups' starting sizes.
func TestEventLogReplays(t *testing.T) {
	sc := fixedFleet(scenario.DefaultScenario())
	sc.Duration = scenario.Duration(8 * time.Hour)
	v := scenario.Variant{Strategies: []scenario.StrategySpec{{Type: "binpack", Field: "memory"}}}
	var first bytes.Buffer
	res1, err := Simulate(sc, v, Options{Log: &first})
	if err != nil {
		t.Fatal(err)
	}
	replay := &scenario.Scenario{
		Name: sc.Name, Seed: sc.Seed, Duration: sc.Duration,
		Workload: scenario.Workload{Trace: &scenario.TraceFile{Format: "native", Path: "run.jsonl"}},
	}
	var second bytes.Buffer
	res2, err := Simulate(replay, v, Options{Log: &second, Open: func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(first.Bytes())), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := placeLines(first.Bytes()), placeLines(second.Bytes())
	if len(p1) == 0 {
		t.Fatal("the first run placed nothing")
	}
	if len(p1) != len(p2) {
		t.Fatalf("replay has %d place lines, the run %d", len(p2), len(p1))
	}
	for i := range p1 {
		if p1[i] != p2[i] {
			t.Fatalf("place line %d differs:\nrun:    %s\nreplay: %s", i, p1[i], p2[i])
		}
	}
	if res1.Summary.Submitted != res2.Summary.Submitted || res1.Summary.Placed != res2.Summary.Placed {
		t.Errorf("summaries differ: %+v vs %+v", res1.Summary, res2.Summary)
	}
}

// openTraces opens the trace paths of the example scenarios (which point
// into ../shared/traces beside the repository) in the real traces
// directory, BERTH_TRACES or that one; it skips t when neither has them.
// Other paths are opened relative to base.
func openTraces(t testing.TB, base string) func(string) (io.ReadCloser, error) {
	t.Helper()
	dir := tracedir.Require(t)
	return func(p string) (io.ReadCloser, error) {
		if rest, ok := tracedir.Trim(p); ok {
			return os.Open(filepath.Join(dir, rest))
		}
		return os.Open(filepath.Join(base, p))
	}
}

// readExample reads scenario file name in dir.
func readExample(t *testing.T, dir, name string) *scenario.Scenario {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := scenario.ReadScenario(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func openFrom(dir string) func(string) (io.ReadCloser, error) {
	return func(p string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, p)) }
}

// Replays the openb default pod list in time order on the GPU-node fleet
// and checks that every task is accounted for.
func TestReplayOpenB(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: a full trace replay")
	}
	open := openTraces(t, filepath.Join("..", "examples"))
	sc := readExample(t, filepath.Join("..", "examples"), "openb-replay.json")
	cmp, err := Compare(sc, CompareOptions{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cmp.Results {
		s := r.Summary
		if s.Submitted != 8152 {
			t.Errorf("%s: submitted %d, want the trace's 8,152 pods", s.Variant, s.Submitted)
		}
		if s.Placed+s.NeverPlaced != s.Submitted || s.Finished+s.Failed+s.Lost+s.Running != s.Placed {
			t.Errorf("%s: tasks not accounted for: %+v", s.Variant, s)
		}
	}
}

// Replays the NASA iPSC/860 log (SWF, gzip) on one machine of 128
// processors: jobs queue for the whole machine, first in, first out.
func TestReplaySWF(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: a full trace replay")
	}
	open := openTraces(t, filepath.Join("..", "examples"))
	sc := readExample(t, filepath.Join("..", "examples"), "swf-replay.json")
	res, err := Simulate(sc, sc.Workload.Placement, Options{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	// 18,239 jobs, less those the reader skips (run time -1 and the like).
	if s.Submitted < 18000 || s.Submitted > 18239 {
		t.Errorf("submitted %d jobs, want most of the log's 18,239", s.Submitted)
	}
	if s.Placed+s.NeverPlaced != s.Submitted || s.Finished+s.Failed+s.Lost+s.Running != s.Placed {
		t.Errorf("jobs not accounted for: %+v", s)
	}
	if s.CPU.P95 < 90 {
		t.Errorf("cpu utilization p95 %.1f%%: the machine never filled up", s.CPU.P95)
	}
}

// fixedFleet turns sc's capacity providers into fixed pools of their
// starting sizes (desiredCapacity round robin over their zones) and drops
// the workload's capacity provider strategies.
func fixedFleet(sc *scenario.Scenario) *scenario.Scenario {
	for _, p := range sc.CapacityProviders {
		pool := scenario.Pool{Type: p.InstanceTypes[0], Zones: map[string]int{}}
		for i := range *p.DesiredCapacity {
			pool.Zones[p.Zones[i%len(p.Zones)]]++
		}
		sc.Fleet.Pools = append(sc.Fleet.Pools, pool)
	}
	sc.CapacityProviders = nil
	sc.Workload.CapacityProviderStrategy, sc.Workload.GPUCapacityProviderStrategy = nil, nil
	for i := range sc.Workload.Generator.Mix {
		sc.Workload.Generator.Mix[i].CapacityProviderStrategy = nil
	}
	return sc
}
