package docker

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
)

// BenchmarkDockerStartStop measures containers started and stopped per
// second on the local engine, through the executor: create, start, the
// workload's exit, the die event, inspection and the Exit delivered;
// removal overlaps the next cycle. batch tasks are started together (the
// executor launches at most four containers at once).
func BenchmarkDockerStartStop(b *testing.B) {
	engineClient(b)
	for _, batch := range []int{1, 8} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			var ex *Executor
			var eng *sim.Engine
			exited := 0
			eng = sim.NewEngine(func(ev sim.Event) {
				e, ok := ex.Handle(ev)
				if !ok || e == nil {
					return
				}
				if e.Reason != sim.ReasonEssentialExited || e.ExitCode != 0 {
					b.Errorf("exit of %s = (%d, %q)", e.Run.ID, e.ExitCode, e.Reason)
				}
				exited++
				if exited%batch == 0 {
					eng.Stop()
				}
			})
			var err error
			if ex, err = New(b.Context(), eng, Config{Scale: 1}); err != nil {
				b.Fatal(err)
			}
			defer ex.Close()
			b.ReportAllocs()
			n, start := 0, time.Now()
			for b.Loop() {
				for range batch {
					n++
					r := &sim.Run{ID: fmt.Sprint(n), Instance: "a", CPU: 16, MemoryMiB: 16, Duration: time.Millisecond}
					if err := ex.Start(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := eng.RunPaced(b.Context(), 1000*time.Hour, 1, time.Now); err != nil {
					b.Fatal(err)
				}
			}
			if exited != n {
				b.Fatalf("%d exits for %d starts", exited, n)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "containers/s")
		})
	}
}
