package cql

import "testing"

// benchShapes are the expression shapes placement meets, one per
// sub-benchmark. "goal" is the one with a target: at most 50 ns/op and 0
// allocs/op for Match on an instance with 10 attributes.
var benchShapes = []struct {
	name, src string
}{
	{"equality", "attribute:ecs.instance-type == t2.small"},
	{"in-list", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"},
	{"regex-prefix", "attribute:ecs.instance-type =~ t2.*"},
	{"regex-general", "attribute:ecs.instance-type =~ '(t2|m5)\\.(small|medium)'"},
	{"goal", "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"},
	{"compound", "(attribute:stack == prod or attribute:stack == staging) and not(attribute:ecs.os-type == windows) and attribute:team exists"},
	{"task-group", "not(task:group == database)"},
	{"version", "agentVersion < 1.14.5"},
	{"date", "registeredAt < 2018-02-13"},
	{"count", "runningTasksCount <= 3"},
}

// benchInstance has the eight built-in attributes and two custom ones.
func benchInstance() *inst {
	return (&inst{name: "bench", connected: true, version: "1.14.2", id: "i-0abc1234",
		registered: at("2018-02-01T10:00:00Z"), running: 2}).
		with(attr{"ecs.ami-id", "ami-1234abcd"}, attr{"ecs.availability-zone", "us-east-1b"},
			attr{"ecs.instance-type", "t2.medium"}, attr{"ecs.os-type", "linux"}, attr{"ecs.os-family", "LINUX"},
			attr{"ecs.cpu-architecture", "x86_64"}, attr{"ecs.vpc-id", "vpc-1234abcd"},
			attr{"ecs.subnet-id", "subnet-1234abcd"}, attr{"stack", "prod"}, attr{"team", "payments"}).
		hosting("service:web", "service:api", "family:batch")
}

func BenchmarkParse(b *testing.B) {
	for _, bs := range benchShapes {
		b.Run(bs.name, func(b *testing.B) {
			if _, err := Parse(bs.src); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bs.src)))
			for b.Loop() {
				_, _ = Parse(bs.src)
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	i := benchInstance()
	if len(i.attrs) != 10 {
		b.Fatalf("bench instance has %d attributes, want 10", len(i.attrs))
	}
	for _, bs := range benchShapes {
		b.Run(bs.name, func(b *testing.B) {
			e, err := Parse(bs.src)
			if err != nil {
				b.Fatal(err)
			}
			want := e.Match(i)
			if bs.name == "goal" && !want {
				b.Fatalf("the goal expression does not match the bench instance")
			}
			b.ReportAllocs()
			for b.Loop() {
				if e.Match(i) != want {
					b.Fatal("Match changed its answer")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "matches/s")
		})
	}
}

// TestMatchDoesNotAllocate pins the zero-allocation promise for every
// shape that does not run Go's regexp (whose matcher is pooled, so it
// does not allocate in steady state either, except under -race, which
// empties pools at random).
func TestMatchDoesNotAllocate(t *testing.T) {
	i := benchInstance()
	for _, bs := range benchShapes {
		if bs.name == "regex-general" {
			continue
		}
		e := mustParse(t, bs.src)
		if n := testing.AllocsPerRun(100, func() { e.Match(i) }); n != 0 {
			t.Errorf("Parse(%q).Match allocates %v times per call, want 0", bs.src, n)
		}
	}
}

// TestConcurrentMatch shares one Expr between goroutines; run with -race.
func TestConcurrentMatch(t *testing.T) {
	e := mustParse(t, "attribute:ecs.instance-type =~ '(t2|m5)\\.medium' and attribute:stack in [prod, staging] or agentVersion < 1.2")
	i := benchInstance()
	want := e.Match(i)
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && e.Match(i) == want
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Errorf("concurrent Match disagreed with %v", want)
		}
	}
}
