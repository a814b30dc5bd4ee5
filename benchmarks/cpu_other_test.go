//go:build !unix

package benchmarks

import "time"

// cpuTime is zero where getrusage is missing: cpu-s/simday then reads 0.
func cpuTime() time.Duration { return 0 }
