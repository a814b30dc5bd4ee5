package sim

import (
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
)

// A fleet of 64 that gains 64 more while one task group is placed both
// with and without distinctInstance: the group's per-instance bit sets,
// built while the fleet was one word of 64 long, must cover the new
// instances. This run panicked before placement grew every bit set in
// AddInstance.
func TestFleetGrowsWhileGroupIsPlaced(t *testing.T) {
	const src = `{
  "name": "grow", "seed": 5, "duration": "4h",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680, "pricePerHour": 0.096}],
    "pools": [{"type": "m5.large", "zones": {"us-east-1a": 64}}],
    "registrationDelay": "0s",
    "events": [{"at": "1h", "kind": "add", "type": "m5.large", "zone": "us-east-1b", "count": 64},
               {"at": "2h", "kind": "add", "type": "m5.large", "zone": "us-east-1c", "count": 64}]
  },
  "workload": {
    "generator": {"ratePerHour": 900, "mix": [
      {"name": "one", "group": "g", "weight": 1, "cpu": 512, "memory": 512,
       "constraints": [{"type": "distinctInstance"}],
       "duration": {"kind": "constant", "median": "3h"}},
      {"name": "many", "group": "g", "weight": 3, "cpu": 1024, "memory": 1024,
       "duration": {"kind": "constant", "median": "3h"}}
    ]},
    "placement": {"strategies": [{"type": "binpack", "field": "memory"}]}
  }
}`
	sc, err := scenario.ReadScenario(strings.NewReader(src), "grow.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Simulate(sc, sc.Workload.Placement, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Placed == 0 {
		t.Fatalf("no task placed: %+v", res.Summary)
	}
}
