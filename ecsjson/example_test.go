package ecsjson_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/berthsched/berth/cql"
	"github.com/berthsched/berth/ecsjson"
)

const snapshot = `{
  "containerInstances": [
    {"containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/a1",
     "ec2InstanceId": "i-0a1", "status": "ACTIVE", "agentConnected": true,
     "registeredAt": "2024-03-01T12:34:56.789000+00:00",
     "attributes": [{"name": "ecs.instance-type", "value": "m5.large"},
                    {"name": "ecs.availability-zone", "value": "us-east-1a"}],
     "remainingResources": [{"name": "CPU", "type": "INTEGER", "integerValue": 1536},
                            {"name": "MEMORY", "type": "INTEGER", "integerValue": 6656}]},
    {"containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/b2",
     "ec2InstanceId": "i-0b2", "status": "ACTIVE", "agentConnected": true,
     "registeredAt": 1709297696.5,
     "attributes": [{"name": "ecs.instance-type", "value": "t3.medium"},
                    {"name": "ecs.availability-zone", "value": "us-east-1b"}],
     "remainingResources": [{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                            {"name": "MEMORY", "type": "INTEGER", "integerValue": 3851}]}
  ],
  "failures": [],
  "tasks": [
    {"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/t1",
     "containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/a1",
     "group": "service:web", "lastStatus": "RUNNING", "desiredStatus": "RUNNING",
     "cpu": "512", "memory": "1024"}
  ]
}`

func ExampleReadSnapshot() {
	s, err := ecsjson.ReadSnapshot(strings.NewReader(snapshot))
	if err != nil {
		log.Fatal(err)
	}
	for i := range s.ContainerInstances {
		c := &s.ContainerInstances[i]
		fmt.Println(c.EC2InstanceID(), c.RemainingResources.CPU, c.RemainingResources.MemoryMiB,
			c.RunningTasksCount(), c.TaskGroups(), c.RegisteredAt().Format("2006-01-02T15:04:05.000Z07:00"))
	}
	// Output:
	// i-0a1 1536 6656 1 [service:web] 2024-03-01T12:34:56.789Z
	// i-0b2 2048 3851 0 [] 2024-03-01T12:54:56.500Z
}

// A snapshot's instances are cql.Subjects: this is what
// `aws ecs list-container-instances --filter` does.
func ExampleContainerInstance_filter() {
	s, err := ecsjson.ReadSnapshot(strings.NewReader(snapshot))
	if err != nil {
		log.Fatal(err)
	}
	expr, err := cql.Parse("attribute:ecs.instance-type =~ m5.* or not(task:group == service:web)")
	if err != nil {
		log.Fatal(err)
	}
	for i := range s.ContainerInstances {
		if expr.Match(&s.ContainerInstances[i]) {
			fmt.Println(s.ContainerInstances[i].ARN)
		}
	}
	// Output:
	// arn:aws:ecs:us-east-1:123456789012:container-instance/prod/a1
	// arn:aws:ecs:us-east-1:123456789012:container-instance/prod/b2
}

func ExampleError() {
	_, err := ecsjson.ReadSnapshot(strings.NewReader(`{"containerInstances": [{"containerInstanceArn": "a", "registeredAt": "yesterday"}]}`))
	fmt.Println(err)
	// Output:
	// ecsjson: containerInstances[0].registeredAt: "yesterday" is not an ISO-8601 time or epoch seconds
}
