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
