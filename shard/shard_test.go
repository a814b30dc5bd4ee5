package shard

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Shard
		wantErr string
	}{
		{in: "0/1", want: Shard{0, 1}},
		{in: "3/8", want: Shard{3, 8}},
		{in: "63/64", want: Shard{63, 64}},
		{in: "8/8", wantErr: `shard "8/8": shard index 8 is out of range; expected 0 to 7 for 8 shards`},
		{in: "-1/8", wantErr: "shard index -1 is out of range"},
		{in: "0/0", wantErr: "shard count 0 is out of range; expected 1 to 100000"},
		{in: "auto", wantErr: `shard "auto" is not K/N such as 0/8, or auto`},
		{in: "a/b", wantErr: "is not K/N with whole numbers"},
		{in: "1/200000", wantErr: "shard count 200000 is out of range"},
	} {
		got, err := Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error = %v; want one containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %v; want %v", tc.in, got, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("%v.String() = %q; want %q", got, got.String(), tc.in)
		}
	}
}

func TestAssignHand(t *testing.T) {
	for _, tc := range []struct {
		name  string
		costs []float64
		n     int
		want  []int
	}{
		{name: "unknown costs deal round robin", costs: []float64{0, 0, 0, 0, 0}, n: 2, want: []int{0, 1, 0, 1, 0}},
		{name: "one shard takes all", costs: []float64{3, 1, 2}, n: 1, want: []int{0, 0, 0}},
		// LPT: 8 -> s0 (0), 7 -> s1 (0), 5 -> s1 (7 < 8), 4 -> s0 (8 < 12), 1 -> s1 (12 = 12? no: s0=12, s1=12, tie to s0).
		{name: "longest first", costs: []float64{1, 5, 8, 4, 7}, n: 2, want: []int{0, 1, 0, 0, 1}},
		{name: "more shards than tasks", costs: []float64{2, 1}, n: 4, want: []int{0, 1}},
		{name: "ties in list order", costs: []float64{2, 2, 2}, n: 3, want: []int{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tasks := make([]Task, len(tc.costs))
			for i, c := range tc.costs {
				tasks[i] = Task{Cost: c}
			}
			if d := cmp.Diff(tc.want, Assign(tasks, tc.n)); d != "" {
				t.Errorf("Assign (-want +got):\n%s", d)
			}
		})
	}
}

// TestAssignPartition checks that for N from 1 to 64 every task is run by
// exactly one shard, that Mine agrees with Assign, and that the partition
// is balanced: no shard's cost exceeds another's by more than the largest
// task.
func TestAssignPartition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 64).Draw(t, "n")
		m := rapid.IntRange(0, 300).Draw(t, "tasks")
		known := rapid.Bool().Draw(t, "known")
		tasks := make([]Task, m)
		maxCost := 1.0
		for i := range tasks {
			if known {
				tasks[i].Cost = float64(rapid.IntRange(0, 1000).Draw(t, "cost"))
				maxCost = max(maxCost, tasks[i].Cost)
			}
		}
		assign := Assign(tasks, n)
		seen := make([]int, m)
		load := make([]float64, n)
		for k := range n {
			for _, i := range Mine(tasks, Shard{K: k, N: n}) {
				seen[i]++
				if assign[i] != k {
					t.Fatalf("Mine(%d/%d) holds task %d, which Assign gives shard %d", k, n, i, assign[i])
				}
			}
		}
		allZero := true
		for _, tk := range tasks {
			if tk.Cost > 0 {
				allZero = false
			}
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("task %d is in %d shards; want exactly 1", i, c)
			}
			cost := tasks[i].Cost
			if allZero {
				cost = 1
			}
			load[assign[i]] += cost
		}
		lo, hi := load[0], load[0]
		for _, l := range load {
			lo, hi = min(lo, l), max(hi, l)
		}
		if hi-lo > maxCost {
			t.Fatalf("shard loads %v differ by %v, more than the largest task %v", load, hi-lo, maxCost)
		}
		// The same list gives the same partition, wherever it runs.
		if d := cmp.Diff(assign, Assign(tasks, n)); d != "" {
			t.Fatalf("Assign is not deterministic:\n%s", d)
		}
	})
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     func(string) string
		count   int
		want    Shard
		engine  Engine
		wantErr string
	}{
		{name: "slurm with count", env: env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "8", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "7"), want: Shard{3, 8}, engine: Slurm},
		{name: "slurm count only", env: env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_COUNT", "8"), want: Shard{5, 8}, engine: Slurm},
		{name: "slurm from 1", env: env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_MAX", "8"), want: Shard{0, 8}, engine: Slurm},
		{name: "slurm step", env: env("SLURM_ARRAY_TASK_ID", "6", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "9", "SLURM_ARRAY_TASK_STEP", "3"), want: Shard{2, 4}, engine: Slurm},
		{name: "slurm no size", env: env("SLURM_ARRAY_TASK_ID", "1"), wantErr: "SLURM_ARRAY_TASK_COUNT is not set (nor SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX)"},
		{name: "slurm min without max", env: env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "0"), wantErr: "SLURM_ARRAY_TASK_MAX is not set although its partner is"},
		{name: "slurm gaps", env: env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "7", "SLURM_ARRAY_TASK_COUNT", "3"), wantErr: "SLURM_ARRAY_TASK_COUNT=3 disagrees with the range 0-7:1 (8 tasks)"},
		{name: "slurm id outside", env: env("SLURM_ARRAY_TASK_ID", "9", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "7"), wantErr: "SLURM_ARRAY_TASK_ID=9 is not in the array 0-7:1"},
		{name: "slurm malformed", env: env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "8"), wantErr: `SLURM_ARRAY_TASK_ID="x" is not a whole number`},
		{name: "slurm count flag disagrees", env: env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "8"), count: 4, wantErr: "--shards 4 disagrees with the slurm array's 8 tasks"},
		{name: "kubernetes with BERTH_SHARDS", env: env("JOB_COMPLETION_INDEX", "2", "BERTH_SHARDS", "5"), want: Shard{2, 5}, engine: Kubernetes},
		{name: "kubernetes with flag", env: env("JOB_COMPLETION_INDEX", "4"), count: 5, want: Shard{4, 5}, engine: Kubernetes},
		{name: "kubernetes no count", env: env("JOB_COMPLETION_INDEX", "4"), wantErr: "BERTH_SHARDS is not set and no --shards was given"},
		{name: "kubernetes disagree", env: env("JOB_COMPLETION_INDEX", "1", "BERTH_SHARDS", "5"), count: 6, wantErr: "BERTH_SHARDS=5 disagrees with --shards 6"},
		{name: "kubernetes index too big", env: env("JOB_COMPLETION_INDEX", "5", "BERTH_SHARDS", "5"), wantErr: "shard index 5 is out of range; expected 0 to 4"},
		{name: "batch", env: env("AWS_BATCH_JOB_ARRAY_INDEX", "9", "AWS_BATCH_JOB_ARRAY_SIZE", "10"), want: Shard{9, 10}, engine: AWSBatch},
		{name: "batch no size", env: env("AWS_BATCH_JOB_ARRAY_INDEX", "9"), wantErr: "AWS_BATCH_JOB_ARRAY_SIZE is not set; expected the array job's size"},
		{name: "none", env: env(), wantErr: "no array job index in the environment; expected SLURM_ARRAY_TASK_ID (Slurm), JOB_COMPLETION_INDEX"},
		{name: "two engines", env: env("SLURM_ARRAY_TASK_ID", "1", "AWS_BATCH_JOB_ARRAY_INDEX", "1"), wantErr: "several array engines (slurm, aws-batch)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, engine, err := FromEnv(tc.env, tc.count)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v; want one containing %q", err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "--shard auto: ") || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is not one line starting with --shard auto:", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || engine != tc.engine {
				t.Errorf("FromEnv = %v, %s; want %v, %s", got, engine, tc.want, tc.engine)
			}
		})
	}
}
