package replicate

import (
	"errors"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim"
	"github.com/google/go-cmp/cmp"
)

func TestFiguresPaths(t *testing.T) {
	s := sim.Summary{
		Variant: "random", Submitted: 51, Cost: 24.75, PeakInstances: 15,
		TimeToPlace:    sim.Percentiles{P99: 120},
		ByReason:       map[string]int{"RESOURCE:CPU": 2},
		InstanceTypes:  map[string]sim.CapacityUse{"m5.xlarge": {InstanceHours: 90.62, Cost: 17.4, PeakInstances: 6}},
		Providers:      map[string]sim.CapacityUse{"spot": {PeakInstances: 2}},
		CostByProvider: map[string]float64{"spot": 5.25},
		Services:       []sim.ServiceSummary{{Name: "web", Lost: 5, TimeToStart: sim.Percentiles{P99: 180}, Rollout: "COMPLETED"}},
	}
	figs, err := Figures(&s)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	var order []string
	for _, f := range figs {
		got[f.Path] = f.Value
		order = append(order, f.Path)
	}
	for path, want := range map[string]float64{
		"submitted":                             51,
		"cost":                                  24.75,
		"peakInstances":                         15,
		"timeToPlaceSeconds.p99":                120,
		"neverPlacedByReason.RESOURCE:CPU":      2,
		"instanceTypes.m5.xlarge.cost":          17.4,
		"instanceTypes.m5.xlarge.peakInstances": 6,
		"providers.spot.peakInstances":          2,
		"costByProvider.spot":                   5.25,
		"services.web.lost":                     5,
		"services.web.timeToStartSeconds.p99":   180,
	} {
		if v, ok := got[path]; !ok || v != want {
			t.Errorf("Figures: %s = %v (present %v), want %v", path, v, ok, want)
		}
	}
	for _, text := range []string{"variant", "services.web.name", "services.web.rolloutState"} {
		if _, ok := got[text]; ok {
			t.Errorf("Figures: %s is text, not a figure", text)
		}
	}
	if order[0] != "submitted" {
		t.Errorf("Figures: first path %q, want submitted (summary.json order)", order[0])
	}
}

func TestCheckPath(t *testing.T) {
	paths := []string{"cost", "services.web.timeToStartSeconds.p99", "services.web.lost", "providers.spot.peakInstances", "peakInstances"}
	if err := CheckPath(paths, "services.web.timeToStartSeconds.p99"); err != nil {
		t.Errorf("CheckPath(known) = %v", err)
	}
	for _, tc := range []struct{ path, wantIn string }{
		{"services.web.timeToStart.p99", "close names: services.web.timeToStartSeconds.p99"},
		{"cots", "close names: cost"},
		{"providers.spott.peakInstances", "providers.spot.peakInstances"},
		{"zzzzzzzzzzzzzzzzzzzz", "such as cost"},
	} {
		err := CheckPath(paths, tc.path)
		if !errors.Is(err, ErrUnknownFigure) || !strings.Contains(err.Error(), tc.wantIn) {
			t.Errorf("CheckPath(%q) = %v, want ErrUnknownFigure containing %q", tc.path, err, tc.wantIn)
		}
	}
}

func TestSummarizeMissingIsZero(t *testing.T) {
	runs := []sim.Summary{
		{Cost: 10, ByReason: map[string]int{}},
		{Cost: 12, ByReason: map[string]int{"RESOURCE:CPU": 3}},
	}
	s, err := Summarize(runs, 7)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{7, 8}, s.Seeds); diff != "" {
		t.Errorf("Seeds (-want +got):\n%s", diff)
	}
	iv, ok := s.Figure("neverPlacedByReason.RESOURCE:CPU")
	if !ok || iv.Mean != 1.5 {
		t.Errorf("Figure(neverPlacedByReason.RESOURCE:CPU) = %v, %v; want mean 1.5 (0 and 3)", iv, ok)
	}
	if iv, _ := s.Figure("cost"); iv.Mean != 11 || !(iv.Low < 11 && iv.High > 11) {
		t.Errorf("Figure(cost) = %v, want mean 11 with a spread", iv)
	}
}
