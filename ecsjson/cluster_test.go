package ecsjson

import (
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/berthsched/berth/placement"
)

const gpuSnapshot = `{
  "containerInstances": [{
    "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/g",
    "ec2InstanceId": "i-g", "status": "DRAINING", "agentConnected": false,
    "registeredAt": "2024-03-01T00:00:00Z", "versionInfo": {"agentVersion": "1.82.1"},
    "attributes": [{"name": "ecs.availability-zone", "value": "us-east-1a"}, {"name": "ecs.capability.task-eni"}],
    "registeredResources": [
      {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
      {"name": "MEMORY", "type": "INTEGER", "integerValue": 16000},
      {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22"]},
      {"name": "GPU", "type": "STRINGSET", "stringSetValue": ["g0", "g1", "g2"]},
      {"name": "disk", "type": "DOUBLE", "doubleValue": 100.5}
    ],
    "remainingResources": [
      {"name": "CPU", "type": "INTEGER", "integerValue": 3072},
      {"name": "MEMORY", "type": "INTEGER", "integerValue": 15000},
      {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "80"]},
      {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": ["53"]},
      {"name": "GPU", "type": "STRINGSET", "stringSetValue": ["g0", "g2"]},
      {"name": "ENI", "type": "LONG", "longValue": 3},
      {"name": "tags", "type": "STRINGSET", "stringSetValue": ["x"]}
    ]
  }, {
    "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/h"
  }],
  "tasks": [
    {"taskArn": "t-run", "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/g",
     "group": "service:web", "lastStatus": "RUNNING", "cpu": "1024",
     "containers": [{"memoryReservation": "1000", "networkBindings": [
        {"hostPort": 80, "containerPort": 80}, {"hostPort": 80, "containerPort": 80, "bindIP": "::"},
        {"hostPort": 53, "containerPort": 53, "protocol": "udp"}], "gpuIds": ["g1", "unknown"]}]},
    {"taskArn": "t-pending", "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/h",
     "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/batch:2", "lastStatus": "PENDING"},
    {"taskArn": "t-stopped", "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/h",
     "group": "service:web", "lastStatus": "STOPPED"},
    {"taskArn": "t-provisioning", "group": "service:web", "lastStatus": "PROVISIONING"}
  ]
}`

func TestSnapshotCluster(t *testing.T) {
	s, err := ReadSnapshot(strings.NewReader(gpuSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	c, ids, err := s.Cluster()
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if len(c.Instances()) != 2 {
		t.Fatalf("Cluster has %d instances, want 2", len(c.Instances()))
	}
	g := c.Instances()[0]
	want := &placement.Instance{
		ARN: "arn:aws:ecs:us-east-1:1:container-instance/prod/g", EC2InstanceID: "i-g",
		Status: placement.StatusDraining, AgentConnected: false, AgentVersion: "1.82.1",
		RegisteredAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		Attributes:   []placement.Attribute{{Name: "ecs.availability-zone", Value: "us-east-1a"}, {Name: "ecs.capability.task-eni"}},
		Registered: placement.Capacity{CPU: 4096, MemoryMiB: 16000, PortsTCP: []uint16{22},
			GPUs:    []placement.GPU{{ID: "g0", FreeMilli: 1000}, {ID: "g1", FreeMilli: 1000}, {ID: "g2", FreeMilli: 1000}},
			Scalars: []placement.Scalar{{Name: "disk", Value: 100.5}}},
		Remaining: placement.Capacity{CPU: 3072, MemoryMiB: 15000, PortsTCP: []uint16{22, 80}, PortsUDP: []uint16{53},
			GPUs: []placement.GPU{{ID: "g0", FreeMilli: 1000}, {ID: "g1"}, {ID: "g2", FreeMilli: 1000}},
			ENIs: 3}, // the ENI resource is the task ENIs, not a named scalar
		RunningTasksCount: 1,
	}
	if diff := cmp.Diff(want, g, cmpopts.IgnoreUnexported(placement.Instance{})); diff != "" {
		t.Errorf("instance g mismatch (-want +got):\n%s", diff)
	}
	// Adopted: the RUNNING task and the PENDING one (default group);
	// not the STOPPED one nor the one without an instance.
	if diff := cmp.Diff([]string{"t-pending", "t-run"}, sortedKeys(ids)); diff != "" {
		t.Errorf("adopted tasks (-want +got):\n%s", diff)
	}
	h := c.Instances()[1]
	if n := c.GroupCount(g, "service:web"); n != 1 {
		t.Errorf("GroupCount(g, service:web) = %d, want 1", n)
	}
	if n := c.GroupCount(h, "family:batch"); n != 1 {
		t.Errorf("GroupCount(h, family:batch) = %d, want 1", n)
	}
	if n := c.GroupCount(h, "service:web"); n != 0 {
		t.Errorf("GroupCount(h, service:web) = %d, want 0 (the task is STOPPED)", n)
	}
	// Reserved: adoption took nothing; release gives back what the task holds.
	if g.Remaining.CPU != 3072 || g.Remaining.GPUs[1].FreeMilli != 0 {
		t.Errorf("adoption changed remaining: cpu %d, g1 %d milli", g.Remaining.CPU, g.Remaining.GPUs[1].FreeMilli)
	}
	if err := c.Release(ids["t-run"]); err != nil {
		t.Fatal(err)
	}
	wantAfter := placement.Capacity{CPU: 4096, MemoryMiB: 16000, PortsTCP: []uint16{22}, PortsUDP: []uint16{},
		GPUs: []placement.GPU{{ID: "g0", FreeMilli: 1000}, {ID: "g1", FreeMilli: 1000}, {ID: "g2", FreeMilli: 1000}},
		ENIs: 3}
	if diff := cmp.Diff(wantAfter, g.Remaining, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("remaining after releasing t-run (-want +got):\n%s", diff)
	}
	if n := c.GroupCount(g, "service:web"); n != 0 {
		t.Errorf("GroupCount(g, service:web) after release = %d, want 0", n)
	}
}

func sortedKeys(m map[string]placement.TaskID) []string { return slices.Sorted(maps.Keys(m)) }

func TestSnapshotClusterErrors(t *testing.T) {
	gpus := make([]string, 65)
	for i := range gpus {
		gpus[i] = `"g` + strings.Repeat("x", i) + `"`
	}
	tests := []struct {
		name string
		s    *Snapshot
		doc  string
		want string
	}{
		{name: "65 GPUs", doc: doc("", res(`{"name": "GPU", "type": "STRINGSET", "stringSetValue": [`+strings.Join(gpus, ",")+`]}`)),
			want: `ecsjson: containerInstances[0]: instance "arn:i0": 65 GPUs, at most 64 supported`},
		{name: "task on an unknown instance", s: &Snapshot{Tasks: []Task{{ARN: "t", ContainerInstanceARN: "nowhere", Group: "g", LastStatus: "RUNNING"}}},
			want: `ecsjson: tasks[0].containerInstanceArn: "nowhere" names no instance of containerInstances`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			if s == nil {
				var err error
				if s, err = ReadSnapshot(strings.NewReader(tt.doc)); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := s.Cluster()
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Cluster() error %v, want %s", err, tt.want)
			}
			checkOneLineError(t, err)
		})
	}
}

// TestExampleFilesPlace places examples/runtask-web.json on
// examples/cluster.json: the documents are meant to work together.
func TestExampleFilesPlace(t *testing.T) {
	s := readCluster(t)
	td := readExample(t, "taskdef-web.json", func(b []byte) (*placement.TaskDefinition, error) {
		return ReadTaskDefinition(strings.NewReader(string(b)))
	})
	rt := readExample(t, "runtask-web.json", func(b []byte) (*RunTaskRequest, error) { return ReadRunTaskRequest(strings.NewReader(string(b))) })
	req, err := rt.Request(td)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := s.Cluster()
	if err != nil {
		t.Fatal(err)
	}
	var res placement.Result
	if err := c.Place(req, rand.New(rand.NewPCG(1, 0)), &res); err != nil {
		t.Fatal(err)
	}
	// spread over the AZs, then binpack(memory) in each: 1b's only prod
	// instance, then the fuller of 1a's, then the fuller of 1c's.
	var got []string
	for _, p := range res.Placed {
		got = append(got, p.Instance.ARN[strings.LastIndexByte(p.Instance.ARN, '/')+1:])
	}
	want := []string{"ce4e91a86af472f2ee56d8ba8a3a2530", "db402f022dcf51d34eba45a2816d10af", "c5f511a6b910604bf76b6450f64e404c"}
	if diff := cmp.Diff(want, got); diff != "" || len(res.Unplaced) != 0 {
		t.Errorf("placed (-want +got):\n%s\nunplaced: %+v", diff, res.Unplaced)
	}
}

func readExample[T any](t *testing.T, name string, read func([]byte) (T, error)) T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	v, err := read(data)
	if err != nil {
		t.Fatalf("examples/%s: %v", name, err)
	}
	return v
}
