package cli

import (
	"fmt"
	"strconv"
)

// slurmProcs returns the GOMAXPROCS berth should run with inside a Slurm
// job, given the environment and the runtime's current GOMAXPROCS, or 0
// to leave it as it is.
//
// Slurm sets SLURM_CPUS_PER_TASK when a job asks for --cpus-per-task.
// Where it binds tasks to their CPUs (TaskPlugin task/affinity or
// task/cgroup) Go already sees only those; where it does not (task/none),
// a one-CPU array task would otherwise run as many workers as the node
// has cores, and eight such tasks on a node each contend for all of
// them. berth never raises GOMAXPROCS, and a GOMAXPROCS variable, the
// runtime's own setting, wins. A value that is not a whole number of at
// least 1 is an error: it is not what Slurm writes.
func slurmProcs(getenv func(string) string, current int) (int, error) {
	if getenv("GOMAXPROCS") != "" {
		return 0, nil
	}
	v := getenv("SLURM_CPUS_PER_TASK")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("SLURM_CPUS_PER_TASK=%q: expected the CPUs Slurm gave each task, a whole number of at least 1", v)
	}
	if n >= current {
		return 0, nil
	}
	return n, nil
}
