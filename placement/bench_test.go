package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchTypes are the instance types of the benchmark cluster: CPU units,
// MiB (as the agent registers them).
var benchTypes = []struct {
	name     string
	cpu, mem int64
}{
	{"m5.large", 2048, 7680}, {"m5.xlarge", 4096, 15576}, {"m5.2xlarge", 8192, 31368},
	{"c5.xlarge", 4096, 7448}, {"r5.large", 2048, 15576}, {"t3.medium", 2048, 3828},
}

var benchZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// benchCluster builds n instances of several types over 3 zones with 10
// attributes each; half of them already host one to four tasks of other
// groups of assorted sizes.
func benchCluster(tb testing.TB, n int) *Cluster {
	c := NewCluster()
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int64{256, 512, 1024, 2048}
	for i := range n {
		ty := benchTypes[rng.IntN(len(benchTypes))]
		zone := benchZones[i%len(benchZones)]
		in := &Instance{
			ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/bench/%08d", i),
			EC2InstanceID:  fmt.Sprintf("i-%017x", i),
			Status:         StatusActive,
			AgentConnected: true,
			AgentVersion:   "1.82.0",
			RegisteredAt:   time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			Attributes: []Attribute{
				{"ecs.ami-id", "ami-0abcdef1234567890"},
				{"ecs.availability-zone", zone},
				{"ecs.instance-type", ty.name},
				{"ecs.os-type", "linux"},
				{"ecs.os-family", "LINUX"},
				{"ecs.cpu-architecture", "x86_64"},
				{"ecs.vpc-id", "vpc-1234abcd"},
				{"ecs.subnet-id", "subnet-" + zone},
				{"stack", []string{"prod", "staging"}[i%2]},
				{"team", fmt.Sprintf("team-%d", i%7)},
			},
			Registered: Capacity{CPU: ty.cpu, MemoryMiB: ty.mem, PortsTCP: DefaultReservedPortsTCP},
			Remaining:  Capacity{CPU: ty.cpu, MemoryMiB: ty.mem, PortsTCP: append([]uint16(nil), DefaultReservedPortsTCP...)},
		}
		if err := c.AddInstance(in); err != nil {
			tb.Fatal(err)
		}
		if i%2 == 0 {
			for range 1 + rng.IntN(4) {
				r := Requirements{CPU: sizes[rng.IntN(4)] / 2, MemoryMiB: sizes[rng.IntN(4)]}
				if r.CPU > in.Remaining.CPU || r.MemoryMiB > in.Remaining.MemoryMiB {
					break
				}
				if _, err := c.Adopt(in, HostedTask{Group: fmt.Sprintf("service:other-%d", rng.IntN(20)), Requirements: r}); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	return c
}

func benchRequest(tb testing.TB) *Request {
	con, err := NewMemberOf("attribute:ecs.instance-type =~ m5.* and attribute:ecs.availability-zone in [us-east-1a, us-east-1b, us-east-1c]")
	if err != nil {
		tb.Fatal(err)
	}
	return &Request{
		Count:       1,
		Group:       "service:web",
		Task:        Requirements{CPU: 256, MemoryMiB: 512},
		Constraints: []Constraint{con},
		Strategies:  []Strategy{Spread{Field: "attribute:ecs.availability-zone"}, Binpack{Field: Memory}},
	}
}

// benchPlace places one task per operation and keeps the cluster in a
// steady state: once 1,000 of the benchmark's tasks are placed, each new
// one releases the oldest.
func benchPlace(b *testing.B, n int, place func(*Cluster, *Request, *rand.Rand, *Result) error) {
	c := benchCluster(b, n)
	req := benchRequest(b)
	rng := rand.New(rand.NewPCG(7, 7))
	var res Result
	const window = 1000
	ring := make([]TaskID, 0, window)
	next := 0
	// Warm up outside the timer: the window fills, caches and indexes exist.
	step := func() {
		if err := place(c, req, rng, &res); err != nil {
			b.Fatal(err)
		}
		if len(res.Placed) != 1 {
			b.Fatalf("task not placed: %+v", res.Unplaced)
		}
		id := res.Placed[0].Task
		if len(ring) < window {
			ring = append(ring, id)
			return
		}
		if err := c.Release(ring[next]); err != nil {
			b.Fatal(err)
		}
		ring[next] = id
		next = (next + 1) % window
	}
	for range window + 10 {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	ops := 0
	for b.Loop() {
		step()
		ops++
	}
	b.ReportMetric(float64(ops)/time.Since(start).Seconds(), "placements/s")
}

func BenchmarkPlace(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			benchPlace(b, n, (*Cluster).Place)
		})
	}
}

// BenchmarkPlaceReference runs the plain scan (scanPlace: every instance
// filtered and scored for every task, checked equal to the definition by
// TestScanEqualsReference) on the same clusters, as the baseline of the
// speed target.
func BenchmarkPlaceReference(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			benchPlace(b, n, scanPlace)
		})
	}
}

// BenchmarkPlaceChains measures other strategy chains on 10,000 instances,
// with the same memberOf constraint: the chains that begin with random or
// spread(instanceId) scan the cluster; the others walk indexes.
func BenchmarkPlaceChains(b *testing.B) {
	chains := []struct {
		name string
		s    []Strategy
	}{
		{"random", nil},
		{"binpack(cpu)", []Strategy{Binpack{CPU}}},
		{"spread(instanceId)", []Strategy{Spread{"instanceId"}}},
		{"service-default", ServiceDefaultStrategies()},
		{"spread(az),binpack(memory)", []Strategy{Spread{"attribute:ecs.availability-zone"}, Binpack{Memory}}},
	}
	for _, ch := range chains {
		b.Run(ch.name, func(b *testing.B) {
			benchPlace(b, 10000, func(c *Cluster, req *Request, rng *rand.Rand, res *Result) error {
				r := *req
				r.Strategies = ch.s
				return c.Place(&r, rng, res)
			})
		})
	}
}

// fleetTask is one kind of task a fleet benchmark places: its request, and
// how many of its tasks stay placed, so that the fleet churns instead of
// filling. Past the window each new task stops one of the kind's placed
// tasks, chosen at random, or, for a batch kind, all of them at once (a
// batch job ends and the fleet empties).
type fleetTask struct {
	req    *Request
	window int
	batch  bool
}

// fleetRun places one task per operation, cycling through pattern (indexes
// into kinds). Before the timer it fills every window, so that the
// measured placements see a fleet in steady state with its caches built.
// Stops are timed with the placements.
func fleetRun(b *testing.B, c *Cluster, kinds []fleetTask, pattern []int) {
	rng := rand.New(rand.NewPCG(7, 7))
	stops := rand.New(rand.NewPCG(8, 8)) // which task stops: apart from placement's draws
	var res Result
	rings := make([][]TaskID, len(kinds))
	op := 0
	step := func() {
		k := pattern[op%len(pattern)]
		op++
		if err := c.Place(kinds[k].req, rng, &res); err != nil {
			b.Fatal(err)
		}
		if len(res.Placed) != 1 {
			b.Fatalf("task %d (%+v) not placed: %+v", op, kinds[k].req.Task, res.Unplaced)
		}
		id := res.Placed[0].Task
		if len(rings[k]) < kinds[k].window {
			rings[k] = append(rings[k], id)
			return
		}
		if kinds[k].batch {
			for _, id := range rings[k] {
				if err := c.Release(id); err != nil {
					b.Fatal(err)
				}
			}
			rings[k] = append(rings[k][:0], id)
			return
		}
		j := stops.IntN(len(rings[k]))
		if err := c.Release(rings[k][j]); err != nil {
			b.Fatal(err)
		}
		rings[k][j] = id
	}
	for full := false; !full; {
		step()
		full = true
		for k := range kinds {
			full = full && len(rings[k]) == kinds[k].window
		}
	}
	for range 10 * len(pattern) {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	ops := 0
	for b.Loop() {
		step()
		ops++
	}
	b.ReportMetric(float64(ops)/time.Since(start).Seconds(), "placements/s")
}

// rackCluster is benchCluster's fleet of mixed types, half of it already
// hosting tasks of other groups, with each instance in one of racks racks
// (attribute rack, assigned round-robin).
func rackCluster(tb testing.TB, n, racks int) *Cluster {
	c := benchCluster(tb, n)
	for i, in := range c.Instances() {
		rack := fmt.Sprintf("rack-%02d", i%racks)
		if err := c.Update(in, func(in *Instance) {
			in.Attributes = append(in.Attributes, Attribute{"rack", rack})
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

// uniformCluster builds n identical empty m5.2xlarge instances (8192 CPU
// units, 32768 MiB), so that binpack starts among n tied instances.
func uniformCluster(tb testing.TB, n int) *Cluster {
	c := NewCluster()
	for i := range n {
		in := &Instance{
			ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/fleet/%08d", i),
			EC2InstanceID:  fmt.Sprintf("i-%017x", i),
			Status:         StatusActive,
			AgentConnected: true,
			AgentVersion:   "1.82.0",
			Attributes: []Attribute{
				{"ecs.availability-zone", benchZones[i%len(benchZones)]},
				{"ecs.instance-type", "m5.2xlarge"},
			},
			Registered: Capacity{CPU: 8192, MemoryMiB: 32768, PortsTCP: DefaultReservedPortsTCP},
			Remaining:  Capacity{CPU: 8192, MemoryMiB: 32768, PortsTCP: append([]uint16(nil), DefaultReservedPortsTCP...)},
		}
		if err := c.AddInstance(in); err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

// BenchmarkPlaceFleet measures placement at fleet scale, one row per case
// of the fleet speed targets:
//
//   - spread-rack-then-binpack: 5,000 mixed instances in 50 racks, the
//     chain spread(attribute:rack), binpack(memory), 9,000 tasks of 1024
//     CPU units and 1024 MiB placed and churning: about half the fleet's
//     CPU, so that many instances are full on CPU with memory to spare;
//     binpack-memory is the same without the spread, for comparison.
//   - binpack-cpu-ties: 20,000 identical empty m5.2xlarge, binpack(cpu),
//     long-running 2048/8192 tasks (a batch of 4,000 that then all stop)
//     and short 1024/2048 ones (2,000 placed) in the ratio 4:5, so that
//     binpack often chooses among thousands of tied instances: once
//     every four long tasks, when the instances in use are full.
func BenchmarkPlaceFleet(b *testing.B) {
	web := func(strategies ...Strategy) *Request {
		return &Request{Count: 1, Group: "service:web", Task: Requirements{CPU: 1024, MemoryMiB: 1024}, Strategies: strategies}
	}
	b.Run("spread-rack-then-binpack/instances=5000", func(b *testing.B) {
		kinds := []fleetTask{{web(Spread{"attribute:rack"}, Binpack{Memory}), 9000, false}}
		fleetRun(b, rackCluster(b, 5000, 50), kinds, []int{0})
	})
	b.Run("binpack-memory/instances=5000", func(b *testing.B) {
		kinds := []fleetTask{{web(Binpack{Memory}), 9000, false}}
		fleetRun(b, rackCluster(b, 5000, 50), kinds, []int{0})
	})
	b.Run("binpack-cpu-ties/instances=20000", func(b *testing.B) {
		kinds := []fleetTask{
			{&Request{Count: 1, Group: "service:batch", Task: Requirements{CPU: 2048, MemoryMiB: 8192}, Strategies: []Strategy{Binpack{CPU}}}, 4000, true},
			{&Request{Count: 1, Group: "service:cron", Task: Requirements{CPU: 1024, MemoryMiB: 2048}, Strategies: []Strategy{Binpack{CPU}}}, 2000, false},
		}
		fleetRun(b, uniformCluster(b, 20000), kinds, []int{0, 1, 0, 1, 0, 1, 0, 1, 1})
	})
}
