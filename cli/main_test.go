package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runBerth runs berth in-process with args and stdin, and returns what it
// printed and its exit status.
func runBerth(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code = run(e, args)
	return out.String(), errb.String(), code
}

// commandNames lists berth's commands, help included.
func commandNames() []string {
	names := []string{"help"}
	for _, c := range builtinCommands() {
		names = append(names, c.name)
	}
	return names
}

func TestTopLevel(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		inStdout string
		inStderr string
	}{
		{name: "no arguments", args: nil, wantCode: 2, inStderr: "Usage:"},
		{name: "help", args: []string{"--help"}, wantCode: 0, inStdout: "Commands:"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2,
			inStderr: "berth: unknown command \"frobnicate\"\nRun \"berth --help\" for usage.\n"},
		{name: "misspelt command", args: []string{"smi"}, wantCode: 2, inStderr: `unknown command "smi"; did you mean "sim"?`},
		{name: "help command", args: []string{"help"}, wantCode: 0, inStdout: "Commands:"},
		{name: "help of a command", args: []string{"help", "cql"}, wantCode: 0, inStdout: "berth cql [--cluster FILE"},
		{name: "help of no command", args: []string{"help", "frobnicate"}, wantCode: 2, inStderr: `berth help: unknown command "frobnicate"`},
		{name: "unknown root flag", args: []string{"--frobnicate"}, wantCode: 2, inStderr: "berth: unknown flag: --frobnicate\n"},
		{name: "version flag", args: []string{"--version"}, wantCode: 0, inStdout: "berth "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("berth %q exit = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.inStdout) {
				t.Errorf("berth %q stdout = %q, want it to contain %q", tt.args, stdout, tt.inStdout)
			}
			if !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("berth %q stderr = %q, want it to contain %q", tt.args, stderr, tt.inStderr)
			}
		})
	}
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	for _, name := range commandNames() {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", name, "--help")
			if code != 0 {
				t.Fatalf("berth %s --help exit = %d, stderr %q", name, code, stderr)
			}
			if !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, "Examples:") {
				t.Errorf("berth %s --help lacks a Usage: or Examples: section:\n%s", name, stdout)
			}
			if _, _, code := runBerth(t, "", name, "--no-such-flag"); code != 2 {
				t.Errorf("berth %s --no-such-flag exit = %d, want 2", name, code)
			}
		})
	}
}

// TestUsageErrorIsOneLine checks that a usage error prints one line
// naming the command, and where to find its usage: not cobra's usage dump
// nor its "Error: " line.
func TestUsageErrorIsOneLine(t *testing.T) {
	for _, name := range commandNames() {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", name, "--no-such-flag")
			want := "berth " + name + ": unknown flag: --no-such-flag\nRun \"berth " + name + " --help\" for usage.\n"
			if code != 2 || stdout != "" || stderr != want {
				t.Errorf("berth %s --no-such-flag: exit %d, stdout %q, stderr %q; want 2, nothing and %q", name, code, stdout, stderr, want)
			}
		})
	}
}

// TestFlagsAnywhere checks that flags are read anywhere among the
// arguments and that "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	const drainingARN = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/b71202351c9706308890fdcfc2e256d0\n"
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		inStderr   string
	}{
		{name: "flag after the argument", args: []string{"cql", "agentConnected == true", "--status", "DRAINING", "--cluster", exampleCluster},
			wantStdout: drainingARN},
		{name: "flag before the argument", args: []string{"cql", "--cluster", exampleCluster, "--status=DRAINING", "agentConnected == true"},
			wantStdout: drainingARN},
		{name: "argument between flags", args: []string{"cql", "--status", "ACTIVE", "attribute:ecs.os-type == windows", "--cluster", exampleCluster},
			wantStdout: ""},
		{name: "-- ends the flags", args: []string{"cql", "--", "--status"}, wantCode: 1, inStderr: "berth cql: 1:1:"},
		{name: "single-dash long flag", args: []string{"cql", "-cluster", exampleCluster, "agentConnected == true"}, wantCode: 2,
			inStderr: "berth cql: unknown shorthand flag: 'c' in -cluster"},
		{name: "stdin argument", args: []string{"cql", "--cluster", "-", "agentConnected == true"}, wantCode: 1, inStderr: "berth cql: stdin:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", tt.args...)
			if code != tt.wantCode || stdout != tt.wantStdout || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("berth %q: exit %d, stdout %q, stderr %q; want %d, %q and stderr containing %q",
					tt.args, code, stdout, stderr, tt.wantCode, tt.wantStdout, tt.inStderr)
			}
		})
	}
}

func TestEveryHelpStatesExitCodes(t *testing.T) {
	helps := map[string][]string{"berth": {"--help"}}
	for _, name := range commandNames() {
		helps["berth "+name] = []string{name, "--help"}
	}
	for name, args := range helps {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", args...)
			if code != 0 {
				t.Fatalf("%s --help exit = %d, stderr %q", name, code, stderr)
			}
			_, status, ok := strings.Cut(stdout, "\nExit status: ")
			status, _, _ = strings.Cut(status, "\n\n")
			for _, want := range []string{"0 ", "1 ", "2 "} {
				if !ok || !strings.Contains(" "+strings.ReplaceAll(status, "\n", " "), " "+want) {
					t.Errorf("%s --help: the Exit status paragraph %q does not state exit code %s", name, status, want)
				}
			}
		})
	}
}

func TestStdoutFailureExits1(t *testing.T) {
	shards := t.TempDir()
	packShards(t, shards, 2, append(packArgs, "--policy", "fgd")...)
	tests := map[string][]string{
		"autoscale": {"autoscale", "--target", asData("target.json"), "--policy", asData("step-out.json"),
			"--policy", asData("step-in.json"), "--metrics", asData("worked.csv")},
		"completion": {"completion", "bash"},
		"cql":        {"cql", "--cluster", "../examples/cluster.json", "agentConnected == true"},
		"help":       {"help", "sim"},
		"import":     {"import", "ecs", "../ecsimport/testdata/dump"},
		"merge":      {"merge", shards},
		"pack":       packArgs,
		"plan":       {"plan", "--scenario", plannerExample, "--vary", "capacityProviders[1].maxSize=0,5", "--minimize", "cost", "--replicates", "2"},
		"place":      {"place", "--cluster", "../examples/cluster.json", "--task-definition", "../examples/taskdef-web.json", "--request", "../examples/runtask-web.json"},
		"sim":        {"sim", "--print-scenario"},
		"version":    {"version"},
	}
	for _, name := range commandNames() {
		if tests[name] == nil {
			t.Errorf("berth %s: no case in TestStdoutFailureExits1", name)
		}
	}
	tests["--help"] = []string{"--help"}
	tests["--version"] = []string{"--version"}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &failingWriter{}, stderr: &stderr}
			if code := run(e, args); code != 1 || !strings.Contains(stderr.String(), "no space left on device") {
				t.Errorf("berth %q with a failing stdout: exit %d, stderr %q; want exit 1 naming the error", args, code, stderr.String())
			}
		})
	}
}

// TestNewCommandEmbedded runs the root NewCommand returns as a program
// with a cobra tree of its own would: streams from cobra, errors
// returned, not printed.
func TestNewCommandEmbedded(t *testing.T) {
	root := NewCommand()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs([]string{"cql", "agentConnected==true"})
	if err := root.Execute(); err != nil || out.String() != "agentConnected == true\n" || errb.Len() != 0 {
		t.Errorf("NewCommand().Execute() cql: err %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
	out.Reset()
	root.SetArgs([]string{"cql", "agentConnected =="})
	if err := root.Execute(); err == nil || out.Len() != 0 || errb.Len() != 0 {
		t.Errorf("NewCommand().Execute() cql with a bad expression: err %v, stdout %q, stderr %q; want an error and nothing printed", err, out.String(), errb.String())
	}
}

// TestRunInterruptedByContext checks that under Run a cancelled context
// is the interrupt: the outputs are not written, berth says so and exits
// 1, and the process goes on.
func TestRunInterruptedByContext(t *testing.T) {
	dir := t.TempDir()
	scenario, out := filepath.Join(dir, "tiny.json"), filepath.Join(dir, "out")
	if err := os.WriteFile(scenario, []byte(strings.ReplaceAll(tinyScenario, `"type": "mostfree", "field": "memory"`, `"type": "binpack", "field": "cpu"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, []string{"sim", "--scenario", scenario, "--out", out}, strings.NewReader(""), &stdout, &stderr)
	if code != 1 || stderr.String() != "berth sim: interrupted; no output written\n" {
		t.Errorf("berth sim --out with a cancelled context: exit %d, stderr %q; want 1 and one line", code, stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("berth sim --out with a cancelled context left %d entries beside the scenario, want none", len(entries)-1)
	}
}
