package sim

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"
)

// svcENIScenario runs 3 tasks of one service on a c5.large in us-east-1a;
// fleet and svc hold the fields under test.
func svcENIScenario(fleet, svc string) string {
	return `{"name": "svc-eni", "seed": 1, "duration": "10m",
  "fleet": {"instanceTypes": [{"name": "c5.large", "cpu": 2048, "memory": 3800, "pricePerHour": 0.085}],
    "pools": [{"type": "c5.large", "zones": {"us-east-1a": 1}}]` + fleet + `},
  "services": [{"name": "api", "desiredCount": 3` + svc + `}]}`
}

// TestSimulateAWSVPCService: a service whose task definition is awsvpc
// takes one task ENI per task, keeps its host ports on the ENI and runs
// only in its subnets' zones; on Fargate a definition without
// networkMode is awsvpc.
func TestSimulateAWSVPCService(t *testing.T) {
	const td = `, "taskDefinition": {"family": "api", "cpu": 256, "memory": 512, "hostPorts": [80]`
	tests := []struct {
		name, reason string
		src          string
		wantRunning  int
	}{
		{"bridge", "bridge tasks with host port 80: one per instance, the rest RESOURCE:PORTS",
			svcENIScenario("", td+`}`), 1},
		{"awsvpc", "c5.large: 3 ENIs less the primary, so 2 awsvpc tasks; their port 80 is on their ENI; the third is RESOURCE:ENI",
			svcENIScenario("", td+`, "networkMode": "awsvpc"}`), 2},
		{"trunked", "with awsvpcTrunking a c5.large has 10 branch ENIs",
			svcENIScenario(`, "awsvpcTrunking": true`, td+`, "networkMode": "awsvpc"}`), 3},
		{"subnet in the zone", "the service's subnet is in the instance's zone",
			svcENIScenario(`, "subnets": {"subnet-a": "us-east-1a"}`, td+`, "networkMode": "awsvpc"}, "subnets": ["subnet-a"]`), 2},
		{"subnet in another zone", "LOCATION: the service's only subnet is in us-east-1b, the instance in us-east-1a",
			svcENIScenario(`, "subnets": {"subnet-b": "us-east-1b"}`, td+`, "networkMode": "awsvpc"}, "subnets": ["subnet-b"]`), 0},
		{"fargate", "a Fargate definition without networkMode is awsvpc; each task gets its own capacity and ENI",
			svcENIScenario("", td+`}, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]`), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := runPlanner(t, tt.src)
			if got := serviceSummary(t, r, "api").Running; got != tt.wantRunning {
				t.Errorf("running at the end = %d, want %d (%s)", got, tt.wantRunning, tt.reason)
			}
		})
	}
}

// TestReadScenarioFargateErrors: what ECS rejects for a service on
// FARGATE or FARGATE_SPOT is an error at load, naming the field.
// Placement constraints and strategies: "Placement constraints are not
// supported with FARGATE launch type." (CreateService); a definition with
// constraints or GPUs does not support launch type FARGATE; Fargate only
// supports network mode awsvpc (RegisterTaskDefinition).
func TestReadScenarioFargateErrors(t *testing.T) {
	const (
		td       = `"taskDefinition": {"family": "api", "cpu": 256, "memory": 512`
		fargate  = `, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]`
		spot     = `, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]`
		memberOf = `[{"type": "memberOf", "expression": "attribute:ecs.instance-type == c5.large"}]`
	)
	tests := []struct{ name, svc, extra, want string }{
		{"memberOf", td + `}, "placementConstraints": ` + memberOf + fargate, "",
			`services[0].placementConstraints[0]: memberOf "attribute:ecs.instance-type == c5.large": placement constraints are not supported with FARGATE`},
		{"distinctInstance", td + `}, "placementConstraints": [{"type": "distinctInstance"}]` + spot, "",
			`services[0].placementConstraints[0]: distinctInstance: placement constraints are not supported with FARGATE_SPOT`},
		{"strategy", td + `}, "placementStrategy": [{"type": "binpack", "field": "memory"}]` + fargate, "",
			`services[0].placementStrategy[0]: binpack memory: placement strategies are not supported with FARGATE (Fargate spreads tasks across zones itself)`},
		{"definition constraints", td + `, "constraints": ` + memberOf + `}` + fargate, "",
			`services[0].taskDefinition.constraints[0]: memberOf "attribute:ecs.instance-type == c5.large": task placement constraints are not supported for tasks on FARGATE`},
		{"gpus", td + `, "gpus": 1}` + spot, "",
			`services[0].taskDefinition.gpus: 1: GPUs are not supported for tasks on FARGATE_SPOT, expected 0`},
		{"bridge", td + `, "networkMode": "bridge"}` + fargate, "",
			`services[0].taskDefinition.networkMode: "bridge": FARGATE only supports network mode awsvpc`},
		{"new revision in bridge mode", td + `}` + fargate,
			`, "serviceEvents": [{"at": "1m", "service": "api", "taskDefinition": {"family": "api", "revision": 2, "cpu": 256, "memory": 512, "networkMode": "bridge"}}]`,
			`serviceEvents[0].taskDefinition.networkMode: "bridge": FARGATE only supports network mode awsvpc`},
		{"update with constraints", td + `}` + fargate,
			`, "serviceEvents": [{"at": "1m", "service": "api", "placementConstraints": ` + memberOf + `}]`,
			`serviceEvents[0].placementConstraints[0]: memberOf "attribute:ecs.instance-type == c5.large": placement constraints are not supported with FARGATE`},
		{"bad network mode", td + `, "networkMode": "host"}`, "",
			`services[0].taskDefinition.networkMode: "host", expected bridge or awsvpc`},
		{"subnets without awsvpc", td + `}, "subnets": ["subnet-a"]`, "",
			`services[0].subnets: given for networkMode "", expected awsvpc`},
		{"unknown subnet", td + `, "networkMode": "awsvpc"}, "subnets": ["subnet-z"]`, "",
			`services[0].subnets[0]: "subnet-z" is not one of fleet.subnets`},
		{"stopTimeout", td + `, "stopTimeout": "3m"}` + spot, "",
			`services[0].taskDefinition.stopTimeout: 3m0s, expected 0s to 2m0s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `{"duration": "1h", "fleet": {"instanceTypes": [{"name": "c5.large", "cpu": 2048, "memory": 3800}], "pools": [{"type": "c5.large", "zones": {"a": 1}}]},
  "services": [{"name": "api", "desiredCount": 1, ` + tt.svc + `}]` + tt.extra + `}`
			_, err := scenario.ReadScenario(strings.NewReader(src), "f.json")
			if want := "sim: f.json: " + tt.want; err == nil || err.Error() != want {
				t.Errorf("ReadScenario error = %v, want %q", err, want)
			}
		})
	}
}

// TestReadScenarioAWSVPCServiceENIs: an awsvpc service on EC2 instances
// needs every instance type's task ENIs, as a mix entry does.
func TestReadScenarioAWSVPCServiceENIs(t *testing.T) {
	src := strings.Replace(svcENIScenario("", `, "taskDefinition": {"family": "api", "cpu": 256, "memory": 512, "networkMode": "awsvpc"}`), "c5.large", "x9.huge", 2)
	_, err := scenario.ReadScenario(strings.NewReader(src), "e.json")
	want := `sim: e.json: fleet.instanceTypes[0].enis: missing: berth's ENI table does not know "x9.huge" and services[0] runs awsvpc tasks`
	if err == nil || err.Error() != want {
		t.Errorf("ReadScenario error = %v, want %q", err, want)
	}
}

// TestFargateSpotInterruption: at a FARGATE_SPOT interruption notice ECS
// sends the task SIGTERM, and the service scheduler starts its
// replacement then, not two minutes later when the capacity goes
// (AWS Knowledge Center, "How do I handle Spot termination notices in
// AWS Fargate Spot tasks?"). The task exits after its stopTimeout
// (default 30s, at most 2m), with stopCode SpotInterruption. Timings are
// offsets from the first notice T, which the seeded draw places:
//   - the replacement's capacity registers at T + 30s (provisionDelay),
//   - the interrupted task's capacity goes when the task exits, at
//     T + stopTimeout, never failing at T + 2m with the task on it.
func TestFargateSpotInterruption(t *testing.T) {
	tests := []struct {
		name, stopTimeout string
		wantGone          float64 // seconds after the notice, at least the 30s of provisionDelay
	}{
		{"default stopTimeout", "", 30},
		{"45s", `, "stopTimeout": "45s"`, 45},
		{"the whole notice", `, "stopTimeout": "2m"`, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log := runPlanner(t, `{"name": "fargate-spot", "seed": 1, "duration": "1h",
  "fargate": {"spotInterruptionsPerHour": 1, "provisionDelay": "30s"},
  "services": [{"name": "api", "desiredCount": 1,
    "taskDefinition": {"family": "api", "cpu": 256, "memory": 512`+tt.stopTimeout+`},
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}]}`)
			type ev struct {
				Time     float64 `json:"time"`
				Kind     string  `json:"kind"`
				Instance string  `json:"instance"`
			}
			var evs []ev
			for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
				var e ev
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatalf("event log line %q: %v", line, err)
				}
				if strings.HasPrefix(e.Kind, "instance-") {
					evs = append(evs, e)
				}
			}
			if len(evs) < 2 || evs[1].Kind != "instance-drain" {
				t.Fatalf("instance events %+v: want the first task's capacity, then its interruption notice", evs)
			}
			notice := evs[1].Time
			const first, second = "fargate-256cpu-512mb-00000", "fargate-256cpu-512mb-00001"
			var got []ev
			for _, e := range evs[2:] {
				if e.Time <= notice+spotNotice.Seconds() && (e.Instance == first || e.Instance == second) {
					got = append(got, ev{math.Round(e.Time - notice), e.Kind, e.Instance})
				}
			}
			want := []ev{{30, "instance-add", second}, {tt.wantGone, "instance-deregister", first}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("instance events within 2m of the notice at %.0fs (-want +got):\n%s", notice, diff)
			}
			if s := serviceSummary(t, r, "api"); s.Lost == 0 {
				t.Errorf("api: %+v, want the interrupted tasks counted as lost", s)
			}
		})
	}
}
