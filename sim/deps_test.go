package sim

import (
	"os"
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

// TestEmbeddedSize builds the smallest program that embeds the simulator
// (testdata/embed) and checks its size: 12.5 MB when package sim linked
// the plotting library, 5.9 MB since, 6.3 MB with the planner, the import
// of a dumped cluster and the contention model (their own code: the
// dependencies are the same). The bound, 8 MB, leaves the simulator room
// to grow and still fails on a dependency of the plotting library's
// weight (6.6 MB); TestNoPlotDependency names the library itself.
func TestEmbeddedSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program: skipped under -short")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(t.TempDir(), "embed")
	if out, err := exec.Command(gobin, "build", "-o", bin, "./testdata/embed").CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/embed: %v: %s", err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 8_000_000
	if fi.Size() >= limit {
		t.Errorf("a program embedding the simulator is %d bytes, expected under %d", fi.Size(), limit)
	}
}
