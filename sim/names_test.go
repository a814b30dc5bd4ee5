package sim

import (
	"os"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
)

// TestScenarioNamesArePrintable checks that a name holding a control or
// bidirectional formatting character is rejected where it is read, and
// that the error quotes it instead of printing it raw.
func TestScenarioNamesArePrintable(t *testing.T) {
	def := string(scenario.DefaultScenarioJSON())
	planner, err := os.ReadFile("../examples/planner-web.json")
	if err != nil {
		t.Fatal(err)
	}
	web := string(planner)
	tests := []struct {
		name, src, want string
	}{
		{"scenario name", strings.Replace(def, `"name": "default"`, `"name": "default\u001b[2J"`, 1),
			`sim: s.json: name: "default\x1b[2J" has the control character U+001B at byte 7; expected printable characters`},
		{"instance type", strings.Replace(def, `"name": "m5.large"`, `"name": "m5.large\u0000"`, 1),
			`sim: s.json: fleet.instanceTypes[0].name: "m5.large\x00" has the control character U+0000 at byte 8`},
		{"zone", strings.Replace(def, `"events": [`, `"pools": [{"type": "m5.large", "zones": {"us-east-1a\n": 1}}], "events": [`, 1),
			`fleet.pools[0].zones: key "us-east-1a\n" has the control character U+000A at byte 10`},
		{"task kind", strings.Replace(def, `"name": "web"`, `"name": "web\u202e"`, 1),
			`sim: s.json: workload.generator.mix[0].name: "web\u202e" has the formatting character U+202E at byte 3`},
		{"variant", strings.Replace(def, `"compare": [`, `"compare": [{"name": "\u200bA", "strategies": [{"type": "random"}]}, `, 1),
			`sim: s.json: compare[0].name: "\u200bA" has the formatting character U+200B at byte 0`},
		{"service", strings.Replace(web, `{"name": "web", `, `{"name": "web\u0085", `, 1),
			`sim: s.json: services[1].name: "web\u0085" has the control character U+0085 at byte 3`},
		{"capacity provider", strings.Replace(web, `{"name": "spot", `, `{"name": "spot\u2066", `, 1),
			`sim: s.json: capacityProviders[1].name: "spot\u2066" has the formatting character U+2066 at byte 4`},
		{"scheduled task", strings.Replace(web, `"name": "cleanup"`, `"name": "clean\tup"`, 1),
			`sim: s.json: scheduledTasks[1].name: "clean\tup" has the control character U+0009 at byte 5`},
		{"task definition family", strings.Replace(web, `"family": "report"`, `"family": "rep\u001bort"`, 1),
			`scheduledTasks[0].taskDefinition.family: "rep\x1bort" has the control character U+001B at byte 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.src == def || tt.src == web {
				t.Fatalf("the test's edit did not apply")
			}
			_, err := scenario.ReadScenario(strings.NewReader(tt.src), "s.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadScenario error = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.ContainsAny(err.Error(), "\x00\x1b\n\t\u202e\u200b\u0085\u2066") {
				t.Errorf("error prints a control character raw: %q", err)
			}
		})
	}
}

// TestCompareNamesTheVariant checks that a strategy type no factory
// makes is reported before any run, as the caller wrote it: the file and
// compare[i], or variants[i] for the caller's own variants.
func TestCompareNamesTheVariant(t *testing.T) {
	src := strings.Replace(string(scenario.DefaultScenarioJSON()), `{"strategies": [{"type": "random"}]}`, `{"strategies": [{"type": "random"}, {"type": "nope"}]}`, 1)
	sc, err := scenario.ReadScenario(strings.NewReader(src), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	none := func(scenario.StrategySpec) (placement.Strategy, error) { return nil, scenario.ErrUnknownStrategy }
	const expected = `"nope", expected binpack, spread, random or a strategy this run was given`
	tests := []struct {
		name string
		opts CompareOptions
		want string
	}{
		{"the scenario's compare list", CompareOptions{NewStrategy: none},
			`sim: s.json: compare[4].strategies[1].type: ` + expected},
		{"the caller's variants", CompareOptions{NewStrategy: none, Variants: []scenario.Variant{{}, {Strategies: []scenario.StrategySpec{{Type: "nope"}}}}},
			`sim: variants[1].strategies[0].type: ` + expected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compare(sc, tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compare error = %v, want %s", err, tt.want)
			}
		})
	}
}
