package ecsjson_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"strings"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/placement"
)

// Place a RunTask request on a snapshot, as berth place does.
func ExampleRunTaskRequest_Request() {
	td, err := ecsjson.ReadTaskDefinition(strings.NewReader(`{"taskDefinition": {
		"family": "web", "revision": 3, "cpu": "0.25 vCPU", "memory": "0.5 GB",
		"containerDefinitions": [{"name": "web", "portMappings": [{"containerPort": 80, "hostPort": 80}]}]}}`))
	if err != nil {
		log.Fatal(err)
	}
	rt, err := ecsjson.ReadRunTaskRequest(strings.NewReader(`{"taskDefinition": "web", "count": 2,
		"placementStrategy": [{"type": "binpack", "field": "memory"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	req, err := rt.Request(td)
	if err != nil {
		log.Fatal(err)
	}
	s, err := ecsjson.ReadSnapshot(strings.NewReader(snapshot)) // two instances; see ExampleReadSnapshot
	if err != nil {
		log.Fatal(err)
	}
	c, _, err := s.Cluster()
	if err != nil {
		log.Fatal(err)
	}
	var res placement.Result
	if err := c.Place(req, rand.New(rand.NewPCG(1, 0)), &res); err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Group, req.Task)
	for _, p := range res.Placed {
		fmt.Println("placed on", p.Instance.EC2InstanceID)
	}
	// Output:
	// family:web cpu=256 memory=512 tcp=[80]
	// placed on i-0b2
	// placed on i-0a1
}

// An invalid request names the field.
func ExampleReadRunTaskRequest() {
	_, err := ecsjson.ReadRunTaskRequest(strings.NewReader(`{"taskDefinition": "web:3", "count": 11}`))
	fmt.Println(err)
	// Output:
	// ecsjson: count: expected an integer from 1 to 10, found 11
}
