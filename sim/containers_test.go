package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"
)

// containersScenario is a small scenario whose one mix entry lists
// containers; mix is spliced into its generator.
func containersScenario(mix string) string {
	return `{
  "name": "containers", "seed": 3, "duration": "2h",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680}],
    "pools": [{"type": "m5.large", "zones": {"us-east-1a": 2}}]
  },
  "workload": {"generator": {"ratePerHour": 30, "mix": [` + mix + `]}}
}`
}

const sidecarMix = `{"name": "web", "weight": 1, "duration": {"kind": "constant", "median": "10m"},
  "containers": [
    {"name": "app", "cpu": 256, "memory": 512, "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "hostPort": 5353, "protocol": "udp"}]},
    {"name": "log", "cpu": 128, "memory": 256, "memoryReservation": 64, "essential": false, "portMappings": [{"containerPort": 9000}]}
  ]}`

// recorder is the simulated executor, keeping every run it starts.
type recorder struct {
	*Simulated
	runs []*Run
}

func (r *recorder) Start(run *Run) error {
	r.runs = append(r.runs, run)
	return r.Simulated.Start(run)
}

// A mix with containers reserves what the ECS agent computes (cpu summed,
// memoryReservation before memory, static host ports by protocol) and
// hands its containers to the executor; the task still ends at its
// duration.
func TestMixContainers(t *testing.T) {
	sc, err := scenario.ReadScenario(strings.NewReader(containersScenario(sidecarMix)), "containers.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	res, err := Simulate(sc, scenario.Variant{}, Options{Executor: func(eng *Engine) Executor {
		rec.Simulated = NewSimulated(eng)
		return rec
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res == nil || len(rec.runs) == 0 {
		t.Fatal("no task ran")
	}
	wantContainers := []Container{
		{Name: "app", CPU: 256, MemoryMiB: 512, Essential: true, Ports: []PortMapping{
			{ContainerPort: 80, HostPort: 8080, Protocol: "tcp"}, {ContainerPort: 53, HostPort: 5353, Protocol: "udp"}}},
		{Name: "log", CPU: 128, MemoryMiB: 256, MemoryReservationMiB: 64, Ports: []PortMapping{{ContainerPort: 9000, Protocol: "tcp"}}},
	}
	for _, r := range rec.runs {
		got := struct {
			CPU, MemoryMiB int64
			Ports          []uint16
			Duration       time.Duration
			Containers     []Container
		}{r.CPU, r.MemoryMiB, r.Ports, r.Duration, r.Containers}
		want := got
		want.CPU, want.MemoryMiB, want.Ports, want.Duration, want.Containers = 384, 576, []uint16{8080}, 10*time.Minute, wantContainers
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("run %s (-want +got):\n%s", r.ID, diff)
		}
	}
	// Static port 8080 (and udp 5353) allow one task per instance: with
	// two instances, at most two run at once.
	running := map[string]bool{}
	for _, r := range rec.runs {
		running[r.Instance] = true
	}
	if len(running) > 2 {
		t.Errorf("tasks ran on %d instances, want at most 2", len(running))
	}
}

// A mix with containers must not give cpu, memory or hostPorts of its
// own, and its containers follow ECS's task definition rules; every error
// names the field.
func TestMixContainersValidation(t *testing.T) {
	tests := []struct {
		name, mix, want string
	}{
		{"cpu too", `{"name": "w", "weight": 1, "cpu": 256, "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a", "memory": 64}]}`,
			"workload.generator.mix[0].cpu: 256, expected none when containers are given"},
		{"memory too", `{"name": "w", "weight": 1, "memory": 64, "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a", "memory": 64}]}`,
			"workload.generator.mix[0].memory: 64, expected none when containers are given"},
		{"host ports too", `{"name": "w", "weight": 1, "hostPorts": [80], "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a", "memory": 64}]}`,
			"workload.generator.mix[0].hostPorts: [80], expected none when containers are given"},
		{"no memory", `{"name": "w", "weight": 1, "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a"}]}`,
			"workload.generator.mix[0].containers[0].memory: memory or memoryReservation is required"},
		{"none essential", `{"name": "w", "weight": 1, "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a", "memory": 64, "essential": false}]}`,
			"workload.generator.mix[0].containers: at least one container must be essential"},
		{"port twice", `{"name": "w", "weight": 1, "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a", "memory": 64, "portMappings": [{"containerPort": 80, "hostPort": 80}]}, {"name": "b", "memory": 64, "portMappings": [{"containerPort": 81, "hostPort": 80}]}]}`,
			"workload.generator.mix[0].containers[1].portMappings[0].hostPort: tcp port 80 is bound twice in the task"},
		{"reservation above memory", `{"name": "w", "weight": 1, "duration": {"kind": "constant", "median": "1m"}, "containers": [{"name": "a", "memory": 64, "memoryReservation": 128}]}`,
			"workload.generator.mix[0].containers[0].memory: 64 MiB must be greater than memoryReservation 128 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(containersScenario(tt.mix)), "containers.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadScenario error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
