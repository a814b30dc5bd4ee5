package trace

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/tracedir"
)

// tracesDir returns the real traces directory (BERTH_TRACES, else
// ../shared/traces beside the repository), or skips the test.
func tracesDir(t testing.TB) string {
	t.Helper()
	return tracedir.Require(t)
}

func openFile(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// formatTask prints every field of t on one line, for golden files.
func formatTask(t Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s submit=%v duration=%v hasTimes=%v cpu=%d mem=%d gpus=%d gpuMilli=%d",
		t.ID, t.Submit, t.Duration, t.HasTimes, t.CPU, t.MemoryMiB, t.GPUs, t.GPUMilli)
	if t.GPUModels != nil {
		fmt.Fprintf(&b, " models=%q", t.GPUModels)
	}
	if t.GPUSpec != "" {
		fmt.Fprintf(&b, " spec=%q", t.GPUSpec)
	}
	for _, s := range t.Scalars {
		fmt.Fprintf(&b, " %s=%g", s.Name, s.Value)
	}
	if t.Group != "" || t.App != "" {
		fmt.Fprintf(&b, " group=%q app=%q", t.Group, t.App)
	}
	if t.MaxPerInstance != 0 {
		fmt.Fprintf(&b, " maxPerInstance=%d", t.MaxPerInstance)
	}
	if t.ExitCode != 0 {
		fmt.Fprintf(&b, " exit=%d", t.ExitCode)
	}
	return b.String()
}

// formatNode prints every field of n on one line, for golden files.
func formatNode(n Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s cpu=%d mem=%d gpus=%d model=%q", n.Name, n.CPU, n.MemoryMiB, n.GPUs, n.GPUModel)
	for _, a := range n.Attributes {
		fmt.Fprintf(&b, " %s=%q", a.Name, a.Value)
	}
	if n.Type != "" || n.Zone != "" || n.PricePerHour != 0 {
		fmt.Fprintf(&b, " type=%q zone=%q price=%g", n.Type, n.Zone, n.PricePerHour)
	}
	return b.String()
}

// readAll drains a reader of any kind, returning the records and the
// first error other than io.EOF.
func readAll[T any](next func() (T, error)) ([]T, error) {
	var out []T
	for {
		v, err := next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}
