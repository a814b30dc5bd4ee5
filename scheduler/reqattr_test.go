package scheduler

import (
	"strings"
	"testing"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/placement"
)

// The scheduler places a service's tasks only where the instance has the
// requiresAttributes ECS derives on RegisterTaskDefinition: a FireLens task
// definition on agents without ecs.capability.firelens.fluentbit starts
// nothing and says an attribute is missing (ATTRIBUTE).
func TestServiceDerivedAttributes(t *testing.T) {
	const doc = `{"family": "logged", "containerDefinitions": [
		{"name": "log-router", "memory": 64, "firelensConfiguration": {"type": "fluentbit"}},
		{"name": "app", "cpu": 128, "memory": 256, "logConfiguration": {"logDriver": "awsfirelens"}}]}`
	td, err := ecsjson.ReadTaskDefinition(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		attrs      []placement.Attribute
		wantStarts int
	}{
		{name: "agents without FireLens", attrs: []placement.Attribute{{Name: "com.amazonaws.ecs.capability.logging-driver.awsfirelens"}}},
		{name: "agents with FireLens", attrs: []placement.Attribute{{Name: "com.amazonaws.ecs.capability.logging-driver.awsfirelens"}, {Name: "ecs.capability.firelens.fluentbit"}, {Name: "com.amazonaws.ecs.capability.docker-remote-api.1.29"}}, wantStarts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := placement.NewCluster()
			for i := range 3 {
				in := newInstance(i, 2048, 4096)
				in.Attributes = append(in.Attributes, tt.attrs...)
				if err := c.AddInstance(in); err != nil {
					t.Fatal(err)
				}
			}
			d := newDriver(t, replicaService(2, td), c)
			p := d.reconcile()
			if len(p.Starts) != tt.wantStarts {
				t.Errorf("Reconcile started %d tasks, want %d (events %q)", len(p.Starts), tt.wantStarts, messages(p))
			}
			if missing := hasMessage(p, "is missing an attribute required by your task."); missing != (tt.wantStarts == 0) {
				t.Errorf("Reconcile events %q: missing-attribute message %v, want %v", messages(p), missing, tt.wantStarts == 0)
			}
		})
	}
}
