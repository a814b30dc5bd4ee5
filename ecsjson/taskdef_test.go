package ecsjson

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/cql"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/placement"
)

// tdDoc is a RegisterTaskDefinition document for family web with the
// given containers and extra top-level fields.
func tdDoc(extra string, containers ...string) string {
	if len(containers) == 0 {
		containers = []string{`{"name": "web", "memory": 512}`}
	}
	if extra != "" {
		extra = ", " + extra
	}
	return `{"family": "web", "containerDefinitions": [` + strings.Join(containers, ", ") + `]` + extra + `}`
}

// constraintStrings compares constraints by their printed form, since a
// compiled expression is a pointer.
var constraintStrings = cmp.Transformer("constraint", func(c placement.Constraint) string { return c.String() })

func TestReadTaskDefinitionValues(t *testing.T) {
	memberOf := func(e string) placement.Constraint {
		c, err := placement.NewMemberOf(e)
		if err != nil {
			panic(err)
		}
		return c
	}
	web := func(f func(*placement.ContainerDefinition)) []placement.ContainerDefinition {
		cd := placement.ContainerDefinition{Name: "web", Memory: 512, Essential: true}
		if f != nil {
			f(&cd)
		}
		return []placement.ContainerDefinition{cd}
	}
	tests := []struct {
		name   string
		doc    string
		want   *placement.TaskDefinition
		reason string
	}{
		{name: "minimal register input", doc: tdDoc(""), want: &placement.TaskDefinition{Family: "web", Containers: web(nil)}, reason: "essential defaults to true; revision 0 when absent"},
		{
			name: "describe output",
			doc:  `{"taskDefinition": ` + tdDoc(`"revision": 7, "status": "ACTIVE", "networkMode": "host"`) + `, "tags": []}`,
			want: &placement.TaskDefinition{Family: "web", Revision: 7, NetworkMode: placement.NetworkHost, Containers: web(nil)},
		},
		{name: "cpu 1 vCPU", doc: tdDoc(`"cpu": "1 vCPU", "memory": "2048"`), want: &placement.TaskDefinition{Family: "web", CPU: 1024, MemoryMiB: 2048, Containers: web(nil)}},
		{name: "cpu 1 vcpu", doc: tdDoc(`"cpu": "1 vcpu", "memory": "1GB"`), want: &placement.TaskDefinition{Family: "web", CPU: 1024, MemoryMiB: 1024, Containers: web(nil)}},
		{name: "cpu 2vCPU and memory 1 GB", doc: tdDoc(`"cpu": "2vCPU", "memory": "1 GB"`), want: &placement.TaskDefinition{Family: "web", CPU: 2048, MemoryMiB: 1024, Containers: web(nil)}},
		{name: "fractions", doc: tdDoc(`"cpu": "0.25 vCPU", "memory": "0.5 gb"`), want: &placement.TaskDefinition{Family: "web", CPU: 256, MemoryMiB: 512, Containers: web(nil)}},
		{name: "numbers", doc: tdDoc(`"cpu": 512, "memory": 3072`), want: &placement.TaskDefinition{Family: "web", CPU: 512, MemoryMiB: 3072, Containers: web(nil)}},
		{
			name: "task memory without container memory",
			doc:  tdDoc(`"memory": "1024"`, `{"name": "web", "cpu": 256}`),
			want: &placement.TaskDefinition{Family: "web", MemoryMiB: 1024, Containers: []placement.ContainerDefinition{{Name: "web", CPU: 256, Essential: true}}},
		},
		{
			name: "container fields",
			doc: tdDoc("", `{"name": "web", "cpu": 256, "memory": 1024, "memoryReservation": 512, "essential": false,
				"portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "protocol": "udp"}, {"containerPortRange": "9000-9099"}],
				"resourceRequirements": [{"type": "GPU", "value": "2"}, {"type": "InferenceAccelerator", "value": "device_1"}]}`,
				`{"name": "sidecar", "memoryReservation": 64, "resourceRequirements": [{"type": "GPU", "value": "ALL"}]}`),
			want: &placement.TaskDefinition{Family: "web", Containers: []placement.ContainerDefinition{
				{Name: "web", CPU: 256, Memory: 1024, MemoryReservation: 512, GPUs: 2,
					PortMappings: []placement.PortMapping{{ContainerPort: 80, HostPort: 8080, Protocol: "tcp"}, {ContainerPort: 53, Protocol: "udp"}}},
				{Name: "sidecar", MemoryReservation: 64, AllGPUs: true, Essential: true},
			}, RequiresAttributes: []placement.Attribute{{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.21"}}},
			reason: "a containerPortRange binds no static host port and is left out; memoryReservation requires Docker Remote API 1.21",
		},
		{
			name: "constraints and attributes",
			doc: tdDoc(`"placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ g4dn.*"}],
				"requiresAttributes": [{"name": "ecs.capability.task-eni"}, {"name": "stack", "value": "prod", "targetType": "container-instance"}],
				"requiresCompatibilities": ["EC2", "FARGATE"]`),
			want: &placement.TaskDefinition{Family: "web", Containers: web(nil),
				PlacementConstraints:    []placement.Constraint{memberOf("attribute:ecs.instance-type =~ g4dn.*")},
				RequiresAttributes:      []placement.Attribute{{Name: "ecs.capability.task-eni"}, {Name: "stack", Value: "prod"}},
				RequiresCompatibilities: []placement.LaunchType{"EC2", "FARGATE"}},
		},
		{name: "nulls are absent", doc: tdDoc(`"cpu": null, "placementConstraints": null, "networkMode": null`), want: &placement.TaskDefinition{Family: "web", Containers: web(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTaskDefinition(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatalf("ReadTaskDefinition(%s): %v", tt.doc, err)
			}
			if diff := cmp.Diff(tt.want, got, constraintStrings); diff != "" {
				t.Errorf("ReadTaskDefinition(%s) mismatch (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

func TestReadTaskDefinitionErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{name: "invalid JSON", doc: `{"family": "web",`, want: `ecsjson: 1:18: unexpected end of the document, expected a string key`},
		{name: "array", doc: `[]`, want: `ecsjson: expected an object, found an array`},
		{name: "taskDefinition is a string", doc: `{"taskDefinition": "web"}`, want: `ecsjson: taskDefinition: expected an object, found "web"`},
		{name: "no family", doc: `{"containerDefinitions": []}`, want: `ecsjson: family: missing`},
		{name: "no family in describe output", doc: `{"taskDefinition": {}}`, want: `ecsjson: taskDefinition.family: missing`},
		{name: "family with a space", doc: `{"family": "my web", "containerDefinitions": [{"name": "web", "memory": 1}]}`, want: `ecsjson: family: "my web" has ' ', expected letters, digits, _ and -`},
		{name: "revision 0", doc: tdDoc(`"revision": 0`), want: `ecsjson: revision: expected an integer from 1 to 2147483647, found 0`},
		{name: "no containers", doc: `{"family": "web", "containerDefinitions": []}`, want: `ecsjson: containerDefinitions: at least one container is required`},
		{name: "11 containers", doc: tdDoc("", strings.Split(strings.Repeat(`{"name": "c", "memory": 4};`, 11), ";")[:11]...), want: `ecsjson: containerDefinitions: 11 containers, at most 10 allowed`},
		{name: "cpu in words", doc: tdDoc(`"cpu": "lots"`), want: `ecsjson: cpu: expected an integer from 0 to 2147483647, found "lots"`},
		{name: "cpu fraction of a unit", doc: tdDoc(`"cpu": "0.0001 vCPU"`), want: `ecsjson: cpu: "0.0001 vCPU" is not a whole number of units: expected such as "1 vCPU" (1024) or "1024"`},
		{name: "cpu true", doc: tdDoc(`"cpu": true`), want: `ecsjson: cpu: expected a number or a string, found true`},
		{name: "cpu below 128", doc: tdDoc(`"cpu": "100"`), want: `ecsjson: cpu: 100 units, expected 128..196608`},
		{name: "memory in TB", doc: tdDoc(`"memory": "1 TB"`), want: `ecsjson: memory: expected an integer from 0 to 2147483647, found "1 TB"`},
		{name: "negative memory GB", doc: tdDoc(`"memory": "-1GB"`), want: `ecsjson: memory: "-1GB" is not a whole number of units: expected such as "1 GB" (1024) or "1024"`},
		{name: "network mode", doc: tdDoc(`"networkMode": "nat"`), want: `ecsjson: networkMode: expected one of bridge, host, awsvpc, none, found "nat"`},
		// ECS Anywhere runs bridge, host and none network modes only and
		// mounts no EFS volume
		// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere.html).
		{name: "EXTERNAL with awsvpc", doc: tdDoc(`"requiresCompatibilities": ["EC2", "EXTERNAL"], "networkMode": "awsvpc"`),
			want: `ecsjson: requiresCompatibilities[1]: EXTERNAL, but the definition has networkMode awsvpc, which ECS Anywhere does not support`},
		{name: "EXTERNAL with EFS", doc: tdDoc(`"requiresCompatibilities": ["EXTERNAL"], "volumes": [{"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]`),
			want: `ecsjson: requiresCompatibilities[0]: EXTERNAL, but the definition has an EFS volume, which ECS Anywhere does not support`},
		{name: "unknown compatibility", doc: tdDoc(`"requiresCompatibilities": ["EC2", "LAMBDA"]`), want: `ecsjson: requiresCompatibilities[1]: "LAMBDA": expected one of EC2, EXTERNAL, FARGATE`},
		{name: "container is a string", doc: tdDoc("", `"web"`), want: `ecsjson: containerDefinitions[0]: expected an object, found "web"`},
		{name: "container without a name", doc: tdDoc("", `{"memory": 512}`), want: `ecsjson: containerDefinitions[0].name: missing`},
		{name: "two containers with one name", doc: tdDoc("", `{"name": "a", "memory": 5}`, `{"name": "a", "memory": 5}`), want: `ecsjson: containerDefinitions[1].name: "a" is used by two containers`},
		{name: "case 41 memory below memoryReservation", doc: tdDoc("", `{"name": "web", "memory": 256, "memoryReservation": 512}`), want: `ecsjson: containerDefinitions[0].memory: 256 MiB must be greater than memoryReservation 512 MiB`},
		{name: "case 41 in describe output", doc: `{"taskDefinition": ` + tdDoc("", `{"name": "web", "memory": 256, "memoryReservation": 512}`) + `}`, want: `ecsjson: taskDefinition.containerDefinitions[0].memory: 256 MiB must be greater than memoryReservation 512 MiB`},
		{name: "no memory anywhere", doc: tdDoc("", `{"name": "web", "cpu": 256}`), want: `ecsjson: containerDefinitions[0].memory: memory or memoryReservation is required when the task sets no memory`},
		{name: "no essential container", doc: tdDoc("", `{"name": "web", "memory": 5, "essential": false}`), want: `ecsjson: containerDefinitions: at least one container must be essential`},
		{name: "essential is a string", doc: tdDoc("", `{"name": "web", "memory": 5, "essential": "yes"}`), want: `ecsjson: containerDefinitions[0].essential: expected true or false, found "yes"`},
		{name: "port mapping without containerPort", doc: tdDoc("", `{"name": "web", "memory": 5, "portMappings": [{"hostPort": 80}]}`), want: `ecsjson: containerDefinitions[0].portMappings[0].containerPort: missing`},
		{name: "port out of range", doc: tdDoc("", `{"name": "web", "memory": 5, "portMappings": [{"containerPort": 70000}]}`), want: `ecsjson: containerDefinitions[0].portMappings[0].containerPort: 70000 is not a port number 0-65535`},
		{name: "protocol sctp", doc: tdDoc("", `{"name": "web", "memory": 5, "portMappings": [{"containerPort": 80, "protocol": "sctp"}]}`), want: `ecsjson: containerDefinitions[0].portMappings[0].protocol: expected one of tcp, udp, found "sctp"`},
		{name: "host mode port differs", doc: tdDoc(`"networkMode": "host"`, `{"name": "web", "memory": 5, "portMappings": [{"containerPort": 80, "hostPort": 8080}]}`), want: `ecsjson: containerDefinitions[0].portMappings[0].hostPort: 8080 must be blank or equal to containerPort 80 in host mode`},
		{name: "ports with network mode none", doc: tdDoc(`"networkMode": "none"`, `{"name": "web", "memory": 5, "portMappings": [{"containerPort": 80}]}`), want: `ecsjson: containerDefinitions[0].portMappings: not allowed with networkMode none`},
		{name: "host port bound twice", doc: tdDoc("", `{"name": "a", "memory": 5, "portMappings": [{"containerPort": 80, "hostPort": 80}]}`, `{"name": "b", "memory": 5, "portMappings": [{"containerPort": 81, "hostPort": 80}]}`), want: `ecsjson: containerDefinitions[1].portMappings[0].hostPort: tcp port 80 is bound twice in the task`},
		{name: "GPU zero", doc: tdDoc("", `{"name": "web", "memory": 5, "resourceRequirements": [{"type": "GPU", "value": "0"}]}`), want: `ecsjson: containerDefinitions[0].resourceRequirements[0].value: expected a number of GPUs from 1 to 64 or "ALL", found "0"`},
		{name: "GPU as a number", doc: tdDoc("", `{"name": "web", "memory": 5, "resourceRequirements": [{"type": "GPU", "value": 1}]}`), want: `ecsjson: containerDefinitions[0].resourceRequirements[0].value: expected a string, found 1`},
		{name: "GPU twice", doc: tdDoc("", `{"name": "web", "memory": 5, "resourceRequirements": [{"type": "GPU", "value": "1"}, {"type": "GPU", "value": "1"}]}`), want: `ecsjson: containerDefinitions[0].resourceRequirements[1].type: GPU appears twice (also containerDefinitions[0].resourceRequirements[0])`},
		{name: "resource type unknown", doc: tdDoc("", `{"name": "web", "memory": 5, "resourceRequirements": [{"type": "FPGA", "value": "1"}]}`), want: `ecsjson: containerDefinitions[0].resourceRequirements[0].type: expected one of GPU, InferenceAccelerator, NeuronDevice, found "FPGA"`},
		{name: "case 18 distinctInstance", doc: tdDoc(`"placementConstraints": [{"type": "distinctInstance"}]`), want: `ecsjson: placementConstraints[0].type: constraint.type 'distinctInstance' is not supported`},
		{name: "memberOf without expression", doc: tdDoc(`"placementConstraints": [{"type": "memberOf"}]`), want: `ecsjson: placementConstraints[0].expression: an expression is required`},
		{name: "memberOf with a bad expression", doc: tdDoc(`"placementConstraints": [{"type": "memberOf", "expression": "attribute:a in [x, ]"}]`), want: `ecsjson: placementConstraints[0].expression: cql: 1:20: expected value after "in", found "]"`},
		{name: "constraint type missing", doc: tdDoc(`"placementConstraints": [{"expression": "attribute:a exists"}]`), want: `ecsjson: placementConstraints[0].type: missing`},
		{name: "11 constraints", doc: tdDoc(`"placementConstraints": [` + strings.TrimSuffix(strings.Repeat(`{"type": "memberOf", "expression": "attribute:a exists"},`, 11), ",") + `]`), want: `ecsjson: placementConstraints: 11 constraints, at most 10 allowed`},
		{name: "required attribute without a name", doc: tdDoc(`"requiresAttributes": [{"value": "x"}]`), want: `ecsjson: requiresAttributes[0].name: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTaskDefinition(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ReadTaskDefinition(%s) succeeded, want %s", tt.doc, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ReadTaskDefinition(%s) error:\n got %s\nwant %s", tt.doc, err, tt.want)
			}
			var e *fielderr.Error
			if !errors.As(err, &e) {
				t.Errorf("ReadTaskDefinition(%s) error is %T, want *fielderr.Error", tt.doc, err)
			}
		})
	}
}

func TestReadExampleTaskDefinition(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "examples", "taskdef-web.json"))
	if err != nil {
		t.Fatal(err)
	}
	td, err := ReadTaskDefinition(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadTaskDefinition(examples/taskdef-web.json): %v", err)
	}
	want := placement.Requirements{CPU: 320, MemoryMiB: 576, DynamicPorts: 1}
	if diff := cmp.Diff(want, td.Requirements()); diff != "" || td.Family != "web" || td.Revision != 15 {
		t.Errorf("examples/taskdef-web.json: family %q revision %d; requirements (-want +got):\n%s", td.Family, td.Revision, diff)
	}
}

func FuzzReadTaskDefinition(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "examples", "taskdef-web.json")); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		``, `{}`, tdDoc(""),
		tdDoc(`"cpu": "0.5 vCPU", "memory": "1.5GB", "networkMode": "awsvpc"`, `{"name": "a", "memory": 9, "portMappings": [{"containerPort": 80}], "resourceRequirements": [{"type": "GPU", "value": "ALL"}]}`),
		tdDoc(`"placementConstraints": [{"type": "memberOf", "expression": "task:group == service:x"}], "requiresAttributes": [{"name": "a"}]`),
		tdDoc(`"taskRoleArn": "r", "executionRoleArn": "e", "networkMode": "host", "volumes": [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}}]`,
			`{"name": "a", "memoryReservation": 9, "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a", "firelensConfiguration": {"type": "fluentd", "options": {"config-file-type": "file"}},
			"logConfiguration": {"logDriver": "awslogs", "secretOptions": [{"name": "k", "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:s"}]},
			"secrets": [{"name": "s", "valueFrom": "p"}], "repositoryCredentials": {}, "healthCheck": {}, "linuxParameters": {"initProcessEnabled": true}}`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		td, err := ReadTaskDefinition(bytes.NewReader(data))
		if err != nil {
			checkOneLineError(t, err)
			return
		}
		if err := td.Validate(); err != nil {
			t.Fatalf("ReadTaskDefinition returned a definition that does not validate: %v", err)
		}
		for _, c := range td.PlacementConstraints {
			if c.Type != placement.MemberOf {
				t.Fatalf("task definition constraint %v, want memberOf only", c)
			}
		}
	})
}

// checkOneLineError checks the package's error contract.
func checkOneLineError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "ecsjson: ") || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error %q is not one line starting with \"ecsjson: \"", msg)
	}
	var e *fielderr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, want *fielderr.Error", err, err)
	}
}

// TestConstraintCQLError: a task definition's malformed memberOf
// expression is a *fielderr.Error at the expression's path whose cause is
// the *cql.Error, with its offset, for a caller to show the caret.
func TestConstraintCQLError(t *testing.T) {
	doc := `{"family": "web", "containerDefinitions": [{"name": "app", "memory": 128, "essential": true}],
  "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == "}]}`
	_, err := ReadTaskDefinition(strings.NewReader(doc))
	var fe *fielderr.Error
	if !errors.As(err, &fe) || fe.Path != "placementConstraints[0].expression" {
		t.Fatalf("ReadTaskDefinition error %v, want a *fielderr.Error at placementConstraints[0].expression", err)
	}
	var ce *cql.Error
	if !errors.As(err, &ce) {
		t.Fatalf("ReadTaskDefinition error %v (%T) does not hold a *cql.Error", err, err)
	}
	if ce.Offset != len(ce.Src) {
		t.Errorf("cql.Error offset %d, want %d (the end of %q)", ce.Offset, len(ce.Src), ce.Src)
	}
	want := `ecsjson: placementConstraints[0].expression: cql: 1:26: expected value after "==", found end of expression`
	if err.Error() != want {
		t.Errorf("ReadTaskDefinition error\n%s, want\n%s", err, want)
	}
}

// TestScaled checks the exact decimal scaling of "N vCPU" and "N GB"
// against big.Rat, the plain reference.
func TestScaled(t *testing.T) {
	for _, num := range []string{"1", "0.25", "0.5", ".5", "5.", "1.5", "0.0001", "2.000", "0", "", ".", "1.2.3", "1/2", "abc",
		"2097152", "2097151.999", "0.0009765625", "12345678901234567890", "0.1234567890123456789", "00.50", " 1"} {
		for _, per := range []int64{1024, 1000} {
			got, gotOK := scaled(num, per)
			want, wantOK := int64(0), false
			if r, ok := new(big.Rat).SetString(num); ok && num != "" && !strings.ContainsAny(num, "/ ") && strings.Count(num, ".") <= 1 && len(num) <= 20 {
				r.Mul(r, new(big.Rat).SetInt64(per))
				if r.IsInt() && r.Num().IsInt64() && r.Num().Int64() <= math.MaxInt32 && r.Sign() >= 0 {
					want, wantOK = r.Num().Int64(), true
				}
			}
			if got != want || gotOK != wantOK {
				t.Errorf("scaled(%q, %d) = %d, %v; want %d, %v", num, per, got, gotOK, want, wantOK)
			}
		}
	}
}
