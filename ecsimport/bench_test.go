package ecsimport_test

import (
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/berthsched/berth/ecsimport"
	"github.com/berthsched/berth/ecsimport/internal/gendump"
)

// BenchmarkImport imports a large cluster's dump, generated in memory:
// 5,000 instances, 500 services, 50,000 tasks (the bound: under
// 2 s and 1 GiB an import). B/op is the memory an import allocates.
func BenchmarkImport(b *testing.B) {
	files := gendump.Large(5000, 500, 50000)
	fsys := fstest.MapFS{}
	size := 0
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
		size += len(data)
	}
	res, err := ecsimport.Read(fsys, ecsimport.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Scenario) < 1<<20 {
		b.Fatalf("a scenario of %d bytes, want a large one", len(res.Scenario))
	}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := ecsimport.Read(fsys, ecsimport.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time is the figure to trust on a loaded machine, where wall
	// time (ns/op) counts the waits for a core.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(len(files)), "files")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
