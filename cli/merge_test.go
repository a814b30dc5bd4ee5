package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthsched/berth/benchmarks/capfill"
	"github.com/berthsched/berth/internal/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// packShards runs berth pack with args as n shards into dir.
func packShards(t *testing.T, dir string, n int, args ...string) {
	t.Helper()
	for k := range n {
		_, stderr, code := runBerth(t, "", append(append([]string{}, args...), "--shard", fmt.Sprintf("%d/%d", k, n), "--out", dir)...)
		if code != 0 {
			t.Fatalf("shard %d/%d: exit %d, stderr %q", k, n, code, stderr)
		}
		if want := fmt.Sprintf("berth: shard %d/%d: ", k, n); !strings.HasPrefix(stderr, want) {
			t.Errorf("shard %d/%d: stderr %q; want it to start %q", k, n, stderr, want)
		}
	}
}

// TestMergePackIsOneMachine runs berth pack's jobs as 1, 3, 7 and 40
// shards (more shards than the 18 jobs: some write empty files), merges
// them, and compares every byte with one machine's --out and --plot.
func TestMergePackIsOneMachine(t *testing.T) {
	dir := t.TempDir()
	args := append(packArgs, "--policy", "all")
	local := filepath.Join(dir, "local.csv")
	localPNG := filepath.Join(dir, "local.png")
	if _, stderr, code := runBerth(t, "", append(args, "--out", local, "--plot", localPNG)...); code != 0 {
		t.Fatalf("berth pack: exit %d, stderr %q", code, stderr)
	}
	want, _ := os.ReadFile(local)
	wantPNG, _ := os.ReadFile(localPNG)
	golden.Check(t, filepath.Join("pack", "alloc.golden"), string(want))
	for _, n := range []int{1, 3, 7, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			shards := filepath.Join(dir, fmt.Sprint("shards", n))
			packShards(t, shards, n, args...)
			out := filepath.Join(dir, fmt.Sprint("merged", n))
			// Flags after the directories, as after them.
			stdout, stderr, code := runBerth(t, "", "merge", shards, "--out", out)
			if code != 0 {
				t.Fatalf("berth merge: exit %d, stderr %q", code, stderr)
			}
			if stdout != string(want) {
				t.Errorf("berth merge printed other rows than one machine")
			}
			got, _ := os.ReadFile(filepath.Join(out, "pack.csv"))
			gotPNG, _ := os.ReadFile(filepath.Join(out, "pack.png"))
			if !bytes.Equal(got, want) || !bytes.Equal(gotPNG, wantPNG) {
				t.Errorf("pack.csv (%d bytes) or pack.png (%d bytes) differ from one machine's (%d, %d)", len(got), len(gotPNG), len(want), len(wantPNG))
			}
		})
	}
}

// TestMergeMissingShard kills (removes) one shard's results: berth merge
// names it, and re-running only that shard completes the merge.
func TestMergeMissingShard(t *testing.T) {
	dir := t.TempDir()
	args := append(packArgs, "--policy", "fgd,bestfit")
	packShards(t, dir, 4, args...)
	if err := os.Remove(filepath.Join(dir, "shard-2-of-4.jsonl")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBerth(t, "", "merge", dir)
	if code != 1 || stderr != "berth merge: missing shard 2 of 4: re-run --shard 2/4\n" {
		t.Fatalf("merge without shard 2: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runBerth(t, "", append(args, "--shard", "2/4", "--out", dir)...); code != 0 {
		t.Fatalf("re-running shard 2: exit %d, stderr %q", code, stderr)
	}
	stdout, stderr, code := runBerth(t, "", "merge", dir)
	want, _, _ := runBerth(t, "", args...)
	if code != 0 || stdout != want {
		t.Fatalf("merge after the re-run: exit %d, stderr %q, same rows as one machine: %v", code, stderr, stdout == want)
	}
}

func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	a, b, c, d := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c"), filepath.Join(dir, "d")
	packShards(t, a, 2, append(packArgs, "--policy", "fgd")...)
	packShards(t, b, 2, append(packArgs, "--policy", "bestfit")...)
	packShards(t, c, 3, append(packArgs, "--policy", "fgd")...)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	mix := filepath.Join(dir, "mix")
	if err := os.MkdirAll(mix, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(a, "shard-0-of-2.jsonl"), filepath.Join(mix, "shard-0-of-2.jsonl"))
	copyFile(t, filepath.Join(b, "shard-1-of-2.jsonl"), filepath.Join(mix, "shard-1-of-2.jsonl"))
	bad := filepath.Join(dir, "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "shard-0-of-1.jsonl"), []byte("{\"kind\": \"pack\",\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no directory", []string{"merge"}, "berth merge: expected one or more SHARD-DIR: the --out directories of the shards\n"},
		{"empty directory", []string{"merge", d}, "berth merge: " + d + ": no shard results (shard-K-of-N.jsonl); expected the --out directory of a run with --shard\n"},
		{"other flags", []string{"merge", a, mix}, "berth merge: shards 0,1 given more than once: give each shard's file once\n"},
		{"other inputs", []string{"merge", mix}, "results of other inputs (scenario, traces or flags"},
		{"other counts", []string{"merge", a, c}, "belongs to a run of 3 shards, but"},
		{"malformed", []string{"merge", bad}, "berth merge: " + filepath.Join(bad, "shard-0-of-1.jsonl") + ":1: unexpected EOF; expected one JSON record per line, as berth --shard writes\n"},
		{"shard without out", append(packArgs, "--shard", "0/2"), "berth pack: --shard needs --out DIR"},
		{"shard with plot", append(packArgs, "--shard", "0/2", "--out", d, "--plot", "x.png"), "--plot and --compare are for the whole run: give them to berth merge"},
		{"bad shard", append(packArgs, "--shard", "2/2", "--out", d), `berth pack: --shard: shard "2/2": shard index 2 is out of range; expected 0 to 1 for 2 shards`},
		{"auto without env", append(packArgs, "--shard", "auto", "--out", d), "--shard auto: this berth reads no environment"},
		{"shards without auto", append(packArgs, "--shard", "0/2", "--shards", "2", "--out", d), "--shards is only for --shard auto"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runBerth(t, "", tc.args...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want it to contain %q", code, stderr, tc.want)
			}
			first, rest, _ := strings.Cut(stderr, "\n")
			if rest != "" && !strings.HasPrefix(rest, "Run \"berth ") {
				t.Errorf("stderr is more than the error's line and the usage hint: %q", stderr)
			}
			if !strings.HasPrefix(first, "berth ") {
				t.Errorf("stderr %q does not start with the command", stderr)
			}
		})
	}
}

// TestPackShardAuto reads the shard from a Slurm array's environment
// through Run with WithEnv.
func TestPackShardAuto(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "1", "SLURM_ARRAY_TASK_COUNT": "2"}
	var out, errb bytes.Buffer
	code := Run(context.Background(), append(packArgs, "--policy", "fgd", "--shard", "auto", "--out", dir), nil, &out, &errb,
		WithEnv(func(k string) string { return env[k] }))
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "shard-1-of-2.jsonl")); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMergeSimIsOneMachine shards berth sim's sweeps and replicates and
// compares what berth merge prints and writes with one machine's run,
// file by file.
func TestMergeSimIsOneMachine(t *testing.T) {
	sc := []string{"sim", "--scenario", "../examples/planner-web.json"}
	for _, tc := range []struct {
		name   string
		args   []string
		shards []int
	}{
		{"sweep", []string{"--sweep", "capacityProviders[1].maxSize=0,5", "--sweep", "services[0].desiredCount=2,4"}, []int{1, 3, 8}},
		{"sweep with replicates", []string{"--sweep", "capacityProviders[1].maxSize=0,5", "--replicates", "3"}, []int{2, 7}},
		{"replicates", []string{"--replicates", "4", "--strategy", "binpack(memory)", "--strategy", "random"}, []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append(append([]string{}, sc...), tc.args...)
			local := filepath.Join(dir, "local")
			want, stderr, code := runBerth(t, "", append(args, "--out", local)...)
			if code != 0 {
				t.Fatalf("one machine: exit %d, stderr %q", code, stderr)
			}
			for _, n := range tc.shards {
				shards := filepath.Join(dir, fmt.Sprint("shards", n))
				for k := range n {
					if _, stderr, code := runBerth(t, "", append(args, "--shard", fmt.Sprintf("%d/%d", k, n), "--out", shards)...); code != 0 {
						t.Fatalf("shard %d/%d: exit %d, stderr %q", k, n, code, stderr)
					}
				}
				merged := filepath.Join(dir, fmt.Sprint("merged", n))
				got, stderr, code := runBerth(t, "", "merge", "--out", merged, shards)
				if code != 0 {
					t.Fatalf("merge of %d shards: exit %d, stderr %q", n, code, stderr)
				}
				if got != want {
					t.Errorf("merge of %d shards printed:\n%s\none machine:\n%s", n, got, want)
				}
				entries, _ := os.ReadDir(local)
				if len(entries) < 3 {
					t.Fatalf("one machine wrote %d files", len(entries))
				}
				for _, en := range entries {
					a, _ := os.ReadFile(filepath.Join(local, en.Name()))
					b, err := os.ReadFile(filepath.Join(merged, en.Name()))
					if err != nil || !bytes.Equal(a, b) {
						t.Errorf("merge of %d shards: %s differs from one machine's (%v)", n, en.Name(), err)
					}
				}
			}
		})
	}
}

func TestSimShardErrors(t *testing.T) {
	d := t.TempDir()
	sc := []string{"sim", "--scenario", "../examples/planner-web.json"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(sc, "--shard", "0/2", "--out", d), "berth sim: --shard splits the runs of a --sweep or of --replicates N; a single run is one task"},
		{append(sc, "--shard", "0/2", "--replicates", "2"), "berth sim: --shard needs --out DIR"},
		{append(sc, "--shard", "x", "--replicates", "2", "--out", d), `berth sim: --shard: shard "x" is not K/N such as 0/8, or auto`},
	} {
		_, stderr, code := runBerth(t, "", tc.args...)
		if code != 2 || !strings.HasPrefix(stderr, tc.want) {
			t.Errorf("berth %q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestMergePlanIsOneMachine runs berth plan as rounds of 3 shards: berth
// merge exits 3 while the race needs another round, then prints and
// writes the one-machine answer byte for byte.
func TestMergePlanIsOneMachine(t *testing.T) {
	dir := t.TempDir()
	args := []string{"plan", "--scenario", "../examples/planner-web.json",
		"--vary", "capacityProviders[1].maxSize=0,5", "--vary", "services[1].scaling.targetTracking[0].targetValue=2000,8000",
		"--minimize", "cost", "--require", "services.web.timeToStartSeconds.p99 <= 200", "--replicates", "4"}
	local := filepath.Join(dir, "local")
	want, stderr, code := runBerth(t, "", append(args, "--out", local)...)
	if code != 0 {
		t.Fatalf("one machine: exit %d, stderr %q", code, stderr)
	}
	rounds := filepath.Join(dir, "rounds")
	merged := filepath.Join(dir, "merged")
	for round := 1; ; round++ {
		if round > 10 {
			t.Fatal("no answer after 10 rounds")
		}
		for k := range 3 {
			if _, stderr, code := runBerth(t, "", append(args, "--shard", fmt.Sprintf("%d/3", k), "--out", rounds)...); code != 0 {
				t.Fatalf("round %d shard %d/3: exit %d, stderr %q", round, k, code, stderr)
			}
		}
		got, stderr, code := runBerth(t, "", "merge", rounds, "--out", merged)
		if code == 3 {
			if want := fmt.Sprintf("berth merge: the plan needs round %d (", round+1); !strings.HasPrefix(stderr, want) || got != "" {
				t.Fatalf("round %d: stderr %q, stdout %q; want %q... and nothing on stdout", round, stderr, got, want)
			}
			continue
		}
		if code != 0 {
			t.Fatalf("merge after round %d: exit %d, stderr %q", round, code, stderr)
		}
		if got != want {
			t.Errorf("merge printed:\n%s\none machine:\n%s", got, want)
		}
		break
	}
	for _, name := range []string{"plan.json", "sweep.csv", "sweep.json", "report.html"} {
		a, _ := os.ReadFile(filepath.Join(local, name))
		b, err := os.ReadFile(filepath.Join(merged, name))
		if len(a) == 0 || err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from one machine's (%v)", name, err)
		}
	}
	// A shard of a finished plan has nothing to run.
	_, stderr, code = runBerth(t, "", append(args, "--shard", "0/3", "--out", rounds)...)
	if code != 0 || !strings.Contains(stderr, "the plan is complete after") {
		t.Errorf("a shard after the answer: exit %d, stderr %q", code, stderr)
	}
	// Another plan's shard refuses the directory.
	other := append(append([]string{}, args...), "--seed", "9", "--shard", "0/3", "--out", rounds)
	if _, stderr, code := runBerth(t, "", other...); code != 1 || !strings.Contains(stderr, "holds the rounds of another plan") {
		t.Errorf("another plan's shard: exit %d, stderr %q", code, stderr)
	}
}

// A pack job's expected cost is its pods after tuning times its policy's
// cost per pod, so that a shard of FGD runs (11.5 µs a pod) gets fewer
// of them than a shard of GpuPacking runs (7.4 µs).
func TestPackTasksCost(t *testing.T) {
	strategies := map[string]capfill.Strategy{}
	for _, s := range capfill.Paper() {
		strategies[s.Name] = s
	}
	w := &capfill.Workload{Pods: make([]capfill.PodSpec, 100)}
	jobs := []*packJob{
		{w: w, s: strategies["06-FGD"]},
		{w: w, s: strategies["04-GpuPacking"]},
		{w: w, s: capfill.Strategy{Name: "registered"}},
	}
	var got []float64
	for _, task := range packTasks(jobs, 1.5) {
		got = append(got, task.Cost)
	}
	want := []float64{100 * 1.5 * 11.5, 100 * 1.5 * 7.4, 100 * 1.5 * 10}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("packTasks costs (-want +got):\n%s", diff)
	}
}
