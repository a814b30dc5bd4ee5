// Command berth places, schedules and simulates Amazon ECS workloads.
//
// The commands live in package github.com/berthsched/berth/cli, which a
// program of its own can run with strategies of its own (cli.WithStrategy);
// see examples/custom-strategy. Exit status: 0 when the command did its
// job, 1 on invalid input or a failure, 2 on a usage error.
package main

import (
	"os"

	"github.com/berthsched/berth/cli"
)

func main() { os.Exit(cli.Main()) }
