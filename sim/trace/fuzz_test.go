package trace

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkErr fails unless err is nil or a one-line *Error prefixed "trace: ".
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is a %T, want an *Error", err, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "trace: ") || strings.ContainsAny(msg, "\n") {
		t.Fatalf("error %q is not one line prefixed trace: ", msg)
	}
	if te.Line < 0 || te.Col < 0 {
		t.Fatalf("error %q has a negative position", msg)
	}
}

func addSeeds(f *testing.F, files ...string) {
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzNative: no input panics; errors are one line with a column inside
// the line; every event read rewrites and reads back equal.
func FuzzNative(f *testing.F) {
	addSeeds(f, "example.jsonl")
	for _, s := range []string{okStart, `{"time":1,"kind":"submit","task":"a","scalars":{"disk":null}}`, `{"time":1e400}`, `null`, `[{"a":"\u006e"}]`, `{"time":1,"kind":"submit","task":"a","gpus":1,"gpuModels":["T4","T4"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := readAll(NewNative(bytes.NewReader(data), "f.jsonl").Next)
		checkErr(t, err)
		var te *Error
		if errors.As(err, &te) && te.Line > 0 {
			lines := bytes.Split(data, []byte("\n"))
			if te.Line > len(lines) {
				t.Fatalf("error %v: line beyond the input's %d lines", err, len(lines))
			}
			if te.Col > len(lines[te.Line-1])+1 {
				t.Fatalf("error %v: column beyond the line's %d bytes", err, len(lines[te.Line-1]))
			}
		}
		var buf bytes.Buffer
		for i := range events {
			if err := WriteEvent(&buf, &events[i]); err != nil {
				t.Fatalf("WriteEvent(%+v) of an event read: %v", events[i], err)
			}
		}
		back, err := readAll(NewNative(&buf, "again").Next)
		if err != nil {
			t.Fatalf("rereading %q: %v", buf.String(), err)
		}
		if diff := cmp.Diff(events, back); diff != "" {
			t.Fatalf("rewritten events differ (-read +reread):\n%s", diff)
		}
	})
}

// FuzzOpenBPods: no input panics and errors are well formed; what reads
// has a consistent GPU share.
func FuzzOpenBPods(f *testing.F) {
	addSeeds(f, "openb_pod_list_default.csv", "openb_pod_list_gpuspec10.csv", "openb_pod_list_multigpu20.csv")
	f.Add([]byte(podHeader + "p0,1,1,1,1001,,LS,Running,0,1,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tasks, err := readAll(NewOpenBPods(bytes.NewReader(data), "f.csv").Next)
		checkErr(t, err)
		for _, task := range tasks {
			if task.GPUMilli < 0 || task.GPUMilli > 1000 || (task.GPUs == 0) != (task.GPUMilli == 0) || task.Duration < 0 || task.Submit < 0 {
				t.Fatalf("inconsistent task %+v", task)
			}
		}
	})
}

// FuzzSWF: no input panics and errors are well formed.
func FuzzSWF(f *testing.F) {
	addSeeds(f, "NASA-iPSC-1993-3.1-cln.excerpt.swf")
	f.Add([]byte("1 0 -1 5 1 -1 1e300 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tasks, err := readAll(NewSWF(bytes.NewReader(data), "f.swf").Next)
		checkErr(t, err)
		for _, task := range tasks {
			if task.CPU <= 0 || task.MemoryMiB < 0 || task.Duration <= 0 || task.Submit < 0 {
				t.Fatalf("inconsistent task %+v", task)
			}
		}
	})
}

// FuzzOpenBNodes: no input panics and errors are well formed.
func FuzzOpenBNodes(f *testing.F) {
	addSeeds(f, "openb_node_list_gpu_node.csv")
	f.Add([]byte("sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1024,1,T4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readAll(NewOpenBNodes(bytes.NewReader(data), "f.csv").Next)
		checkErr(t, err)
	})
}

// FuzzDLRM: no input panics and errors are well formed.
func FuzzDLRM(f *testing.F) {
	addSeeds(f, "disaggregated_DLRM_trace.csv")
	f.Add([]byte(dlrmHeader + "i0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readAll(NewDLRM(bytes.NewReader(data), "f.csv").Next)
		checkErr(t, err)
	})
}

// FuzzPAIMachines: no input panics and errors are well formed.
func FuzzPAIMachines(f *testing.F) {
	addSeeds(f, "pai_machine_spec.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readAll(NewPAIMachines(bytes.NewReader(data), "f.csv").Next)
		checkErr(t, err)
	})
}
