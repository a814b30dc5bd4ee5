package docker_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/docker"
	"github.com/berthsched/berth/sim/scenario"
)

// Replay a scenario on the local Docker engine at 30 trace seconds per
// wall second. (Not run as a test: it needs an engine and a scenario.)
func ExampleNew() {
	var sc *scenario.Scenario // from scenario.ReadScenario
	const scale = 30
	var ex *docker.Executor
	res, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{
		Paced: &sim.Pacing{Scale: scale, Wall: time.Now},
		Executor: func(eng *sim.Engine) sim.Executor {
			var err error
			if ex, err = docker.New(context.Background(), eng, docker.Config{Scale: scale}); err != nil {
				log.Fatal(err)
			}
			return ex
		},
	})
	if err == nil {
		err = ex.Err()
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Summary.Finished, "tasks finished")
}

func ExampleParseHostRule() {
	for _, s := range []string{"unix:///var/run/docker.sock", "g4dn-*=tcp://gpu-host:2376", "gpu-host:2376"} {
		r, err := docker.ParseHostRule(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("pattern %q -> %s\n", r.Pattern, r.URL)
	}
	// Output:
	// pattern "" -> unix:///var/run/docker.sock
	// pattern "g4dn-*" -> tcp://gpu-host:2376
	// docker: host rule "gpu-host:2376": endpoint "gpu-host:2376", expected unix:///path or tcp://host:port
}

func ExampleCompareLogs() {
	simulated := `{"time":0,"kind":"place","task":"t1","instance":"i-1"}
{"time":0,"kind":"place","task":"t2","instance":"i-2"}
{"time":5,"kind":"finish","task":"t1","instance":"i-1","reason":"Essential container in task exited"}
{"time":8,"kind":"finish","task":"t2","instance":"i-2","exitCode":1,"reason":"Essential container in task exited"}
`
	onDocker := `{"time":0,"kind":"place","task":"t1","instance":"i-1"}
{"time":0,"kind":"place","task":"t2","instance":"i-2"}
{"time":5.4,"kind":"finish","task":"t1","instance":"i-1","reason":"Essential container in task exited"}
{"time":8.2,"kind":"finish","task":"t2","instance":"i-2","exitCode":1,"reason":"Essential container in task exited"}
`
	a, err := docker.CompareLogs(strings.NewReader(simulated), strings.NewReader(onDocker))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a)
	// Output:
	// placements equal (2/2), outcomes 2/2 equal, completion order same, timing error mean 0.30s max 0.40s
}
