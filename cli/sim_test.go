package cli

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"
	"github.com/berthsched/berth/sim/scenario"
)

func TestSimDefault(t *testing.T) {
	stdout, stderr, code := runBerth(t, "", "sim")
	if code != 0 {
		t.Fatalf("berth sim exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/default.golden", stdout)
	if again, _, _ := runBerth(t, "", "sim"); again != stdout {
		t.Errorf("two runs of berth sim printed different bytes")
	}
}

func TestSimStrategyOverride(t *testing.T) {
	stdout, stderr, code := runBerth(t, "", "sim", "--strategy", "binpack(cpu)", "--strategy", "spread(host)", "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/override.golden", stdout)
}

func TestSimOut(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := runBerth(t, "", "sim", "--strategy", "binpack(memory)", "--strategy", "random", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var summary struct {
		Scenario string `json:"scenario"`
		Runs     []struct {
			Variant   string `json:"variant"`
			Submitted int    `json:"submitted"`
		} `json:"runs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &summary); err != nil || len(summary.Runs) != 2 || summary.Runs[0].Variant != "binpack(memory)" || summary.Runs[0].Submitted == 0 {
		t.Errorf("summary.json = %s (%v)", data, err)
	}
	series, err := os.ReadFile(filepath.Join(dir, "timeseries.csv"))
	if err != nil || !bytes.HasPrefix(series, []byte("variant,time_s,cpu_pct,")) || bytes.Count(series, []byte("\n")) < 500 {
		t.Errorf("timeseries.csv: %v, %d bytes", err, len(series))
	}
	for _, log := range []string{"events-A.jsonl", "events-B.jsonl"} {
		data, err := os.ReadFile(filepath.Join(dir, log))
		if err != nil || !bytes.Contains(data, []byte(`"kind":"place"`)) {
			t.Errorf("%s: %v, %d bytes", log, err, len(data))
		}
	}
	f, err := os.Open(filepath.Join(dir, "plot.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() < 500 {
		t.Errorf("plot.png does not decode as a PNG image: %v", err)
	}
	checkReport(t, dir, "section-summary", "section-fleet", "section-providers", "plot-cpu", "binpack(memory)")
}

// checkReport checks that dir holds report.html with each of want in it.
func checkReport(t *testing.T, dir string, want ...string) {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !bytes.Contains(page, []byte(w)) {
			t.Errorf("report.html has no %q", w)
		}
	}
}

func TestSimErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"duration": "1h", "fleet": {"pools": [{"type": "m9", "zones": {"a": 1}}]}}`), 0o644)
	badCompare := filepath.Join(dir, "compare.json")
	var sc map[string]any
	json.Unmarshal(scenario.DefaultScenarioJSON(), &sc)
	sc["compare"] = []any{map[string]any{"strategies": []any{map[string]any{"type": "nope"}}}}
	data, _ := json.Marshal(sc)
	os.WriteFile(badCompare, data, 0o644)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"invalid scenario", []string{"sim", "--scenario", bad}, 1, `berth sim: ` + bad + `: fleet.pools[0].type: "m9" is not one of fleet.instanceTypes`},
		{"missing scenario", []string{"sim", "--scenario", filepath.Join(dir, "none.json")}, 1, "no such file or directory"},
		{"bad strategy", []string{"sim", "--strategy", "binpack(disk)"}, 2, `--strategy: strategy "binpack(disk)": binpack field "disk": expected cpu or memory`},
		{"bad seed", []string{"sim", "--seed", "-1"}, 2, `--seed "-1": expected a non-negative integer`},
		{"unknown strategy type", []string{"sim", "--strategy", "spread(instanceId),binpak(memory)"}, 2,
			`berth sim: --strategy "spread(instanceId),binpak(memory)": type "binpak", expected binpack, spread, random or one of the GPU-sharing policies (fgd, bestfit, gpupacking, gpuclustering, dotprod, balancedfit)`},
		{"six strategies in a chain", []string{"sim", "--strategy", "binpack(cpu),binpack(memory),random,spread(instanceId),spread(host),binpack(cpu)"}, 2,
			`berth sim: --strategy: strategies "binpack(cpu),binpack(memory),random,spread(instanceId),spread(host),binpack(cpu)": 6 strategies, expected at most 5 in a chain (as in ECS)`},
		{"unknown strategy in compare[0]", []string{"sim", "--scenario", badCompare}, 1,
			`berth sim: ` + badCompare + `: compare[0].strategies[0].type: "nope", expected binpack, spread, random or a strategy this run was given`},
		{"stray argument", []string{"sim", "extra"}, 2, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) || stdout != "" {
				t.Errorf("berth %q: exit %d, stderr %q, stdout %d bytes; want exit %d and %q", tt.args, code, stderr, len(stdout), tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestSimPrintScenario(t *testing.T) {
	stdout, _, code := runBerth(t, "", "sim", "--print-scenario")
	if code != 0 || !strings.Contains(stdout, `"instanceTypes"`) {
		t.Fatalf("exit %d, stdout %.80q", code, stdout)
	}
	// What it prints runs as a scenario file, with the same result.
	path := filepath.Join(t.TempDir(), "s.json")
	os.WriteFile(path, []byte(stdout), 0o644)
	fromFile, stderr, code := runBerth(t, "", "sim", "--scenario", path)
	embedded, _, _ := runBerth(t, "", "sim")
	if code != 0 || fromFile != embedded {
		t.Errorf("the printed scenario runs differently from the embedded one (exit %d, %s)", code, stderr)
	}
}

func TestSimGPUSharePolicies(t *testing.T) {
	stdout, stderr, code := runBerth(t, "", "sim", "--strategy", "fgd", "--strategy", "06-FGD", "--strategy", "bestfit,binpack(memory)")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"A  fgd", "B  06-FGD", "C  bestfit,binpack(memory)", "tasks placed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// fgd and 06-FGD are the same policy: the same columns.
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if strings.HasPrefix(line, "  tasks placed") && f[2] != f[3] {
			t.Errorf("fgd and 06-FGD differ: %s", line)
		}
	}
	_, stderr, code = runBerth(t, "", "sim", "--strategy", "fgd(x)")
	if code != 1 || !strings.Contains(stderr, "fgd takes no field") {
		t.Errorf("fgd(x): exit %d, stderr %q", code, stderr)
	}
	// berth's own BalancedFit runs as a strategy type too, by either name.
	stdout, stderr, code = runBerth(t, "", "sim", "--strategy", "balancedfit", "--strategy", "07-BalancedFit")
	if code != 0 || !strings.Contains(stdout, "A  balancedfit") || !strings.Contains(stdout, "B  07-BalancedFit") {
		t.Errorf("balancedfit: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if strings.HasPrefix(line, "  tasks placed") && f[2] != f[3] {
			t.Errorf("balancedfit and 07-BalancedFit differ: %s", line)
		}
	}
	_, stderr, code = runBerth(t, "", "sim", "--strategy", "nope")
	if code != 2 || !strings.Contains(stderr, `--strategy "nope": type "nope", expected binpack, spread, random or one of the GPU-sharing policies`) {
		t.Errorf("nope: exit %d, stderr %q", code, stderr)
	}
}

var plannerExample = filepath.Join("..", "examples", "planner-web.json")

func TestSimPlanner(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/planner.golden", stdout)
	for name, want := range map[string]string{
		"service-events-A.jsonl": `"message":"(service web) has started`,
		"scaling-A.csv":          "time_s,target,kind,from,to,cause\n",
		"services-A.csv":         "time_s,service,desired,running,pending,cpu_pct,memory_pct\n",
		"providers-A.csv":        "time_s,provider,instances,launching,reservation_pct,provisioning\n",
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s: %v, lacks %q", name, err, want)
		}
	}
	f, err := os.Open(filepath.Join(dir, "planner-A.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("planner-A.png: %v", err)
	}
}

func TestSimSweep(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sim", "--scenario", plannerExample, "--sweep", "capacityProviders[*].managedScaling.targetCapacity=100,80",
		"--sweep", "capacityProviders[1].spot=false,true", "--out", dir}
	stdout, stderr, code := runBerth(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "sim/sweep.golden", stdout)
	if again, _, _ := runBerth(t, "", args...); again != stdout {
		t.Errorf("two sweeps printed different tables")
	}
	if data, err := os.ReadFile(filepath.Join(dir, "sweep.txt")); err != nil || string(data) != stdout {
		t.Errorf("sweep.txt: %v, differs from stdout", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep.png")); err != nil {
		t.Error(err)
	}
	checkReport(t, dir, "section-runs", "plot-cost-slo", "capacityProviders[1].spot")
}

// seeds returns "1,2,...,n".
func seeds(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

func TestSimSweepErrors(t *testing.T) {
	tests := []struct {
		name     string
		sweep    string
		wantCode int
		wantErr  string
	}{
		{"no values", "seed", 2, `--sweep: sweep "seed": expected PARAM=v1,v2,...`},
		{"bad index", "services[x].desiredCount=1", 2, `expected [index]`},
		{"unknown field", "services[1].replicas=2", 1, `unknown field "replicas"`},
		{"out of range", "services[9].desiredCount=2", 1, `index [9] is out of range (3 items)`},
		{"wrong type", "seed=abc", 1, `berth sim: sweep seed=abc: seed: expected an integer of 0 or more, found "abc"`},
		{"invalid value", "capacityProviders[0].managedScaling.targetCapacity=0,101", 1, `managedScaling.targetCapacity: 101, expected 1 to 100`},
		{"too many runs", "seed=" + seeds(10001), 2, `--sweep: sweep seed: too many runs: more than 10000 runs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", "sim", "--scenario", plannerExample, "--sweep", tt.sweep)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) || stdout != "" {
				t.Errorf("--sweep %q: exit %d, stderr %q; want exit %d and %q", tt.sweep, code, stderr, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestSimSweepParamTwice(t *testing.T) {
	args := []string{"sim", "--scenario", plannerExample, "--sweep", "seed=1,2", "--sweep", "services[0].desiredCount=2", "--sweep", " seed=3"}
	stdout, stderr, code := runBerth(t, "", args...)
	want := `berth sim: --sweep: parameter "seed" given twice; expected each PARAM once, with all its values (PARAM=v1,v2,...)`
	if code != 2 || !strings.HasPrefix(stderr, want+"\n") || stdout != "" {
		t.Errorf("berth %q: exit %d, stderr %q; want exit 2 and %q", args, code, stderr, want)
	}
}

// TestSimListsNotModelled runs a scenario of real ECS documents (the AWS
// CLI's examples): berth sim lists, on stderr, the ECS fields it read but
// does not model, one line each, and still prints its table.
func TestSimListsNotModelled(t *testing.T) {
	stdout, stderr, code := runBerth(t, "", "sim", "--scenario", "../sim/scenario/testdata/ecs-examples.json")
	if code != 0 {
		t.Fatalf("berth sim exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "tasks placed") {
		t.Errorf("berth sim printed no table:\n%s", stdout)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(line, "berth sim: not modelled: ") {
			n++
		}
	}
	if n == 0 {
		t.Errorf("berth sim listed no field as not modelled; stderr:\n%s", stderr)
	}
	// The default scenario is berth's own: nothing to list.
	if _, stderr, _ := runBerth(t, "", "sim"); strings.Contains(stderr, "not modelled") {
		t.Errorf("berth sim on the default scenario listed fields as not modelled:\n%s", stderr)
	}
}

// The README shows berth sim's real output: the table after "and
// prints:" is testdata/sim/default.golden, which TestSimDefault checks
// against the run.
func TestReadmeShowsTheDefaultTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/sim/default.golden")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "and prints:\n\n```\n")
	if !ok {
		t.Fatal("README.md: no code block after \"and prints:\"")
	}
	block, _, _ = strings.Cut(block, "```\n")
	if block != string(want) {
		t.Errorf("README.md's berth sim table is not testdata/sim/default.golden; copy it in")
	}
}
