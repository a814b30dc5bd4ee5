package sim

import (
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/placement"
)

// reqAttrScenario is a small scenario: one pool of typ (a JSON object's
// fields spliced after name, cpu and memory) with pool's fields spliced
// after its zones, and one mix entry.
func reqAttrScenario(typ, pool, mix string) string {
	return `{
  "name": "reqattr", "seed": 5, "duration": "1h",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680` + typ + `}],
    "pools": [{"type": "m5.large", "zones": {"us-east-1a": 2}` + pool + `}]
  },
  "workload": {"generator": {"ratePerHour": 20, "mix": [` + mix + `]}}
}`
}

func mixWith(fields string) string {
	return `{"name": "app", "weight": 1, "duration": {"kind": "constant", "median": "5m"}` + fields + `}`
}

const fireLensContainers = `, "containers": [
  {"name": "log-router", "memory": 64, "firelensConfiguration": {"type": "fluentbit"}},
  {"name": "app", "cpu": 128, "memory": 256, "logConfiguration": {"logDriver": "awsfirelens"}}]`

// Simulated instances register the capability attributes of their agent
// release, and tasks require what ECS derives from their containers: a
// task whose requirement no instance meets is never placed, with
// ATTRIBUTE.
func TestRequiresAttributesInSim(t *testing.T) {
	tests := []struct {
		name, typ, pool, mix string
		wantAttribute        bool // every task fails with ATTRIBUTE; else every task is placed
	}{
		// FireLens needs ecs.capability.firelens.fluentbit, which agents
		// register from 1.30.0 on.
		{name: "FireLens on a current agent", mix: mixWith(fireLensContainers)},
		{name: "FireLens on agent 1.29.0 (pool)", pool: `, "agentVersion": "1.29.0"`, mix: mixWith(fireLensContainers), wantAttribute: true},
		{name: "FireLens on agent 1.29.0 (type)", typ: `, "agentVersion": "1.29.0"`, mix: mixWith(fireLensContainers), wantAttribute: true},
		{name: "the pool's agent overrides the type's", typ: `, "agentVersion": "1.29.0"`, pool: `, "agentVersion": "1.30.0"`, mix: mixWith(fireLensContainers)},
		// A health check needs ecs.capability.container-health-check, the
		// init process docker-remote-api.1.25, memoryReservation 1.21: every
		// recent agent registers them.
		{name: "health check, init process, memoryReservation", mix: mixWith(`, "containers": [{"name": "a", "memoryReservation": 64,
			"healthCheck": {"command": ["CMD", "true"]}, "linuxParameters": {"initProcessEnabled": true}}]`)},
		// docker-remote-api.1.26 is never registered by a recent agent.
		{name: "requiresAttributes docker-remote-api.1.26", mix: mixWith(`, "cpu": 128, "memory": 128,
			"requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.26"}]`), wantAttribute: true},
		{name: "requiresAttributes with a value the pool has", pool: `, "attributes": {"stack": "prod"}`,
			mix: mixWith(`, "cpu": 128, "memory": 128, "requiresAttributes": [{"name": "stack", "value": "prod"}]`)},
		{name: "requiresAttributes with a value the pool lacks", pool: `, "attributes": {"stack": "test"}`,
			mix: mixWith(`, "cpu": 128, "memory": 128, "requiresAttributes": [{"name": "stack", "value": "prod"}]`), wantAttribute: true},
		// CQL over the AMI's attributes works in the simulator.
		{name: "memberOf ecs.subnet-id", mix: mixWith(`, "cpu": 128, "memory": 128,
			"constraints": [{"type": "memberOf", "expression": "attribute:ecs.subnet-id =~ subnet-.* and attribute:ecs.vpc-id exists and attribute:ecs.ami-id exists"}]`)},
		{name: "memberOf a pool's own subnet", pool: `, "attributes": {"ecs.subnet-id": "subnet-0abc"}`, mix: mixWith(`, "cpu": 128, "memory": 128,
			"constraints": [{"type": "memberOf", "expression": "attribute:ecs.subnet-id == subnet-0abc"}]`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := scenario.ReadScenario(strings.NewReader(reqAttrScenario(tt.typ, tt.pool, tt.mix)), "reqattr.json")
			if err != nil {
				t.Fatal(err)
			}
			res, err := Simulate(sc, scenario.Variant{}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := res.Summary
			if s.Submitted == 0 {
				t.Fatal("no task submitted")
			}
			type outcome struct {
				Placed, NeverPlaced int
				ByReason            map[string]int
			}
			want := outcome{Placed: s.Submitted}
			if tt.wantAttribute {
				want = outcome{NeverPlaced: s.Submitted, ByReason: map[string]int{"ATTRIBUTE": s.Submitted}}
			}
			got := outcome{s.Placed, s.NeverPlaced, s.ByReason}
			if len(got.ByReason) == 0 {
				got.ByReason = nil
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Simulate(%s) (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

// A service's requiresAttributes reach its task definition, which the
// scheduler places.
func TestServiceRequiresAttributes(t *testing.T) {
	spec := scenario.TaskDefSpec{Family: "web", CPU: 256, MemoryMiB: 512,
		RequiresAttributes: []scenario.AttributeSpec{{Name: "ecs.capability.firelens.fluentbit"}, {Name: "stack", Value: "prod"}}}
	td, err := spec.TaskDefinition("services[0].taskDefinition")
	if err != nil {
		t.Fatal(err)
	}
	want := []placement.Attribute{{Name: "ecs.capability.firelens.fluentbit"}, {Name: "stack", Value: "prod"}}
	if diff := cmp.Diff(want, td.Request(1, "", nil, nil).RequiredAttributes); diff != "" {
		t.Errorf("taskDefinition(%+v).Request().RequiredAttributes (-want +got):\n%s", spec, diff)
	}
}

// The new scenario fields are checked at load, naming the field.
func TestRequiresAttributesValidation(t *testing.T) {
	tests := []struct {
		name, typ, pool, mix, want string
	}{
		{name: "type agentVersion", typ: `, "agentVersion": "latest"`, mix: mixWith(`, "cpu": 1, "memory": 1`),
			want: `sim: reqattr.json: fleet.instanceTypes[0].agentVersion: "latest", expected an ECS agent release such as "1.90.0"`},
		{name: "pool agentVersion", pool: `, "agentVersion": "1.2"`, mix: mixWith(`, "cpu": 1, "memory": 1`),
			want: `sim: reqattr.json: fleet.pools[0].agentVersion: "1.2", expected an ECS agent release such as "1.90.0"`},
		{name: "attribute name", mix: mixWith(`, "cpu": 1, "memory": 1, "requiresAttributes": [{"value": "x"}]`),
			want: `sim: reqattr.json: workload.generator.mix[0].requiresAttributes[0].name: missing`},
		{name: "log driver", mix: mixWith(`, "containers": [{"name": "a", "memory": 64, "logConfiguration": {"logDriver": "loki"}}]`),
			want: `sim: reqattr.json: workload.generator.mix[0].containers[0].logConfiguration.logDriver: "loki", expected one of json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens`},
		{name: "no log driver", mix: mixWith(`, "containers": [{"name": "a", "memory": 64, "logConfiguration": {}}]`),
			want: `sim: reqattr.json: workload.generator.mix[0].containers[0].logConfiguration.logDriver: missing`},
		{name: "FireLens type", mix: mixWith(`, "containers": [{"name": "a", "memory": 64, "firelensConfiguration": {"type": "vector"}}]`),
			want: `sim: reqattr.json: workload.generator.mix[0].containers[0].firelensConfiguration.type: "vector", expected one of fluentd, fluentbit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(reqAttrScenario(tt.typ, tt.pool, tt.mix)), "reqattr.json")
			if err == nil || err.Error() != tt.want {
				t.Errorf("ReadScenario error = %v, want %s", err, tt.want)
			}
		})
	}
}
