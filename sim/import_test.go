package sim

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
)

// The imported scenario of ecsimport's test dump, and the dump itself,
// read independently of the import by package ecsjson.
const importDir = "../ecsimport/testdata"

func readImported(t *testing.T) *scenario.Scenario {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(importDir, "imported.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.ReadScenario(bytes.NewReader(b), "imported.json")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// readDump merges the dump's describe-container-instances and
// describe-tasks outputs into one snapshot, and reads its services'
// desired counts.
func readDump(t *testing.T) (*ecsjson.Snapshot, map[string]int) {
	t.Helper()
	var instances, tasks []json.RawMessage
	desired := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(importDir, "dump", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ContainerInstances []json.RawMessage `json:"containerInstances"`
			Tasks              []json.RawMessage `json:"tasks"`
			Services           []struct {
				ServiceName  string `json:"serviceName"`
				DesiredCount int    `json:"desiredCount"`
			} `json:"services"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		instances, tasks = append(instances, doc.ContainerInstances...), append(tasks, doc.Tasks...)
		for _, s := range doc.Services {
			desired[s.ServiceName] = s.DesiredCount
		}
	}
	b, _ := json.Marshal(map[string]any{"containerInstances": instances, "tasks": tasks})
	snap, err := ecsjson.ReadSnapshot(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return snap, desired
}

// TestImportedStartsAsDumped: at time 0 the simulated cluster is the
// dumped one: the same instances (ids, EC2 ids, attributes, registered
// and remaining resources), the same tasks on the same instances, the
// same desired counts, at the dump's start time; and nothing is started
// or stopped while nothing changes.
func TestImportedStartsAsDumped(t *testing.T) {
	sc := readImported(t)
	snap, desired := readDump(t)
	if got, want := sc.StartTime(), time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("StartTime() = %v, want %v", got, want)
	}
	s, err := newSimulator(sc, scenario.Variant{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.wall(), sc.StartTime(); !got.Equal(want) {
		t.Errorf("wall() at 0 = %v, want %v", got, want)
	}
	live := 0
	for _, in := range s.fleet.cluster.Instances() {
		if s.providers.instanceProvider(in) != scenario.ProviderFargateSpot {
			live++
		}
	}
	if live != len(snap.ContainerInstances) {
		t.Errorf("%d instances, want the dump's %d", live, len(snap.ContainerInstances))
	}
	for _, ci := range snap.ContainerInstances {
		in := s.fleet.byID[ci.ARN]
		if in == nil {
			t.Errorf("instance %s of the dump is not in the run", ci.ARN)
			continue
		}
		if in.ARN != ci.ARN || in.EC2InstanceID != ci.InstanceID || in.AgentVersion != ci.VersionInfo.AgentVersion || in.Status != placement.StatusActive {
			t.Errorf("instance %s: ARN %s, EC2 %s, agent %s, status %s; want %s, %s, %s, ACTIVE", ci.ARN, in.ARN, in.EC2InstanceID, in.AgentVersion, in.Status, ci.ARN, ci.InstanceID, ci.VersionInfo.AgentVersion)
		}
		for _, a := range ci.Attributes {
			if v, ok := in.Attribute(a.Name); !ok || v != a.Value {
				t.Errorf("instance %s: attribute %s = %q, %v; want %q", ci.ARN, a.Name, v, ok, a.Value)
			}
		}
		if got, want := [2]int64{in.Registered.CPU, in.Registered.MemoryMiB}, [2]int64{int64(ci.RegisteredResources.CPU), int64(ci.RegisteredResources.MemoryMiB)}; got != want {
			t.Errorf("instance %s: registered cpu, memory %v, want %v", ci.ARN, got, want)
		}
		if got, want := [2]int64{in.Remaining.CPU, in.Remaining.MemoryMiB}, [2]int64{int64(ci.RemainingResources.CPU), int64(ci.RemainingResources.MemoryMiB)}; got != want {
			t.Errorf("instance %s: remaining cpu, memory %v, want the dump's %v", ci.ARN, got, want)
		}
		if int(in.RunningTasksCount) != ci.RunningCount {
			t.Errorf("instance %s: %d running tasks, want %d", ci.ARN, in.RunningTasksCount, ci.RunningCount)
		}
	}
	for _, tk := range snap.Tasks {
		rt := s.services.byRun[tk.ARN]
		switch {
		case rt == nil:
			t.Errorf("task %s of the dump is not in the run", tk.ARN)
		case tk.ContainerInstanceARN == "" && s.providers.instanceProvider(rt.inst) != scenario.ProviderFargateSpot:
			t.Errorf("task %s: on %s, want FARGATE_SPOT capacity", tk.ARN, rt.inst.ARN)
		case tk.ContainerInstanceARN != "" && rt.inst.ARN != tk.ContainerInstanceARN:
			t.Errorf("task %s: on %s, want %s", tk.ARN, rt.inst.ARN, tk.ContainerInstanceARN)
		case "service:"+rt.svc.spec.Name != tk.Group:
			t.Errorf("task %s: service %s, want group %s", tk.ARN, rt.svc.spec.Name, tk.Group)
		}
	}
	if len(s.services.byRun) != len(snap.Tasks) {
		t.Errorf("%d tasks, want the dump's %d", len(s.services.byRun), len(snap.Tasks))
	}
	for _, st := range s.services.svcs {
		if got, want := st.desired(), desired[st.spec.Name]; got != want {
			t.Errorf("service %s: desired %d at 0, want the dump's %d", st.spec.Name, got, want)
		}
	}
	// Ten seconds on, the services have been reconciled and are steady:
	// nothing started or stopped.
	s.eng.Run(10 * time.Second)
	if s.err != nil {
		t.Fatal(s.err)
	}
	for _, st := range s.services.svcs {
		if st.started != 0 || st.stoppedN != 0 || len(st.tasks) != desired[st.spec.Name] {
			t.Errorf("service %s at 10s: %d started, %d stopped, %d tasks; want 0, 0, %d", st.spec.Name, st.started, st.stoppedN, len(st.tasks), desired[st.spec.Name])
		}
	}
}

// TestImportedFollowsMetrics runs the imported day: the desired counts
// follow the dumped metrics as the dumped policies say. The expected
// counts are computed by hand from gendump.ServiceUtilization (CPU or
// memory percent measured with the dump's N tasks; a service's use is
// that times N times its task's reservation):
//
//   - web (12 tasks, target tracking CPU 50, min 6 at night, 12 from 08:00
//     to 20:00): 40% -> ceil(12x40/50) = 10 after 15 low minutes (06:00);
//     55% from 08:00, min 12 -> ceil(12x55/50) = 14 (09:00); 70% from
//     10:00 -> 70x12/14 = 60% on 14 tasks, ceil(14x60/50) = 17 (12:00);
//     40% from 14:00 -> ceil(17x28.2/50) = 10, held at min 12 (16:00);
//     min 6 from 20:00 -> 10 (23:00).
//   - api (8 tasks, step +2 above 70% for 3 minutes, -1 below 25% for
//     10): 50% -> 8 (06:00); 90% from 09:00 -> 72% on 10, 60% on 12
//     (11:00); 15% from 12:00 -> 15x8/n < 25 down to n = 4 (min 4, 30%
//     there) (23:00).
//   - worker (6 tasks, target tracking memory 60): 28% -> ceil(6x28/60) =
//     3 (03:00); 85% from 06:00 -> 170% on 3, ceil(3x170/60) = 9
//     (12:00); 28% from 18:00 -> 18.7% on 9, ceil(9x18.7/60) = 3 (23:00).
//   - batch-spot (4 tasks, target tracking CPU 60): 42% -> ceil(4x42/60) =
//     3 (06:00); 87% from 12:00 -> 116% on 3, ceil(3x116/60) = 6 (18:00).
//   - cache (no scaling) 3.
//
// (The timeline's first sample is at 5m; TestImportedStartsAsDumped
// checks time 0.)
func TestImportedFollowsMetrics(t *testing.T) {
	sc := readImported(t)
	r, err := Simulate(sc, scenario.Variant{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[int]int{
		"web":        {6: 10, 9: 14, 12: 17, 16: 12, 23: 10},
		"api":        {6: 8, 11: 12, 23: 4},
		"worker":     {3: 3, 12: 9, 23: 3},
		"batch-spot": {6: 3, 18: 6},
		"cache":      {12: 3, 23: 3},
	}
	got := map[string]map[int]int{}
	for _, p := range r.Services {
		if p.Time%time.Hour != 0 {
			continue
		}
		h := int(p.Time / time.Hour)
		if _, ok := want[p.Service][h]; ok {
			if got[p.Service] == nil {
				got[p.Service] = map[int]int{}
			}
			got[p.Service][h] = p.Desired
		}
	}
	for svc, hours := range want {
		for h, n := range hours {
			if got[svc][h] != n {
				t.Errorf("service %s at %02d:00: desired %d, want %d", svc, h, got[svc][h], n)
			}
		}
	}
}

const initialScenario = `{
  "duration": "10m",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680}],
    "instances": [
      {"id": "a", "ec2InstanceId": "i-0aaa", "type": "m5.large", "zone": "us-east-1a", "attributes": {"stack": "prod"}},
      {"id": "b", "type": "m5.large", "zone": "us-east-1a", "status": "DRAINING"}
    ]
  },
  "services": [{"name": "web", "desiredCount": 2, "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024},
    "tasks": [{"id": "t1", "instance": "a"}, {"id": "t2", "instance": "b"}]}]
}`

// TestInitialTasks: explicit instances carry exactly their attributes
// (and berth's zone and type), a DRAINING one included; the initial tasks
// reserve what they need there; the scheduler replaces the task on the
// DRAINING instance, as ECS does, and nothing else.
func TestInitialTasks(t *testing.T) {
	sc, err := scenario.ReadScenario(strings.NewReader(initialScenario), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSimulator(sc, scenario.Variant{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	a, b := s.fleet.byID["a"], s.fleet.byID["b"]
	var names []string
	for _, at := range a.Attributes {
		names = append(names, at.Name+"="+at.Value)
	}
	if diff := cmp.Diff([]string{"ecs.availability-zone=us-east-1a", "ecs.instance-type=m5.large", "stack=prod"}, names); diff != "" {
		t.Errorf("instance a's attributes (-want +got):\n%s", diff)
	}
	if a.EC2InstanceID != "i-0aaa" || b.Status != placement.StatusDraining || a.Remaining.CPU != 2048-512 || b.Remaining.MemoryMiB != 7680-1024 {
		t.Errorf("a: %s, remaining cpu %d; b: %s, remaining memory %d; want i-0aaa, 1536, DRAINING, 6656", a.EC2InstanceID, a.Remaining.CPU, b.Status, b.Remaining.MemoryMiB)
	}
	s.eng.Run(5 * time.Minute)
	st := s.services.byName["web"]
	if s.err != nil || st.started != 1 || st.stoppedN != 1 || s.services.byRun["t2"] != nil || s.services.byRun["t1"] == nil {
		t.Errorf("after 5m: error %v, %d started, %d stopped, t1 %v, t2 %v; want t2 (on the DRAINING instance) replaced", s.err, st.started, st.stoppedN, s.services.byRun["t1"] != nil, s.services.byRun["t2"] != nil)
	}
}

func TestInitialTaskDoesNotFit(t *testing.T) {
	doc := strings.Replace(initialScenario, `"cpu": 512, "memory": 1024`, `"cpu": 512, "memory": 7000`, 1)
	doc = strings.Replace(doc, `{"id": "t2", "instance": "b"}`, `{"id": "t2", "instance": "a"}`, 1)
	sc, err := scenario.ReadScenario(strings.NewReader(doc), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Simulate(sc, scenario.Variant{}, Options{})
	want := `sim: services[0].tasks[1]: "t2" does not fit on instance arn:aws:ecs:sim:000000000000:container-instance/sim/a: memory 7000 MiB needed, 680 remaining`
	if err == nil || err.Error() != want {
		t.Errorf("Simulate: %v, want %s", err, want)
	}
}
