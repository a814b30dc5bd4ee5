package scenario

import (
	"bytes"
	_ "embed"
)

//go:embed default.json
var defaultScenario []byte

// DefaultScenario returns the embedded scenario that berth sim runs with
// no arguments: five instance types (one with a GPU) over three
// availability zones, each an Auto Scaling group capacity provider with
// managed scaling (target capacity 90, managed termination protection)
// that starts with 399 instances in all and may double; a day of mixed
// work arriving on a daily cycle (about 10,000 tasks: web, api, worker,
// batch, a memory-heavy cache, GPU inference, a host-port edge proxy),
// run on the providers by capacity provider strategies (the workload's,
// the GPU tasks', the cache's own); three instances lost at 14:00; and
// five placement strategies compared. Managed scaling terminates the
// instances a strategy empties, so the strategies cost differently.
func DefaultScenario() *Scenario {
	sc, err := ReadScenario(bytes.NewReader(defaultScenario), "default.json")
	if err != nil {
		panic("sim: the embedded default scenario is invalid: " + err.Error())
	}
	return sc
}

// DefaultScenarioJSON returns the embedded default scenario's JSON, a
// starting point for writing one's own.
func DefaultScenarioJSON() []byte { return bytes.Clone(defaultScenario) }
