package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"
)

var packArgs = []string{"pack", "--nodes", "testdata/pack/nodes.csv", "--pods", "testdata/pack/tiny.csv", "--seeds", "1-3"}

func TestPackGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{name: "alloc.golden", args: []string{"--policy", "all"}},
		{name: "frag.golden", args: []string{"--policy", "fgd,BestFit,02-dotprod", "--metric", "frag"}},
		{name: "frag-ratio.golden", args: []string{"--policy", "06-FGD", "--metric", "frag-ratio", "--tune", "0.8"}},
		{name: "ecs.golden", args: []string{"--policy", "ecs-binpack-cpu,ECS-Binpack-Memory,ecs-spread,ecs-random,fgd"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", append(packArgs, tt.args...)...)
			if code != 0 {
				t.Fatalf("berth pack exit %d, stderr %q", code, stderr)
			}
			golden.Check(t, filepath.Join("pack", tt.name), stdout)
			// Parallel runs must not change the output.
			again, _, _ := runBerth(t, "", append(packArgs, tt.args...)...)
			if again != stdout {
				t.Errorf("a second run printed different rows")
			}
		})
	}
}

func TestPackOutAndCompare(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rows.csv")
	stdout, stderr, code := runBerth(t, "", append(packArgs, "--out", out)...)
	if code != 0 || stdout != "" {
		t.Fatalf("berth pack --out: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	rows, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("pack", "alloc.golden"), string(rows))

	// Our own rows as the published file: every pair matches.
	stdout, stderr, code = runBerth(t, "", append(packArgs, "--out", filepath.Join(dir, "again.csv"), "--compare", out)...)
	if code != 0 {
		t.Fatalf("--compare with itself: exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, filepath.Join("pack", "compare.golden"), stdout)

	// A strategy without published rows: ours alone, exit 0.
	stdout, stderr, code = runBerth(t, "", append(packArgs, "--out", filepath.Join(dir, "ecs.csv"), "--policy", "ecs-spread,fgd", "--compare", out)...)
	if code != 0 {
		t.Fatalf("--compare with an ECS strategy: exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, filepath.Join("pack", "compare-ecs.golden"), stdout)

	// One deterministic cell off by 0.02: exit 1 and a MISMATCH line.
	lines := strings.Split(string(rows), "\n")
	for i, l := range lines {
		if strings.Contains(l, ",05-BestFit,") {
			f := strings.Split(l, ",")
			c := len(f) - 1
			for f[c] == "" {
				c--
			}
			f[c] = fmt.Sprint(mustFloat(t, f[c]) + 0.02)
			lines[i] = strings.Join(f, ",")
			break
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runBerth(t, "", append(packArgs, "--compare", bad)...)
	if code != 1 || !strings.Contains(stderr, "05-BestFit") || !strings.Contains(stderr, "MISMATCH") ||
		!strings.Contains(stderr, "berth pack: --compare: 1 of 6 workload and policy pairs differ") {
		t.Errorf("--compare with a changed cell: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "workload,sc_policy,tune,seed,total_gpus,0,1,") {
		t.Errorf("--compare without --out: rows not on stdout: %q", stdout)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatalf("cell %q: %v", s, err)
	}
	return f
}

func TestPackPlot(t *testing.T) {
	png := filepath.Join(t.TempDir(), "fig.png")
	if _, stderr, code := runBerth(t, "", append(packArgs, "--plot", png, "--policy", "random,fgd")...); code != 0 {
		t.Fatalf("berth pack --plot: exit %d, stderr %q", code, stderr)
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 1000 {
		t.Errorf("--plot wrote %d bytes, not a PNG image", len(b))
	}
}

func TestPackErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"missing column", []string{"pack", "--nodes", "testdata/pack/nodes.csv", "--pods", "testdata/pack/bad_column.csv"}},
		{"non-numeric field", []string{"pack", "--nodes", "testdata/pack/nodes.csv", "--pods", "testdata/pack/bad_number.csv"}},
		{"node with GPUs and no model", []string{"pack", "--nodes", "testdata/pack/bad_model.csv", "--pods", "testdata/pack/tiny.csv"}},
		{"missing file", []string{"pack", "--nodes", "testdata/pack/nope.csv", "--pods", "testdata/pack/tiny.csv"}},
		{"no nodes flag", []string{"pack", "--pods", "testdata/pack/tiny.csv"}},
		{"unknown policy", append(packArgs, "--policy", "fgd,tetris")},
		{"bad seeds", append(packArgs, "--seeds", "51-42")},
		{"bad metric", append(packArgs, "--metric", "waste")},
		{"bad tune", append(packArgs, "--tune", "0")},
		{"stray argument", append(packArgs, "extra")},
		{"compare layout of another metric", append(packArgs, "--metric", "frag", "--compare", "testdata/pack/alloc.golden")},
	}
	var report strings.Builder
	for _, tt := range tests {
		stdout, stderr, code := runBerth(t, "", tt.args...)
		if stdout != "" {
			t.Errorf("%s: stdout %q, want nothing", tt.name, stdout)
		}
		if code == 0 {
			t.Errorf("%s: exit 0", tt.name)
		}
		fmt.Fprintf(&report, "# %s: exit %d\n%s", tt.name, code, stderr)
	}
	golden.Check(t, filepath.Join("pack", "errors.golden"), report.String())
}

// TestPackLimits checks that a run asking for unbounded work is a usage
// error before any work: forty ranges of 1-99999 seeds were accepted (the
// cap was per range) and --tune 1e6 ran out of memory.
func TestPackLimits(t *testing.T) {
	forty := strings.TrimSuffix(strings.Repeat("1-99999,", 40), ",")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"forty ranges of seeds", append(packArgs, "--seeds", forty),
			`berth pack: --seeds: "1-99999" brings the seeds to 199998; expected at most 100000 in total`},
		{"one range too long", append(packArgs, "--seeds", "1-100001"),
			`berth pack: --seeds: "1-100001" has 100001 seeds; expected at most 100000`},
		{"tune of a million", append(packArgs, "--tune", "1e6"),
			"berth pack: --tune: 1e+06; expected at most 10 (the fleet's GPU capacity ten times over)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", tt.args...)
			if code != 2 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want exit 2 and no output", code, stdout)
			}
			if first, _, _ := strings.Cut(stderr, "\n"); first != tt.want {
				t.Errorf("stderr %q, want first line %q", stderr, tt.want)
			}
		})
	}
}

func TestParseSeeds(t *testing.T) {
	got, err := parseSeeds("42-44,50, 7")
	if err != nil || fmt.Sprint(got) != "[42 43 44 50 7]" {
		t.Errorf("parseSeeds = %v, %v; want [42 43 44 50 7]", got, err)
	}
	for _, bad := range []string{"", "x", "5-", "-5", "9-1", "1-999999"} {
		if _, err := parseSeeds(bad); err == nil {
			t.Errorf("parseSeeds(%q) succeeded", bad)
		}
	}
}
