package capfill

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/gpushare"
)

func TestReadPods(t *testing.T) {
	in := "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos\n" +
		"p1,4000,1024,1,500,V100M16|V100M32|V100M32,LS\n" +
		"p2,8000,2048,2,1000,|G2|,BE\n" +
		"p3,1000,0,0,0,G2,BE\n" +
		"p4,1000,0,1,1200,,BE\n" +
		"p5,1000,0,1,-5,G2,BE\n" +
		"p6,1000,0,0,500,G2,BE\n"
	got, err := ReadPods(strings.NewReader(in), "pods.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []PodSpec{
		{Name: "p1", Pod: gpushare.Pod{CPUMilli: 4000, MemoryMiB: 1024, GPUMilli: 500, GPUCount: 1, GPUSpec: "V100M16|V100M32|V100M32"}},
		{Name: "p2", Pod: gpushare.Pod{CPUMilli: 8000, MemoryMiB: 2048, GPUMilli: 1000, GPUCount: 2, GPUSpec: "G2"}},
		{Name: "p3", Pod: gpushare.Pod{CPUMilli: 1000}},
		{Name: "p4", Pod: gpushare.Pod{CPUMilli: 1000, GPUMilli: 1000, GPUCount: 1}},
		// The converter's rules, which sim/trace's reader does not share:
		// gpu_milli <= 0 or num_gpu 0 make a CPU-only pod.
		{Name: "p5", Pod: gpushare.Pod{CPUMilli: 1000}},
		{Name: "p6", Pod: gpushare.Pod{CPUMilli: 1000}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadPods (-want +got):\n%s", diff)
	}
	// The multigpu files have only five columns.
	if _, err := ReadPods(strings.NewReader("name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,1,1000\n"), "m.csv"); err != nil {
		t.Errorf("ReadPods without gpu_spec: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
		nodes          bool
	}{
		{name: "missing column", in: "name,cpu_milli,memory_mib,num_gpu\np,1,1,0\n",
			want: `trace: f.csv:1: missing column "gpu_milli" in the header "name,cpu_milli,memory_mib,num_gpu"`},
		{name: "non-numeric", in: "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,0,0\nq,4x,1,0,0\n",
			want: `trace: f.csv:3:2: cpu_milli "4x" is not an integer`},
		{name: "negative", in: "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,-5,0,0\n",
			want: `trace: f.csv:2:3: memory_mib -5 is negative`},
		{name: "shared milli on several GPUs", in: "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,2,500\n",
			want: `trace: f.csv:2:5: gpu_milli 500 with num_gpu 2, expected 1000 when num_gpu > 1`},
		{name: "duplicate pod", in: "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,0,0\np,1,1,0,0\n",
			want: `trace: f.csv:3:1: name "p" duplicates line 2, expected unique names`},
		{name: "ragged", in: "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,0\n",
			want: `trace: f.csv:2:5: expected 5 fields (name,cpu_milli,memory_mib,num_gpu,gpu_milli), found 4`},
		{name: "empty", in: "", want: `trace: f.csv: empty file, expected a header line`},
		{name: "node without model", nodes: true, in: "sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1000,2,\n",
			want: `trace: f.csv:2:5: model is empty for a node with 2 GPUs, expected a GPU model`},
		{name: "node with too many GPUs", nodes: true, in: "sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1000,16,A\n",
			want: `trace: f.csv:2:4: gpu 16 is too many, expected at most 8`},
		{name: "duplicate node", nodes: true, in: "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,0,\nn0,1,1,0,\n",
			want: `trace: f.csv:3:1: sn "n0" duplicates line 2, expected unique names`},
		{name: "float", in: "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1.0,1,0,0\n",
			want: `trace: f.csv:2:2: cpu_milli "1.0" is not an integer`},
		{name: "node missing column", nodes: true, in: "sn,cpu_milli,gpu,model\n",
			want: `trace: f.csv:1: missing column "memory_mib" in the header "sn,cpu_milli,gpu,model"`},
	}
	for _, tt := range tests {
		var err error
		if tt.nodes {
			_, err = ReadNodes(strings.NewReader(tt.in), "f.csv")
		} else {
			_, err = ReadPods(strings.NewReader(tt.in), "f.csv")
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestReadRows(t *testing.T) {
	res := &Result{Workload: "w", Strategy: "06-FGD", Seed: 7, Tune: 1.3, GPUs: 4,
		Events: []Event{{ArrivedMilli: 40, UsedMilli: 40, FragMilli: 10, IdleMilli: 100}}}
	for _, m := range []Metric{Alloc, Frag} {
		var b strings.Builder
		b.WriteString(strings.Join(Header(m), ",") + "\n")
		b.WriteString(strings.Join(res.Record(m), ",") + "\n")
		rows, hasTotal, err := ReadRows(strings.NewReader(b.String()), "r.csv")
		if err != nil {
			t.Fatalf("%v: ReadRows: %v", m, err)
		}
		if hasTotal != (m == Alloc) || len(rows) != 1 {
			t.Fatalf("%v: ReadRows: hasTotal %v, %d rows", m, hasTotal, len(rows))
		}
		want := res.Row(m)
		if diff := cmp.Diff(want, rows[0], cmp.Comparer(func(a, b float64) bool { return a == b || (a != a && b != b) })); diff != "" {
			t.Errorf("%v: round trip (-want +got):\n%s", m, diff)
		}
	}
	_, _, err := ReadRows(strings.NewReader("workload,sc_policy,tune,seed,x\n"), "r.csv")
	if want := `capfill: r.csv:1:5: header column 5 is "x"; expected "0"`; err == nil || err.Error() != want {
		t.Errorf("ReadRows bad header: %v, want %s", err, want)
	}
}

func FuzzReadPods(f *testing.F) {
	f.Add("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\np,1,1,1,500,A|B\n")
	f.Add("name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1.0,1,2,1000\nq,\"x\",1,0,0\n")
	f.Fuzz(func(t *testing.T, in string) {
		pods, err := ReadPods(strings.NewReader(in), "f.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "trace: f.csv") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line naming the file", err)
			}
			return
		}
		for _, p := range pods {
			if p.GPUMilli < 0 || p.GPUMilli > 1000 || (p.GPUCount > 1 && p.GPUMilli != 1000) || p.CPUMilli < 0 {
				t.Fatalf("ReadPods accepted %+v", p)
			}
		}
	})
}

func FuzzReadNodes(f *testing.F) {
	f.Add("sn,cpu_milli,memory_mib,gpu,model\nn,64000,262144,2,P100\n")
	f.Add("model,gpu,sn,memory_mib,cpu_milli\nA,8,n,1,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		nodes, err := ReadNodes(strings.NewReader(in), "f.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "trace: f.csv") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line naming the file", err)
			}
			return
		}
		for _, n := range nodes {
			if n.GPUs < 0 || n.GPUs > 8 || (n.GPUs > 0 && n.Model == "") {
				t.Fatalf("ReadNodes accepted %+v", n)
			}
		}
	})
}

func FuzzReadRows(f *testing.F) {
	f.Add(strings.Join(Header(Frag), ",") + "\nw,p,1.3,42" + strings.Repeat(",1.5", Columns) + "\n")
	f.Fuzz(func(t *testing.T, in string) {
		_, _, err := ReadRows(strings.NewReader(in), "f.csv")
		if err != nil && (!strings.HasPrefix(err.Error(), "capfill: f.csv") || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("error %q is not one line naming the file", err)
		}
	})
}
