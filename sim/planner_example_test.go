package sim_test

import (
	"fmt"
	"strings"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// A service with target tracking on CPU: its load doubles at 30 minutes
// and returns at 90; Application Auto Scaling follows.
func ExampleSimulate_service() {
	sc, err := scenario.ReadScenario(strings.NewReader(`{"name": "web", "duration": "3h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000}],
            "pools": [{"type": "m5.xlarge", "zones": {"a": 4}}]},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 4,
    "usage": {"cpu": 1024, "steps": [{"at": "30m", "factor": 2}, {"at": "90m", "factor": 1}]},
    "scaling": {"minCapacity": 1, "maxCapacity": 20,
      "targetTracking": [{"metric": "ECSServiceAverageCPUUtilization", "targetValue": 50}]}}]}`), "web.json")
	if err != nil {
		panic(err)
	}
	res, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{})
	if err != nil {
		panic(err)
	}
	for _, a := range res.Scaling {
		fmt.Printf("%v %s %d -> %d\n", a.Time, a.Target, a.From, a.To)
	}
	fmt.Println(res.ServiceEvents[0].Message[:40])
	// Output:
	// 32m0s web 4 -> 8
	// 1h44m0s web 8 -> 4
	// (service web) has started 4 tasks: (task
}

func ExampleParseSweep() {
	p, err := scenario.ParseSweep("capacityProviders[*].managedScaling.targetCapacity=80,100")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Path, p.Values)
	// Output:
	// capacityProviders[*].managedScaling.targetCapacity [80 100]
}
