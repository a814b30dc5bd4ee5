package placement

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTaskDefinitionRequirements(t *testing.T) {
	tests := []struct {
		name string
		td   TaskDefinition
		want Requirements
	}{
		{
			name: "8.3-38 memoryReservation before memory",
			td:   TaskDefinition{Family: "f", Containers: []ContainerDefinition{{Name: "a", Memory: 512, MemoryReservation: 256, Essential: true}}},
			want: Requirements{MemoryMiB: 256},
		},
		{
			name: "8.3-39 task-level memory wins over containers",
			td: TaskDefinition{Family: "f", MemoryMiB: 1024, Containers: []ContainerDefinition{
				{Name: "a", Memory: 300, Essential: true}, {Name: "b", Memory: 300}}},
			want: Requirements{MemoryMiB: 1024},
		},
		{
			name: "8.3-40 container cpu summed, unset counts 0",
			td: TaskDefinition{Family: "f", Containers: []ContainerDefinition{
				{Name: "a", CPU: 256, Memory: 128, Essential: true}, {Name: "b", Memory: 128}}},
			want: Requirements{CPU: 256, MemoryMiB: 256},
		},
		{
			name: "bridge: static host ports reserved, hostPort 0 dynamic",
			td: TaskDefinition{Family: "f", Containers: []ContainerDefinition{{Name: "a", Memory: 128, Essential: true, PortMappings: []PortMapping{
				{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 53, HostPort: 53, Protocol: "udp"}, {ContainerPort: 9000}}}}},
			want: Requirements{MemoryMiB: 128, PortsTCP: []uint16{8080}, PortsUDP: []uint16{53}, DynamicPorts: 1},
		},
		{
			name: "host mode: the container port is the host port",
			td: TaskDefinition{Family: "f", NetworkMode: NetworkHost, Containers: []ContainerDefinition{{Name: "a", Memory: 128, Essential: true, PortMappings: []PortMapping{
				{ContainerPort: 80}}}}},
			want: Requirements{MemoryMiB: 128, PortsTCP: []uint16{80}},
		},
		{
			name: "8.3-37 awsvpc: no host ports",
			td: TaskDefinition{Family: "f", NetworkMode: NetworkAwsvpc, Containers: []ContainerDefinition{{Name: "a", Memory: 128, Essential: true, PortMappings: []PortMapping{
				{ContainerPort: 80}}}}},
			want: Requirements{MemoryMiB: 128, AWSVPC: true}, // an ENI instead of host ports
		},
		{
			name: "GPUs summed over containers",
			td: TaskDefinition{Family: "f", Containers: []ContainerDefinition{
				{Name: "a", Memory: 128, GPUs: 1, Essential: true}, {Name: "b", Memory: 128, GPUs: 2}}},
			want: Requirements{MemoryMiB: 256, GPUs: 3},
		},
		{
			name: "GPU ALL",
			td:   TaskDefinition{Family: "f", Containers: []ContainerDefinition{{Name: "a", Memory: 128, GPUs: 1, AllGPUs: true, Essential: true}}},
			want: Requirements{MemoryMiB: 128, AllGPUs: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.td.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			if diff := cmp.Diff(tt.want, tt.td.Requirements(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Requirements() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTaskDefinitionValidate(t *testing.T) {
	ok := func() TaskDefinition {
		return TaskDefinition{Family: "web", Containers: []ContainerDefinition{{Name: "app", Memory: 256, Essential: true}}}
	}
	tests := []struct {
		name    string
		edit    func(td *TaskDefinition)
		wantErr string
	}{
		{"valid", func(*TaskDefinition) {}, ""},
		{"8.3-41 memory below memoryReservation", func(td *TaskDefinition) { td.Containers[0].MemoryReservation = 512 }, "containerDefinitions[0].memory: 256 MiB must be greater than memoryReservation 512 MiB"},
		{"8.2-18 distinctInstance in a task definition", func(td *TaskDefinition) { td.PlacementConstraints = []Constraint{{Type: DistinctInstance}} }, "constraint.type 'distinctInstance' is not supported"},
		{"11 containers", func(td *TaskDefinition) {
			for k := range 10 {
				td.Containers = append(td.Containers, ContainerDefinition{Name: "c" + string(rune('a'+k)), Memory: 8})
			}
		}, "11 containers, at most 10"},
		{"no memory at all", func(td *TaskDefinition) { td.Containers[0].Memory = 0 }, "memory or memoryReservation is required"},
		{"task memory covers containers", func(td *TaskDefinition) { td.Containers[0].Memory = 0; td.MemoryMiB = 512 }, ""},
		{"family with a dot", func(td *TaskDefinition) { td.Family = "web.v2" }, `family: "web.v2" has '.'`},
		{"no essential container", func(td *TaskDefinition) { td.Containers[0].Essential = false }, "at least one container must be essential"},
		{"task cpu below 128", func(td *TaskDefinition) { td.CPU = 64 }, "cpu: 64 units, expected 128..196608"},
		{"host mode hostPort differs", func(td *TaskDefinition) {
			td.NetworkMode = NetworkHost
			td.Containers[0].PortMappings = []PortMapping{{ContainerPort: 80, HostPort: 8080}}
		}, "hostPort: 8080 must be blank or equal to containerPort 80 in host mode"},
		{"none mode with ports", func(td *TaskDefinition) {
			td.NetworkMode = NetworkNone
			td.Containers[0].PortMappings = []PortMapping{{ContainerPort: 80}}
		}, "not allowed with networkMode none"},
		{"one container port, two protocols", func(td *TaskDefinition) {
			td.Containers[0].PortMappings = []PortMapping{{ContainerPort: 53, Protocol: "tcp"}, {ContainerPort: 53, Protocol: "udp"}}
		}, "53 is already exposed for tcp"},
		{"the same host port twice", func(td *TaskDefinition) {
			td.Containers[0].PortMappings = []PortMapping{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 81, HostPort: 8080}}
		}, "tcp port 8080 is bound twice"},
		{"protocol sctp", func(td *TaskDefinition) {
			td.Containers[0].PortMappings = []PortMapping{{ContainerPort: 80, Protocol: "sctp"}}
		}, `protocol: "sctp", expected tcp or udp`},
		{"duplicate container names", func(td *TaskDefinition) {
			td.Containers = append(td.Containers, ContainerDefinition{Name: "app", Memory: 8})
		}, `"app" is used by two containers`},
		{"container name with ESC", func(td *TaskDefinition) { td.Containers[0].Name = "app\x1b[2J" },
			`placement: containerDefinitions[0].name: "app\x1b[2J" has the control character U+001B at byte 3; expected printable characters`},
		{"container name with NUL", func(td *TaskDefinition) { td.Containers[0].Name = "a\x00" }, `"a\x00" has the control character U+0000 at byte 1`},
		{"container name with a newline", func(td *TaskDefinition) { td.Containers[0].Name = "a\nb" }, `"a\nb" has the control character U+000A at byte 1`},
		{"container name with a right-to-left override", func(td *TaskDefinition) { td.Containers[0].Name = "app\u202egpj" },
			`"app\u202egpj" has the formatting character U+202E at byte 3`},
		{"required attribute with a control character", func(td *TaskDefinition) {
			td.RequiresAttributes = []Attribute{{Name: "ecs.capability\x07"}}
		}, `placement: requiresAttributes[0].name: "ecs.capability\a" has the control character U+0007 at byte 14`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ok()
			tt.edit(&td)
			err := td.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestContainerUsageValidateAllocs: every reconciliation validates its
// task definition, so a valid one costs no allocation.
func TestContainerUsageValidateAllocs(t *testing.T) {
	u := ContainerUsage{LogDriver: "awslogs", FireLensType: "fluentbit", FireLensConfigType: "s3"}
	field := func(s string) string { return "containerDefinitions[0]." + s }
	if n := testing.AllocsPerRun(100, func() {
		if err := u.validate(field); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ContainerUsage.validate allocates %v times, want 0", n)
	}
	u.LogDriver = "syslogd"
	if err := u.validate(field); err == nil || !strings.Contains(err.Error(), `containerDefinitions[0].logConfiguration.logDriver: "syslogd", expected one of json-file`) {
		t.Errorf("ContainerUsage.validate of an unknown log driver = %v", err)
	}
}
