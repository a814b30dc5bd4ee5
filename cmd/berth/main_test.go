package main

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
