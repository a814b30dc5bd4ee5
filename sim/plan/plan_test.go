package plan

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
)

func plannerWeb(t testing.TB) *scenario.Scenario {
	t.Helper()
	f, err := os.Open("../../examples/planner-web.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := scenario.ReadScenario(f, "planner-web.json")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func params(t testing.TB, ss ...string) []scenario.SweepParam {
	t.Helper()
	var out []scenario.SweepParam
	for _, s := range ss {
		p, err := scenario.ParseSweep(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func reqs(t testing.TB, ss ...string) []Requirement {
	t.Helper()
	var out []Requirement
	for _, s := range ss {
		r, err := ParseRequirement(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestRacingEqualsExhaustive plans small spaces both ways: racing must
// recommend what the full grid of replicates does (the same
// configuration, or none and the same closest), and never run more
// simulations.
func TestRacingEqualsExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about 150 simulations: skipped under -short")
	}
	sc := plannerWeb(t)
	for _, tc := range []struct {
		name     string
		params   []string
		minimize string
		requires []string
		// cheapestFails: the configuration with the lowest mean of the
		// minimized figure breaks a requirement (the answer is not simply
		// the cheapest).
		cheapestFails bool
		none          bool
	}{
		{
			name:     "spot and scaling target",
			params:   []string{"capacityProviders[1].maxSize=0,5", "services[1].scaling.targetTracking[0].targetValue=2000,4000,8000"},
			minimize: "cost",
			requires: []string{"services.web.timeToStartSeconds.p99 <= 200"},
		},
		{
			name:          "the cheapest loses tasks",
			params:        []string{"capacityProviders[1].maxSize=0,5", "services[1].scaling.targetTracking[0].targetValue=4000,8000"},
			minimize:      "cost",
			requires:      []string{"services.log-router.lost <= 10"},
			cheapestFails: true,
		},
		{
			name:     "launch delay against time to start",
			params:   []string{"capacityProviders[0].launchDelay=30s,1m,4m", "capacityProviders[1].maxSize=0,5"},
			minimize: "services.web.timeToStartSeconds.p99",
			requires: []string{"cost <= 30", "peakInstances >= 1"},
		},
		{
			name:          "nothing meets",
			params:        []string{"capacityProviders[1].maxSize=0,5", "services[1].scaling.targetTracking[0].targetValue=4000,8000"},
			minimize:      "cost",
			requires:      []string{"cost <= 5"},
			cheapestFails: true,
			none:          true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Params: params(t, tc.params...), Minimize: tc.minimize, Requires: reqs(t, tc.requires...), Replicates: 4}
			spec.Exhaustive = true
			grid, err := Plan(sc, spec)
			if err != nil {
				t.Fatal(err)
			}
			spec.Exhaustive = false
			raced, err := Plan(sc, spec)
			if err != nil {
				t.Fatal(err)
			}
			if grid.Runs != grid.GridRuns {
				t.Errorf("exhaustive plan ran %d simulations, want the grid's %d", grid.Runs, grid.GridRuns)
			}
			if raced.Runs > raced.GridRuns {
				t.Errorf("racing ran %d simulations, more than the grid's %d", raced.Runs, raced.GridRuns)
			}
			numbers := func(r *Result) []int {
				var out []int
				for _, i := range r.Ranking {
					out = append(out, r.Candidates[i].Number)
				}
				return out
			}
			// Racing drops the configurations that cannot win, so that it
			// may name fewer runners-up; the recommendation is the same.
			if g, r := numbers(grid), numbers(raced); len(g) != 0 && (len(r) == 0 || g[0] != r[0]) || len(g) == 0 && len(r) != 0 {
				t.Errorf("racing ranks %v, the exhaustive grid %v: a different recommendation", r, g)
			}
			if tc.none != (grid.Best() == nil) {
				t.Fatalf("exhaustive best = %v, want none: %v", grid.Best(), tc.none)
			}
			if tc.none && grid.Closest != raced.Closest {
				t.Errorf("racing names #%d the closest, the grid #%d", raced.Closest+1, grid.Closest+1)
			}
			cheapest := 0
			for i := range grid.Candidates {
				if grid.Candidates[i].Figure(tc.minimize).Mean < grid.Candidates[cheapest].Figure(tc.minimize).Mean {
					cheapest = i
				}
			}
			if got := !grid.Candidates[cheapest].Meets; got != tc.cheapestFails {
				t.Errorf("the lowest %s (#%d) breaks a requirement: %v, want %v", tc.minimize, cheapest+1, got, tc.cheapestFails)
			}
			t.Logf("racing ran %d of %d simulations; ranking %v", raced.Runs, raced.GridRuns, numbers(raced))
		})
	}
}

func TestPlanUnknownFigure(t *testing.T) {
	sc := plannerWeb(t)
	for _, tc := range []struct {
		spec   Spec
		wantIn string
	}{
		{Spec{Minimize: "cots", Replicates: 1}, `--minimize: unknown figure "cots": expected a path into summary.json; close names: cost`},
		{Spec{Minimize: "cost", Requires: reqs(t, "services.web.timeToStart.p99 <= 120"), Replicates: 1},
			`requirement "services.web.timeToStart.p99 <= 120": unknown figure "services.web.timeToStart.p99": expected a path into summary.json; close names: services.web.timeToStartSeconds.p99`},
		{Spec{Minimize: "cost"}, "0 replicates, expected 1 or more"},
		{Spec{Replicates: 1}, "no figure to minimize"},
	} {
		_, err := Plan(sc, tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.wantIn) {
			t.Errorf("Plan(%+v) = %v, want an error containing %q", tc.spec, err, tc.wantIn)
		}
	}
}

func TestParseRequirement(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Requirement
		err  string
	}{
		{in: "cost <= 30", want: Requirement{"cost", AtMost, 30}},
		{in: "services.web.timeToStartSeconds.p99<120", want: Requirement{"services.web.timeToStartSeconds.p99", Below, 120}},
		{in: "neverPlaced >= 0", want: Requirement{"neverPlaced", AtLeast, 0}},
		{in: "peakInstances > 2.5", want: Requirement{"peakInstances", Above, 2.5}},
		{in: "cost = 3", err: `requirement "cost = 3": expected FIGURE <= VALUE (or <, >=, >)`},
		{in: "<= 3", err: `requirement "<= 3": expected a figure before <=`},
		{in: "cost <= cheap", err: `requirement "cost <= cheap": value "cheap", expected a finite number`},
		{in: "cost <= NaN", err: `value "NaN", expected a finite number`},
	} {
		got, err := ParseRequirement(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseRequirement(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseRequirement(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back, err := ParseRequirement(got.String()); err != nil || back != got {
			t.Errorf("ParseRequirement(%q) = %v, %v; want it back", got.String(), back, err)
		}
	}
}

func ExampleParseRequirement() {
	r, _ := ParseRequirement("services.web.timeToStartSeconds.p99 <= 120")
	fmt.Println(r.Path, r.Op, r.Value)
	// Output: services.web.timeToStartSeconds.p99 <= 120
}
