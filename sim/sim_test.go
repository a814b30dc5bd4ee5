package sim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
)

func TestReadScenarioErrors(t *testing.T) {
	valid := string(scenario.DefaultScenarioJSON())
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "sim: s.json: empty document"},
		{"only space", " \n\t", "sim: s.json: empty document"},
		{"syntax", "{\n  \"name\": \"x\",,\n}", "sim: s.json:2:15: expected a string key, found ','"},
		{"unknown field", `{"nmae": "x"}`, `sim: s.json:1:2: unknown field "nmae"`},
		// docs/scenario.md cites this one: keys match case and all.
		{"key case", strings.Replace(valid, `"ratePerHour"`, `"ratePerhour"`, 1), `sim: s.json:27:7: workload.generator: unknown field "ratePerhour"`},
		{"upper-case key", `{"DURATION": "1h"}`, `sim: s.json:1:2: unknown field "DURATION"`},
		{"duplicate key", "{\"duration\": \"1h\",\n \"duration\": \"2h\"}", `sim: s.json:2:2: duplicate key "duration" (first at line 1, column 2)`},
		{"wrong type", `{"seed": "one"}`, `sim: s.json:1:2: seed: expected an integer of 0 or more, found "one"`},
		{"wrong type in a list", strings.Replace(valid, `"cpu": 4096, "memory": 7448`, `"cpu": "4096", "memory": 7448`, 1), `sim: s.json:10:31: fleet.instanceTypes[2].cpu: expected an integer, found "4096"`},
		{"not an object", `[]`, `sim: s.json:1:1: expected an object, found an array`},
		{"byte order mark", "\uFEFF" + `{"nmae": "x"}`, `sim: s.json:1:2: unknown field "nmae"`},
		{"endless nesting", strings.Repeat("[", 1000), "nested deeper than the limit of 100 levels"},
		{"bad duration", `{"duration": "a day"}`, `"a day" is not a duration`},
		{"no duration", `{"fleet": {}}`, `sim: s.json: duration: 0s, expected a positive duration`},
		{"no pools", `{"duration": "1h", "fleet": {}}`, "fleet: no pools and no nodes"},
		{"unknown type", strings.Replace(valid, `{"type": "r5.large",`, `{"type": "r9.large",`, 1), `fleet.pools[3].type: "r9.large" is not one of fleet.instanceTypes`},
		{"bad strategy", strings.Replace(valid, `"binpack", "field": "cpu"`, `"binpack", "field": "disk"`, 1), `compare[2].strategies[0]: binpack field "disk": expected cpu or memory`},
		{"bad expression", strings.Replace(valid, `attribute:gpu-model == T4`, `attribute:gpu-model === T4`, 1), "workload.generator.mix[5].constraints[0]: memberOf expression: cql: 1:23"},
		{"bad retry", strings.Replace(valid, `"sampleEvery": "5m",`, `"sampleEvery": "5m", "retry": "lifo",`, 1), `retry: "lifo", expected fifo or strict-fifo`},
		{"trailing data", valid + "{}", "found '{' after the document, expected its end"},
		{"both workloads", strings.Replace(valid, `"generator": {`, `"trace": {"format": "swf", "path": "x"}, "generator": {`, 1), "give exactly one of workload.generator and workload.trace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(tt.src), "s.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadScenario error = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

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

func TestParseStrategies(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"spread(attribute:ecs.availability-zone),binpack(memory)", "spread(attribute:ecs.availability-zone),binpack(memory)", ""},
		{"random", "random", ""},
		{" binpack(cpu) , spread(host) ", "binpack(cpu),spread(host)", ""},
		{"binpack(disk)", "", `binpack field "disk"`},
		{"spread(instanceId", "", "expected type(field)"},
	}
	for _, tt := range tests {
		v, err := scenario.ParseStrategies(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseStrategies(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || v.String() != tt.want {
			t.Errorf("ParseStrategies(%q) = %q, %v; want %q", tt.in, v.String(), err, tt.want)
		}
	}
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
