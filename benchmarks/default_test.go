package benchmarks

import (
	"testing"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// BenchmarkDefaultScenario is `berth sim` with no arguments, less the
// printing: the embedded default (five strategies, a day of about 10,000
// tasks on five capacity providers with managed scaling), the variants
// in parallel. berth sim should take under about 2 s on the 2-core
// machine; CPU time is the steadier figure on a shared one.
func BenchmarkDefaultScenario(b *testing.B) {
	sc := scenario.DefaultScenario()
	b.ReportAllocs()
	var c *sim.Comparison
	var err error
	for b.Loop() {
		if c, err = sim.Compare(sc, sim.CompareOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if len(c.Results) != 5 || c.Results[0].Summary.Placed == 0 {
		b.Fatalf("the default scenario ran %d variants, placing %d tasks in the first", len(c.Results), c.Results[0].Summary.Placed)
	}
	b.ReportMetric(float64(c.Results[0].Summary.Submitted*len(c.Results)*b.N)/b.Elapsed().Seconds(), "tasks/s")
}
