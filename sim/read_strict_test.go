package sim

import (
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
)

func TestSweepApplyErrors(t *testing.T) {
	sc, err := scenario.ReadScenario(strings.NewReader(string(scenario.DefaultScenarioJSON())), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, param, value, want string
	}{
		{"negative index", "fleet.pools[-1].count", "1", `sim: sweep "fleet.pools[-1].count": "[-1]", expected [index] with an index of 0 or more, or [*]`},
		{"key case in a value", "fleet.pools[0]", `{"Type": "m5.large"}`, `unknown field "Type"`},
		{"cut object value", "fleet.pools[0]", `{"type": `, `sim: sweep fleet.pools[0]={"type":: 1:9: type: unexpected end of the document, expected a value`},
		{"string for an integer", "fleet.instanceTypes[2].cpu", `"4096"`, `sim: sweep fleet.instanceTypes[2].cpu="4096": fleet.instanceTypes[2].cpu: expected an integer, found "4096"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := scenario.ParseSweep(tc.param + "=" + tc.value)
			if err == nil {
				_, err = p.Apply(sc, p.Values[0])
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("sweep %s=%s: error = %v, want it to contain %s", tc.param, tc.value, err, tc.want)
			}
		})
	}
}

// zeros is an endless input, as /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// An endless line in a load trace is an error at the limit, not an
// endless allocation.
func TestReadLoadTraceEndlessLine(t *testing.T) {
	_, err := readLoadTrace(zeros{}, "load.csv", "")
	if want := "load.csv: line 1 is longer than the limit of 1 MiB"; err == nil || err.Error() != want {
		t.Errorf("readLoadTrace(endless zeros) = %v, want %s", err, want)
	}
}
