package scenario

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// initialBase is a scenario with explicit instances, a capacity provider
// and a service with initial tasks; the tests below break it one way at a
// time.
const initialBase = `{
  "duration": "1h", "start": "2025-03-10T06:00:00Z",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680}],
    "instances": [
      {"id": "arn:aws:ecs:us-east-1:1:container-instance/prod/a", "type": "m5.large", "zone": "us-east-1a", "capacityProvider": "cp",
       "attributes": {"ecs.instance-type": "m5.large", "stack": "prod", "ecs.capability.task-eni": ""}},
      {"id": "b", "type": "m5.large", "zone": "us-east-1b", "status": "DRAINING"}
    ]
  },
  "capacityProviders": [{"name": "cp", "instanceTypes": ["m5.large"], "zones": ["us-east-1a"], "maxSize": 4}],
  "services": [{"name": "web", "desiredCount": 2, "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024},
    "usage": {"series": {"every": "1m", "cpu": [100, 200]}},
    "tasks": [{"id": "t1", "instance": "arn:aws:ecs:us-east-1:1:container-instance/prod/a"}, {"id": "t2", "instance": "b"}]}]
}`

func TestInitialFields(t *testing.T) {
	sc, err := ReadScenario(strings.NewReader(initialBase), "base.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sc.StartTime(), time.Date(2025, 3, 10, 6, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("StartTime() = %v, want %v", got, want)
	}
	want := []InitialTaskSpec{{ID: "t1", Instance: "arn:aws:ecs:us-east-1:1:container-instance/prod/a"}, {ID: "t2", Instance: "b"}}
	if diff := cmp.Diff(want, sc.Services[0].Tasks); diff != "" {
		t.Errorf("services[0].tasks (-want +got):\n%s", diff)
	}
	if (&Scenario{}).StartTime() != Epoch {
		t.Errorf("a scenario without start does not start at Epoch")
	}
	s := sc.Services[0].Usage.Series
	for _, tt := range []struct {
		at   time.Duration
		want float64
	}{{0, 100}, {59 * time.Second, 100}, {time.Minute, 200}, {time.Hour, 200}} {
		if got, _ := s.At(tt.at, s.CPU); got != tt.want {
			t.Errorf("series.At(%v) = %g, want %g", tt.at, got, tt.want)
		}
	}
}

func TestInitialErrors(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"unknown type", `"type": "m5.large", "zone": "us-east-1b"`, `"type": "m9.large", "zone": "us-east-1b"`,
			`sim: x.json: fleet.instances[1].type: "m9.large" is not one of fleet.instanceTypes`},
		{"duplicate id", `{"id": "b"`, `{"id": "arn:aws:ecs:us-east-1:1:container-instance/prod/a"`,
			`sim: x.json: fleet.instances[1].id: "arn:aws:ecs:us-east-1:1:container-instance/prod/a" is listed twice, expected each instance once`},
		{"bad status", `"status": "DRAINING"`, `"status": "INACTIVE"`, `sim: x.json: fleet.instances[1].status: "INACTIVE", expected ACTIVE or DRAINING`},
		{"unknown provider", `"capacityProvider": "cp"`, `"capacityProvider": "cp2"`, `sim: x.json: fleet.instances[0].capacityProvider: "cp2" is not one of capacityProviders`},
		{"type attribute differs", `"ecs.instance-type": "m5.large"`, `"ecs.instance-type": "c5.large"`,
			`sim: x.json: fleet.instances[0].attributes.ecs.instance-type: "c5.large", expected "m5.large" as the instance's type`},
		{"task on an unknown instance", `{"id": "t2", "instance": "b"}`, `{"id": "t2", "instance": "c"}`,
			`sim: x.json: services[0].tasks[1].instance: "c" is not one of fleet.instances`},
		{"task without instance", `{"id": "t2", "instance": "b"}`, `{"id": "t2"}`,
			`sim: x.json: services[0].tasks[1].instance: missing: expected the id of one of fleet.instances`},
		{"task twice", `{"id": "t2", "instance": "b"}`, `{"id": "t1", "instance": "b"}`,
			`sim: x.json: services[0].tasks[1].id: "t1" is listed twice, expected each task once`},
		{"negative series value", `"cpu": [100, 200]`, `"cpu": [100, -2]`, `sim: x.json: services[0].usage.series.cpu[1]: -2, expected a non-negative number`},
		{"series without period", `"every": "1m", `, ``, `sim: x.json: services[0].usage.series.every: 0s, expected a positive duration such as "1m"`},
		{"malformed start", `"start": "2025-03-10T06:00:00Z"`, `"start": "Monday"`, `sim: x.json:2:21: start: "Monday", expected an RFC 3339 time such as "2025-03-10T00:00:00Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(initialBase, tt.old, tt.new, 1)
			if doc == initialBase {
				t.Fatalf("the base lacks %q", tt.old)
			}
			_, err := ReadScenario(strings.NewReader(doc), "x.json")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ReadScenario: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestSweepKeepsECSDocuments: a sweep of a scenario with ECS documents
// changes the document it was read from, so that they read again as
// ECS's (not in berth's form, which lacks what ecsjson derived).
func TestSweepKeepsECSDocuments(t *testing.T) {
	f, err := os.Open("testdata/ecs-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := ReadScenario(f, "ecs-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSweep("duration=2h")
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Apply(sc, "2h")
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(out.Duration) != 2*time.Hour {
		t.Errorf("duration %v, want 2h", time.Duration(out.Duration))
	}
	for i := range sc.Services {
		want, _ := sc.Services[i].TaskDefinition.TaskDefinition("want")
		got, _ := out.Services[i].TaskDefinition.TaskDefinition("got")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("services[%d].taskDefinition after the sweep (-want +got):\n%s", i, diff)
		}
	}
	// The same fields, in the sorted key order of the rewritten document.
	sorted := func(s []string) []string { return slices.Sorted(slices.Values(s)) }
	if diff := cmp.Diff(sorted(sc.NotModelled()), sorted(out.NotModelled())); diff != "" {
		t.Errorf("NotModelled after the sweep (-want +got):\n%s", diff)
	}
}
