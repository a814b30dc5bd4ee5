package benchmarks

import (
	"os"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/plan"
	"github.com/berthsched/berth/sim/scenario"
)

// planWebSpec is the plan docs/planner.md walks through: three
// parameters of examples/planner-web.json, four values each (64
// configurations), five replicates (a grid of 320 runs), the cheapest
// configuration whose web service starts its tasks within 200 s at p99.
func planWebSpec(b *testing.B) plan.Spec {
	spec := plan.Spec{Minimize: "cost", Replicates: 5}
	for _, s := range []string{
		"capacityProviders[1].maxSize=0,2,5,10",
		"services[1].scaling.targetTracking[0].targetValue=2000,3000,4000,8000",
		"capacityProviders[0].managedScaling.targetCapacity=70,80,90,100",
	} {
		p, err := scenario.ParseSweep(s)
		if err != nil {
			b.Fatal(err)
		}
		spec.Params = append(spec.Params, p)
	}
	q, err := plan.ParseRequirement("services.web.timeToStartSeconds.p99 <= 200")
	if err != nil {
		b.Fatal(err)
	}
	spec.Requires = []plan.Requirement{q}
	return spec
}

// cpuTime is the process's user and system CPU time so far.
// BenchmarkPlanPlannerWeb runs berth plan's search of planWebSpec once
// per operation, on all cores. The acceptance threshold is under 20 s a
// plan on the 2-core machine, with fewer runs than the grid's 320;
// cpu-s/plan is the figure to trust on a shared machine (wall time
// counts the other users' work too).
func BenchmarkPlanPlannerWeb(b *testing.B) {
	f, err := os.Open("../examples/planner-web.json")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := scenario.ReadScenario(f, "planner-web.json")
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	spec := planWebSpec(b)
	var res *plan.Result
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		if res, err = plan.Plan(sc, spec); err != nil {
			b.Fatal(err)
		}
	}
	wall := time.Since(start).Seconds() / float64(b.N)
	cpu := (cpuTime() - cpu0).Seconds() / float64(b.N)
	if res.Best() == nil || res.GridRuns != 320 {
		b.Fatalf("no recommendation, or a grid of %d runs: the plan is not the one documented", res.GridRuns)
	}
	b.ReportMetric(wall, "s/plan")
	b.ReportMetric(cpu, "cpu-s/plan")
	b.ReportMetric(float64(res.Runs), "runs/plan")
	b.ReportMetric(float64(res.GridRuns), "grid-runs")
}
