package cli_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/berthsched/berth/cli"
	"github.com/berthsched/berth/placement"
)

// berth cql run in-process, with streams of the caller's choosing.
func ExampleRun() {
	code := cli.Run(context.Background(), []string{"cql", "attribute:ecs.instance-type =~ t2.*  and  agentConnected==true"},
		strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit", code)

	code = cli.Run(context.Background(), []string{"cql", "--cluster"}, strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// attribute:ecs.instance-type =~ t2.* and agentConnected == true
	// exit 0
	// berth cql: flag needs an argument: --cluster
	// Run "berth cql --help" for usage.
	// exit 2
}

// mostCPU prefers the instance with the most CPU left.
type mostCPU struct{}

func (mostCPU) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	return float64(in.Remaining.CPU)
}
func (mostCPU) String() string { return "mostcpu" }

// A berth with a strategy of its own, named in berth sim's --strategy and
// berth pack's --policy, and listed in their help.
func ExampleWithStrategy() {
	newMostCPU := func(env cli.StrategyEnv) (placement.Strategy, error) { return mostCPU{}, nil }
	var help strings.Builder
	cli.Run(context.Background(), []string{"pack", "--help"}, strings.NewReader(""), &help, os.Stderr,
		cli.WithStrategy("mostcpu", newMostCPU))
	for line := range strings.Lines(help.String()) {
		if strings.HasPrefix(line, "Registered") {
			fmt.Print(line)
		}
	}
	// Output:
	// Registered strategies (this build of berth): mostcpu
}
