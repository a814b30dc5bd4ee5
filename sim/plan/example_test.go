package plan_test

import (
	"fmt"
	"log"
	"os"

	"github.com/berthsched/berth/sim/plan"
	"github.com/berthsched/berth/sim/scenario"
)

// The cheapest of two Spot provider sizes for examples/planner-web.json
// whose web service starts its tasks within 200 s at p99, over three
// replicates.
func ExamplePlan() {
	f, err := os.Open("../../examples/planner-web.json")
	if err != nil {
		log.Fatal(err)
	}
	sc, err := scenario.ReadScenario(f, "planner-web.json")
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	spot, _ := scenario.ParseSweep("capacityProviders[1].maxSize=0,5")
	start, _ := plan.ParseRequirement("services.web.timeToStartSeconds.p99 <= 200")
	res, err := plan.Plan(sc, plan.Spec{Params: []scenario.SweepParam{spot}, Minimize: "cost",
		Requires: []plan.Requirement{start}, Replicates: 3})
	if err != nil {
		log.Fatal(err)
	}
	best := res.Best()
	cost := best.Figure("cost")
	fmt.Printf("maxSize %s: $%.2f a day [%.2f, %.2f], %d of %d runs\n", best.Values[0], cost.Mean, cost.Low, cost.High, res.Runs, res.GridRuns)
	// Output: maxSize 5: $24.53 a day [23.90, 25.16], 5 of 6 runs
}
