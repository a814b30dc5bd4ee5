package shard

import (
	"fmt"
	"strconv"
	"strings"
)

// Engine names the array engine FromEnv found.
type Engine string

// The array engines FromEnv knows.
const (
	Slurm      Engine = "slurm"
	Kubernetes Engine = "kubernetes"
	AWSBatch   Engine = "aws-batch"
)

// FromEnv reads the shard of this task from an array engine's environment,
// for `--shard auto`. getenv is os.Getenv in a program; count is the shard
// count given on the command line, or 0.
//
//   - Slurm job arrays: SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_COUNT or
//     with SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX (and
//     SLURM_ARRAY_TASK_STEP when set): an array --array=0-7 is shards 0/8
//     to 7/8, and --array=1-8 the same eight.
//   - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX, with the Job's
//     completions as count or in BERTH_SHARDS (Kubernetes does not tell a
//     pod how many completions its Job has).
//   - AWS Batch array jobs: AWS_BATCH_JOB_ARRAY_INDEX with
//     AWS_BATCH_JOB_ARRAY_SIZE.
//
// Exactly one engine's index variable must be set. A missing, malformed
// or inconsistent variable is an error that names it; a count that
// disagrees with the engine's own is an error too.
func FromEnv(getenv func(string) string, count int) (Shard, Engine, error) {
	found := []Engine{}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		found = append(found, Slurm)
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		found = append(found, Kubernetes)
	}
	if getenv("AWS_BATCH_JOB_ARRAY_INDEX") != "" {
		found = append(found, AWSBatch)
	}
	switch len(found) {
	case 0:
		return Shard{}, "", fmt.Errorf("--shard auto: no array job index in the environment; expected SLURM_ARRAY_TASK_ID (Slurm), JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch); outside an array job give --shard K/N")
	case 1:
	default:
		return Shard{}, "", fmt.Errorf("--shard auto: the environment names several array engines (%s); expected one", joinEngines(found))
	}
	var s Shard
	var err error
	switch found[0] {
	case Slurm:
		s, err = slurm(getenv)
	case Kubernetes:
		s, err = kubernetes(getenv, count)
		count = 0 // already reconciled with BERTH_SHARDS
	case AWSBatch:
		s, err = batch(getenv)
	}
	if err != nil {
		return Shard{}, found[0], fmt.Errorf("--shard auto: %v", err)
	}
	if count != 0 && count != s.N {
		return Shard{}, found[0], fmt.Errorf("--shard auto: --shards %d disagrees with the %s array's %d tasks", count, found[0], s.N)
	}
	if err := s.Validate(); err != nil {
		return Shard{}, found[0], fmt.Errorf("--shard auto: %s: %v", found[0], err)
	}
	return s, found[0], nil
}

func joinEngines(es []Engine) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(e))
	}
	return b.String()
}

// intVar reads a whole-number variable: "" when it is not set.
func intVar(getenv func(string) string, name string) (int, bool, error) {
	v := getenv(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, true, fmt.Errorf("%s=%q is not a whole number", name, v)
	}
	return n, true, nil
}

func must(getenv func(string) string, name, why string) (int, error) {
	n, ok, err := intVar(getenv, name)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("%s is not set; %s", name, why)
	}
	return n, nil
}

func slurm(getenv func(string) string) (Shard, error) {
	id, err := must(getenv, "SLURM_ARRAY_TASK_ID", "")
	if err != nil {
		return Shard{}, err
	}
	lo, hasMin, err := intVar(getenv, "SLURM_ARRAY_TASK_MIN")
	if err != nil {
		return Shard{}, err
	}
	hi, hasMax, err := intVar(getenv, "SLURM_ARRAY_TASK_MAX")
	if err != nil {
		return Shard{}, err
	}
	step, hasStep, err := intVar(getenv, "SLURM_ARRAY_TASK_STEP")
	if err != nil {
		return Shard{}, err
	}
	if !hasStep {
		step = 1
	}
	if step < 1 {
		return Shard{}, fmt.Errorf("SLURM_ARRAY_TASK_STEP=%d; expected 1 or more", step)
	}
	count, hasCount, err := intVar(getenv, "SLURM_ARRAY_TASK_COUNT")
	if err != nil {
		return Shard{}, err
	}
	if hasMin != hasMax {
		missing := "SLURM_ARRAY_TASK_MAX"
		if !hasMin {
			missing = "SLURM_ARRAY_TASK_MIN"
		}
		return Shard{}, fmt.Errorf("%s is not set although its partner is; expected both or SLURM_ARRAY_TASK_COUNT", missing)
	}
	if !hasMin {
		if !hasCount {
			return Shard{}, fmt.Errorf("SLURM_ARRAY_TASK_COUNT is not set (nor SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX); expected the array's size")
		}
		// Without the bounds, IDs are taken to run from 0.
		return Shard{K: id, N: count}, nil
	}
	if hi < lo {
		return Shard{}, fmt.Errorf("SLURM_ARRAY_TASK_MAX=%d is below SLURM_ARRAY_TASK_MIN=%d", hi, lo)
	}
	if id < lo || id > hi || (id-lo)%step != 0 {
		return Shard{}, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is not in the array %d-%d:%d", id, lo, hi, step)
	}
	n := (hi-lo)/step + 1
	if hasCount && count != n {
		// A comma list such as --array=0,3,7 has gaps: its count is what
		// the tasks are, and its IDs cannot be numbered from its bounds.
		return Shard{}, fmt.Errorf("SLURM_ARRAY_TASK_COUNT=%d disagrees with the range %d-%d:%d (%d tasks); give the array as one range (--array=0-%d)", count, lo, hi, step, n, count-1)
	}
	return Shard{K: (id - lo) / step, N: n}, nil
}

func kubernetes(getenv func(string) string, count int) (Shard, error) {
	idx, err := must(getenv, "JOB_COMPLETION_INDEX", "")
	if err != nil {
		return Shard{}, err
	}
	env, hasEnv, err := intVar(getenv, "BERTH_SHARDS")
	if err != nil {
		return Shard{}, err
	}
	switch {
	case hasEnv && count != 0 && env != count:
		return Shard{}, fmt.Errorf("BERTH_SHARDS=%d disagrees with --shards %d", env, count)
	case hasEnv:
		count = env
	case count == 0:
		return Shard{}, fmt.Errorf("BERTH_SHARDS is not set and no --shards was given; a Kubernetes Indexed Job does not tell its pods its completions: set BERTH_SHARDS to spec.completions")
	}
	return Shard{K: idx, N: count}, nil
}

func batch(getenv func(string) string) (Shard, error) {
	idx, err := must(getenv, "AWS_BATCH_JOB_ARRAY_INDEX", "")
	if err != nil {
		return Shard{}, err
	}
	size, err := must(getenv, "AWS_BATCH_JOB_ARRAY_SIZE", "expected the array job's size")
	if err != nil {
		return Shard{}, err
	}
	return Shard{K: idx, N: size}, nil
}
