package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// mostFree prefers the instance with the most of a resource left: a
// strategy of a program's own, for the tests.
type mostFree struct{ field string }

func (m mostFree) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	if m.field == "memory" {
		return float64(in.Remaining.MemoryMiB)
	}
	return float64(in.Remaining.CPU)
}

func (m mostFree) String() string { return "mostfree(" + m.field + ")" }

// newMostFree takes cpu (the default) or memory as its field, and checks
// that the workload's typical pods can be had.
func newMostFree(env StrategyEnv) (placement.Strategy, error) {
	if _, err := env.TypicalPods(); err != nil {
		return nil, err
	}
	switch env.Field {
	case "", "cpu":
		return mostFree{"cpu"}, nil
	case "memory":
		return mostFree{"memory"}, nil
	}
	return nil, fmt.Errorf("field %q: expected cpu or memory", env.Field)
}

// tinyScenario is a scenario small enough to run in a test, comparing the
// strategy registered as mostfree with binpack(memory).
const tinyScenario = `{
  "name": "tiny", "seed": 1, "duration": "2h",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680, "pricePerHour": 0.096}],
    "pools": [{"type": "m5.large", "zones": {"us-east-1a": 3, "us-east-1b": 3}}]
  },
  "workload": {"generator": {"ratePerHour": 60, "mix": [
    {"name": "web", "weight": 1, "cpu": 256, "memory": 512, "duration": {"kind": "lognormal", "median": "30m", "sigma": 1}}
  ]}},
  "compare": [
    {"strategies": [{"type": "mostfree", "field": "memory"}]},
    {"strategies": [{"type": "binpack", "field": "memory"}]}
  ]
}`

func runWith(t *testing.T, opts []Option, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb, opts...)
	return out.String(), errb.String(), code
}

func TestRegisteredStrategyInSim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.json")
	if err := os.WriteFile(path, []byte(tinyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := []Option{WithStrategy("mostfree", newMostFree)}
	tests := []struct {
		name   string
		args   []string
		inRows []string
	}{
		{name: "scenario variants", args: []string{"sim", "--scenario", path}, inRows: []string{"mostfree(memory)", "binpack(memory)"}},
		{name: "--strategy", args: []string{"sim", "--scenario", path, "--strategy", "mostfree", "--strategy", "spread(attribute:ecs.availability-zone),MostFree(cpu)"},
			inRows: []string{"mostfree", "spread(attribute:ecs.availability-zone),MostFree(cpu)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runWith(t, opts, tt.args...)
			if code != 0 {
				t.Fatalf("berth %q: exit %d, stderr %q", tt.args, code, stderr)
			}
			for _, v := range tt.inRows {
				if !strings.Contains(stdout, v) {
					t.Errorf("berth %q: the table does not name %q:\n%s", tt.args, v, stdout)
				}
			}
		})
	}
	// The same run with berth's own strategies only: the registered
	// strategy is unknown again.
	if _, stderr, code := runBerth(t, "", "sim", "--scenario", path); code != 1 || !strings.Contains(stderr, `compare[0].strategies[0].type: "mostfree"`) {
		t.Errorf("berth sim without WithStrategy: exit %d, stderr %q; want 1 naming compare[0]'s type", code, stderr)
	}
	if _, stderr, code := runBerth(t, "", "sim", "--scenario", path, "--strategy", "mostfree"); code != 2 || !strings.Contains(stderr, `type "mostfree", expected binpack`) {
		t.Errorf("berth sim --strategy mostfree without WithStrategy: exit %d, stderr %q; want 2", code, stderr)
	}
	// The factory's error names the strategy and the variant.
	_, stderr, code := runWith(t, opts, "sim", "--scenario", path, "--strategy", "mostfree(gpu)")
	if code != 1 || !strings.Contains(stderr, `mostfree: field "gpu": expected cpu or memory`) {
		t.Errorf("berth sim --strategy 'mostfree(gpu)': exit %d, stderr %q; want 1 naming the factory's error", code, stderr)
	}
}

func TestRegisteredStrategyInPack(t *testing.T) {
	var got []gpushare.TypicalPod
	opts := []Option{WithStrategy("mostfree", func(env StrategyEnv) (placement.Strategy, error) {
		got, _ = env.TypicalPods()
		return newMostFree(env)
	})}
	args := []string{"pack", "--nodes", "testdata/pack/nodes.csv", "--pods", "testdata/pack/tiny.csv", "--seeds", "1", "--policy", "MOSTFREE,ecs-binpack-cpu"}
	stdout, stderr, code := runWith(t, opts, args...)
	if code != 0 {
		t.Fatalf("berth %q: exit %d, stderr %q", args, code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("berth %q printed %d rows (%v), want a header and 2:\n%s", args, len(rows), err, stdout)
	}
	var policies []string
	for _, r := range rows[1:] {
		policies = append(policies, r[1])
		last := ""
		for _, cell := range r[5:] {
			if cell != "" {
				last = cell
			}
		}
		if v, err := strconv.ParseFloat(last, 64); err != nil || !(v > 0) {
			t.Errorf("berth %q: %s allocated nothing (last cell %q)", args, r[1], last)
		}
	}
	if diff := cmp.Diff([]string{"mostfree", "ecs-binpack-cpu"}, policies); diff != "" {
		t.Errorf("berth %q: sc_policy column (-want +got):\n%s", args, diff)
	}
	if len(got) == 0 {
		t.Errorf("berth pack gave the factory no typical pods")
	}
	failing := []Option{WithStrategy("broken", func(StrategyEnv) (placement.Strategy, error) { return nil, errors.New("no luck") })}
	_, stderr, code = runWith(t, failing, "pack", "--nodes", "testdata/pack/nodes.csv", "--pods", "testdata/pack/tiny.csv", "--seeds", "1", "--policy", "broken")
	if code != 1 || stderr != "berth pack: --policy broken: no luck\n" {
		t.Errorf("berth pack with a failing factory: exit %d, stderr %q; want 1 and its error", code, stderr)
	}
}

func TestHelpListsRegisteredStrategies(t *testing.T) {
	opts := []Option{WithStrategy("mostfree", newMostFree), WithStrategy("leastfree", newMostFree)}
	const want = "Registered strategies (this build of berth): leastfree, mostfree\n"
	for _, name := range []string{"sim", "pack"} {
		stdout, _, code := runWith(t, opts, name, "--help")
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("berth %s --help with two strategies registered: exit %d, no %q in\n%s", name, code, want, stdout)
		}
		if stdout, _, _ := runBerth(t, "", name, "--help"); strings.Contains(stdout, "Registered strategies") {
			t.Errorf("berth %s --help lists registered strategies when there are none", name)
		}
	}
	stdout, _, _ := runWith(t, opts, "__complete", "pack", "--policy", "")
	if !strings.Contains(stdout, "\nmostfree\n") {
		t.Errorf("berth pack --policy does not complete the registered strategy:\n%s", stdout)
	}
}

func TestWithStrategyPanics(t *testing.T) {
	tests := []struct {
		name   string
		reason string
	}{
		{"", "empty"},
		{"binpack", "placement's own"},
		{"all", "pack's all"},
		{"fgd", "a paper policy"},
		{"ab-fgd", "sim reads it as the paper's FGD, like 06-FGD"},
		{"ecs-spread", "pack's ECS strategy"},
		{"Mostfree", "not lowercase"},
		{"7up", "not starting with a letter"},
		{"most free", "a space"},
		{"mostfree(cpu)", "parentheses"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("WithStrategy(%q) did not panic (%s)", tt.name, tt.reason)
				}
			}()
			WithStrategy(tt.name, newMostFree)
		})
	}
	t.Run("registered twice", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Errorf("NewCommand with mostfree registered twice did not panic")
			}
		}()
		NewCommand(WithStrategy("mostfree", newMostFree), WithStrategy("mostfree", newMostFree))
	})
	t.Run("nil factory", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Errorf("WithStrategy with a nil factory did not panic")
			}
		}()
		WithStrategy("mostfree", nil)
	})
}
