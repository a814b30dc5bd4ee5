package ecsjson

import (
	"encoding/json"
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
		// The Docker Remote API versions follow docs/ecs-behaviour.md 2.11:
		// the guide's per-parameter versions where published outputs agree
		// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html),
		// the outputs where they do not.
		// memoryReservation: docker-remote-api.1.21.
		{name: "memoryReservation", doc: tdDoc("", `{"name": "web", "memoryReservation": 256}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.21"}},
		// awslogs: its logging driver and Docker Remote API 1.19; with an
		// execution role, execution-role-awslogs.
		{name: "awslogs with an execution role", doc: tdDoc(`"executionRoleArn": `+role,
			`{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.19", "com.amazonaws.ecs.capability.logging-driver.awslogs", "ecs.capability.execution-role-awslogs"}},
		// Another log driver: its logging driver, and no Docker Remote API
		// 1.18 (the guide says 1.18; published outputs of bridge
		// definitions with a log driver carry none); secretOptions from
		// SSM: secrets.ssm.bootstrap.log-driver.
		{name: "splunk with secret options", doc: tdDoc("",
			`{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "splunk", "secretOptions": [{"name": "splunk-token", "valueFrom": `+ssm+`}]}}`),
			want: []string{"com.amazonaws.ecs.capability.logging-driver.splunk", "ecs.capability.secrets.ssm.bootstrap.log-driver"}},
		// logConfiguration.options: Docker Remote API 1.19, whatever the
		// driver; empty options add nothing.
		{name: "log options", doc: tdDoc("", `{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "10m"}}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.19", "com.amazonaws.ecs.capability.logging-driver.json-file"}},
		{name: "empty log options", doc: tdDoc("", `{"name": "web", "memory": 512, "logConfiguration": {"logDriver": "json-file", "options": {}}}`),
			want: []string{"com.amazonaws.ecs.capability.logging-driver.json-file"}},
		// ulimits and dockerLabels: Docker Remote API 1.18 (guide); an
		// empty list, as the console writes one, adds nothing.
		{name: "ulimits", doc: tdDoc("", `{"name": "web", "memory": 512, "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}]}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.18"}},
		{name: "empty ulimits", doc: tdDoc("", `{"name": "web", "memory": 512, "ulimits": []}`), want: nil},
		{name: "dockerLabels", doc: tdDoc("", `{"name": "web", "memory": 512, "dockerLabels": {"team": "web"}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.18"}},
		// extraHosts in host mode: Docker Remote API 1.24 (amazon-ecs-agent
		// issue 620); in bridge mode nothing.
		{name: "extraHosts in host mode", doc: tdDoc(`"networkMode": "host"`, `{"name": "web", "memory": 512, "extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}]}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.24"}},
		{name: "extraHosts in bridge mode", doc: tdDoc("", `{"name": "web", "memory": 512, "extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}]}`), want: nil},
		// pidMode or ipcMode: pid-ipc-namespace-sharing and Docker Remote
		// API 1.17 and 1.18; privileged: privileged-container.
		{name: "pidMode", doc: tdDoc(`"pidMode": "task"`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.17", "com.amazonaws.ecs.capability.docker-remote-api.1.18", "ecs.capability.pid-ipc-namespace-sharing"}},
		{name: "privileged", doc: tdDoc("", `{"name": "web", "memory": 512, "privileged": true}`),
			want: []string{"com.amazonaws.ecs.capability.privileged-container"}},
		// FireLens: firelens.<type>, the awsfirelens logging driver of the
		// containers that use it, and the external config's source.
		{name: "FireLens fluentbit", doc: tdDoc("",
			`{"name": "log-router", "memory": 64, "firelensConfiguration": {"type": "fluentbit", "options": {"config-file-type": "s3", "config-file-value": "arn:aws:s3:::b/extra.conf"}}}`,
			`{"name": "app", "memory": 512, "logConfiguration": {"logDriver": "awsfirelens"}}`),
			want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.29", "com.amazonaws.ecs.capability.logging-driver.awsfirelens", "ecs.capability.firelens.fluentbit", "ecs.capability.firelens.options.config.s3"}},
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
		// awsvpc: task-eni and Docker Remote API 1.18 and 1.29.
		{name: "awsvpc", doc: tdDoc(`"networkMode": "awsvpc"`), want: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.18", "com.amazonaws.ecs.capability.docker-remote-api.1.29", "ecs.capability.task-eni"}},
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

// registeredInput turns a published describe-task-definition output into
// the RegisterTaskDefinition input it came from, by dropping what ECS adds
// on registering (the fields RegisterTaskDefinition does not take).
func registeredInput(t *testing.T, output []byte) (input string, requires []string, compat []placement.LaunchType) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(output, &doc); err != nil {
		t.Fatal(err)
	}
	if inner, ok := doc["taskDefinition"].(map[string]any); ok {
		doc = inner
	}
	attrs, _ := doc["requiresAttributes"].([]any) // absent when ECS derived nothing
	for _, a := range attrs {
		requires = append(requires, a.(map[string]any)["name"].(string))
	}
	compats, _ := doc["compatibilities"].([]any)
	for _, c := range compats {
		if c != "MANAGED_INSTANCES" { // berth has no managed instances (docs/ecs-behaviour.md 2.12)
			compat = append(compat, placement.LaunchType(c.(string)))
		}
	}
	for _, k := range []string{"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy", "deregisteredAt", "enableFaultInjection"} {
		delete(doc, k)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), requires, compat
}

// TestDerivedFromPublished checks the derivation against what ECS printed
// for registered definitions (testdata/published/README.md says where each
// output comes from): each output, less what ECS adds, is read as a
// RegisterTaskDefinition input, and must derive the published
// requiresAttributes (less those docs/ecs-behaviour.md 2.11 says berth
// does not derive) and compatibilities (2.12).
func TestDerivedFromPublished(t *testing.T) {
	tests := []struct {
		file, reason string
		// notDerived are published attributes berth does not derive.
		notDerived []string
	}{
		{file: "sleep360-output.json", reason: "AWS CLI example: nothing to derive; compatible with EXTERNAL and EC2"},
		{file: "blog-frontend-2026.json", reason: "awsvpc, awslogs with options, execution role, ECR image: 1.18, 1.19 and 1.29; FARGATE and EC2, not EXTERNAL (awsvpc)"},
		{file: "cortex-xdr-2026.json", reason: "host mode, registered for EC2, privileged, pidMode and ipcMode: 1.17 and 1.18; compatible with EXTERNAL"},
		{file: "wiki-2024.json", reason: "bridge, registered for EC2, awslogs and FireLens with options, memoryReservation: 1.19, 1.21 and 1.29 but no 1.18; compatible with EXTERNAL",
			notDerived: []string{"com.amazonaws.ecs.capability.docker-remote-api.1.17"}},
		{file: "ecsorbtest1.json", reason: "awsvpc with pidMode and ipcMode, no requiresCompatibilities: EC2 alone; App Mesh and dependsOn are not read",
			notDerived: []string{"ecs.capability.aws-appmesh", "ecs.capability.container-ordering"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			output, err := os.ReadFile(filepath.Join("testdata", "published", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			input, published, compat := registeredInput(t, output)
			td, err := ReadTaskDefinition(strings.NewReader(input))
			if err != nil {
				t.Fatalf("ReadTaskDefinition(%s as an input) = %v", tt.file, err)
			}
			var want []string
			for _, name := range published {
				if !slices.Contains(tt.notDerived, name) {
					want = append(want, name)
				}
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, attributeNames(td.RequiresAttributes)); diff != "" {
				t.Errorf("%s (%s): derived requiresAttributes differ from the published ones (-want +got):\n%s", tt.file, tt.reason, diff)
			}
			slices.Sort(compat)
			got := slices.Clone(td.LaunchTypes())
			slices.Sort(got)
			if diff := cmp.Diff(compat, got); diff != "" {
				t.Errorf("%s (%s): derived compatibilities differ from the published ones (-want +got):\n%s", tt.file, tt.reason, diff)
			}
		})
	}
}

// TestDerivedAttributesPublished2018 checks the derivation against the
// AWS Modern Application Workshop's output of 2018 (aws-samples, module
// 2; mythicalmysfits-input.json is the definition as registered): berth
// derives all of it and docker-remote-api.1.29, which ECS added for awsvpc
// definitions from 2019 on (docs/ecs-behaviour.md 2.11).
func TestDerivedAttributesPublished2018(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "published", "mythicalmysfits-input.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mm, err := ReadTaskDefinition(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"com.amazonaws.ecs.capability.docker-remote-api.1.18",
		"com.amazonaws.ecs.capability.docker-remote-api.1.19",
		"com.amazonaws.ecs.capability.docker-remote-api.1.29", // not in 2018's output
		"com.amazonaws.ecs.capability.ecr-auth",
		"com.amazonaws.ecs.capability.logging-driver.awslogs",
		"com.amazonaws.ecs.capability.task-iam-role",
		"ecs.capability.execution-role-awslogs",
		"ecs.capability.execution-role-ecr-pull",
		"ecs.capability.task-eni",
	}
	if diff := cmp.Diff(want, attributeNames(mm.RequiresAttributes)); diff != "" {
		t.Errorf("mythicalmysfits-input.json: derived requiresAttributes (-want +got):\n%s", diff)
	}
	// Its published compatibilities are EC2 and FARGATE.
	if diff := cmp.Diff([]placement.LaunchType{"EC2", "FARGATE"}, mm.LaunchTypes()); diff != "" {
		t.Errorf("mythicalmysfits-input.json: LaunchTypes (-want +got):\n%s", diff)
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
		{name: "agent with firelens.fluentbit", attrs: append(agent[:1:1], placement.Attribute{Name: "ecs.capability.firelens.fluentbit"}, placement.Attribute{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.29"}), want: placement.ReasonNone},
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
