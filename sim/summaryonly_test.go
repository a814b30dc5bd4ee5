package sim

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"
)

// A run that keeps only its summary (Options.SummaryOnly) has the same
// Summary and Series as one that keeps everything, and keeps none of the
// records that grow with simulated time.
func TestSummaryOnlyKeepsTheSummary(t *testing.T) {
	examples := filepath.Join("..", "examples")
	cases := []struct {
		name string
		sc   func(t *testing.T) (*scenario.Scenario, func(string) (io.ReadCloser, error))
		// planner: the run reports service events, scaling activities
		// and timelines, which SummaryOnly drops.
		planner bool
	}{
		{"planner-web", func(t *testing.T) (*scenario.Scenario, func(string) (io.ReadCloser, error)) {
			return readExample(t, examples, "planner-web.json"), openFrom(examples)
		}, true},
		{"spot-managed-scaling", func(t *testing.T) (*scenario.Scenario, func(string) (io.ReadCloser, error)) {
			sc, err := scenario.ReadScenario(strings.NewReader(plannerSpotScenario), "test.json")
			if err != nil {
				t.Fatal(err)
			}
			return sc, nil
		}, true},
		{"default", func(t *testing.T) (*scenario.Scenario, func(string) (io.ReadCloser, error)) {
			return scenario.DefaultScenario(), nil
		}, false},
		{"dlrm-planning-6h", func(t *testing.T) (*scenario.Scenario, func(string) (io.ReadCloser, error)) {
			if testing.Short() {
				t.Skip("replays six hours of the DLRM trace")
			}
			dir := filepath.Join(examples, "dlrm-planning")
			open := openTraces(t, dir)
			sc := readExample(t, dir, "scenario.json")
			sc.Duration = scenario.Duration(6 * time.Hour)
			return sc, open
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, open := c.sc(t)
			for _, v := range sc.Variants() {
				opts := Options{Open: open, Compared: len(sc.Compare) > 0}
				full, err := Simulate(sc, v, opts)
				if err != nil {
					t.Fatal(err)
				}
				opts.SummaryOnly = true
				only, err := Simulate(sc, v, opts)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(full.Summary, only.Summary); diff != "" {
					t.Errorf("%s: summary (-everything kept +summary only):\n%s", v, diff)
				}
				if diff := cmp.Diff(full.Series, only.Series); diff != "" {
					t.Errorf("%s: series (-everything kept +summary only):\n%s", v, diff)
				}
				if full.Events != only.Events {
					t.Errorf("%s: %d events handled with everything kept, %d with the summary only", v, full.Events, only.Events)
				}
				if n := len(only.ServiceEvents) + len(only.Scaling) + len(only.Services) + len(only.Providers); n > 0 {
					t.Errorf("%s: summary only kept %d service events, %d scaling activities, %d service and %d provider points",
						v, len(only.ServiceEvents), len(only.Scaling), len(only.Services), len(only.Providers))
				}
				if c.planner && (len(full.ServiceEvents) == 0 || len(full.Scaling) == 0 || len(full.Services) == 0 || len(full.Providers) == 0) {
					t.Errorf("%s: the full run kept %d service events, %d scaling activities, %d service and %d provider points: the scenario does not exercise what SummaryOnly drops",
						v, len(full.ServiceEvents), len(full.Scaling), len(full.Services), len(full.Providers))
				}
			}
		})
	}
}
