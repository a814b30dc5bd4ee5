package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"
)

var exampleCluster = filepath.Join("..", "examples", "cluster.json")

func cqlData(name string) string { return filepath.Join("testdata", "cql", name) }

// TestCQLGolden runs berth cql and compares what it prints, on both
// streams, and its exit status with testdata/cql/<name>.golden.
func TestCQLGolden(t *testing.T) {
	statuses, err := os.ReadFile(cqlData("statuses.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
	}{
		{name: "help", args: []string{"cql", "--help"}},
		{name: "canonical", args: []string{"cql", `attribute:ecs.instance-type matches t2.* and (attribute:ecs.availability-zone not_in ['us-east-1d',"us-east-1e"] || !agentConnected equals false)`}},
		{name: "canonical-documented-example", args: []string{"cql", `ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']`}},
		{name: "syntax-error", args: []string{"cql", `attribute:ecs.availability-zone in [us-east-1a, ]`}, wantCode: 1},
		{name: "type-error", args: []string{"cql", `runningTasksCount > many`}, wantCode: 1},
		{name: "empty-expression", args: []string{"cql", ``}, wantCode: 1},
		{name: "filter-az", args: []string{"cql", "--cluster", exampleCluster, `attribute:ecs.availability-zone in [us-east-1a, us-east-1b]`}},
		{name: "filter-anti-affinity", args: []string{"cql", `not(task:group == service:web)`, "--cluster", exampleCluster}},
		{name: "filter-custom-attribute", args: []string{"cql", "--cluster", exampleCluster, `attribute:stack == canary and agentVersion < 1.70.0`}},
		{name: "filter-status", args: []string{"cql", "--cluster", exampleCluster, "--status", "DRAINING", `runningTasksCount >= 0`}},
		{name: "no-match", args: []string{"cql", "--cluster", exampleCluster, `attribute:ecs.instance-type == p2.xlarge`}},
		{name: "stdin-skips-inactive", args: []string{"cql", "--cluster", "-", `runningTasksCount == 0`}, stdin: string(statuses)},
		{name: "stdin-status", args: []string{"cql", "--cluster", "-", "--status", "REGISTERING", `runningTasksCount == 0`}, stdin: string(statuses)},
		{name: "unreadable-file", args: []string{"cql", "--cluster", cqlData("no-such-file.json"), `runningTasksCount == 0`}, wantCode: 1},
		{name: "malformed-snapshot", args: []string{"cql", "--cluster", cqlData("malformed.json"), `runningTasksCount == 0`}, wantCode: 1},
		{name: "malformed-stdin", args: []string{"cql", "--cluster", "-", `runningTasksCount == 0`}, stdin: `{"containerInstances": [`, wantCode: 1},
		{name: "invalid-expr-before-file", args: []string{"cql", "--cluster", cqlData("no-such-file.json"), `runningTasksCount ==`}, wantCode: 1},
		{name: "missing-expr", args: []string{"cql"}, wantCode: 2},
		{name: "unquoted-expr", args: []string{"cql", "runningTasksCount", "==", "0"}, wantCode: 2},
		{name: "status-without-cluster", args: []string{"cql", "--status", "ACTIVE", `runningTasksCount == 0`}, wantCode: 2},
		{name: "status-inactive", args: []string{"cql", "--cluster", exampleCluster, "--status", "INACTIVE", `runningTasksCount == 0`}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("berth %q exit = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, stderr)
			}
			if code == 0 && stderr != "" {
				t.Errorf("berth %q succeeded but wrote to stderr: %q", tt.args, stderr)
			}
			if code != 0 && stdout != "" {
				t.Errorf("berth %q failed but wrote to stdout: %q", tt.args, stdout)
			}
			golden.Check(t, filepath.Join("cql", tt.name+".golden"),
				"stdout:\n"+stdout+"stderr:\n"+stderr+"exit: "+strconv.Itoa(code)+"\n")
		})
	}
}

// TestCQLLength checks ECS's limit on expressions: 2000 bytes are
// accepted, 2001 are not.
func TestCQLLength(t *testing.T) {
	const prefix = "attribute:x == "
	for _, n := range []int{2000, 2001} {
		expr := prefix + strings.Repeat("a", n-len(prefix))
		stdout, stderr, code := runBerth(t, "", "cql", expr)
		if n == 2000 && (code != 0 || stdout != expr+"\n") {
			t.Errorf("berth cql (2000 bytes): exit %d, stdout %.40q..., stderr %.80q; want exit 0 and the expression", code, stdout, stderr)
		}
		if n == 2001 && (code != 1 || stdout != "" || !strings.Contains(stderr, "2001 bytes")) {
			t.Errorf("berth cql (2001 bytes): exit %d, stdout %.40q, stderr %.80q; want exit 1 and an error naming 2001 bytes", code, stdout, stderr)
		}
	}
}

// TestCQLFilterMatchesEveryInstanceOnce checks that a filter true of
// everything lists every instance but the INACTIVE ones, once each, in
// the file's order.
func TestCQLFilterMatchesEveryInstanceOnce(t *testing.T) {
	statuses, err := os.ReadFile(cqlData("statuses.json"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBerth(t, string(statuses), "cql", "--cluster", "-", "runningTasksCount >= 0")
	want := strings.Join([]string{
		"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/active",
		"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/draining",
		"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/registering",
		"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/busy",
	}, "\n") + "\n"
	if code != 0 || stdout != want {
		t.Errorf("berth cql --cluster - 'runningTasksCount >= 0': exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
}
