package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/golden"
)

// planArgs is a small plan of examples/planner-web.json: four
// configurations, three replicates each; the cheapest configurations use
// Spot and lose more log-router tasks than the requirement allows.
var planArgs = []string{"plan", "--scenario", plannerExample,
	"--vary", "capacityProviders[1].maxSize=0,5",
	"--vary", "services[1].scaling.targetTracking[0].targetValue=4000,8000",
	"--minimize", "cost", "--require", "services.log-router.lost <= 12", "--replicates", "3"}

func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPlanGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	stdout, stderr, code := runBerth(t, "", append(planArgs, "--out", dir)...)
	if code != 0 {
		t.Fatalf("berth plan: exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "plan/plan.golden", stdout)
	for _, name := range []string{"plan.json", "sweep.csv", "sweep.json", "report.html"} {
		golden.Check(t, "plan/"+name, readOut(t, dir, name))
	}
	if !strings.HasPrefix(stderr, "berth plan: wrote ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q: want only the line saying what was written (no progress: stderr is no terminal)", stderr)
	}
	if again, _, _ := runBerth(t, "", planArgs...); again != stdout {
		t.Errorf("two runs of berth plan printed different bytes")
	}
}

func TestPlanNoneMeets(t *testing.T) {
	args := append(append([]string(nil), planArgs[:len(planArgs)-4]...), "--require", "cost <= 5", "--replicates", "2")
	stdout, stderr, code := runBerth(t, "", args...)
	if code != 1 || !strings.Contains(stdout, "no configuration meets the requirements; the closest is #") ||
		stderr != "berth plan: no configuration meets the requirements\n" {
		t.Errorf("berth plan with an impossible requirement: exit %d, stdout:\n%s\nstderr %q; want exit 1 naming the closest", code, stdout, stderr)
	}
}

func TestPlanErrors(t *testing.T) {
	base := []string{"plan", "--scenario", plannerExample, "--vary", "capacityProviders[1].maxSize=0,5", "--replicates", "1"}
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no minimize", nil, 2, "berth plan: --minimize: expected the FIGURE to make lowest, such as cost"},
		{"unknown figure", []string{"--minimize", "services.web.timeToStart.p99"}, 2,
			`berth plan: --minimize: unknown figure "services.web.timeToStart.p99": expected a path into summary.json; close names: services.web.timeToStartSeconds.p99`},
		// spot has no instance in the first configuration (maxSize 0): its
		// figures are known from the second.
		{"unknown required figure", []string{"--minimize", "cost", "--require", "provider.spot.peakInstances <= 3"}, 2,
			`close names: providers.spot.peakInstances, `},
		{"bad requirement", []string{"--minimize", "cost", "--require", "cost == 3"}, 2,
			`berth plan: --require: requirement "cost == 3": expected FIGURE <= VALUE (or <, >=, >)`},
		{"replicates", []string{"--minimize", "cost", "--replicates", "0"}, 2, "--replicates 0: expected 1 to 10000"},
		{"vary twice", []string{"--minimize", "cost", "--vary", "capacityProviders[1].maxSize=1"}, 2, `--vary: parameter "capacityProviders[1].maxSize" given twice`},
		{"bad vary", []string{"--minimize", "cost", "--vary", "seed"}, 2, `--vary: sweep "seed": expected PARAM=v1,v2,...`},
		{"bad strategy", []string{"--minimize", "cost", "--strategy", "pack(cpu)"}, 2, `--strategy "pack(cpu)": type "pack"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", append(append([]string(nil), base...), tc.args...)...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) || stdout != "" {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.wantCode, tc.wantErr)
			}
		})
	}
}

func TestSweepReplicatesGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	stdout, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--sweep", "capacityProviders[1].maxSize=0,5",
		"--sweep", "services[1].scaling.targetTracking[0].targetValue=4000,8000", "--replicates", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/sweep-replicates.golden", stdout)
	golden.Check(t, "sim/sweep-replicates.csv", readOut(t, dir, "sweep.csv"))
	golden.Check(t, "sim/sweep-replicates.json", readOut(t, dir, "sweep.json"))
	if got := readOut(t, dir, "sweep.txt"); got != stdout {
		t.Errorf("sweep.txt differs from stdout")
	}
}

func TestSweepOutGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	_, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--sweep", "capacityProviders[1].maxSize=0,5", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/sweep.csv", readOut(t, dir, "sweep.csv"))
	golden.Check(t, "sim/sweep.json", readOut(t, dir, "sweep.json"))
}

func TestSimReplicatesGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--replicates", "3", "--strategy", "binpack(memory)", "--strategy", "random", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/replicates.golden", stdout)
	golden.Check(t, "sim/replicates-summary.json", readOut(t, dir, "summary.json"))
}

// flatten turns a summary.json run into its figures by path, its own way
// (services by name), independently of package replicate.
func flatten(prefix string, v any, out map[string]float64) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch v := v.(type) {
	case float64:
		out[prefix] = v
	case map[string]any:
		for k, x := range v {
			flatten(join(k), x, out)
		}
	case []any:
		for i, x := range v {
			key := strconv.Itoa(i)
			if m, ok := x.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					key = name
				}
			}
			flatten(join(key), x, out)
		}
	}
}

// TestSweepCSVRoundTrip reads sweep.csv back: each row's figures are
// those of summary.json written by berth sim for the same configuration,
// every one of them, to the last digit.
func TestSweepCSVRoundTrip(t *testing.T) {
	dir := t.TempDir()
	sweepDir := filepath.Join(dir, "sweep")
	if _, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--sweep", "seed=1,2", "--out", sweepDir); code != 0 {
		t.Fatalf("sweep: exit %d, stderr %q", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(readOut(t, sweepDir, "sweep.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "seed" || rows[0][1] != "placement" {
		t.Fatalf("sweep.csv: %d lines, header %q", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		one := filepath.Join(dir, "seed"+row[0])
		if _, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--seed", row[0], "--out", one); code != 0 {
			t.Fatalf("sim --seed %s: exit %d, stderr %q", row[0], code, stderr)
		}
		var doc struct {
			Runs []map[string]any `json:"runs"`
		}
		if err := json.Unmarshal([]byte(readOut(t, one, "summary.json")), &doc); err != nil || len(doc.Runs) != 1 {
			t.Fatalf("summary.json: %v, %d runs", err, len(doc.Runs))
		}
		want := map[string]float64{}
		flatten("", doc.Runs[0], want)
		got := map[string]float64{}
		for i, col := range rows[0][2:] {
			v, err := strconv.ParseFloat(row[2+i], 64)
			if err != nil {
				t.Fatalf("sweep.csv column %s: %v", col, err)
			}
			got[col] = v
		}
		var missing []string
		for path, w := range want {
			if g, ok := got[path]; !ok || g != w {
				missing = append(missing, path+"="+strconv.FormatFloat(w, 'g', -1, 64)+" got "+row[0])
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 || len(got) != len(want) {
			t.Errorf("seed %s: sweep.csv has %d figures, summary.json %d; differing: %q", row[0], len(got), len(want), missing)
		}
		if row[1] != doc.Runs[0]["variant"] {
			t.Errorf("seed %s: placement %q, summary.json's variant %q", row[0], row[1], doc.Runs[0]["variant"])
		}
	}
}

func TestProgressLine(t *testing.T) {
	for _, tc := range []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{0, 64, 0, "0/64 runs"},
		{16, 64, 8 * time.Second, "16/64 runs, 2.0 runs/s, about 24s left    "},
		{64, 64, 20 * time.Second, "64/64 runs, 3.2 runs/s, about 0s left    "},
	} {
		if got := progressLine("runs", tc.done, tc.total, tc.elapsed); got != tc.want {
			t.Errorf("progressLine(%d, %d, %s) = %q, want %q", tc.done, tc.total, tc.elapsed, got, tc.want)
		}
	}
}

// TestProgressOnTerminalOnly drives the progress line with a clock of its
// own: nothing unless stderr is a terminal; there, at most one redraw per
// 200 ms, the last one always, and a clear at the end.
func TestProgressOnTerminalOnly(t *testing.T) {
	var b bytes.Buffer
	if p := newRunProgress(&env{stderr: &b}, "runs"); p != nil {
		t.Fatalf("newRunProgress on a pipe = %v, want nil", p)
	}
	var nilProgress *runProgress
	nilProgress.update(1, 2) // does nothing
	nilProgress.clear()
	now := time.Unix(0, 0)
	p := newRunProgress(&env{stderr: &b, stderrIsTerminal: true, now: func() time.Time { return now }}, "runs")
	now = now.Add(time.Second)
	p.update(1, 4)
	now = now.Add(100 * time.Millisecond)
	p.update(2, 4) // too soon
	now = now.Add(100 * time.Millisecond)
	p.update(3, 4)
	p.update(4, 4) // the last
	p.clear()
	want := "\r1/4 runs, 1.0 runs/s, about 3s left    " +
		"\r3/4 runs, 2.5 runs/s, about 0s left    " +
		"\r4/4 runs, 3.3 runs/s, about 0s left    " +
		"\r" + strings.Repeat(" ", 70) + "\r"
	if b.String() != want {
		t.Errorf("progress on a terminal:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestSimReplicatesErrors(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"sim", "--replicates", "-1"}, "berth sim: --replicates -1: expected 1 to 10000"},
		{[]string{"sim", "--replicates", "10001"}, "berth sim: --replicates 10001: expected 1 to 10000"},
		{[]string{"sim", "--replicates", "x"}, `berth sim: --replicates "x": expected an integer`},
		{[]string{"sim", "--executor", "docker", "--replicates", "2"}, "--replicates runs on the virtual clock only, not with --executor docker"},
		{[]string{"sim", "--scenario", plannerExample, "--sweep", "seed=" + seeds(5001), "--replicates", "2"}, "--sweep: too many runs: 5001 configurations times 2 replicates, more than 10000 runs"},
	} {
		stdout, stderr, code := runBerth(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.wantErr) || stdout != "" {
			t.Errorf("berth %q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.wantErr)
		}
	}
}
