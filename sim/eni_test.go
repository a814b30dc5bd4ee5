package sim

import (
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"
)

// eniScenario runs 10 long tasks of one mix entry on instances of one
// type in us-east-1a; fleet and mix hold the fields under test.
func eniScenario(typ, fleet, mix string) string {
	return `{"name": "eni", "seed": 1, "duration": "2h",
  "fleet": {"instanceTypes": [{"name": "` + typ + `", "cpu": 2048, "memory": 3800, "pricePerHour": 0.085` + strings.SplitN(fleet, "|", 2)[0] + `}],
    "pools": [{"type": "` + typ + `", "zones": {"us-east-1a": 1}}]` + strings.SplitN(fleet+"|", "|", 3)[1] + `},
  "workload": {"generator": {"ratePerHour": 600, "until": "1m", "mix": [
    {"name": "web", "weight": 1, "cpu": 64, "memory": 64, "hostPorts": [80],
     "duration": {"kind": "constant", "median": "3h"}` + mix + `}]}}}`
}

// TestSimulateAWSVPC: awsvpc tasks take the instance type's task ENIs,
// keep their ports on them, and honour their subnets' zones.
func TestSimulateAWSVPC(t *testing.T) {
	tests := []struct {
		name, reason string
		src          string
		wantPlaced   int
		wantReason   string // what stops every other task; "" when all run
	}{
		{"bridge", "bridge tasks with host port 80: one per instance, the rest RESOURCE:PORTS",
			eniScenario("c5.large", "", ""), 1, "RESOURCE:PORTS"},
		{"c5.large awsvpc", "c5.large: 3 ENIs, so 2 awsvpc tasks without trunking; their port 80 is on their ENI",
			eniScenario("c5.large", "", `, "networkMode": "awsvpc"`), 2, "RESOURCE:ENI"},
		{"c5.large trunked", "with awsvpcTrunking a c5.large has 10 branch ENIs",
			eniScenario("c5.large", `|, "awsvpcTrunking": true`, `, "networkMode": "awsvpc"`), 10, "RESOURCE:ENI"},
		{"type override", "an instance type's enis overrides the table",
			eniScenario("c5.large", `, "enis": 4`, `, "networkMode": "awsvpc"`), 4, "RESOURCE:ENI"},
		{"subnet in another zone", "LOCATION: the task's subnet is in us-east-1b, the instance in us-east-1a",
			eniScenario("c5.large", `|, "subnets": {"subnet-b": "us-east-1b"}`, `, "networkMode": "awsvpc", "subnets": ["subnet-b"]`),
			0, "LOCATION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := scenario.ReadScenario(strings.NewReader(tt.src), "eni.json")
			if err != nil {
				t.Fatal(err)
			}
			res, err := Simulate(sc, sc.Workload.Placement, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.Placed != tt.wantPlaced {
				t.Errorf("placed %d tasks, want %d (%s)", res.Summary.Placed, tt.wantPlaced, tt.reason)
			}
			want := map[string]int{tt.wantReason: res.Summary.Submitted - tt.wantPlaced}
			if diff := cmp.Diff(want, res.Summary.ByReason); diff != "" {
				t.Errorf("never placed by reason (%s) (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestReadScenarioAWSVPCErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown type", eniScenario("x9.huge", "", `, "networkMode": "awsvpc"`),
			`fleet.instanceTypes[0].enis: missing: berth's ENI table does not know "x9.huge" and workload.generator.mix[0] runs awsvpc tasks`},
		{"bad mode", eniScenario("c5.large", "", `, "networkMode": "vpc"`),
			`workload.generator.mix[0].networkMode: "vpc", expected bridge or awsvpc`},
		{"unknown subnet", eniScenario("c5.large", "", `, "networkMode": "awsvpc", "subnets": ["subnet-z"]`),
			`workload.generator.mix[0].subnets[0]: "subnet-z" is not one of fleet.subnets`},
		{"subnets without awsvpc", eniScenario("c5.large", `|, "subnets": {"subnet-b": "us-east-1b"}`, `, "subnets": ["subnet-b"]`),
			`workload.generator.mix[0].subnets: given for networkMode "", expected awsvpc`},
		{"negative enis", eniScenario("c5.large", `, "enis": -1`, ""),
			`fleet.instanceTypes[0].enis: -1 is negative`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(tt.src), "eni.json")
			if err == nil || err.Error() != "sim: eni.json: "+tt.want {
				t.Errorf("ReadScenario error = %v, want %q", err, "sim: eni.json: "+tt.want)
			}
		})
	}
}
