package scenario

import (
	"bytes"
	_ "embed"
)

//go:embed default.json
var defaultScenario []byte

// DefaultScenario returns the embedded scenario that berth sim runs with
// no arguments: 399 instances of five types (one with a GPU) over three
// availability zones, a day of mixed work arriving on a daily cycle
// (about 10,000 tasks: web, api, worker, batch, a memory-heavy cache, GPU
// inference, a host-port edge proxy), three instances lost at 14:00, and
// five placement strategies compared.
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
