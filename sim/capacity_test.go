package sim

import (
	"testing"

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
