package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const rebalanceScenario = `{"name": "az", "seed": 1, "duration": "%s",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 1, "b": 1, "c": 1}}],
    "events": [{"at": "10m", "kind": "fail", "zone": "c", "count": 1},
               {"at": "20m", "kind": "add", "type": "m5.xlarge", "zone": "c", "count": 1}]},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 3%s}]}`

// Availability Zone rebalancing, ENABLED by default for a service with
// the default placement strategy (spread over zones). Three zones with one
// instance each and web's 3 tasks, one per zone. At 10m zone c's instance
// fails: its task is lost and replaced in b (a and b tie with one task
// each; the run's seeded random source breaks the tie): 1-2 over the two zones
// left is balanced, and c has no instance. At 20m an instance joins zone
// c: web is steady but 1-2-0 over three zones, so at 1200 s ECS's "not AZ
// balanced" event and a task started in c; it is RUNNING 10 s later
// (startDelay) and healthy 40 s after that, and the reconciliation one
// second later, at 1251 s, stops a task in b, the zone with 2; it exits at
// once, and at 1251 s the service is "AZ balanced", 1-1-1. With
// availabilityZoneRebalancing DISABLED it stays 2-1-0.
func TestPlannerAZRebalancing(t *testing.T) {
	type ev struct {
		At      time.Duration
		Message string
	}
	for _, tc := range []struct {
		name, setting string
		want          []ev
		zones         map[string]int
	}{
		{"default", "", []ev{
			{1200 * time.Second, "(service web) is not AZ balanced with 1 tasks in a, 2 in b, and 0 in c. AZ Rebalancing in progress."},
			{1200 * time.Second, "web has started 1 tasks in c to AZ Rebalance"},
			{1251 * time.Second, "web has stopped 1 running tasks in b due to AZ rebalancing"},
			{1251 * time.Second, "(service web) is AZ balanced with 1 tasks in a, 1 tasks in b, and 1 tasks in c."},
		}, map[string]int{"a": 1, "b": 1, "c": 1}},
		{"DISABLED", `, "availabilityZoneRebalancing": "DISABLED"`, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := runPlanner(t, fmt.Sprintf(rebalanceScenario, "1h", tc.setting))
			var got []ev
			for _, e := range r.ServiceEvents {
				if strings.Contains(e.Message, "AZ") {
					m := e.Message
					for _, w := range tc.want {
						if strings.HasPrefix(m, w.Message) {
							m = w.Message
						}
					}
					got = append(got, ev{e.Time, m})
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rebalancing events (-want +got):\n%s", diff)
			}
			s := runSimulator(t, fmt.Sprintf(rebalanceScenario, "1h", tc.setting))
			zones := map[string]int{}
			for _, tk := range s.services.byName["web"].tasks {
				zones[s.fleet.info[tk.inst.Index()].zone]++
			}
			if tc.zones == nil {
				if zones["c"] != 0 || len(zones) != 2 {
					t.Errorf("tasks per zone %v, want 2-1 over a and b, none in c", zones)
				}
				return
			}
			if diff := cmp.Diff(tc.zones, zones); diff != "" {
				t.Errorf("tasks per zone at the end (-want +got):\n%s", diff)
			}
		})
	}
}
