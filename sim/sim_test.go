package sim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
)

func FuzzReadScenario(f *testing.F) {
	f.Add(scenario.DefaultScenarioJSON())
	f.Add([]byte(`{"duration": "1h", "fleet": {"instanceTypes": [{"name": "a", "cpu": 1, "memory": 1}], "pools": [{"type": "a", "zones": {"z": 1}}]}, "workload": {"generator": {"ratePerHour": 1, "mix": [{"name": "x", "weight": 1, "duration": {"kind": "constant", "median": 1}}]}}}`))
	f.Add([]byte(reqAttrScenario(`, "agentVersion": "1.29.0"`, `, "agentVersion": "1.30.0", "attributes": {"ecs.subnet-id": "s"}`,
		mixWith(`, "requiresAttributes": [{"name": "a", "value": "b"}]`+fireLensContainers))))
	f.Add([]byte(lbScenario("60", 30, `{"at": "5m", "service": "web", "desiredCount": 1}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenario.ReadScenario(bytes.NewReader(data), "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sim: f.json") {
				t.Fatalf("error without its prefix: %v", err)
			}
			return
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("a read scenario fails Validate again: %v", err)
		}
	})
}

// A StrategyFactory supplies strategy types placement does not know; each
// run gets its own value.
func TestStrategyFactory(t *testing.T) {
	sc := scenario.DefaultScenario()
	sc.Duration = scenario.Duration(2 * 3600e9)
	made := 0
	factory := func(spec scenario.StrategySpec) (placement.Strategy, error) {
		if spec.Type != "most-attributes" {
			return nil, scenario.ErrUnknownStrategy
		}
		made++
		return mostAttributes{}, nil
	}
	v := scenario.Variant{Strategies: []scenario.StrategySpec{{Type: "most-attributes"}, {Type: "binpack", Field: "cpu"}}}
	res, err := Simulate(sc, v, Options{NewStrategy: factory})
	if err != nil || made != 1 || res.Summary.Placed == 0 {
		t.Fatalf("Simulate = %+v, %v; factory called %d times", res, err, made)
	}
	_, err = Simulate(sc, scenario.Variant{Strategies: []scenario.StrategySpec{{Type: "other"}}}, Options{NewStrategy: factory})
	if err == nil || !strings.Contains(err.Error(), `placement.strategies[0].type: "other", expected binpack, spread, random or a strategy this run was given`) {
		t.Errorf("unknown type: %v", err)
	}
	// Without a factory, a misspelt type is an error, not a run that
	// leaves it out of the chain and reports it by name.
	for _, opts := range []Options{{}, {NewStrategy: nil}} {
		_, err = Simulate(sc, scenario.Variant{Strategies: []scenario.StrategySpec{{Type: "binpak", Field: "memory"}}}, opts)
		if err == nil || !strings.Contains(err.Error(), `placement.strategies[0].type: "binpak", expected binpack, spread, random`) {
			t.Errorf("Simulate with an unknown type and no factory = %v, want an error naming it", err)
		}
	}
}

type mostAttributes struct{}

func (mostAttributes) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	return float64(len(in.Attributes))
}
func (mostAttributes) String() string { return "most-attributes" }
