package sim

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"
)

// TestSweepLimit checks that a sweep of 10^7 combinations is refused
// before any run (it used to build every combination and run out of
// memory).
func TestSweepLimit(t *testing.T) {
	values := make([]string, 10)
	for i := range values {
		values[i] = strconv.Itoa(i + 1)
	}
	var params []scenario.SweepParam
	for range 7 {
		params = append(params, scenario.SweepParam{Path: "seed", Values: values})
	}
	sc := scenario.DefaultScenario()
	_, err := Sweep(sc, params, CompareOptions{})
	want := "sim: sweep seed: too many runs: more than 10000 runs (every combination of the swept values, times 5 placement variants)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrTooManyRuns) {
		t.Errorf("Sweep of 10^7 combinations: error %v, want %q wrapping ErrTooManyRuns", err, want)
	}
}

// TestTraceFleetErrors checks that a trace's duplicate instance or node
// and a reference to an instance the fleet does not have name the file
// and line.
func TestTraceFleetErrors(t *testing.T) {
	tests := []struct {
		name, format, content, want string
	}{
		{"instance added twice", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 5, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n",
			`sim: t.jsonl:2: instance-add: instance "i-1" is already in the fleet, expected each instance added once`},
		{"unknown instance", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 5, "kind": "instance-fail", "instance": "i-2"}` + "\n",
			`sim: t.jsonl:2: instance-fail: instance "i-2" is not in the fleet, expected one added before this line`},
		{"instance priced past the limit", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024, "pricePerHour": 1e300}` + "\n",
			`sim: t.jsonl:1: instance-add: pricePerHour 1e+300, expected at most 1e+06`},
		{"node listed twice", "openb", "sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1024,0,\nn1,1000,1024,0,\nn0,1000,1024,0,\n",
			`sim: t.jsonl:4: node "n0" is listed twice, expected each node once`},
		// Before, the second task failed its start with "task a is already
		// running", naming no line; a task still waiting went unnoticed.
		{"task id while the first runs", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 1, "kind": "submit", "task": "a", "cpu": 256, "memory": 256, "duration": 100}` + "\n" +
				`{"time": 2, "kind": "submit", "task": "a", "cpu": 256, "memory": 256, "duration": 100}` + "\n",
			`sim: t.jsonl:3: task "a" is submitted again while the one from t.jsonl:2 has not finished, expected each task id once`},
		{"task id while the first waits", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 1, "kind": "submit", "task": "big", "cpu": 4096, "memory": 256, "duration": 100}` + "\n" +
				`{"time": 2, "kind": "submit", "task": "small", "cpu": 256, "memory": 256, "duration": 100}` + "\n" +
				`{"time": 3, "kind": "submit", "task": "big", "cpu": 256, "memory": 256, "duration": 100}` + "\n",
			`sim: t.jsonl:4: task "big" is submitted again while the one from t.jsonl:2 has not finished, expected each task id once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &scenario.Scenario{Duration: scenario.Duration(time.Hour),
				Workload: scenario.Workload{Trace: &scenario.TraceFile{Format: "native", Path: "t.jsonl"}}}
			if tt.format == "openb" {
				sc.Fleet.Nodes = &scenario.TraceFile{Format: "openb", Path: "t.jsonl"}
				sc.Workload = scenario.Workload{Generator: &scenario.Generator{RatePerHour: 1, Mix: []scenario.Mix{{Name: "x", Weight: 1, CPU: 1, MemoryMiB: 1,
					Duration: scenario.Distribution{Kind: "constant", Median: scenario.Duration(time.Minute)}}}}}
			}
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			_, err := Simulate(sc, sc.Workload.Placement, Options{Open: func(string) (io.ReadCloser, error) {
				return io.NopCloser(strings.NewReader(tt.content)), nil
			}})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Simulate error %v, want %q", err, tt.want)
			}
		})
	}
}
