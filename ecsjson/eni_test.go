package ecsjson

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/berthsched/berth/placement"
	"github.com/google/go-cmp/cmp"
)

// eniSnapshot is one container instance of type typ in subnet-a
// (us-east-1a), with extra attributes and resources, hosting awsvpc
// RUNNING tasks. Its agent has what ECS derives for an awsvpc definition
// (task-eni, docker-remote-api.1.18 and 1.29).
func eniSnapshot(typ, attrs, resources string, awsvpc int) string {
	var tasks []string
	for k := range awsvpc {
		tasks = append(tasks, fmt.Sprintf(`{"taskArn": "t%d", "containerInstanceArn": "ci", "group": "family:web",
		  "attachments": [{"type": "ElasticNetworkInterface", "status": "ATTACHED"}]}`, k))
	}
	return `{"containerInstances": [{"containerInstanceArn": "ci", "status": "ACTIVE", "agentConnected": true,
	  "attributes": [{"name": "ecs.instance-type", "value": "` + typ + `"},
	    {"name": "ecs.availability-zone", "value": "us-east-1a"},
	    {"name": "ecs.subnet-id", "value": "subnet-a"},
	    {"name": "ecs.capability.task-eni"},
	    {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"},
	    {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.29"}` + attrs + `],
	  "registeredResources": [{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
	    {"name": "MEMORY", "type": "INTEGER", "integerValue": 3800}` + resources + `],
	  "remainingResources": [{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
	    {"name": "MEMORY", "type": "INTEGER", "integerValue": 3800}]}],
	  "tasks": [` + strings.Join(tasks, ",") + `]}`
}

// TestSnapshotENIs: an instance's task ENIs come from its type (ENI limit
// less the primary, or with trunking the branch ENIs) or an override, less
// the awsvpc tasks the snapshot places on it.
func TestSnapshotENIs(t *testing.T) {
	const trunk = `, {"name": "ecs.awsvpc-trunk-id", "value": "eni-0123"}`
	tests := []struct {
		name, reason        string
		doc                 string
		registered, remains int
	}{
		{"c5.large", "c5.large: 3 ENIs, so 2 awsvpc tasks without trunking",
			eniSnapshot("c5.large", "", "", 0), 2, 2},
		{"c5.large with one awsvpc task", "a task with an ElasticNetworkInterface attachment holds one",
			eniSnapshot("c5.large", "", "", 1), 2, 1},
		{"c5.large trunked", "ecs.awsvpc-trunk-id: the branch ENI count, 10",
			eniSnapshot("c5.large", trunk, "", 3), 10, 7},
		{"m5.xlarge", "4 ENIs less the primary",
			eniSnapshot("m5.xlarge", "", "", 0), 3, 3},
		{"unknown type", "berth's decision: an unknown type without an override has no task ENIs",
			eniSnapshot("x9.huge", "", "", 0), 0, 0},
		{"override", "an ENI resource in registeredResources overrides the type",
			eniSnapshot("c5.large", "", `, {"name": "ENI", "type": "INTEGER", "integerValue": 5}`, 1), 5, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSnapshot(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			c, _, err := s.Cluster()
			if err != nil {
				t.Fatalf("Cluster: %v", err)
			}
			in := c.Instances()[0]
			got := [2]int{in.Registered.ENIs, in.Remaining.ENIs}
			if want := [2]int{tt.registered, tt.remains}; got != want {
				t.Errorf("task ENIs (registered, remaining) = %v, want %v (%s)", got, want, tt.reason)
			}
		})
	}
}

const awsvpcTaskDef = `{"family": "web", "networkMode": "awsvpc",
  "containerDefinitions": [{"name": "web", "memory": 256, "portMappings": [{"containerPort": 80}]}]}`

// TestPlaceAWSVPCSnapshot runs RunTask on a snapshot: a c5.large takes 2
// awsvpc tasks (RESOURCE:ENI for the third), and subnets in another zone
// fail with LOCATION.
func TestPlaceAWSVPCSnapshot(t *testing.T) {
	tests := []struct {
		name, reason string
		request      string
		want         []string
	}{
		{"c5.large takes two", "c5.large: 3 ENIs, so 2 awsvpc tasks without trunking, each with containerPort 80",
			`{"taskDefinition": "web", "count": 3, "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"]}}}`,
			[]string{"ci", "ci", "RESOURCE:ENI"}},
		{"subnet in another zone", "LOCATION: subnet-b is in us-east-1b (its instance says so), the instance in us-east-1a",
			`{"taskDefinition": "web", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-b"]}}}`,
			[]string{"LOCATION"}},
		{"unknown subnet", "berth's decision: a subnet no instance is registered in restricts nothing",
			`{"taskDefinition": "web", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-z"]}}}`,
			[]string{"ci"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Instance b is in subnet-b (us-east-1b) and has no free CPU: it
			// only says where subnet-b is.
			doc := strings.Replace(eniSnapshot("c5.large", "", "", 0), `}],
	  "tasks"`, `}, {"containerInstanceArn": "b", "status": "DRAINING", "attributes": [
	    {"name": "ecs.availability-zone", "value": "us-east-1b"}, {"name": "ecs.subnet-id", "value": "subnet-b"}]}],
	  "tasks"`, 1)
			s, err := ReadSnapshot(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			td, err := ReadTaskDefinition(strings.NewReader(awsvpcTaskDef))
			if err != nil {
				t.Fatal(err)
			}
			rt, err := ReadRunTaskRequest(strings.NewReader(tt.request))
			if err != nil {
				t.Fatal(err)
			}
			req, err := rt.Request(td)
			if err != nil {
				t.Fatal(err)
			}
			req.Zones = s.Zones(rt.Subnets)
			c, _, err := s.Cluster()
			if err != nil {
				t.Fatal(err)
			}
			var res placement.Result
			if err := c.Place(req, rand.New(rand.NewPCG(1, 1)), &res); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Placed {
				got = append(got, p.Instance.ARN)
			}
			for _, u := range res.Unplaced {
				got = append(got, u.ReasonString())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("placed (%s) (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestRunTaskAWSVPCNeedsNetwork: ECS's RunTask rejects an awsvpc task
// definition run without networkConfiguration (InvalidParameterException).
func TestRunTaskAWSVPCNeedsNetwork(t *testing.T) {
	td, err := ReadTaskDefinition(strings.NewReader(awsvpcTaskDef))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := ReadRunTaskRequest(strings.NewReader(`{"taskDefinition": "web"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.Request(td)
	want := "ecsjson: networkConfiguration: missing, expected for networkMode awsvpc (ECS: InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified.)"
	if err == nil || err.Error() != want {
		t.Errorf("Request(awsvpc without networkConfiguration) = %v, want %q", err, want)
	}
}

func TestRunTaskSubnets(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
		wantErr   string
	}{
		{"two subnets", `{"taskDefinition": "web", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s1", "s2"]}}}`, []string{"s1", "s2"}, ""},
		{"not a string", `{"taskDefinition": "web", "networkConfiguration": {"awsvpcConfiguration": {"subnets": [1]}}}`, nil,
			"ecsjson: networkConfiguration.awsvpcConfiguration.subnets[0]: expected a string, found 1"},
		{"17 subnets", `{"taskDefinition": "web", "networkConfiguration": {"awsvpcConfiguration": {"subnets": [` +
			strings.Repeat(`"s",`, 16) + `"s"]}}}`, nil,
			"ecsjson: networkConfiguration.awsvpcConfiguration.subnets: 17 subnets, at most 16 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := ReadRunTaskRequest(strings.NewReader(tt.doc))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("ReadRunTaskRequest error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rt.Subnets); diff != "" {
				t.Errorf("Subnets (-want +got):\n%s", diff)
			}
		})
	}
}
