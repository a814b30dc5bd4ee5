package ecsimport_test

import (
	"bytes"
	"fmt"
	"os"

	"github.com/berthsched/berth/ecsimport"
	"github.com/berthsched/berth/sim/scenario"
)

// ExampleRead imports the test dump and reads the scenario it writes.
func ExampleRead() {
	res, err := ecsimport.Read(os.DirFS("testdata/dump"), ecsimport.Options{Dir: "dump"})
	if err != nil {
		fmt.Println(err)
		return
	}
	sc, err := scenario.ReadScenario(bytes.NewReader(res.Scenario), "imported.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, sc.StartTime(), len(sc.Fleet.Instances), "instances")
	for _, s := range sc.Services {
		fmt.Println(s.Name, len(s.Tasks), "tasks")
	}
	fmt.Println(res.Lines()[0])
	// Output:
	// prod 2025-03-10 00:00:00 +0000 UTC 40 instances
	// log-agent 40 tasks
	// cache 3 tasks
	// worker 6 tasks
	// web 12 tasks
	// api 8 tasks
	// batch-spot 4 tasks
	// read: dump/alb-metric-queries.json: aws cloudwatch get-metric-data --cli-input-json (2)
}
