package trace

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"

	"github.com/google/go-cmp/cmp"
)

// TestGoldenTasks reads each task excerpt in testdata (the first rows of
// the real files, plus a few chosen for their variety) and prints the
// tasks to a golden file.
func TestGoldenTasks(t *testing.T) {
	tests := []struct {
		file string
		open func(f *os.File, name string) func() (Task, error)
	}{
		{"openb_pod_list_default.csv", func(f *os.File, n string) func() (Task, error) { return NewOpenBPods(f, n).Next }},
		{"openb_pod_list_gpuspec10.csv", func(f *os.File, n string) func() (Task, error) { return NewOpenBPods(f, n).Next }},
		{"openb_pod_list_multigpu20.csv", func(f *os.File, n string) func() (Task, error) { return NewOpenBPods(f, n).Next }},
		{"NASA-iPSC-1993-3.1-cln.excerpt.swf", func(f *os.File, n string) func() (Task, error) { return NewSWF(f, n).Next }},
		{"disaggregated_DLRM_trace.csv", func(f *os.File, n string) func() (Task, error) { return NewDLRM(f, n).Next }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := openFile(t, filepath.Join("testdata", tt.file))
			tasks, err := readAll(tt.open(f, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(tasks) < 10 {
				t.Fatalf("read %d tasks, want the whole excerpt", len(tasks))
			}
			var b strings.Builder
			for _, task := range tasks {
				b.WriteString(formatTask(task))
				b.WriteByte('\n')
			}
			golden.Check(t, tt.file+".golden", b.String())
		})
	}
}

func TestGoldenNodes(t *testing.T) {
	tests := []struct {
		file string
		open func(f *os.File, name string) func() (Node, error)
	}{
		{"openb_node_list_gpu_node.csv", func(f *os.File, n string) func() (Node, error) { return NewOpenBNodes(f, n).Next }},
		{"pai_machine_spec.csv", func(f *os.File, n string) func() (Node, error) { return NewPAIMachines(f, n).Next }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := openFile(t, filepath.Join("testdata", tt.file))
			nodes, err := readAll(tt.open(f, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) < 10 {
				t.Fatalf("read %d nodes, want the whole excerpt", len(nodes))
			}
			var b strings.Builder
			for _, n := range nodes {
				b.WriteString(formatNode(n))
				b.WriteByte('\n')
			}
			golden.Check(t, tt.file+".golden", b.String())
		})
	}
}

// gzipped returns data compressed with gzip.
func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGzipSameAsPlain checks that every reader gives the same records for
// a file and for its gzip compression.
func TestGzipSameAsPlain(t *testing.T) {
	files := map[string]func(data []byte) (any, error){
		"NASA-iPSC-1993-3.1-cln.excerpt.swf": func(d []byte) (any, error) { return readAll(NewSWF(bytes.NewReader(d), "x").Next) },
		"openb_pod_list_default.csv":         func(d []byte) (any, error) { return readAll(NewOpenBPods(bytes.NewReader(d), "x").Next) },
		"openb_node_list_gpu_node.csv":       func(d []byte) (any, error) { return readAll(NewOpenBNodes(bytes.NewReader(d), "x").Next) },
		"disaggregated_DLRM_trace.csv":       func(d []byte) (any, error) { return readAll(NewDLRM(bytes.NewReader(d), "x").Next) },
		"pai_machine_spec.csv":               func(d []byte) (any, error) { return readAll(NewPAIMachines(bytes.NewReader(d), "x").Next) },
		"example.jsonl":                      func(d []byte) (any, error) { return readAll(NewNative(bytes.NewReader(d), "x").Next) },
	}
	for file, read := range files {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := read(data)
			if err != nil {
				t.Fatal(err)
			}
			zipped, err := read(gzipped(t, data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(plain, zipped); diff != "" {
				t.Errorf("gzip differs from plain (-plain +gzip):\n%s", diff)
			}
		})
	}
}

// TestPAIHeader checks PAIMachineHeader against the header file shipped
// with the trace, and that a file starting with it reads the same.
func TestPAIHeader(t *testing.T) {
	dir := tracesDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "alibaba-pai-2020-machine-spec", "pai_machine_spec.header"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(data)); got != PAIMachineHeader {
		t.Errorf("pai_machine_spec.header = %q, want PAIMachineHeader %q", got, PAIMachineHeader)
	}
	body, err := os.ReadFile(filepath.Join("testdata", "pai_machine_spec.csv"))
	if err != nil {
		t.Fatal(err)
	}
	without, err := readAll(NewPAIMachines(bytes.NewReader(body), "x").Next)
	if err != nil {
		t.Fatal(err)
	}
	with, err := readAll(NewPAIMachines(strings.NewReader(PAIMachineHeader+"\n"+string(body)), "x").Next)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(without, with); diff != "" {
		t.Errorf("with a header line (-without +with):\n%s", diff)
	}
}
