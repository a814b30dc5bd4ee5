package replicate

import (
	"os"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
)

// TestSweepDeterministic: the same sweep with replicates gives the same
// figures on one core and on four, and replicate k runs with seed+k.
func TestSweepDeterministic(t *testing.T) {
	f, err := os.Open("../../examples/planner-web.json")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.ReadScenario(f, "planner-web.json")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	p, err := scenario.ParseSweep("capacityProviders[1].maxSize=0,5")
	if err != nil {
		t.Fatal(err)
	}
	params := []scenario.SweepParam{p}
	one, err := Sweep(sc, params, nil, 3, &Runner{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	four, err := Sweep(sc, params, nil, 3, &Runner{Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(one, four); diff != "" {
		t.Errorf("Sweep on 1 core and on 4 (-1 +4):\n%s", diff)
	}
	if len(one.Rows) != 2 || len(one.Rows[0].Summary.Runs) != 3 {
		t.Fatalf("%d rows of %d runs, want 2 of 3", len(one.Rows), len(one.Rows[0].Summary.Runs))
	}
	if diff := cmp.Diff([]uint64{1, 2, 3}, one.Rows[1].Summary.Seeds); diff != "" {
		t.Errorf("seeds (-want +got):\n%s", diff)
	}
	// Replicate 1 of the second configuration is that configuration run
	// alone with seed 2.
	cfgs, err := Configs(sc, params, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := cfgs[1]
	alone := *c.Scenario
	alone.Seed = 2
	runs, err := (&Runner{}).Run([]Config{{Scenario: &alone, Variant: c.Variant}}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(runs[0][0], one.Rows[1].Summary.Runs[1]); diff != "" {
		t.Errorf("replicate 1 differs from a run with seed 2 (-alone +replicate):\n%s", diff)
	}
}
