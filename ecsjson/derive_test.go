package ecsjson

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/placement"
)

func attributeNames(attrs []placement.Attribute) []string {
	var names []string
	for _, a := range attrs {
		names = append(names, a.Name)
	}
	return names
}

// TestReadTaskDefinitionDerivesAttributes checks that a RegisterTaskDefinition
// input gets the requiresAttributes ECS adds on registering it, each from the
// parameter that needs it.
func TestReadTaskDefinitionDerivesAttributes(t *testing.T) {
	const (
		ecr  = `"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1"`
		ssm  = `"arn:aws:ssm:us-east-1:123456789012:parameter/db-password"`
		asm  = `"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"`
		role = `"arn:aws:iam::123456789012:role/app"`
	)
	tests := []struct {
		name, doc string
		want      []string
	}{
		// Task-level cpu and memory add nothing.
		{name: "task size only", doc: tdDoc(`"cpu": "1 vCPU", "memory": "2 GB"`), want: nil},
		// memoryReservation: docker-remote-api.1.21.
		{name: "memoryReservation", doc: tdDoc("", `{"name": "web", "memoryReservation": 256}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.21"}},
		// awslogs: its logging driver and Docker Remote API 1.19; with an
		// execution role, execution-role-awslogs.
		{name: "awslogs with an execution role", doc: tdDoc(`"executionRoleArn": `+role,
			`{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.19", "com.amazonaws.ecs.capability.logging-driver.awslogs", "ecs.capability.execution-role-awslogs"}},
		// Another log driver: its logging driver and Docker Remote API 1.18;
		// secretOptions from SSM: secrets.ssm.bootstrap.log-driver.
		{name: "splunk with secret options", doc: tdDoc("",
			`{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "splunk", "secretOptions": [{"name": "splunk-token", "valueFrom": `+ssm+`}]}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.18", "com.amazonaws.ecs.capability.logging-driver.splunk", "ecs.capability.secrets.ssm.bootstrap.log-driver"}},
		// FireLens: firelens.<type>, the awsfirelens logging driver of the
		// containers that use it, and the external config's source.
		{name: "FireLens fluentbit", doc: tdDoc("",
			`{"name": "log-router", "memory": 64, "firelensConfiguration": {"type": "fluentbit", "options": {"config-file-type": "s3", "config-file-value": "arn:aws:s3:::b/extra.conf"}}}`,
			`{"name": "app", "memory": 512, "logConfiguration": {"logDriver": "awsfirelens"}}`),
			want: []string{"com.amazonaws.ecs.capability.logging-driver.awsfirelens", "ecs.capability.firelens.fluentbit", "ecs.capability.firelens.options.config.s3"}},
		// A task IAM role: task-iam-role; in host mode also
		// task-iam-role-network-host.
		{name: "task role", doc: tdDoc(`"taskRoleArn": ` + role), want: []string{"com.amazonaws.ecs.capability.task-iam-role"}},
		{name: "task role in host mode", doc: tdDoc(`"taskRoleArn": ` + role + `, "networkMode": "host"`),
			want: []string{"com.amazonaws.ecs.capability.task-iam-role", "com.amazonaws.ecs.capability.task-iam-role-network-host"}},
		// secrets: SSM parameters (by ARN or name) and Secrets Manager secrets.
		{name: "secrets", doc: tdDoc("", `{"name": "web", "memory": 512, "secrets": [{"name": "A", "valueFrom": "db-password"}, {"name": "B", "valueFrom": `+asm+`}]}`),
			want: []string{"ecs.capability.secrets.asm.environment-variables", "ecs.capability.secrets.ssm.environment-variables"}},
		// repositoryCredentials: private registry authentication.
		{name: "private registry", doc: tdDoc("", `{"name": "web", "memory": 512, "image": "quay.io/a/b", "repositoryCredentials": {"credentialsParameter": `+asm+`}}`),
			want: []string{"ecs.capability.private-registry-authentication.secretsmanager"}},
		// An ECR image: ecr-auth; with an execution role, also
		// execution-role-ecr-pull. ECR Public needs nothing.
		{name: "ECR without an execution role", doc: tdDoc("", `{"name": "web", "memory": 512, `+ecr+`}`),
			want: []string{"com.amazonaws.ecs.capability.ecr-auth"}},
		{name: "ECR with an execution role", doc: tdDoc(`"executionRoleArn": `+role, `{"name": "web", "memory": 512, `+ecr+`}`),
			want: []string{"com.amazonaws.ecs.capability.ecr-auth", "ecs.capability.execution-role-ecr-pull"}},
		{name: "ECR Public", doc: tdDoc("", `{"name": "web", "memory": 512, "image": "public.ecr.aws/nginx/nginx:1.25"}`), want: nil},
		// EFS: efs, and efsAuth with transit encryption or authorization.
		{name: "EFS", doc: tdDoc(`"volumes": [{"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}, {"name": "b", "host": {}}]`),
			want: []string{"ecs.capability.efs"}},
		{name: "EFS with transit encryption", doc: tdDoc(`"volumes": [{"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}}]`),
			want: []string{"ecs.capability.efs", "ecs.capability.efsAuth"}},
		// awsvpc: task-eni.
		{name: "awsvpc", doc: tdDoc(`"networkMode": "awsvpc"`), want: []string{"ecs.capability.task-eni"}},
		// healthCheck: container-health-check.
		{name: "health check", doc: tdDoc("", `{"name": "web", "memory": 512, "healthCheck": {"command": ["CMD", "true"]}}`),
			want: []string{"ecs.capability.container-health-check"}},
		// linuxParameters.initProcessEnabled: Docker Remote API 1.25.
		{name: "init process", doc: tdDoc("", `{"name": "web", "memory": 512, "linuxParameters": {"initProcessEnabled": true}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.25"}},
		{name: "init process disabled", doc: tdDoc("", `{"name": "web", "memory": 512, "linuxParameters": {"initProcessEnabled": false}}`), want: nil},
		// A describe-task-definition output carries what ECS derived: it is
		// read as printed, not derived again.
		{name: "describe output as printed", doc: `{"taskDefinition": {"family": "web", "containerDefinitions": [{"name": "web", "memoryReservation": 256}], "requiresAttributes": [{"name": "x"}]}}`,
			want: []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td, err := ReadTaskDefinition(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatalf("ReadTaskDefinition(%s) = %v", tt.doc, err)
			}
			if diff := cmp.Diff(tt.want, attributeNames(td.RequiresAttributes)); diff != "" {
				t.Errorf("ReadTaskDefinition(%s).RequiresAttributes mismatch (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

// TestDerivedAttributesPublished checks the derivation against what ECS
// printed for a registered input: the AWS CLI's register-task-definition
// example (aws-cli, awscli/examples/ecs/register-task-definition.rst,
// sleep360.json and its output).
func TestDerivedAttributesPublished(t *testing.T) {
	read := func(name string) *placement.TaskDefinition {
		t.Helper()
		f, err := os.Open(filepath.Join("testdata", "published", name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		td, err := ReadTaskDefinition(f)
		if err != nil {
			t.Fatalf("ReadTaskDefinition(%s) = %v", name, err)
		}
		return td
	}
	in, out := read("sleep360-input.json"), read("sleep360-output.json")
	if diff := cmp.Diff(attributeNames(out.RequiresAttributes), attributeNames(in.RequiresAttributes)); diff != "" {
		t.Errorf("derived requiresAttributes of sleep360-input.json differ from the published output (-want +got):\n%s", diff)
	}
	// The AWS Modern Application Workshop (aws-samples), module 2, prints
	// what RegisterTaskDefinition returned in 2018 for its Fargate
	// service: an awsvpc definition with task and execution roles, an ECR
	// image and awslogs (mythicalmysfits-input.json is that definition as
	// registered). berth derives every attribute of that output but
	// docker-remote-api.1.18, whose rule the published outputs do not
	// settle (a 2026 output of a definition with the same roles, image
	// and log driver lacks it). What berth derives must all be there: an
	// attribute ECS does not require would keep tasks off agents that can
	// run them.
	mm := read("mythicalmysfits-input.json")
	published := []string{
		"com.amazonaws.ecs.capability.docker-remote-api.1.18",
		"com.amazonaws.ecs.capability.docker-remote-api.1.19",
		"com.amazonaws.ecs.capability.ecr-auth",
		"com.amazonaws.ecs.capability.logging-driver.awslogs",
		"com.amazonaws.ecs.capability.task-iam-role",
		"ecs.capability.execution-role-awslogs",
		"ecs.capability.execution-role-ecr-pull",
		"ecs.capability.task-eni",
	}
	got := attributeNames(mm.RequiresAttributes)
	for _, name := range got {
		if !slices.Contains(published, name) {
			t.Errorf("mythicalmysfits-input.json: derived %s, which the published output does not require", name)
		}
	}
	if len(got) != len(published)-1 {
		t.Errorf("mythicalmysfits-input.json: derived %d attributes %v, want the published %d less docker-remote-api.1.18", len(got), got, len(published))
	}
	// Its compatibilities are EC2 and FARGATE, registered for FARGATE.
	if err := mm.Supports(placement.LaunchTypeEC2); err != nil {
		t.Errorf("mythicalmysfits-input.json: %v, want EC2 supported (published compatibilities EC2, FARGATE)", err)
	}
}

// TestDerivedAttributesPlacement checks the derived attributes at placement:
// a FireLens task definition on an agent without
// ecs.capability.firelens.fluentbit fails with ATTRIBUTE.
func TestDerivedAttributesPlacement(t *testing.T) {
	doc := tdDoc("", `{"name": "log-router", "memory": 64, "firelensConfiguration": {"type": "fluentbit"}}`,
		`{"name": "app", "memory": 512, "logConfiguration": {"logDriver": "awsfirelens"}}`)
	td, err := ReadTaskDefinition(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	agent := []placement.Attribute{{Name: "com.amazonaws.ecs.capability.logging-driver.awsfirelens"}}
	tests := []struct {
		name  string
		attrs []placement.Attribute
		want  placement.Reason
	}{
		{name: "agent without firelens.fluentbit", attrs: agent, want: placement.ReasonAttribute},
		{name: "agent with firelens.fluentbit", attrs: append(agent[:1:1], placement.Attribute{Name: "ecs.capability.firelens.fluentbit"}), want: placement.ReasonNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := placement.NewCluster()
			c.AddInstance(&placement.Instance{ARN: "i-1", Status: placement.StatusActive, AgentConnected: true,
				Attributes: tt.attrs, Remaining: placement.Capacity{CPU: 2048, MemoryMiB: 4096}})
			var res placement.Result
			if err := c.Place(td.Request(1, "", nil, nil), rand.New(rand.NewPCG(1, 2)), &res); err != nil {
				t.Fatal(err)
			}
			got := placement.ReasonNone
			if len(res.Unplaced) > 0 {
				got = res.Unplaced[0].Reason
			}
			if got != tt.want {
				t.Errorf("Place(FireLens task) on %v: reason %v, want %v", tt.attrs, got, tt.want)
			}
		})
	}
}

// The fields read for requiresAttributes are checked, each error naming
// the JSON path, the value and what was expected.
func TestReadTaskDefinitionUsageErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"log driver", tdDoc("", `{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "loki"}}`),
			`ecsjson: containerDefinitions[0].logConfiguration.logDriver: expected one of json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens, found "loki"`},
		{"no log driver", tdDoc("", `{"name": "web", "memory": 512, "logConfiguration": {"options": {}}}`),
			`ecsjson: containerDefinitions[0].logConfiguration.logDriver: missing`},
		{"FireLens type", tdDoc("", `{"name": "web", "memory": 512, "firelensConfiguration": {"type": "vector"}}`),
			`ecsjson: containerDefinitions[0].firelensConfiguration.type: expected one of fluentd, fluentbit, found "vector"`},
		{"secret without valueFrom", tdDoc("", `{"name": "web", "memory": 512, "secrets": [{"name": "A"}]}`),
			`ecsjson: containerDefinitions[0].secrets[0].valueFrom: missing`},
		{"transitEncryption", tdDoc(`"volumes": [{"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "yes"}}]`),
			`ecsjson: volumes[0].efsVolumeConfiguration.transitEncryption: expected one of ENABLED, DISABLED, found "yes"`},
		{"initProcessEnabled", tdDoc("", `{"name": "web", "memory": 512, "linuxParameters": {"initProcessEnabled": "yes"}}`),
			`ecsjson: containerDefinitions[0].linuxParameters.initProcessEnabled: expected true or false, found "yes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTaskDefinition(strings.NewReader(tt.doc))
			if err == nil || err.Error() != tt.want {
				t.Errorf("ReadTaskDefinition(%s) error = %v, want %s", tt.doc, err, tt.want)
			}
		})
	}
}
