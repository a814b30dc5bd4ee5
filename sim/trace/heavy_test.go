package trace

import (
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// The heavy tests stream each full real trace and check facts that the
// traces' own READMEs state (counts, models, totals).

func TestRealOpenB(t *testing.T) {
	if testing.Short() {
		t.Skip("streams the full openb trace; skipped under -short")
	}
	dir := filepath.Join(tracesDir(t), "openb")

	nodes, err := readAll(NewOpenBNodes(openFile(t, filepath.Join(dir, "openb_node_list_gpu_node.csv")), "openb_node_list_gpu_node.csv").Next)
	if err != nil {
		t.Fatal(err)
	}
	gpus, milli := 0, int64(0)
	byModel := map[string]int{}
	for _, n := range nodes {
		gpus += n.GPUs
		milli += n.CPU
		byModel[n.GPUModel] += n.GPUs
	}
	if len(nodes) != 1213 || gpus != 6212 || milli != 107018*1000 {
		t.Errorf("GPU node list: %d nodes, %d GPUs, %d millicores; README: 1,213 nodes, 6,212 GPUs, 107,018 cores", len(nodes), gpus, milli)
	}
	want := map[string]int{"G2": 4392, "T4": 842, "G3": 312, "P100": 265, "V100M32": 204, "V100M16": 195, "A10": 2}
	for model, n := range want {
		if byModel[model] != n {
			t.Errorf("%s GPUs = %d, README says %d", model, byModel[model], n)
		}
	}
	all, err := readAll(NewOpenBNodes(openFile(t, filepath.Join(dir, "openb_node_list_all_node.csv")), "openb_node_list_all_node.csv").Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1523 {
		t.Errorf("all-node list: %d nodes, want 1,523", len(all))
	}

	pods := []struct {
		file  string
		count int
		timed bool
	}{
		{"openb_pod_list_default.csv", 8152, true},
		{"openb_pod_list_gpuspec10.csv", 8152, true},
		{"openb_pod_list_multigpu20.csv", 8324, false},
		{"openb_pod_list_multigpu50.csv", 9061, false},
	}
	for _, p := range pods {
		t.Run(p.file, func(t *testing.T) {
			r := NewOpenBPods(openFile(t, filepath.Join(dir, p.file)), p.file)
			n, withSpec, last := 0, 0, time.Duration(0)
			for {
				task, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if task.HasTimes != p.timed {
					t.Fatalf("%s: HasTimes %v, want %v", task.ID, task.HasTimes, p.timed)
				}
				if task.Submit < last {
					t.Fatalf("%s: submit %v before the previous pod's %v: the README says the file is in time order", task.ID, task.Submit, last)
				}
				last = task.Submit
				if task.GPUs > 1 && task.GPUMilli != 1000 {
					t.Fatalf("%s: %d GPUs with gpuMilli %d", task.ID, task.GPUs, task.GPUMilli)
				}
				if len(task.GPUModels) > 0 {
					withSpec++
				}
			}
			if n != p.count {
				t.Errorf("%d pods, want %d", n, p.count)
			}
			if p.file == "openb_pod_list_gpuspec10.csv" && withSpec == 0 {
				t.Error("no pod with a gpu_spec in gpuspec10")
			}
		})
	}
}

func TestRealSWF(t *testing.T) {
	if testing.Short() {
		t.Skip("streams the full SWF trace; skipped under -short")
	}
	const file = "NASA-iPSC-1993-3.1-cln.swf.gz"
	r := NewSWF(openFile(t, filepath.Join(tracesDir(t), "pwa-nasa-ipsc-1993", file)), file)
	n, maxCPU := 0, int64(0)
	for {
		task, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		maxCPU = max(maxCPU, task.CPU)
	}
	if n != 18239 || r.Skipped() != 0 {
		t.Errorf("%d jobs, %d skipped; README: 18,239 jobs", n, r.Skipped())
	}
	if r.MaxProcs() != 128 || maxCPU != 128*1024 {
		t.Errorf("MaxProcs %d, largest job %d CPU units; want 128 processors", r.MaxProcs(), maxCPU)
	}
}

func TestRealDLRM(t *testing.T) {
	if testing.Short() {
		t.Skip("streams the full DLRM trace; skipped under -short")
	}
	const file = "disaggregated_DLRM_trace.csv"
	tasks, err := readAll(NewDLRM(openFile(t, filepath.Join(tracesDir(t), "alibaba-gpu-v2025-dlrm", file)), file).Next)
	if err != nil {
		t.Fatal(err)
	}
	withGPU, apps, capped := 0, map[string]bool{}, 0
	for _, task := range tasks {
		if task.GPUs > 0 {
			withGPU++
		}
		if task.MaxPerInstance > 0 {
			capped++
		}
		apps[task.App] = true
	}
	// The DLRM README: 23,871 instances of 156 services, 7,386 of them on
	// heterogeneous GPU nodes (each with one GPU).
	if len(tasks) != 23871 || len(apps) != 156 || withGPU != 7386 {
		t.Errorf("%d instances, %d apps, %d with a GPU; README: 23,871, 156, 7,386", len(tasks), len(apps), withGPU)
	}
	if capped == 0 || capped == len(tasks) {
		t.Errorf("%d instances capped per node: want some but not all", capped)
	}
}

func TestRealPAI(t *testing.T) {
	if testing.Short() {
		t.Skip("streams the full PAI machine list; skipped under -short")
	}
	const file = "pai_machine_spec.csv"
	nodes, err := readAll(NewPAIMachines(openFile(t, filepath.Join(tracesDir(t), "alibaba-pai-2020-machine-spec", file)), file).Next)
	if err != nil {
		t.Fatal(err)
	}
	cpuOnly := 0
	for _, n := range nodes {
		if n.GPUs == 0 {
			cpuOnly++
		}
	}
	if len(nodes) != 1897 || cpuOnly != 83 {
		t.Errorf("%d machines, %d without GPUs; want 1,897 and 83", len(nodes), cpuOnly)
	}
}

// genReader generates n rows of a trace on the fly, so that a test can
// stream a file far larger than any kept in memory.
type genReader struct {
	header string
	row    func(i int, b []byte) []byte
	n, i   int
	buf    []byte
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.header != "":
			g.buf, g.header = []byte(g.header), ""
		case g.i < g.n:
			g.buf = g.row(g.i, g.buf[:0])
			g.i++
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryBounded streams a million-row openb pod list and a
// million-line native trace, generated on the fly, and checks that the
// live heap after the millionth row is no larger than after the
// thousandth, give or take 256 KiB: the readers keep nothing per row.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams two million generated rows; skipped under -short")
	}
	const rows = 1_000_000
	pods := &genReader{header: podHeader, n: rows, row: func(i int, b []byte) []byte {
		b = append(b, "openb-pod-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ",12000,16384,1,460,V100M16|V100M32,LS,Running,"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(i+100), 10)
		return append(b, ",0\n"...)
	}}
	native := &genReader{n: rows, row: func(i int, b []byte) []byte {
		b = append(b, `{"time":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"kind":"submit","task":"t`...)
		b = strconv.AppendInt(b, int64(i), 10)
		return append(b, `","cpu":1024,"memory":2048,"gpus":1,"gpuModels":["T4"],"duration":60,"scalars":{"disk":5}}`+"\n"...)
	}}
	podReader := NewOpenBPods(pods, "gen.csv")
	nativeReader := NewNative(native, "gen.jsonl")
	tests := []struct {
		name string
		next func() error
	}{
		{"openb pods", func() error { _, err := podReader.Next(); return err }},
		{"native", func() error { _, err := nativeReader.Next(); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var early uint64
			n := 0
			for {
				err := tt.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if n == 1000 {
					early = heapAlloc()
				}
			}
			late := heapAlloc()
			if n != rows {
				t.Fatalf("read %d rows, want %d", n, rows)
			}
			t.Logf("live heap after 1,000 rows: %d B; after %d rows: %d B", early, rows, late)
			if late > early+256<<10 {
				t.Errorf("live heap grew from %d B to %d B over %d rows", early, late, rows)
			}
		})
	}
}
