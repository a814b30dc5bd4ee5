package sim

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestNoPlotDependency checks that embedding the simulator does not link a
// plotting library: only sim/report may import one.
func TestNoPlotDependency(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "list", "-deps", ".", "./scenario").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"gonum.org/v1/plot", "berth/sim/report", "codeberg.org/go-latex", "codeberg.org/go-pdf"} {
			if strings.HasPrefix(pkg, banned) || strings.Contains(pkg, banned) {
				t.Errorf("go list -deps ./sim ./sim/scenario includes %s", pkg)
			}
		}
	}
}
