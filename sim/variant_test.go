package sim

import (
	"errors"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
)

// variantScenario has four instances and a REPLICA service of four small
// tasks with no placementStrategy of its own, the given extra services,
// and no workload.
func variantScenario(t *testing.T, extra string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ReadScenario(strings.NewReader(`{"name": "variants", "seed": 1, "duration": "30m", "sampleEvery": "5m",
  "fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192}],
    "pools": [{"type": "m5.xlarge", "zones": {"a": 2, "b": 2}}]},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 4}`+extra+`]}`), "variants.json")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestVariantReplacesServiceStrategy: a compared variant's strategy is
// the strategy of a service that gives none. Binpack puts web's four
// tasks on one instance; spread over instances on four; without the
// variant web keeps ECS's default (spread over zones, then instances).
func TestVariantReplacesServiceStrategy(t *testing.T) {
	sc := variantScenario(t, "")
	cmp, err := Compare(sc, CompareOptions{Variants: []scenario.Variant{
		mustStrategies(t, "binpack(memory)"), mustStrategies(t, "spread(instanceId)")}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 4} {
		if got := cmp.Results[i].Summary.PeakInstances; got != 4 {
			t.Fatalf("variant %d: %d instances, want the fleet's 4", i, got)
		}
		last := cmp.Results[i].Series[len(cmp.Results[i].Series)-1]
		if last.InstancesInUse != want {
			t.Errorf("%s: web's tasks on %d instances, want %d", cmp.Results[i].Summary.Variant, last.InstancesInUse, want)
		}
	}
	if got := VariantServices(sc); len(got) != 1 || got[0] != "web" {
		t.Errorf("VariantServices = %q, want [web]", got)
	}
}

// TestVariantChangesNothing: a service that pins its strategy, a
// DAEMON and a Fargate service are not a variant's to change; a variant
// that then applies to nothing is an error that says so.
func TestVariantChangesNothing(t *testing.T) {
	sc := variantScenario(t, "")
	sc.Services[0].PlacementStrategy = []scenario.StrategySpec{{Type: "spread", Field: "instanceId"}}
	sc.Services = append(sc.Services, scenario.ServiceSpec{Name: "agent", SchedulingStrategy: "DAEMON",
		TaskDefinition: scenario.TaskDefSpec{Family: "agent", CPU: 128, MemoryMiB: 256}})
	if got := VariantServices(sc); len(got) != 0 {
		t.Errorf("VariantServices = %q, want none", got)
	}
	_, err := Compare(sc, CompareOptions{Variants: []scenario.Variant{mustStrategies(t, "binpack(memory)")}})
	want := `sim: variant "binpack(memory)" changes nothing: the scenario places no workload or scheduled task on EC2 instances, and every service runs on Fargate, is a DAEMON or gives its own placementStrategy`
	if !errors.Is(err, ErrVariantChangesNothing) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Compare with a variant that applies to nothing = %v, want %q", err, want)
	}
	// The scenario's own placement is no compared variant: it runs.
	if _, err := Compare(sc, CompareOptions{}); err != nil {
		t.Errorf("Compare with the workload's own placement = %v, want nil", err)
	}
}

func mustStrategies(t *testing.T, s string) scenario.Variant {
	t.Helper()
	v, err := scenario.ParseStrategies(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
