package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlannerDocWalkthrough runs the berth plan command docs/planner.md
// walks through, as shown, and checks that it prints the output the page
// shows, verbatim: the page stays true when the simulator changes.
func TestPlannerDocWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a plan of 175 simulations: skipped under -short")
	}
	data, err := os.ReadFile("../docs/planner.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## berth plan: ")
	if !ok {
		t.Fatal(`docs/planner.md has no "## berth plan: " section`)
	}
	var blocks []string
	for rest := section; ; {
		_, after, ok := strings.Cut(rest, "```\n")
		if !ok {
			break
		}
		body, tail, ok := strings.Cut(after, "```\n")
		if !ok {
			t.Fatal("docs/planner.md: a code block is not closed")
		}
		blocks, rest = append(blocks, body), tail
	}
	if len(blocks) < 2 {
		t.Fatalf("the berth plan section has %d code blocks, want the command and its output", len(blocks))
	}
	command := strings.ReplaceAll(blocks[0], "\\\n", " ")
	args := shellWords(t, strings.TrimSpace(command))
	if len(args) < 2 || args[0] != "berth" || args[1] != "plan" {
		t.Fatalf("the first block is %q, want a berth plan command", command)
	}
	for i, a := range args {
		switch {
		case a == "--out":
			args[i+1] = filepath.Join(t.TempDir(), "plan")
		case strings.HasPrefix(a, "examples/"):
			args[i] = filepath.Join("..", a)
		}
	}
	stdout, stderr, code := runBerth(t, "", args[1:]...)
	if code != 0 {
		t.Fatalf("%q: exit %d, stderr %q", command, code, stderr)
	}
	if diff := cmp.Diff(blocks[1], stdout); diff != "" {
		t.Errorf("docs/planner.md shows another output than %q prints (-doc +printed):\n%s", command, diff)
	}
}

// shellWords splits a command line as a POSIX shell would, for the
// quoting the docs use: single quotes, no escapes.
func shellWords(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	in, quoted := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, in = !quoted, true
		case (r == ' ' || r == '\n') && !quoted:
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quoted {
		t.Fatalf("unclosed quote in %q", line)
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}
