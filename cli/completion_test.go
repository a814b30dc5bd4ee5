package cli

import (
	"strings"
	"testing"
)

// TestCompletion checks that each shell's script is printed, names berth
// and asks it for completions, and that the completions it asks for
// include the flag values berth knows.
func TestCompletion(t *testing.T) {
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", "completion", shell)
			if code != 0 || stderr != "" || len(stdout) < 1000 || !strings.Contains(stdout, "berth __complete") && !strings.Contains(stdout, "__complete") {
				t.Errorf("berth completion %s: exit %d, %d bytes, stderr %q; want 0 and a script calling berth __complete", shell, code, len(stdout), stderr)
			}
		})
	}
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"__complete", "s"}, want: "sim\t"},
		{args: []string{"__complete", "sim", "--strategy", ""}, want: "\nfgd\n"},
		{args: []string{"__complete", "sim", "--executor", ""}, want: "\ndocker\n"},
		{args: []string{"__complete", "pack", "--metric", ""}, want: "\nfrag-ratio\n"},
		{args: []string{"__complete", "cql", "--status", ""}, want: "\nDRAINING\n"},
		{args: []string{"__complete", "completion", ""}, want: "\nzsh\n"},
		{args: []string{"__complete", "import", ""}, want: "\necs\n"},
		{args: []string{"__complete", "import", "ecs", ""}, want: "\n:16\n"}, // ShellCompDirectiveFilterDirs
	}
	for _, tt := range tests {
		if stdout, _, _ := runBerth(t, "", tt.args...); !strings.Contains("\n"+stdout, tt.want) {
			t.Errorf("berth %q = %q, want it to contain %q", tt.args, stdout, tt.want)
		}
	}
}
