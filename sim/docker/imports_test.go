package docker

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Only this package and the CLI (package cli, and the programs built on
// it: cmd/berth, examples/custom-strategy) may depend on the Docker SDK,
// directly or through another package; the workload depends on the
// standard library only.
func TestDockerSDKImportedOnlyHereAndByTheCLI(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go list needs the Go toolchain: %v", err)
	}
	const mod = "github.com/berthsched/berth"
	out, err := exec.Command(gobin, "list", "-e", "-f", "{{.ImportPath}} {{.Standard}} {{join .Deps \" \"}}", mod+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{mod + "/sim/docker": true, mod + "/cli": true}
	checked := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		pkg, deps := f[0], f[2:]
		checked++
		if slices.Contains(deps, mod+"/cli") {
			continue // a program built on the CLI
		}
		for _, d := range deps {
			sdk := strings.HasPrefix(d, "github.com/moby/") || strings.HasPrefix(d, "github.com/docker/")
			if sdk && !allowed[pkg] {
				t.Errorf("%s depends on the Docker SDK (%s); only sim/docker and the CLI may", pkg, d)
				break
			}
		}
		if pkg == mod+"/sim/docker/workload" {
			std, err := exec.Command(gobin, "list", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			if got := strings.Fields(string(std)); len(got) != 1 || got[0] != pkg {
				t.Errorf("the workload depends on %v beyond the standard library", got)
			}
		}
	}
	if checked < 5 || !strings.Contains(string(out), mod+"/sim/docker ") {
		t.Fatalf("go list saw %d packages, expected the module's:\n%s", checked, out)
	}
}
