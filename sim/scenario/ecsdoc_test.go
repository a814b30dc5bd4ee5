package scenario_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/golden"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// The AWS CLI's published examples (testdata/SOURCES.md) run end to end:
// every service reaches its desired count, on the task definition ecsjson
// read, and the fields berth ignores are listed.
func TestECSExamplesSimulate(t *testing.T) {
	data, err := os.ReadFile("testdata/ecs-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.ReadScenario(bytes.NewReader(data), "ecs-examples.json")
	if err != nil {
		t.Fatalf("ReadScenario: %v", err)
	}
	golden.Check(t, "ecs-examples.notmodelled", strings.Join(sc.NotModelled(), "\n")+"\n")

	hello := sc.Services[0].TaskDefinition.ECS()
	if hello == nil || hello.Family != "hello_world" || hello.Revision != 8 || len(hello.Containers) != 2 {
		t.Fatalf("services[0].taskDefinition = %+v, want hello_world:8 with 2 containers", hello)
	}
	if got := sc.Services[2].TaskDefinition.Family; got != "sleep360" {
		t.Errorf("services[2] (taskDefinition \"sleep360\") runs %q, want sleep360", got)
	}
	if cb := sc.Services[2].DeploymentConfiguration.CircuitBreaker; cb == nil || !cb.Enable || !cb.Rollback {
		t.Errorf("services[2].deploymentConfiguration.deploymentCircuitBreaker = %+v, want enable and rollback", cb)
	}
	res, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{})
	if err != nil {
		t.Fatalf("Simulate: %v", err)
	}
	want := map[string]int{"my-http-service": 10, "ecs-simple-service": 1, "sleepers": 4}
	last := map[string]int{}
	for _, p := range res.Services {
		last[p.Service] = p.Running
	}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("tasks running at the last sample (-want +got):\n%s", diff)
	}
}

// A scenario without ECS documents lists nothing.
func TestNotModelledEmptyForBerthForm(t *testing.T) {
	sc := scenario.DefaultScenario()
	if got := sc.NotModelled(); len(got) != 0 {
		t.Errorf("DefaultScenario().NotModelled() = %q, want none", got)
	}
}

const ecsBase = `{"name": "t", "duration": "1h",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680}], "pools": [{"type": "m5.large", "zones": {"a": 2}}]},
  `

func TestECSDocumentErrors(t *testing.T) {
	td := `{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 256, "environment": []}]}`
	tests := []struct {
		name, doc, want string
		unknown         bool
	}{
		{"unknown key in a service",
			`"services": [{"serviceName": "web", "desiredCount": 1, "taskDefinition": ` + td + `, "startDelay": "5s"}]}`,
			`t.json:3:190: services[0]: unknown field "startDelay", expected a field of an ECS service or berth's usage, scaling`, true},
		{"unknown key in a task definition",
			`"services": [{"name": "web", "desiredCount": 1, "taskDefinition": {"family": "web", "crashes": true, "containerDefinitions": []}}]}`,
			`t.json:3:87: services[0].taskDefinition: unknown field "crashes", expected a field of an ECS task definition or berth's startDelay, crash, failsTargetHealthChecks, duration`, true},
		{"unknown key in a container",
			`"services": [{"name": "web", "desiredCount": 1, "taskDefinition": {"family": "web", "containerDefinitions": [{"name": "a", "memory": 64, "enviroment": []}]}}]}`,
			`t.json:3:140: services[0].taskDefinition.containerDefinitions[0]: unknown field "enviroment", expected a field of an ECS container definition`, true},
		{"task definition not given",
			`"taskDefinitions": [` + td + `], "services": [{"serviceName": "web", "desiredCount": 1, "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"}]}`,
			`t.json:3:211: services[0].taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2": no such task definition, expected the family:revision or ARN of one in taskDefinitions`, false},
		{"ecsjson's error in place",
			`"services": [{"name": "web", "desiredCount": 1, "taskDefinition": {"family": "web", "containerDefinitions": [{"name": "a", "memory": "lots"}]}}]}`,
			`services[0].taskDefinition.containerDefinitions[0].memory`, false},
		{"launch type not modelled",
			`"taskDefinitions": [` + td + `], "services": [{"serviceName": "web", "desiredCount": 1, "taskDefinition": "web:1", "launchType": "EXTERNAL"}]}`,
			`services[0].launchType: "EXTERNAL", expected EC2 or FARGATE (berth does not model EXTERNAL)`, false},
		{"a mix container's unknown key",
			`"workload": {"generator": {"ratePerHour": 1, "mix": [{"name": "m", "weight": 1, "containers": [{"name": "a", "memory": 64, "command": [], "bogus": 1}]}]}}}`,
			`unknown field "bogus"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(ecsBase+tt.doc), "t.json")
			if err == nil {
				t.Fatalf("ReadScenario = nil error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadScenario error\n %s\nwant it to contain\n %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("ReadScenario error %q: not one line", err)
			}
			if got := errors.Is(err, fielderr.ErrUnknown); got != tt.unknown {
				t.Errorf("errors.Is(%v, ErrUnknown) = %v, want %v", err, got, tt.unknown)
			}
		})
	}
}

// berth's own keys stand beside ECS's in a task definition and in a
// mix's containers; the ECS fields berth ignores are listed with their paths.
func TestECSDocumentsWithBerthKeys(t *testing.T) {
	doc := ecsBase + `"services": [{"serviceName": "web", "desiredCount": 1, "launchType": "EC2",
    "taskDefinition": {"taskDefinition": {"family": "web", "revision": 3, "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 256, "stopTimeout": 60, "command": ["x"]}]},
      "tags": [], "startDelay": "20s", "crash": true}}],
  "workload": {"generator": {"ratePerHour": 1, "mix": [{"name": "m", "weight": 1, "duration": {"kind": "constant", "median": "1m"},
    "containers": [{"name": "a", "memory": 64, "environment": [], "secrets": []}]}]}}}`
	sc, err := scenario.ReadScenario(strings.NewReader(doc), "t.json")
	if err != nil {
		t.Fatalf("ReadScenario: %v", err)
	}
	td := sc.Services[0].TaskDefinition
	if td.Family != "web" || td.Revision != 3 || td.MemoryMiB != 256 || !td.Crash || td.StartDelayOrDefault().String() != "20s" || td.StopTimeoutOrDefault().String() != "1m0s" {
		t.Errorf("services[0].taskDefinition = %+v, want web:3, memory 256, crash, startDelay 20s, stopTimeout 1m", td)
	}
	want := []string{
		"services[0].taskDefinition.tags",
		"services[0].taskDefinition.taskDefinition.containerDefinitions[0].command",
		"workload.generator.mix[0].containers[0].environment",
		"workload.generator.mix[0].containers[0].secrets",
	}
	if got := sc.NotModelled(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("NotModelled() = %q, want %q", got, want)
	}
}

func FuzzReadScenarioECS(f *testing.F) {
	data, err := os.ReadFile("testdata/ecs-examples.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(ecsBase + `"taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "a", "memory": 8}]}], "services": [{"serviceName": "s", "desiredCount": 1, "taskDefinition": "w", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["x"]}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := scenario.ReadScenario(bytes.NewReader(b), "f.json")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
			return
		}
		_ = sc.NotModelled()
	})
}
