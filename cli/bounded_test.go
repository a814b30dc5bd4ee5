package cli

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/benchmarks/capfill"
	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
)

// endless yields prefix, then pattern forever.
type endless struct {
	prefix  string
	pattern string
	off     int
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for n < len(p) {
		c := copy(p[n:], e.pattern[e.off:])
		e.off = (e.off + c) % len(e.pattern)
		n += c
	}
	return n, nil
}

// claim yields prefix and then pattern up to 1 GiB in all.
func claim(prefix, pattern string) io.Reader {
	return io.LimitReader(&endless{prefix: prefix, pattern: pattern}, 1<<30)
}

// Every reader, fed an endless input or one that claims 1 GiB, stops with
// a one-line error after allocating a small, bounded amount of memory.
func TestReadersBoundedInput(t *testing.T) {
	if testing.Short() {
		t.Skip("reads several MiB per reader")
	}
	first := func(next func() error) error {
		for {
			if err := next(); err != nil {
				return err
			}
		}
	}
	readers := []struct {
		name string
		read func(r io.Reader) error
	}{
		{"scenario", func(r io.Reader) error { _, err := scenario.ReadScenario(r, "f"); return err }},
		{"snapshot", func(r io.Reader) error { _, err := ecsjson.ReadSnapshot(r); return err }},
		{"task definition", func(r io.Reader) error { _, err := ecsjson.ReadTaskDefinition(r); return err }},
		{"runtask", func(r io.Reader) error { _, err := ecsjson.ReadRunTaskRequest(r); return err }},
		{"autoscale document", func(r io.Reader) error { var d policyDoc; return decodeDoc(r, "f", &d) }},
		{"native", func(r io.Reader) error {
			n := trace.NewNative(r, "f")
			return first(func() error { _, err := n.Next(); return err })
		}},
		{"openb nodes", func(r io.Reader) error {
			n := trace.NewOpenBNodes(r, "f")
			return first(func() error { _, err := n.Next(); return err })
		}},
		{"openb pods", func(r io.Reader) error {
			n := trace.NewOpenBPods(r, "f")
			return first(func() error { _, err := n.Next(); return err })
		}},
		{"swf", func(r io.Reader) error {
			n := trace.NewSWF(r, "f")
			return first(func() error { _, err := n.Next(); return err })
		}},
		{"dlrm", func(r io.Reader) error {
			n := trace.NewDLRM(r, "f")
			return first(func() error { _, err := n.Next(); return err })
		}},
		{"pai", func(r io.Reader) error {
			n := trace.NewPAIMachines(r, "f")
			return first(func() error { _, err := n.Next(); return err })
		}},
		{"metrics CSV", func(r io.Reader) error {
			if _, err := readMetrics(r, time.Time{}); err != nil {
				return fmt.Errorf("f: %w", err) // as runAutoscale names the file
			}
			return nil
		}},
		{"capfill nodes", func(r io.Reader) error { _, err := capfill.ReadNodes(r, "f"); return err }},
		{"capfill pods", func(r io.Reader) error { _, err := capfill.ReadPods(r, "f"); return err }},
		{"capfill rows", func(r io.Reader) error { _, _, err := capfill.ReadRows(r, "f"); return err }},
	}
	inputs := []struct {
		name string
		r    func() io.Reader
	}{
		{"zeros", func() io.Reader { return &endless{pattern: "\x00"} }},
		{"brackets", func() io.Reader { return &endless{pattern: "["} }},
		{"endless line", func() io.Reader { return &endless{pattern: "x"} }},
		{"endless quoted field", func() io.Reader { return &endless{prefix: "a,\"", pattern: "x\n"} }},
		{"endless string", func() io.Reader { return &endless{prefix: `{"name": "`, pattern: "x"} }},
		{"1 GiB line", func() io.Reader { return claim(`{"a":"`, "1") }},
		{"1 GiB array", func() io.Reader { return claim(`{"containerInstances": [`, "[0],") }},
	}
	for _, rd := range readers {
		for _, in := range inputs {
			t.Run(rd.name+"/"+in.name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				err := rd.read(in.r())
				runtime.ReadMemStats(&after)
				if err == nil || err == io.EOF {
					t.Fatalf("read: %v, want an error", err)
				}
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, " f:") && !strings.HasPrefix(msg, "f:") && !strings.HasPrefix(msg, "ecsjson: ") {
					t.Errorf("error %q is not one line naming the file", msg)
				}
				// The largest line or document a reader holds is 1 MiB for
				// lines and strings, 2 Mi values for trees: well under this.
				const budget = 512 << 20
				if got := after.TotalAlloc - before.TotalAlloc; got > budget {
					t.Errorf("allocated %d MiB before the error %v, want at most %d MiB", got>>20, err, budget>>20)
				}
			})
		}
	}
}
