package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"
)

var (
	exampleTaskDef = filepath.Join("..", "examples", "taskdef-web.json")
	exampleRunTask = filepath.Join("..", "examples", "runtask-web.json")
)

func placeData(name string) string { return filepath.Join("testdata", "place", name) }

// TestPlaceGolden runs berth place and compares both streams and the exit
// status with testdata/place/<name>.golden.
func TestPlaceGolden(t *testing.T) {
	readFile := func(name string) string {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	placeArgs := func(td, rq string, extra ...string) []string {
		return append([]string{"place", "--cluster", exampleCluster, "--task-definition", td, "--request", rq}, extra...)
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		reason string
	}{
		{name: "help", args: []string{"place", "--help"}},
		{name: "spread-binpack", args: placeArgs(exampleTaskDef, exampleRunTask),
			reason: "the examples: spread over the AZs, binpack memory inside each"},
		{name: "spread-binpack-stdin", args: placeArgs("-", exampleRunTask), stdin: readFile(exampleTaskDef),
			reason: "the same from stdin, byte for byte"},
		{name: "distinct-instance", args: placeArgs(placeData("td-probe.json"), placeData("rq-distinct.json")),
			reason: "case 32: 6 eligible instances, count 8: 6 tasks and 2 failures"},
		{name: "ports", args: placeArgs(placeData("td-edge.json"), placeData("rq-ports.json")),
			reason: "case 34: host port 80 is taken on 4 instances; 2 tasks and a RESOURCE:PORTS failure"},
		{name: "member-of-nothing", args: placeArgs(placeData("td-probe.json"), placeData("rq-nomatch.json")),
			reason: "case 23: a memberOf matching no instance fails every task"},
		{name: "gpu", args: placeArgs(placeData("td-trainer.json"), placeData("rq-gpu.json")),
			reason: "case 42: 2 GPUs free; the third task fails with RESOURCE:GPU"},
		{name: "fargate", args: placeArgs(placeData("td-fargate.json"), placeData("rq-fargate.json")),
			reason: "launch type FARGATE: RunTask's answer, every task PROVISIONING without a container instance"},
		{name: "firelens", args: placeArgs(placeData("td-firelens.json"), placeData("rq-firelens.json")),
			reason: "a FireLens task definition on agents without ecs.capability.firelens.fluentbit: ATTRIBUTE"},
		{name: "random-seed-1", args: placeArgs(placeData("td-probe.json"), placeData("rq-random.json"))},
		{name: "random-seed-2", args: placeArgs(placeData("td-probe.json"), placeData("rq-random.json"), "--seed", "2"),
			reason: "case 31: without a strategy the seed decides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, tt.stdin, tt.args...)
			if code != 0 || stderr != "" {
				t.Errorf("berth %q: exit %d, stderr %q; want 0 and nothing", tt.args, code, stderr)
			}
			if tt.name != "help" {
				var resp placeResponse
				if err := json.Unmarshal([]byte(stdout), &resp); err != nil {
					t.Errorf("berth %q printed invalid JSON: %v", tt.args, err)
				}
			}
			name := tt.name
			if name == "spread-binpack-stdin" {
				name = "spread-binpack"
			}
			golden.Check(t, filepath.Join("place", name+".golden"), stdout)
		})
	}
}

// TestPlaceDeterministic checks that a seed gives the same bytes every
// time and that the default seed is placeDefaultSeed.
func TestPlaceDeterministic(t *testing.T) {
	args := []string{"place", "--cluster", exampleCluster, "--task-definition", placeData("td-probe.json"), "--request", placeData("rq-random.json")}
	first, _, _ := runBerth(t, "", args...)
	again, _, _ := runBerth(t, "", args...)
	seeded, _, _ := runBerth(t, "", append(args, "--seed", strconv.Itoa(placeDefaultSeed))...)
	other, _, _ := runBerth(t, "", append(args, "--seed", "99")...)
	if first != again || first != seeded {
		t.Errorf("berth place printed different bytes for the same seed")
	}
	if first == other {
		t.Errorf("berth place printed the same bytes for seeds %d and 99", placeDefaultSeed)
	}
}

// TestPlaceErrors checks every invalid-input rule: exit 1, nothing on
// stdout, one line on stderr naming the file and the field; and usage
// errors: exit 2.
func TestPlaceErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	td := placeData("td-probe.json")
	n := 0
	rq := func(body string) string { n++; return write("request"+strconv.Itoa(n)+".json", body) }
	tdFile := func(body string) string { n++; return write("taskdef"+strconv.Itoa(n)+".json", body) }
	memberOfs := func(n int) string {
		return strings.TrimSuffix(strings.Repeat(`{"type": "memberOf", "expression": "attribute:a exists"},`, n), ",")
	}
	tests := []struct {
		name     string
		cluster  string
		td, rq   string
		stdin    string
		extra    []string
		wantCode int
	}{
		{name: "count 11", td: td, rq: rq(`{"taskDefinition": "probe", "count": 11}`), wantCode: 1},
		{name: "count 0", td: td, rq: rq(`{"taskDefinition": "probe", "count": 0}`), wantCode: 1},
		{name: "group too long", td: td, rq: rq(`{"taskDefinition": "probe", "group": "` + strings.Repeat("g", 256) + `"}`), wantCode: 1},
		{name: "distinctInstance with an expression", td: td, rq: rq(`{"taskDefinition": "probe", "placementConstraints": [{"type": "distinctInstance", "expression": ""}]}`), wantCode: 1},
		{name: "bad memberOf expression", td: td, rq: rq(`{"taskDefinition": "probe", "placementConstraints": [{"type": "memberOf", "expression": "attribute:a =="}]}`), wantCode: 1},
		{name: "11 constraints", td: td, rq: rq(`{"taskDefinition": "probe", "placementConstraints": [` + memberOfs(11) + `]}`), wantCode: 1},
		{name: "3 and 8 constraints", td: tdFile(`{"family": "probe", "containerDefinitions": [{"name": "c", "memory": 4}], "placementConstraints": [` + memberOfs(3) + `]}`),
			rq: rq(`{"taskDefinition": "probe", "placementConstraints": [` + memberOfs(8) + `]}`), wantCode: 1},
		{name: "6 strategies", td: td, rq: rq(`{"taskDefinition": "probe", "placementStrategy": [` + strings.TrimSuffix(strings.Repeat(`{"type": "random"},`, 6), ",") + `]}`), wantCode: 1},
		{name: "binpack disk", td: td, rq: rq(`{"taskDefinition": "probe", "placementStrategy": [{"type": "binpack", "field": "disk"}]}`), wantCode: 1},
		{name: "unknown strategy", td: td, rq: rq(`{"taskDefinition": "probe", "placementStrategy": [{"type": "closest"}]}`), wantCode: 1},
		{name: "no taskDefinition", td: td, rq: rq(`{"count": 1}`), wantCode: 1},
		{name: "other family", td: td, rq: rq(`{"taskDefinition": "web:15"}`), wantCode: 1},
		{name: "other revision", td: placeData("td-trainer.json"), rq: rq(`{"taskDefinition": "trainer:3"}`), wantCode: 1},
		{name: "other cluster", td: td, rq: rq(`{"taskDefinition": "probe", "cluster": "staging"}`), wantCode: 1},
		{name: "fargate with a definition without FARGATE", td: td, rq: rq(`{"taskDefinition": "probe", "launchType": "FARGATE"}`), wantCode: 1},
		{name: "fargate with a strategy", td: placeData("td-fargate.json"), rq: rq(`{"taskDefinition": "sidecar", "launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"]}}, "placementStrategy": [{"type": "binpack", "field": "cpu"}]}`), wantCode: 1},
		{name: "external without Anywhere instances", td: td, rq: rq(`{"taskDefinition": "probe", "launchType": "EXTERNAL"}`), wantCode: 1},
		{name: "task definition distinctInstance", td: tdFile(`{"family": "probe", "containerDefinitions": [{"name": "c", "memory": 4}], "placementConstraints": [{"type": "distinctInstance"}]}`), rq: rq(`{"taskDefinition": "probe"}`), wantCode: 1},
		{name: "memory below memoryReservation", td: tdFile(`{"family": "probe", "containerDefinitions": [{"name": "c", "memory": 256, "memoryReservation": 512}]}`), rq: rq(`{"taskDefinition": "probe"}`), wantCode: 1},
		{name: "bad task cpu", td: tdFile(`{"family": "probe", "cpu": "1.5 cores", "containerDefinitions": [{"name": "c", "memory": 4}]}`), rq: rq(`{"taskDefinition": "probe"}`), wantCode: 1},
		{name: "invalid JSON request", td: td, rq: rq(`{"taskDefinition": "probe",`), wantCode: 1},
		{name: "invalid JSON on stdin", td: "-", rq: rq(`{"taskDefinition": "probe"}`), stdin: `{"family"`, wantCode: 1},
		{name: "bad snapshot", cluster: placeData("td-probe.json"), td: td, rq: rq(`{"taskDefinition": "probe"}`), wantCode: 1},
		{name: "empty cluster", cluster: write("empty.json", `{"containerInstances": []}`), td: td, rq: rq(`{"taskDefinition": "probe"}`), wantCode: 1},
		{name: "missing file", td: filepath.Join(dir, "nope.json"), rq: rq(`{"taskDefinition": "probe"}`), wantCode: 1},

		{name: "no request flag", td: td, wantCode: 2},
		{name: "two stdins", td: "-", rq: "-", wantCode: 2},
		{name: "argument", td: td, rq: rq(`{"taskDefinition": "probe"}`), extra: []string{"extra"}, wantCode: 2},
		{name: "bad seed", td: td, rq: rq(`{"taskDefinition": "probe"}`), extra: []string{"--seed", "-1"}, wantCode: 2},
	}
	var report strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cluster := tt.cluster
			if cluster == "" {
				cluster = exampleCluster
			}
			args := []string{"place", "--cluster", cluster, "--task-definition", tt.td}
			if tt.rq != "" {
				args = append(args, "--request", tt.rq)
			}
			args = append(args, tt.extra...)
			stdout, stderr, code := runBerth(t, tt.stdin, args...)
			if code != tt.wantCode || stdout != "" {
				t.Errorf("berth %q: exit %d, stdout %q; want exit %d and no output", args, code, stdout, tt.wantCode)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.HasPrefix(first, "berth place: ") {
				t.Errorf("berth %q: stderr %q, want it to start with \"berth place: \"", args, stderr)
			}
			if tt.wantCode == 1 && strings.Count(stderr, "\n") != 1 {
				t.Errorf("berth %q: stderr %q, want one line", args, stderr)
			}
			// The temporary directory differs between runs.
			report.WriteString(tt.name + ": exit " + strconv.Itoa(code) + ": " + strings.ReplaceAll(first, dir+string(filepath.Separator), "") + "\n")
		})
	}
	golden.Check(t, filepath.Join("place", "errors.golden"), report.String())
}
