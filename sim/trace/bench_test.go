package trace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// benchRead streams data with a fresh reader per iteration and reports
// rows per second.
func benchRead(b *testing.B, data []byte, read func(r io.Reader) (int, error)) {
	n, err := read(bytes.NewReader(data))
	if err != nil || n == 0 {
		b.Fatalf("setup: read %d rows, %v", n, err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func count[T any](next func() (T, error)) (int, error) {
	n := 0
	for {
		_, err := next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func BenchmarkOpenBPods(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(tracesDir(b), "openb", "openb_pod_list_default.csv"))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, func(r io.Reader) (int, error) { return count(NewOpenBPods(r, "pods").Next) })
}

func BenchmarkSWF(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(tracesDir(b), "pwa-nasa-ipsc-1993", "NASA-iPSC-1993-3.1-cln.swf.gz"))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, func(r io.Reader) (int, error) { return count(NewSWF(r, "swf").Next) })
}

func BenchmarkDLRM(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(tracesDir(b), "alibaba-gpu-v2025-dlrm", "disaggregated_DLRM_trace.csv"))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, func(r io.Reader) (int, error) { return count(NewDLRM(r, "dlrm").Next) })
}

// BenchmarkNative reads the openb default pod list written natively.
func BenchmarkNative(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(tracesDir(b), "openb", "openb_pod_list_default.csv"))
	if err != nil {
		b.Fatal(err)
	}
	tasks, err := readAll(NewOpenBPods(bytes.NewReader(data), "pods").Next)
	if err != nil {
		b.Fatal(err)
	}
	var native bytes.Buffer
	for _, t := range tasks {
		e := TaskEvent(t)
		if err := WriteEvent(&native, &e); err != nil {
			b.Fatal(err)
		}
	}
	benchRead(b, native.Bytes(), func(r io.Reader) (int, error) { return count(NewNative(r, "native").Next) })
}

// BenchmarkWriteEvent writes one submit event.
func BenchmarkWriteEvent(b *testing.B) {
	e := TaskEvent(Task{ID: "openb-pod-0017", Submit: 9437497e9, Duration: 1335157e9, HasTimes: true,
		CPU: 88000, MemoryMiB: 327680, GPUs: 8, GPUMilli: 1000, GPUModels: []string{"V100M16", "V100M32"}})
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteEvent(io.Discard, &e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
