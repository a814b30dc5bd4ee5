// Command embed is the smallest program that embeds the simulator: it runs
// the default scenario with its first placement variant. TestEmbeddedSize
// builds it to check what embedding package sim costs.
package main

import (
	"fmt"
	"os"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

func main() {
	sc := scenario.DefaultScenario()
	res, err := sim.Simulate(sc, sc.Compare[0], sim.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(res.Summary.Placed, "tasks placed")
}
