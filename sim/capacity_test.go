package sim

import (
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
)

// providerSteps returns a run's provider scaling activities as (minute,
// from, to).
func providerSteps(r *Result, provider string) [][3]int {
	var out [][3]int
	for _, a := range r.Scaling {
		if a.Kind == "provider" && a.Target == provider {
			out = append(out, [3]int{int(a.Time.Minutes()), a.From, a.To})
		}
	}
	return out
}

// An empty group asked for 10 instances takes the ECS guide's first step
// to 200%: two instances at 1m (the first managed-scaling evaluation; M =
// 10 tasks of 2048 CPU units on 2048-unit instances, N = 0). They are in
// their warm-up until 1m + 300 s = 6m, when M = 10, N = 2 launches the
// other ceil(100 x 10 / 100) - 2 = 8. Today's code launched all 10 at 1m.
func TestPlannerScaleOutFromZero(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "zero", "seed": 1, "duration": "30m",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7500, "pricePerHour": 0.096}]},
  "capacityProviders": [{"name": "asg", "instanceTypes": ["m5.large"], "zones": ["a", "b"], "maxSize": 50, "launchDelay": "2m"}],
  "services": [{"name": "api", "taskDefinition": {"family": "api", "cpu": 2048, "memory": 2048}, "desiredCount": 10,
     "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]}]}`)
	want := [][3]int{{1, 0, 2}, {6, 2, 10}}
	if diff := cmp.Diff(want, providerSteps(r, "asg")); diff != "" {
		t.Errorf("provider asg: scaling (minute, from, to) (-want +got):\n%s", diff)
	}
	if s := serviceSummary(t, r, "api"); s.Running != 10 {
		t.Errorf("api running = %d, want 10", s.Running)
	}
}

// Managed scale-in lowers the group step by step: 10 instances start with
// 2 tasks of 2048 CPU units on 2048-unit instances, so M = 2, N = 10 and
// the reservation is 20%, below the target 100, from the first
// evaluation at 1m. The 15th low datapoint comes at 15m, and from then on
// each minute removes at most ScaleInStep(N) = max(1, (N-1)/2) of the
// empty instances, never below SteadyInstances(2, 100) = 2: 10 -> 6 at
// 15m, 6 -> 4 at 16m, 4 -> 3 at 17m, 3 -> 2 at 18m. Today's code went
// from 10 to 2 at once.
func TestPlannerScaleInSteps(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "scale-in", "seed": 1, "duration": "30m",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7500, "pricePerHour": 0.096}]},
  "capacityProviders": [{"name": "asg", "instanceTypes": ["m5.large"], "zones": ["a", "b"], "maxSize": 50, "desiredCapacity": 10,
     "managedTerminationProtection": "ENABLED"}],
  "services": [{"name": "api", "taskDefinition": {"family": "api", "cpu": 2048, "memory": 2048}, "desiredCount": 2,
     "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]}]}`)
	want := [][3]int{{15, 10, 6}, {16, 6, 4}, {17, 4, 3}, {18, 3, 2}}
	if diff := cmp.Diff(want, providerSteps(r, "asg")); diff != "" {
		t.Errorf("provider asg: scaling (minute, from, to) (-want +got):\n%s", diff)
	}
	if s := serviceSummary(t, r, "api"); s.Running != 2 || s.Lost != 0 {
		t.Errorf("api: %d running, %d lost; want 2 and 0 (only empty instances go)", s.Running, s.Lost)
	}
}

// Spot instance draining off (ECS_ENABLE_SPOT_INSTANCE_DRAINING=false):
// the notice at 30m changes nothing, and at 32m the instance fails with
// the service's 2 tasks on it (6 tasks spread over 3 instances): 2 lost,
// and 2 replacements started then, 8 started in all. With draining on
// (the scenario default) the same interruption loses nothing, as in
// TestPlannerSpotDrainsFirst. The same holds for a capacity provider's
// group. Today's code rejected the key.
func TestPlannerSpotDrainingOff(t *testing.T) {
	for _, tc := range []struct {
		name, pool, provider string
		lost                 int
	}{
		{"pool draining off", `, "spotInstanceDraining": false`, ``, 2},
		{"pool draining on", `, "spotInstanceDraining": true`, ``, 0},
		{"pool default", ``, ``, 0},
		{"provider draining off", ``, `, "spotInstanceDraining": false`, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pools, providers, strategy := `"pools": [{"type": "m5.xlarge", "zones": {"a": 3}, "spot": true`+tc.pool+`}],`, ``, ``
			if tc.provider != "" {
				pools = ``
				providers = `"capacityProviders": [{"name": "asg", "instanceTypes": ["m5.xlarge"], "zones": ["a"], "minSize": 3, "maxSize": 3, "spot": true` + tc.provider + `}],`
				strategy = `, "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]`
			}
			r, _ := runPlanner(t, `{"name": "spot", "seed": 7, "duration": "1h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000}], `+pools+`
    "events": [{"at": "30m", "kind": "interrupt", "count": 1}]}, `+providers+`
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 512}, "desiredCount": 6,
    "placementStrategy": [{"type": "spread", "field": "instanceId"}]`+strategy+`}]}`)
			if s := serviceSummary(t, r, "web"); s.Lost != tc.lost || s.Running != 6 || s.Started != 8 {
				t.Errorf("web: %d lost, %d running, %d started; want %d lost, 6 running, 8 started", s.Lost, s.Running, s.Started, tc.lost)
			}
		})
	}
}

// A Spot pool is priced at spotPriceFactor x the type's price: 3 x
// m5.xlarge at $0.20/h x 0.5 for 2h is $0.60 (today's code rejected
// "spot" on a pool). At 60 interruptions per instance-hour every one of
// the 3 instances gets its notice within the 2 hours (each misses it with
// probability e^-120), so the run logs 3 Spot notices.
func TestPlannerSpotPool(t *testing.T) {
	run := func(rate string) *Result {
		r, _ := runPlanner(t, `{"name": "spot-pool", "seed": 3, "duration": "2h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.2}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 3}, "spot": true, "spotPriceFactor": 0.5, "interruptionsPerHour": `+rate+`}]},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 512}, "desiredCount": 2}]}`)
		return r
	}
	if c := run("0").Summary.CostByProvider["fleet"]; c != 0.6 {
		t.Errorf("cost of the Spot pool = %v, want 0.6", c)
	}
	notices := 0
	for _, a := range run("60").Scaling {
		if a.Kind == "spot" {
			notices++
		}
	}
	if notices != 3 {
		t.Errorf("%d Spot notices, want 3 (one per instance)", notices)
	}
}

func TestSpotPoolValidate(t *testing.T) {
	for _, tc := range []struct{ pool, want string }{
		{`"spot": true, "spotPriceFactor": 11`, `fleet.pools[0].spotPriceFactor: 11, expected at most 10`},
		{`"spot": true, "interruptionsPerHour": -1`, `fleet.pools[0]: interruptionsPerHour and spotPriceFactor must not be negative`},
	} {
		_, err := scenario.ReadScenario(strings.NewReader(`{"duration": "1h", "fleet": {"instanceTypes": [{"name": "m", "cpu": 1024, "memory": 1024}],
  "pools": [{"type": "m", "zones": {"a": 1}, `+tc.pool+`}]}}`), "s.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("pool {%s}: ReadScenario error = %v, want %q", tc.pool, err, tc.want)
		}
	}
}

// A group with a mixed instances policy (overrides m5.xlarge at $0.192
// and m5a.xlarge at $0.172, onDemandBaseCapacity 1, 50% on-demand above
// it, prioritized on-demand, price-capacity-optimized Spot) starts 4
// instances: on-demand while the group has fewer than 1 + ceil(50% x
// (n - 1)) of its new size n: n=1 on-demand, n=2 on-demand (2), n=3 Spot
// (2), n=4 on-demand (3). So 3 on-demand m5.xlarge and one Spot m5a.xlarge
// (the cheapest) at 0.5 x $0.172: one hour costs 3 x 0.192 + 0.086 =
// $0.662, $0.66. Today's code rejected the key and launched only the first
// type.
func TestPlannerMixedInstancesPolicy(t *testing.T) {
	r, log := runPlanner(t, `{"name": "mixed", "seed": 1, "duration": "1h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192},
                              {"name": "m5a.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.172}]},
  "capacityProviders": [{"name": "asg", "zones": ["a"], "minSize": 4, "maxSize": 4, "spotPriceFactor": 0.5,
     "managedScaling": {"status": "DISABLED"},
     "mixedInstancesPolicy": {"overrides": [{"instanceType": "m5.xlarge"}, {"instanceType": "m5a.xlarge"}],
       "instancesDistribution": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBaseCapacity": 50}}}],
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 512}, "desiredCount": 2,
     "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]}]}`)
	if c := r.Summary.CostByProvider["asg"]; c != 0.66 {
		t.Errorf("cost of asg = %v, want 0.66", c)
	}
	if n := strings.Count(log, `"m5a.xlarge"`); n == 0 {
		t.Errorf("the event log names no m5a.xlarge instance")
	}
	for _, tc := range []struct{ provider, want string }{
		{`"mixedInstancesPolicy": {"overrides": [{"instanceType": "m5.xlarge", "weightedCapacity": "2"}]}`,
			`capacityProviders[0].mixedInstancesPolicy.overrides[0].weightedCapacity: "2", expected none: instance weighting is not supported with ECS capacity providers`},
		{`"instanceTypes": ["m5.xlarge"], "spot": true, "mixedInstancesPolicy": {}`, `capacityProviders[0].mixedInstancesPolicy: given with spot true`},
		{`"instanceTypes": ["m5.xlarge"], "mixedInstancesPolicy": {"instancesDistribution": {"spotAllocationStrategy": "diversified"}}`,
			`capacityProviders[0]: instancesDistribution.spotAllocationStrategy: "diversified", expected`},
	} {
		_, err := scenario.ReadScenario(strings.NewReader(`{"duration": "1h",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000}]},
  "capacityProviders": [{"name": "asg", "maxSize": 1, `+tc.provider+`}],
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 512}, "desiredCount": 1}]}`), "s.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("provider {%s}: ReadScenario error = %v, want %q", tc.provider, err, tc.want)
		}
	}
}
