// Command custom-strategy is berth with a placement strategy of its own,
// leastloaded, usable as "berth sim --strategy leastloaded" and
// "berth pack --policy leastloaded".
package main

import (
	"fmt"
	"os"

	"github.com/berthsched/berth/cli"
	"github.com/berthsched/berth/placement"
)

// leastLoaded prefers the instance with the most CPU left.
type leastLoaded struct{}

func (leastLoaded) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	return float64(in.Remaining.CPU)
}

func (leastLoaded) String() string { return "leastloaded" }

func newLeastLoaded(env cli.StrategyEnv) (placement.Strategy, error) {
	if env.Field != "" {
		return nil, fmt.Errorf("takes no field, found %q", env.Field)
	}
	return leastLoaded{}, nil
}

var options = []cli.Option{cli.WithStrategy("leastloaded", newLeastLoaded)}

func main() { os.Exit(cli.Main(options...)) }
