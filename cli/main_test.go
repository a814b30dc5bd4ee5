package cli

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, inStderr: `unknown command "frobnicate"`},
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
	for name := range commands {
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

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args     []string
		wantRest []string
		wantX    string
	}{
		{args: []string{"-x", "1", "a", "b"}, wantRest: []string{"a", "b"}, wantX: "1"},
		{args: []string{"a", "--x", "2", "b"}, wantRest: []string{"a", "b"}, wantX: "2"},
		{args: []string{"a", "--", "-x", "3"}, wantRest: []string{"a", "-x", "3"}},
		{args: []string{"-", "-x=4"}, wantRest: []string{"-"}, wantX: "4"},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		x := fs.String("x", "", "")
		rest, err := parseInterspersed(fs, tt.args)
		if err != nil {
			t.Fatalf("parseInterspersed(%q): %v", tt.args, err)
		}
		if diff := cmp.Diff(tt.wantRest, rest); diff != "" || *x != tt.wantX {
			t.Errorf("parseInterspersed(%q): x = %q, want %q; rest (-want +got):\n%s", tt.args, *x, tt.wantX, diff)
		}
	}
}

func TestEveryHelpStatesExitCodes(t *testing.T) {
	helps := map[string][]string{"berth": {"--help"}}
	for name := range commands {
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
	tests := map[string][]string{
		"autoscale": {"autoscale", "--target", asData("target.json"), "--policy", asData("step-out.json"),
			"--policy", asData("step-in.json"), "--metrics", asData("worked.csv")},
		"cql":   {"cql", "--cluster", "../examples/cluster.json", "agentConnected == true"},
		"pack":  packArgs,
		"place": {"place", "--cluster", "../examples/cluster.json", "--task-definition", "../examples/taskdef-web.json", "--request", "../examples/runtask-web.json"},
		"sim":   {"sim", "--print-scenario"},
	}
	for name := range commands {
		if tests[name] == nil {
			t.Errorf("berth %s: no case in TestStdoutFailureExits1", name)
		}
	}
	tests["help"] = []string{"--help"}
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
