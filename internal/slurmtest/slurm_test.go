package slurmtest_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/slurmtest"
	"github.com/berthsched/berth/internal/tracedir"
)

func TestSkipReason(t *testing.T) {
	found := func(string) (string, error) { return "/usr/bin/x", nil }
	none := func(p string) (string, error) { return "", exec.ErrNotFound }
	env := func(v string) func(string) string { return func(string) string { return v } }
	for _, tc := range []struct {
		name  string
		short bool
		env   string
		look  func(string) (string, error)
		uid   int
		want  string
	}{
		{name: "runs", look: found, want: ""},
		{name: "short", short: true, look: found, want: "a Slurm test is heavy: skipped under -short (run it without -short)"},
		{name: "env", env: "1", look: found, want: "Slurm tests skipped: BERTH_SKIP_SLURM=1"},
		{name: "not installed", look: none, want: "Slurm is not installed (no munged on PATH): apt-get install slurm-wlm munge"},
		{name: "not root", look: found, uid: 1000, want: "a one-node Slurm cluster needs root (slurmd and munged run as root here)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slurmtest.SkipReason(tc.short, env(tc.env), tc.look, tc.uid); got != tc.want {
				t.Errorf("SkipReason = %q; want %q", got, tc.want)
			}
		})
	}
}

// buildBerth builds the berth command into dir.
func buildBerth(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "berth")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/berthsched/berth/cmd/berth")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	return bin
}

// sbatch submits script as the job array and waits for it. sbatch --wait
// exits with the highest exit code of the array's tasks: a task that
// fails fails t unless mayFail.
func sbatch(t *testing.T, c *slurmtest.Cluster, dir, script, array string, mayFail bool) time.Duration {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("job-%d.sh", time.Now().UnixNano()))
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	out, err := c.Command("sbatch", "--array="+array, "--wait", "--cpus-per-task=1",
		"--output="+filepath.Join(dir, "slurm-%A_%a.out"), path).CombinedOutput()
	took := time.Since(begin)
	if err != nil && !(mayFail && strings.HasPrefix(string(out), "Submitted batch job")) {
		logs, _ := filepath.Glob(filepath.Join(dir, "slurm-*.out"))
		var b strings.Builder
		for _, l := range logs {
			x, _ := os.ReadFile(l)
			fmt.Fprintf(&b, "--- %s\n%s", filepath.Base(l), x)
		}
		t.Fatalf("sbatch --array=%s: %v: %s\n%s\n%s", array, err, out, b.String(), c.Logs())
	}
	return took
}

// TestSlurm starts a one-node Slurm cluster and runs berth's sharded
// commands on it as job arrays.
func TestSlurm(t *testing.T) {
	c := slurmtest.Start(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	berth := buildBerth(t, dir)
	t.Run("sweep", func(t *testing.T) { slurmSweep(t, c, berth) })
	t.Run("plan", func(t *testing.T) { slurmPlan(t, c, berth) })
	t.Run("pack", func(t *testing.T) { slurmPack(t, c, berth) })
}

// scenarioPath is the planner example, absolute: jobs run in their own
// directory.
func scenarioPath(t *testing.T) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "planner-web.json"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// compareDirs checks that got holds every file of want, byte for byte.
func compareDirs(t *testing.T, want, got string) {
	t.Helper()
	entries, err := os.ReadDir(want)
	if err != nil || len(entries) == 0 {
		t.Fatalf("%s: %v (%d files)", want, err, len(entries))
	}
	for _, e := range entries {
		a, _ := os.ReadFile(filepath.Join(want, e.Name()))
		b, err := os.ReadFile(filepath.Join(got, e.Name()))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("merged %s differs from this machine's (%v)", e.Name(), err)
		}
	}
}

// slurmSweep runs a two-parameter sweep with 3 replicates (36 runs) as an
// 8-task array and compares the merge with this machine's run.
func slurmSweep(t *testing.T, c *slurmtest.Cluster, berth string) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	sweep := fmt.Sprintf("%s sim --scenario %s --sweep 'capacityProviders[1].maxSize=0,5' --sweep 'services[1].scaling.targetTracking[0].targetValue=2000,4000,8000' --replicates 3",
		berth, scenarioPath(t))
	local := filepath.Join(dir, "local")
	if out, err := exec.Command("sh", "-c", sweep+" --out "+local+" > "+local+".txt").CombinedOutput(); err != nil {
		t.Fatalf("the sweep on this machine: %v: %s", err, out)
	}
	shards := filepath.Join(dir, "shards")
	sbatch(t, c, dir, "exec "+sweep+" --shard auto --out "+shards, "0-7", false)
	merged := filepath.Join(dir, "merged")
	out, err := exec.Command(berth, "merge", "--out", merged, shards).Output()
	if err != nil {
		t.Fatalf("berth merge: %v", err)
	}
	if want, _ := os.ReadFile(local + ".txt"); !bytes.Equal(out, want) {
		t.Errorf("berth merge printed:\n%s\nthis machine:\n%s", out, want)
	}
	compareDirs(t, local, merged)
}

// slurmPlan runs berth plan as rounds of an 8-task array until berth
// merge gives the answer, and compares it with this machine's.
func slurmPlan(t *testing.T, c *slurmtest.Cluster, berth string) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	plan := fmt.Sprintf("%s plan --scenario %s --vary 'capacityProviders[1].maxSize=0,5' --vary 'services[1].scaling.targetTracking[0].targetValue=2000,4000,8000' --minimize cost --require 'services.web.timeToStartSeconds.p99 <= 200'",
		berth, scenarioPath(t))
	local := filepath.Join(dir, "local")
	if out, err := exec.Command("sh", "-c", plan+" --out "+local+" > "+local+".txt").CombinedOutput(); err != nil {
		t.Fatalf("the plan on this machine: %v: %s", err, out)
	}
	rounds := filepath.Join(dir, "rounds")
	merged := filepath.Join(dir, "merged")
	for round := 1; ; round++ {
		if round > 10 {
			t.Fatal("no answer after 10 rounds")
		}
		sbatch(t, c, dir, "exec "+plan+" --shard auto --out "+rounds, "0-7", false)
		cmd := exec.Command(berth, "merge", "--out", merged, rounds)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
			continue
		}
		if err != nil {
			t.Fatalf("berth merge after round %d: %v: %s", round, err, stderr.String())
		}
		if want, _ := os.ReadFile(local + ".txt"); !bytes.Equal(out, want) {
			t.Errorf("berth merge printed:\n%s\nthis machine:\n%s", out, want)
		}
		t.Logf("the plan took %d rounds of 8 array tasks", round)
		break
	}
	compareDirs(t, local, merged)
}

// slurmPack runs the research bench's 60 runs (the paper's six policies,
// seeds 42-51, on the default openb workload) as an 8-task Slurm job array
// with --shard auto, merges the shards, and compares the merged rows and
// plot byte for byte with the same run on this machine. Then it kills one
// shard's task, checks that berth merge names it, re-runs only that shard
// and merges again.
func slurmPack(t *testing.T, c *slurmtest.Cluster, berth string) {
	traces := tracedir.Require(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	nodes := filepath.Join(traces, "openb", "openb_node_list_gpu_node.csv")
	pods := filepath.Join(traces, "openb", "openb_pod_list_default.csv")
	bench := fmt.Sprintf("%s pack --nodes %s --pods %s --policy all --seeds 42-51", berth, nodes, pods)

	local := filepath.Join(dir, "local")
	begin := time.Now()
	cmd := exec.Command("sh", "-c", bench+" --out "+local+".csv --plot "+local+".png")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("berth pack on this machine: %v: %s", err, out)
	}
	localTook := time.Since(begin)

	shards := filepath.Join(dir, "shards")
	stamps := filepath.Join(dir, "stamps")
	os.Mkdir(stamps, 0o755)
	submitted := time.Now()
	slurmTook := sbatch(t, c, dir, fmt.Sprintf(`date +%%s%%N > %[1]s/start-$SLURM_ARRAY_TASK_ID
%[2]s --shard auto --out %[3]s || exit
date +%%s%%N > %[1]s/end-$SLURM_ARRAY_TASK_ID`, stamps, bench, shards), "0-7", false)
	first, last := shardSpan(t, stamps, submitted)
	merged := filepath.Join(dir, "merged")
	out, err := exec.Command(berth, "merge", shards, "--out", merged).CombinedOutput()
	if err != nil {
		t.Fatalf("berth merge: %v: %s", err, out)
	}
	for _, f := range [][2]string{{local + ".csv", "pack.csv"}, {local + ".png", "pack.png"}} {
		want, _ := os.ReadFile(f[0])
		got, _ := os.ReadFile(filepath.Join(merged, f[1]))
		if len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("merged %s (%d bytes) differs from this machine's (%d bytes)", f[1], len(got), len(want))
		}
	}
	t.Logf("the bench's 60 runs: %v on this machine (%d CPUs); as 8 Slurm array tasks, the first started %v after submission and the last finished %v after it; sbatch --wait returned after %v",
		localTook.Round(time.Millisecond), c.CPUs, first.Round(time.Millisecond), last.Round(time.Millisecond), slurmTook.Round(time.Millisecond))

	// Shard 5 is killed before it writes: merge names it, and re-running
	// only that shard, with the K/N merge gives, completes the merge.
	again := filepath.Join(dir, "again")
	sbatch(t, c, dir, fmt.Sprintf(`[ "$SLURM_ARRAY_TASK_ID" = 5 ] && kill -9 $$
exec %s --shard auto --out %s`, bench, again), "0-7", true)
	out, err = exec.Command(berth, "merge", again).CombinedOutput()
	if err == nil || string(out) != "berth merge: missing shard 5 of 8: re-run --shard 5/8\n" {
		t.Fatalf("merge without shard 5: %v, %q", err, out)
	}
	if out, err := exec.Command("sh", "-c", bench+" --shard 5/8 --out "+again).CombinedOutput(); err != nil {
		t.Fatalf("re-running shard 5: %v: %s", err, out)
	}
	out, err = exec.Command(berth, "merge", again).Output()
	want, _ := os.ReadFile(local + ".csv")
	if err != nil || !bytes.Equal(out, want) {
		t.Fatalf("merge after re-running shard 5: %v; same rows as this machine: %v", err, bytes.Equal(out, want))
	}
}

// shardSpan reads the start-K and end-K stamps (nanoseconds since the
// epoch, from date +%s%N) the array's tasks wrote into dir and returns when,
// after submitted, the first task started and the last one finished.
func shardSpan(t *testing.T, dir string, submitted time.Time) (first, last time.Duration) {
	t.Helper()
	first = time.Duration(1<<63 - 1)
	for k := range 8 {
		for _, kind := range []string{"start", "end"} {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s-%d", kind, k)))
			if err != nil {
				t.Fatalf("array task %d wrote no %s stamp: %v", k, kind, err)
			}
			ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			if err != nil {
				t.Fatalf("array task %d's %s stamp: %v", k, kind, err)
			}
			at := time.Unix(0, ns).Sub(submitted)
			if kind == "start" {
				first = min(first, at)
			} else {
				last = max(last, at)
			}
		}
	}
	return first, last
}
