package scenario_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
)

// containersScenario has one service whose task definition is td, on
// strategy (a capacity provider strategy, or "" for EC2).
func containersScenario(td, strategy string) string {
	return `{"duration": "1h", "fleet": {"instanceTypes": [{"name": "c5.large", "cpu": 2048, "memory": 3800}], "pools": [{"type": "c5.large", "zones": {"a": 1}}]},
  "services": [{"name": "api", "desiredCount": 1, "taskDefinition": ` + td + strategy + `}]}`
}

const fargate = `, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]`

// TestTaskDefinitionContainersErrors: a service task definition's
// containers state container and host ports. In awsvpc mode, which is
// Fargate's only one, a port mapping's hostPort must be absent or equal to
// its containerPort (API Reference, PortMapping:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html);
// ECS rejects the definition otherwise, so the scenario is refused at
// load, naming the field.
func TestTaskDefinitionContainersErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"Fargate host port other than the container port",
			containersScenario(`{"family": "api", "cpu": 256, "memory": 512, "containers": [{"name": "web", "memory": 512, "portMappings": [{"containerPort": 8080}, {"containerPort": 80, "hostPort": 8080}]}]}`, fargate),
			`services[0].taskDefinition.containers[0].portMappings[1].hostPort: 8080: on FARGATE (network mode awsvpc) the host port must be the container port 80 or absent`},
		{"Fargate host port in a second container",
			containersScenario(`{"family": "api", "cpu": 256, "memory": 512, "containers": [{"name": "a", "memory": 256}, {"name": "b", "memory": 256, "portMappings": [{"containerPort": 9000, "hostPort": 9001}]}]}`, fargate),
			`services[0].taskDefinition.containers[1].portMappings[0].hostPort: 9001: on FARGATE (network mode awsvpc) the host port must be the container port 9000 or absent`},
		{"containers and hostPorts",
			containersScenario(`{"family": "api", "cpu": 256, "memory": 512, "hostPorts": [80], "containers": [{"name": "web", "memory": 512}]}`, ""),
			`services[0].taskDefinition.hostPorts: [80], expected none when containers are given (use their portMappings)`},
		{"container without memory",
			containersScenario(`{"family": "api", "cpu": 256, "memory": 512, "containers": [{"name": "web", "memory": -1}]}`, ""),
			`services[0].taskDefinition.containers[0].memory: -1 is negative`},
		{"log configuration without a driver",
			containersScenario(`{"family": "api", "cpu": 256, "memory": 512, "containers": [{"name": "web", "memory": 512, "logConfiguration": {}}]}`, ""),
			`services[0].taskDefinition.containers[0].logConfiguration.logDriver: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(tt.src), "c.json")
			if want := "sim: c.json: " + tt.want; err == nil || err.Error() != want {
				t.Errorf("ReadScenario error = %v, want %q", err, want)
			}
		})
	}
}

// TestTaskDefinitionContainers: with containers, the service's task
// definition is theirs: the host ports of their port mappings (the
// container port when hostPort is absent in awsvpc mode, dynamic in
// bridge mode), the task-level cpu and memory, and the attributes ECS
// derives from them. Without containers it is one container reserving
// cpu, memory and hostPorts, as before.
func TestTaskDefinitionContainers(t *testing.T) {
	tests := []struct {
		name, td string
		want     placement.Requirements
		attrs    []string
	}{
		{name: "no containers", td: `{"family": "api", "cpu": 256, "memory": 512, "hostPorts": [80]}`,
			want: placement.Requirements{CPU: 256, MemoryMiB: 512, PortsTCP: []uint16{80}}},
		{name: "bridge containers", td: `{"family": "api", "cpu": 256, "memory": 512, "containers": [{"name": "web", "memory": 384, "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 9000}]}, {"name": "log", "memoryReservation": 64, "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}]}`,
			want:  placement.Requirements{CPU: 256, MemoryMiB: 512, PortsTCP: []uint16{8080}, DynamicPorts: 1},
			attrs: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.19", "com.amazonaws.ecs.capability.docker-remote-api.1.21", "com.amazonaws.ecs.capability.logging-driver.awslogs"}},
		{name: "awsvpc containers", td: `{"family": "api", "cpu": 256, "memory": 512, "networkMode": "awsvpc", "containers": [{"name": "web", "memory": 512, "portMappings": [{"containerPort": 8080}]}]}`,
			want:  placement.Requirements{CPU: 256, MemoryMiB: 512, AWSVPC: true},
			attrs: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.18", "com.amazonaws.ecs.capability.docker-remote-api.1.29", "ecs.capability.task-eni"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := scenario.ReadScenario(strings.NewReader(containersScenario(tt.td, "")), "c.json")
			if err != nil {
				t.Fatal(err)
			}
			td, err := sc.Services[0].TaskDefinition.TaskDefinition("services[0].taskDefinition")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, td.Requirements()); diff != "" {
				t.Errorf("Requirements() mismatch (-want +got):\n%s", diff)
			}
			var names []string
			for _, a := range td.RequiresAttributes {
				names = append(names, a.Name)
			}
			if diff := cmp.Diff(tt.attrs, names); diff != "" {
				t.Errorf("RequiresAttributes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTaskDefinitionContainersFargateAccepted: a Fargate service whose
// host ports equal their container ports, or are absent, loads.
func TestTaskDefinitionContainersFargateAccepted(t *testing.T) {
	src := containersScenario(`{"family": "api", "cpu": 256, "memory": 512, "containers": [{"name": "web", "memory": 512, "portMappings": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 9000}]}]}`, fargate)
	if _, err := scenario.ReadScenario(strings.NewReader(src), "c.json"); err != nil {
		t.Errorf("ReadScenario = %v, want no error", err)
	}
}
