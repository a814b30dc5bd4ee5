package placement

import (
	"fmt"
	"slices"
	"time"

	"github.com/berthsched/berth/cql"
	"pgregory.net/rapid"
)

// Generators for rapid properties. Values come from small pools so that
// ties, full instances and matching constraints are common.

var (
	genZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	genTypes = []string{"m5.large", "m5.xlarge", "c5.large", "t3.medium"}
	genExprs = []string{
		"attribute:ecs.instance-type =~ m5.*",
		"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
		"attribute:stack != prod",
		"not(attribute:stack == prod)",
		"not(task:group == g1)",
		"task:group == g2",
		"runningTasksCount < 3",
		"attribute:ecs.instance-type =~ m5.* and attribute:ecs.availability-zone != us-east-1c",
		"agentVersion >= 1.14.0 or attribute:stack exists",
	}
	genGroups = []string{"g1", "g2", "family:web"}
)

// freePorts is a user-defined strategy scored from the instance's own
// state: it prefers instances with fewer TCP ports taken.
type freePorts struct{}

func (freePorts) Score(_ View, in *Instance, _ *Task) float64 {
	return -float64(len(in.Remaining.PortsTCP))
}
func (freePorts) String() string { return "freePorts" }

func genInstance(t *rapid.T, i int) *Instance {
	in := &Instance{
		ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/c/%03d", i),
		EC2InstanceID:  fmt.Sprintf("i-%08x", i),
		Status:         rapid.SampledFrom([]Status{StatusActive, StatusActive, StatusActive, StatusActive, StatusDraining}).Draw(t, "status"),
		AgentConnected: rapid.Float64Range(0, 1).Draw(t, "agentp") > 0.1,
		AgentVersion:   rapid.SampledFrom([]string{"1.9.0", "1.14.5", "1.20.1"}).Draw(t, "agent"),
		RegisteredAt:   time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC),
	}
	if rapid.Float64Range(0, 1).Draw(t, "hasZone") > 0.1 {
		in.Attributes = append(in.Attributes, Attribute{"ecs.availability-zone", rapid.SampledFrom(genZones).Draw(t, "zone")})
	}
	in.Attributes = append(in.Attributes, Attribute{"ecs.instance-type", rapid.SampledFrom(genTypes).Draw(t, "type")})
	if rapid.Bool().Draw(t, "hasStack") {
		in.Attributes = append(in.Attributes, Attribute{"stack", rapid.SampledFrom([]string{"dev", "prod"}).Draw(t, "stack")})
	}
	in.Remaining.CPU = rapid.SampledFrom([]int64{0, 512, 1024, 2048, 4096}).Draw(t, "cpu")
	in.Remaining.MemoryMiB = rapid.SampledFrom([]int64{0, 1024, 2048, 4096, 8192}).Draw(t, "mem")
	for range rapid.IntRange(0, 4).Draw(t, "gpus") {
		in.Remaining.GPUs = append(in.Remaining.GPUs, GPU{ID: fmt.Sprintf("GPU-%d", len(in.Remaining.GPUs)), FreeMilli: rapid.SampledFrom([]int{0, 250, 500, 1000, 1000}).Draw(t, "gpuFree")})
	}
	in.Remaining.PortsTCP = slices.Clone(DefaultReservedPortsTCP)
	for _, p := range []uint16{80, 443, 8080} {
		if rapid.Float64Range(0, 1).Draw(t, "portTaken") < 0.2 {
			in.Remaining.PortsTCP = append(in.Remaining.PortsTCP, p)
		}
	}
	if rapid.Bool().Draw(t, "hasDisk") {
		in.Remaining.Scalars = []Scalar{{"disk", rapid.SampledFrom([]float64{0, 10, 50}).Draw(t, "disk")}}
	}
	in.Remaining.ENIs = rapid.IntRange(0, 3).Draw(t, "enis")
	in.Registered = in.Remaining.Clone()
	in.RunningTasksCount = rapid.IntRange(0, 4).Draw(t, "running")
	if rapid.Float64Range(0, 1).Draw(t, "external") < 0.2 {
		in.Attributes = append(in.Attributes, Attribute{Name: "ecs.capability.external"})
	}
	return in
}

func genStrategy(t *rapid.T) Strategy {
	return rapid.SampledFrom([]Strategy{
		Binpack{CPU}, Binpack{Memory},
		Spread{"attribute:ecs.availability-zone"}, Spread{"instanceId"}, Spread{"host"},
		Spread{"attribute:stack"}, Random{}, freePorts{},
	}).Draw(t, "strategy")
}

func genRequest(t *rapid.T, exprs map[string]*cql.Expr) *Request {
	req := &Request{
		Count: rapid.IntRange(1, 4).Draw(t, "count"),
		Group: rapid.SampledFrom(genGroups).Draw(t, "group"),
		Task: Requirements{
			CPU:       rapid.SampledFrom([]int64{0, 256, 512, 1024}).Draw(t, "tcpu"),
			MemoryMiB: rapid.SampledFrom([]int64{128, 512, 1024, 2048}).Draw(t, "tmem"),
		},
	}
	switch rapid.IntRange(0, 5).Draw(t, "gpuKind") {
	case 1:
		req.Task.GPUs = rapid.IntRange(1, 2).Draw(t, "tgpus")
	case 2:
		req.Task.GPUs, req.Task.GPUMilli = 1, rapid.SampledFrom([]int{100, 250, 500, 900}).Draw(t, "tshare")
	case 3:
		req.Task.AllGPUs = true
	}
	if rapid.Float64Range(0, 1).Draw(t, "wantPort") < 0.3 {
		req.Task.PortsTCP = []uint16{rapid.SampledFrom([]uint16{80, 8080}).Draw(t, "tport")}
	}
	if rapid.Float64Range(0, 1).Draw(t, "wantDisk") < 0.2 {
		req.Task.Scalars = []Scalar{{"disk", 10}}
	}
	if rapid.Float64Range(0, 1).Draw(t, "wantAttr") < 0.15 {
		req.RequiredAttributes = []Attribute{{Name: "stack"}}
	}
	if rapid.Float64Range(0, 1).Draw(t, "capped") < 0.2 {
		req.MaxPerInstance = rapid.IntRange(1, 3).Draw(t, "maxPer")
	}
	if rapid.Float64Range(0, 1).Draw(t, "distinct") < 0.3 {
		req.Constraints = append(req.Constraints, Constraint{Type: DistinctInstance})
	}
	for range rapid.IntRange(0, 2).Draw(t, "nexpr") {
		src := rapid.SampledFrom(genExprs).Draw(t, "expr")
		req.Constraints = append(req.Constraints, Constraint{Type: MemberOf, Expr: exprs[src]})
	}
	for range rapid.IntRange(0, 3).Draw(t, "nstrat") {
		req.Strategies = append(req.Strategies, genStrategy(t))
	}
	req.LaunchType = rapid.SampledFrom([]LaunchType{"", "", LaunchTypeEC2, LaunchTypeExternal}).Draw(t, "launchType")
	if rapid.Float64Range(0, 1).Draw(t, "awsvpc") < 0.3 {
		req.Task.AWSVPC = true
		for range rapid.IntRange(0, 2).Draw(t, "nzones") {
			req.Zones = append(req.Zones, rapid.SampledFrom(genZones).Draw(t, "subnetZone"))
		}
	}
	return req
}

// compiledExprs parses the expression pool once; requests share the
// compiled values, as real callers do, so the caches are exercised.
func compiledExprs() map[string]*cql.Expr {
	m := map[string]*cql.Expr{}
	for _, src := range genExprs {
		e, err := cql.Parse(src)
		if err != nil {
			panic(fmt.Sprintf("cql.Parse(%q): %v", src, err))
		}
		m[src] = e
	}
	return m
}
