package cli

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestSlurmProcs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		current int
		want    int
		err     string
	}{
		{name: "not under Slurm", current: 8, want: 0},
		{name: "one CPU of eight", env: map[string]string{"SLURM_CPUS_PER_TASK": "1"}, current: 8, want: 1},
		{name: "four CPUs of eight", env: map[string]string{"SLURM_CPUS_PER_TASK": "4"}, current: 8, want: 4},
		{name: "as many as it has", env: map[string]string{"SLURM_CPUS_PER_TASK": "8"}, current: 8, want: 0},
		{name: "never raised", env: map[string]string{"SLURM_CPUS_PER_TASK": "16"}, current: 2, want: 0},
		{name: "GOMAXPROCS wins", env: map[string]string{"SLURM_CPUS_PER_TASK": "1", "GOMAXPROCS": "4"}, current: 4, want: 0},
		{name: "GOMAXPROCS wins over a bad value", env: map[string]string{"SLURM_CPUS_PER_TASK": "x", "GOMAXPROCS": "4"}, current: 4, want: 0},
		{name: "zero", env: map[string]string{"SLURM_CPUS_PER_TASK": "0"}, current: 8,
			err: `SLURM_CPUS_PER_TASK="0": expected the CPUs Slurm gave each task, a whole number of at least 1`},
		{name: "negative", env: map[string]string{"SLURM_CPUS_PER_TASK": "-2"}, current: 8,
			err: `SLURM_CPUS_PER_TASK="-2": expected the CPUs Slurm gave each task, a whole number of at least 1`},
		{name: "not a number", env: map[string]string{"SLURM_CPUS_PER_TASK": "2.5"}, current: 8,
			err: `SLURM_CPUS_PER_TASK="2.5": expected the CPUs Slurm gave each task, a whole number of at least 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := slurmProcs(func(k string) string { return tc.env[k] }, tc.current)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("slurmProcs = %d, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("slurmProcs = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

// TestMainFitsSlurmCPUs runs Main in a child process (GOMAXPROCS is the
// process's) under a Slurm job's environment and reads the GOMAXPROCS it
// left.
func TestMainFitsSlurmCPUs(t *testing.T) {
	if os.Getenv("BERTH_TEST_PROCS") != "" {
		os.Args = []string{"berth", "version"}
		code := Main()
		os.Stdout.WriteString("GOMAXPROCS " + strconv.Itoa(runtime.GOMAXPROCS(0)) + "\n")
		os.Exit(code)
	}
	env := []string{"BERTH_TEST_PROCS=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMAXPROCS=") && !strings.HasPrefix(kv, "SLURM_") {
			env = append(env, kv)
		}
	}
	child := func(extra ...string) (string, string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMainFitsSlurmCPUs$")
		cmd.Env = append(append([]string{}, env...), extra...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	procs := func(out string) int {
		_, after, _ := strings.Cut(out, "GOMAXPROCS ")
		n, _ := strconv.Atoi(strings.TrimSpace(after))
		return n
	}
	if out, stderr, err := child("SLURM_CPUS_PER_TASK=1"); err != nil || procs(out) != 1 {
		t.Errorf("SLURM_CPUS_PER_TASK=1: GOMAXPROCS %d (%v, %q); want 1", procs(out), err, stderr)
	}
	if out, stderr, err := child("SLURM_CPUS_PER_TASK=1", "GOMAXPROCS=3"); err != nil || procs(out) != 3 {
		t.Errorf("SLURM_CPUS_PER_TASK=1 with GOMAXPROCS=3: GOMAXPROCS %d (%v, %q); want 3", procs(out), err, stderr)
	}
	out, stderr, err := child("SLURM_CPUS_PER_TASK=none")
	want := "berth: SLURM_CPUS_PER_TASK=\"none\": expected the CPUs Slurm gave each task, a whole number of at least 1\n"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || stderr != want || strings.Contains(out, "berth ") {
		t.Errorf("SLURM_CPUS_PER_TASK=none: %v, stdout %q, stderr %q; want exit 1 and %q", err, out, stderr, want)
	}
}
