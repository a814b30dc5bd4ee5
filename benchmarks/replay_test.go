package benchmarks

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/tracedir"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// BenchmarkReplayOpenB replays the openb default pod list in time order on
// the GPU-node fleet (examples/openb-replay.json), once per operation:
// reading and parsing both CSVs, placing every pod, running the event loop
// and computing the summary. The files are read into memory first, so the
// disk is not measured.
func BenchmarkReplayOpenB(b *testing.B) {
	traces := filepath.Join(tracedir.Require(b), "openb")
	files := map[string][]byte{}
	for _, name := range []string{"openb_node_list_gpu_node.csv", "openb_pod_list_default.csv"} {
		data, err := os.ReadFile(filepath.Join(traces, name))
		if err != nil {
			b.Fatal(err)
		}
		files[name] = data
	}
	f, err := os.Open(filepath.Join("..", "examples", "openb-replay.json"))
	if err != nil {
		b.Fatal(err)
	}
	sc, err := scenario.ReadScenario(f, "openb-replay.json")
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	open := func(p string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files[filepath.Base(p)])), nil
	}
	for _, v := range sc.Compare {
		b.Run("strategy="+v.String(), func(b *testing.B) {
			b.ReportAllocs()
			var res *sim.Result
			start := time.Now()
			for b.Loop() {
				if res, err = sim.Simulate(sc, v, sim.Options{Open: open}); err != nil {
					b.Fatal(err)
				}
			}
			if res.Summary.Submitted != 8152 {
				b.Fatalf("replayed %d pods, want 8,152", res.Summary.Submitted)
			}
			b.ReportMetric(time.Since(start).Seconds()*1000/float64(b.N), "ms/replay")
		})
	}
}
