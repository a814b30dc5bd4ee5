package docker

import (
	"time"
)

// workUnit is the workload's unit of computation, an identical copy of
// workload/main.go's (TestWorkUnitIsTheWorkloads checks): calibrating
// with it measures what a core of this machine does per second.
func workUnit(x uint64) uint64 {
	for range 1000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// calibrate measures the work units one core does per second: the best of
// a few short samples, so that a moment of load on a shared machine does
// not make every task's work smaller. now is the wall clock.
func calibrate(now func() time.Time) float64 {
	const samples, span = 5, 40 * time.Millisecond
	best := 0.0
	x := uint64(0x9e3779b97f4a7c15)
	for range samples {
		n := 0
		start := now()
		for now().Sub(start) < span {
			for range 100 {
				x = workUnit(x)
			}
			n += 100
		}
		best = max(best, float64(n)/now().Sub(start).Seconds())
	}
	calibrationSink = x
	return best
}

var calibrationSink uint64

// workUnits is the computation a task burning demand CPU units for
// duration of trace time does, at rate units per core-second, with the
// fleet's resources scaled by resources and the time by timeScale (trace
// seconds per wall second): a fixed amount per trace second of CPU.
func workUnits(demand int64, duration time.Duration, rate, resources, timeScale float64) float64 {
	return rate * float64(demand) / 1024 * resources * duration.Seconds() / timeScale
}
