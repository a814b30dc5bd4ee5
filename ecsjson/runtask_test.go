package ecsjson

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/placement"
)

// rtDoc is a RunTask document for task definition web with extra fields.
func rtDoc(extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return `{"taskDefinition": "web"` + extra + `}`
}

// repeatJSON joins n copies of item with commas.
func repeatJSON(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

const memberOfItem = `{"type": "memberOf", "expression": "attribute:a exists"}`

func TestReadRunTaskRequestValues(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		want   *RunTaskRequest
		reason string
	}{
		{name: "defaults", doc: rtDoc(""), want: &RunTaskRequest{TaskDefinition: "web", Family: "web", Count: 1}},
		{name: "case 44 count 10 accepted", doc: rtDoc(`"count": 10`), want: &RunTaskRequest{TaskDefinition: "web", Family: "web", Count: 10}},
		{name: "family:revision", doc: `{"taskDefinition": "web:14", "cluster": "prod", "group": "batch", "startedBy": "ci/job_7-a", "launchType": "EC2"}`,
			want: &RunTaskRequest{TaskDefinition: "web:14", Family: "web", Revision: 14, Cluster: "prod", Count: 1, Group: "batch", StartedBy: "ci/job_7-a", LaunchType: "EC2"}},
		{name: "ARN", doc: `{"taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"}`,
			want: &RunTaskRequest{TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", Family: "web", Revision: 3, Count: 1}},
		{name: "ARN without revision", doc: `{"taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web"}`,
			want: &RunTaskRequest{TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web", Family: "web", Count: 1}},
		{name: "empty group is the default", doc: rtDoc(`"group": ""`), want: &RunTaskRequest{TaskDefinition: "web", Family: "web", Count: 1}, reason: "the CLI skeleton writes empty strings"},
		{name: "group of 255", doc: rtDoc(`"group": "` + strings.Repeat("g", 255) + `"`), want: &RunTaskRequest{TaskDefinition: "web", Family: "web", Count: 1, Group: strings.Repeat("g", 255)}},
		{
			name: "constraints and strategies",
			doc: rtDoc(`"placementConstraints": [{"type": "distinctInstance"}, {"type": "memberOf", "expression": "attribute:stack == prod"}],
				"placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "spread", "field": "host"}, {"type": "binpack", "field": "memory"}, {"type": "random"}]`),
			want: &RunTaskRequest{TaskDefinition: "web", Family: "web", Count: 1,
				PlacementConstraints: []placement.Constraint{{Type: placement.DistinctInstance}, mustMemberOf("attribute:stack == prod")},
				PlacementStrategy: []placement.Strategy{placement.Spread{Field: "attribute:ecs.availability-zone"}, placement.Spread{Field: "host"},
					placement.Binpack{Field: placement.Memory}, placement.Random{}}},
			reason: "case 21: spread(host) is accepted",
		},
		{name: "case 20 five strategies accepted", doc: rtDoc(`"placementStrategy": [` + repeatJSON(`{"type": "binpack", "field": "cpu"}`, 5) + `]`),
			want: &RunTaskRequest{TaskDefinition: "web", Family: "web", Count: 1, PlacementStrategy: []placement.Strategy{
				placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU}, placement.Binpack{Field: placement.CPU}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadRunTaskRequest(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatalf("ReadRunTaskRequest(%s): %v", tt.doc, err)
			}
			if diff := cmp.Diff(tt.want, got, constraintStrings); diff != "" {
				t.Errorf("ReadRunTaskRequest(%s) mismatch (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

func mustMemberOf(e string) placement.Constraint {
	c, err := placement.NewMemberOf(e)
	if err != nil {
		panic(err)
	}
	return c
}

func TestReadRunTaskRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{name: "invalid JSON", doc: `{"count": }`, want: `ecsjson: 1:11: count: expected a value, found '}'`},
		{name: "no taskDefinition", doc: `{"count": 1}`, want: `ecsjson: taskDefinition: missing`},
		{name: "empty taskDefinition", doc: `{"taskDefinition": ""}`, want: `ecsjson: taskDefinition: empty`},
		{name: "revision 0", doc: `{"taskDefinition": "web:0"}`, want: `ecsjson: taskDefinition: revision "0" in "web:0": expected a positive integer`},
		{name: "revision in words", doc: `{"taskDefinition": "web:latest"}`, want: `ecsjson: taskDefinition: revision "latest" in "web:latest": expected a positive integer`},
		{name: "no family", doc: `{"taskDefinition": ":3"}`, want: `ecsjson: taskDefinition: ":3" names no family: expected family, family:revision or an ARN`},
		{name: "ARN of a cluster", doc: `{"taskDefinition": "arn:aws:ecs:us-east-1:123456789012:cluster/prod"}`, want: `ecsjson: taskDefinition: "arn:aws:ecs:us-east-1:123456789012:cluster/prod" is not a task definition ARN: expected arn:<partition>:ecs:<region>:<account>:task-definition/<family>[:<revision>]`},
		{name: "family with a space", doc: `{"taskDefinition": "my web"}`, want: `ecsjson: taskDefinition: family "my web" has ' ', expected letters, digits, _ and -`},
		{name: "case 44 count 11 rejected", doc: rtDoc(`"count": 11`), want: `ecsjson: count: expected an integer from 1 to 10, found 11`},
		{name: "count 0", doc: rtDoc(`"count": 0`), want: `ecsjson: count: expected an integer from 1 to 10, found 0`},
		{name: "count as a string", doc: rtDoc(`"count": "3"`), want: `ecsjson: count: expected a number, found "3"`},
		{name: "case 45 group of 256", doc: rtDoc(`"group": "` + strings.Repeat("g", 256) + `"`), want: `ecsjson: group: 256 characters, at most 255 allowed`},
		{name: "startedBy with a space", doc: rtDoc(`"startedBy": "me and you"`), want: `ecsjson: startedBy: "me and you" has ' ', expected letters, digits, -, / and _`},
		{name: "startedBy of 129", doc: rtDoc(`"startedBy": "` + strings.Repeat("s", 129) + `"`), want: `ecsjson: startedBy: 129 characters, at most 128 allowed`},
		{name: "case 17 distinctInstance with empty expression", doc: rtDoc(`"placementConstraints": [{"type": "distinctInstance", "expression": ""}]`), want: `ecsjson: placementConstraints[0].expression: distinctInstance expression should not be specified.`},
		{name: "case 17 distinctInstance with an expression", doc: rtDoc(`"placementConstraints": [{"type": "distinctInstance", "expression": "attribute:a exists"}]`), want: `ecsjson: placementConstraints[0].expression: distinctInstance expression should not be specified.`},
		{name: "memberOf with empty expression", doc: rtDoc(`"placementConstraints": [{"type": "memberOf", "expression": ""}]`), want: `ecsjson: placementConstraints[0].expression: an expression is required`},
		{name: "constraint type unknown", doc: rtDoc(`"placementConstraints": [{"type": "sameInstance"}]`), want: `ecsjson: placementConstraints[0].type: expected one of distinctInstance, memberOf, found "sameInstance"`},
		{name: "11 constraints", doc: rtDoc(`"placementConstraints": [` + repeatJSON(memberOfItem, 11) + `]`), want: `ecsjson: placementConstraints: 11 constraints, at most 10 allowed`},
		{name: "case 20 six strategies", doc: rtDoc(`"placementStrategy": [` + repeatJSON(`{"type": "random"}`, 6) + `]`), want: `ecsjson: placementStrategy: 6 strategies, at most 5 allowed`},
		{name: "case 21 binpack disk", doc: rtDoc(`"placementStrategy": [{"type": "binpack", "field": "disk"}]`), want: `ecsjson: placementStrategy[0].field: expected cpu or memory for binpack, found "disk"`},
		{name: "case 21 spread without field", doc: rtDoc(`"placementStrategy": [{"type": "spread"}]`), want: `ecsjson: placementStrategy[0].field: expected instanceId, host or attribute:<name> for spread, found ""`},
		{name: "spread on attribute: alone", doc: rtDoc(`"placementStrategy": [{"type": "spread", "field": "attribute:"}]`), want: `ecsjson: placementStrategy[0].field: expected instanceId, host or attribute:<name> for spread, found "attribute:"`},
		{name: "spread field of 256", doc: rtDoc(`"placementStrategy": [{"type": "spread", "field": "attribute:` + strings.Repeat("a", 246) + `"}]`), want: `ecsjson: placementStrategy[0].field: 256 characters, at most 255 allowed`},
		// Case 83: launchType and capacityProviderStrategy are mutually
		// exclusive; a strategy alone names providers a snapshot does not
		// describe (before, both were ignored and the tasks placed on EC2).
		{name: "case 83 launch type and capacity provider strategy", doc: rtDoc(`"launchType": "EC2", "capacityProviderStrategy": [{"capacityProvider": "cp"}]`),
			want: `ecsjson: capacityProviderStrategy: given with launchType EC2: Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again. (ECS's InvalidParameterException)`},
		{name: "capacity provider strategy alone", doc: rtDoc(`"capacityProviderStrategy": [{"capacityProvider": "cp", "weight": 1}]`),
			want: `ecsjson: capacityProviderStrategy: 1 items: berth does not model capacity providers for a snapshot; give a launchType (EC2, EXTERNAL or FARGATE) instead`},
		{name: "random with a field", doc: rtDoc(`"placementStrategy": [{"type": "random", "field": "cpu"}]`), want: `ecsjson: placementStrategy[0].field: random takes no field, found "cpu"`},
		{name: "strategy type unknown", doc: rtDoc(`"placementStrategy": [{"type": "pack", "field": "cpu"}]`), want: `ecsjson: placementStrategy[0].type: expected one of binpack, random, spread, found "pack"`},
		{name: "strategy without type", doc: rtDoc(`"placementStrategy": [{"field": "cpu"}]`), want: `ecsjson: placementStrategy[0].type: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadRunTaskRequest(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ReadRunTaskRequest(%s) succeeded, want %s", tt.doc, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ReadRunTaskRequest(%.80s) error:\n got %s\nwant %s", tt.doc, err, tt.want)
			}
			checkOneLineError(t, err)
		})
	}
}

func TestRunTaskRequest(t *testing.T) {
	tdConstraints := func(n int) string {
		return `"placementConstraints": [` + repeatJSON(memberOfItem, n) + `]`
	}
	tests := []struct {
		name      string
		td        string
		rt        string
		wantGroup string
		wantCons  int
		wantErr   string
		// wantLaunch is the request's launch type: "" (EC2) unless given.
		wantLaunch placement.LaunchType
	}{
		{name: "case 45 default group", td: tdDoc(""), rt: rtDoc(""), wantGroup: "family:web"},
		{name: "own group", td: tdDoc(""), rt: rtDoc(`"group": "batch"`), wantGroup: "batch"},
		{name: "case 46 family alone names the file", td: tdDoc(`"revision": 9`), rt: `{"taskDefinition": "web"}`, wantGroup: "family:web"},
		{name: "same revision", td: tdDoc(`"revision": 9`), rt: `{"taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:9"}`, wantGroup: "family:web"},
		{name: "file without revision takes any", td: tdDoc(""), rt: `{"taskDefinition": "web:4"}`, wantGroup: "family:web"},
		{name: "case 19 3 + 7 accepted", td: tdDoc(tdConstraints(3)), rt: rtDoc(tdConstraints(7)), wantGroup: "family:web", wantCons: 10},
		{name: "case 19 3 + 8 rejected", td: tdDoc(tdConstraints(3)), rt: rtDoc(tdConstraints(8)), wantErr: `ecsjson: placementConstraints: 8 constraints and the task definition's 3 make 11, at most 10 allowed`},
		{name: "other family", td: tdDoc(""), rt: `{"taskDefinition": "api:3"}`, wantErr: `ecsjson: taskDefinition: "api:3" names family "api", but the task definition's family is "web"`},
		{name: "other revision", td: tdDoc(`"revision": 9`), rt: `{"taskDefinition": "web:8"}`, wantErr: `ecsjson: taskDefinition: "web:8" names revision 8, but the task definition is web:9`},
		// A launch type must be among the definition's compatibilities
		// (ECS's InvalidParameterException "Task definition does not
		// support launch_type FARGATE."): as a describe output prints them,
		// or as ECS derives them on registration (docs/ecs-behaviour.md
		// 2.12): EC2; EXTERNAL unless the definition is awsvpc or has an
		// EFS volume (ECS Anywhere supports neither:
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere.html);
		// FARGATE when requested.
		{name: "EC2 definition run as EXTERNAL", td: tdDoc(`"requiresCompatibilities": ["EC2"], "networkMode": "host"`), rt: rtDoc(`"launchType": "EXTERNAL"`), wantGroup: "family:web", wantLaunch: "EXTERNAL"},
		{name: "awsvpc definition run as EXTERNAL", td: tdDoc(`"revision": 3, "networkMode": "awsvpc"`), rt: rtDoc(`"launchType": "EXTERNAL", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"]}}`),
			wantErr: `ecsjson: launchType: task definition does not support launch_type EXTERNAL (web:3 compatibilities: EC2)`},
		{name: "EFS definition run as EXTERNAL", td: tdDoc(`"revision": 3, "volumes": [{"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]`), rt: rtDoc(`"launchType": "EXTERNAL"`),
			wantErr: `ecsjson: launchType: task definition does not support launch_type EXTERNAL (web:3 compatibilities: EC2)`},
		{name: "EXTERNAL, no requiresCompatibilities", td: tdDoc(""), rt: rtDoc(`"launchType": "EXTERNAL"`), wantGroup: "family:web", wantLaunch: "EXTERNAL"},
		{name: "FARGATE definition run as FARGATE", td: tdDoc(`"requiresCompatibilities": ["FARGATE"]`), rt: rtDoc(`"launchType": "FARGATE"`), wantGroup: "family:web", wantLaunch: "FARGATE"},
		{name: "EC2 definition run as FARGATE", td: tdDoc(`"revision": 2, "requiresCompatibilities": ["EC2"]`), rt: rtDoc(`"launchType": "FARGATE"`),
			wantErr: `ecsjson: launchType: task definition does not support launch_type FARGATE (web:2 compatibilities: EC2, EXTERNAL)`},
		{name: "FARGATE definition without a launch type is EC2, which it is compatible with", td: tdDoc(`"requiresCompatibilities": ["FARGATE"]`), rt: rtDoc(""),
			wantGroup: "family:web"},
		{name: "described as compatible with FARGATE only", td: tdDoc(`"requiresCompatibilities": ["FARGATE"], "compatibilities": ["FARGATE"]`), rt: rtDoc(""),
			wantErr: `ecsjson: launchType: task definition does not support launch_type EC2 (web:0 compatibilities: FARGATE)`},
		{name: "described compatibilities", td: tdDoc(`"compatibilities": ["EXTERNAL", "EC2"]`), rt: rtDoc(`"launchType": "EXTERNAL"`), wantGroup: "family:web", wantLaunch: "EXTERNAL"},
		// Case 22: a Fargate task with placementConstraints or
		// placementStrategy is not supported.
		{name: "case 22 FARGATE with a strategy", td: tdDoc(`"requiresCompatibilities": ["FARGATE"]`), rt: rtDoc(`"launchType": "FARGATE", "placementStrategy": [{"type": "random"}]`),
			wantErr: `ecsjson: placementStrategy: 1 strategies: FARGATE tasks take none`},
		{name: "case 22 FARGATE with a constraint", td: tdDoc(`"requiresCompatibilities": ["FARGATE"]`), rt: rtDoc(`"launchType": "FARGATE", ` + tdConstraints(1)),
			wantErr: `ecsjson: placementConstraints: 1 constraints: FARGATE tasks take none`},
		{name: "case 22 FARGATE with a definition constraint", td: tdDoc(`"requiresCompatibilities": ["FARGATE"], ` + tdConstraints(2)), rt: rtDoc(`"launchType": "FARGATE"`),
			wantErr: `ecsjson: placementConstraints: the task definition's 2 memberOf constraints: FARGATE tasks take none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td, err := ReadTaskDefinition(strings.NewReader(tt.td))
			if err != nil {
				t.Fatal(err)
			}
			rt, err := ReadRunTaskRequest(strings.NewReader(tt.rt))
			if err != nil {
				t.Fatal(err)
			}
			req, err := rt.Request(td)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Request: error %v, want %s", err, tt.wantErr)
				}
				checkOneLineError(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			if req.LaunchType != tt.wantLaunch {
				t.Errorf("Request: launchType %q, want %q", req.LaunchType, tt.wantLaunch)
			}
			if req.Group != tt.wantGroup || len(req.Constraints) != tt.wantCons || req.Count != rt.Count {
				t.Errorf("Request: group %q, %d constraints, count %d; want %q, %d, %d", req.Group, len(req.Constraints), req.Count, tt.wantGroup, tt.wantCons, rt.Count)
			}
		})
	}
}

func FuzzReadRunTaskRequest(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "examples", "runtask-web.json")); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		``, `{}`, rtDoc(""), rtDoc(`"count": 10, "group": "g"`),
		`{"taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:3", "placementConstraints": [{"type": "distinctInstance", "expression": ""}]}`,
		rtDoc(`"placementStrategy": [{"type": "spread", "field": "attribute:x"}, {"type": "binpack", "field": "cpu"}]`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rt, err := ReadRunTaskRequest(bytes.NewReader(data))
		if err != nil {
			checkOneLineError(t, err)
			return
		}
		if rt.Count < 1 || rt.Count > MaxRunTaskCount || rt.Family == "" || rt.Revision < 0 ||
			len(rt.PlacementConstraints) > placement.MaxConstraints || len(rt.PlacementStrategy) > placement.MaxStrategies {
			t.Fatalf("ReadRunTaskRequest accepted an invalid request: %+v", rt)
		}
		td := &placement.TaskDefinition{Family: rt.Family, Revision: rt.Revision,
			Containers: []placement.ContainerDefinition{{Name: "c", Memory: 4, Essential: true}}}
		if _, err := rt.Request(td); err != nil && len("family:"+rt.Family) <= placement.MaxGroupLength {
			t.Fatalf("Request for a matching task definition: %v", err)
		}
	})
}
