package trace

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The rows keep what the readers' rules judge differently: gpu_milli of
// any sign and size, gpu_spec as written.
func TestOpenBPodRows(t *testing.T) {
	in := "gpu_milli,name,num_gpu,memory_mib,cpu_milli,gpu_spec\n" +
		"500,p0,1,1024,4000,|V100M16|V100M16\n" +
		"-5,p1,0,0,1000,\n" +
		"99999999999,p2,3,1,1,G2\n"
	r := NewOpenBPodRows(strings.NewReader(in), "f.csv")
	var got []OpenBPodRow
	var lines []int
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		got, lines = append(got, row), append(lines, r.Line())
	}
	want := []OpenBPodRow{
		{Name: "p0", CPUMilli: 4000, MemoryMiB: 1024, NumGPU: 1, GPUMilli: 500, GPUSpec: "|V100M16|V100M16"},
		{Name: "p1", CPUMilli: 1000, GPUMilli: -5},
		{Name: "p2", CPUMilli: 1, MemoryMiB: 1, NumGPU: 3, GPUMilli: 99999999999, GPUSpec: "G2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OpenBPodRows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 3, 4}, lines); diff != "" {
		t.Errorf("Line (-want +got):\n%s", diff)
	}
}

func TestOpenBRowsFieldError(t *testing.T) {
	pods := NewOpenBPodRows(strings.NewReader("name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,2,5\n"), "f.csv")
	if _, err := pods.Next(); err != nil {
		t.Fatalf("Next: %v", err)
	}
	tests := []struct {
		name, column, want string
	}{
		{"a column", "gpu_milli", "trace: f.csv:2:5: gpu_milli 5 is wrong"},
		{"a column the file lacks", "gpu_spec", "trace: f.csv:2: gpu_spec 5 is wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := pods.FieldError(tt.column, "5 is wrong"); err.Error() != tt.want {
				t.Errorf("FieldError(%q) = %v, want %s", tt.column, err, tt.want)
			}
		})
	}
	if _, err := pods.Next(); err == nil || err.Error() != "trace: f.csv:2: gpu_spec 5 is wrong" {
		t.Errorf("Next after FieldError = %v, want the error again", err)
	}

	nodes := NewOpenBNodeRows(strings.NewReader("sn,cpu_milli,memory_mib,gpu,model\nn,1,1,9,A\n"), "f.csv")
	if _, err := nodes.Next(); err != nil {
		t.Fatalf("Next: %v", err)
	}
	want := "trace: f.csv:2:4: gpu 9 is too many"
	if err := nodes.FieldError("gpu", "9 is too many"); err.Error() != want {
		t.Errorf("FieldError(gpu) = %v, want %s", err, want)
	}
	if _, err := nodes.Next(); err == nil || err.Error() != want {
		t.Errorf("Next after FieldError = %v, want %s", err, want)
	}
}
