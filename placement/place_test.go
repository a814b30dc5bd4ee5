package placement

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// inst is a test instance: ACTIVE, agent connected, default reserved ports.
func inst(name, zone string, cpu, mem int64) *Instance {
	return &Instance{
		ARN:            "arn:aws:ecs:us-east-1:123456789012:container-instance/test/" + name,
		EC2InstanceID:  "i-" + name,
		Status:         StatusActive,
		AgentConnected: true,
		AgentVersion:   "1.80.0",
		Attributes:     []Attribute{{"ecs.availability-zone", zone}, {"ecs.instance-type", "m5.large"}},
		Remaining:      Capacity{CPU: cpu, MemoryMiB: mem, PortsTCP: slices.Clone(DefaultReservedPortsTCP)},
	}
}

func name(in *Instance) string {
	if in == nil {
		return "<nil>"
	}
	return in.ARN[strings.LastIndexByte(in.ARN, '/')+1:]
}

func cluster(t *testing.T, ins ...*Instance) *Cluster {
	t.Helper()
	c := NewCluster()
	for _, in := range ins {
		if err := c.AddInstance(in); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// host adopts n tasks of group on the instance, reserving nothing.
func host(t *testing.T, c *Cluster, in *Instance, group string, n int) {
	t.Helper()
	for range n {
		if _, err := c.Adopt(in, HostedTask{Group: group, Reserved: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func memberOf(t *testing.T, expr string) Constraint {
	t.Helper()
	c, err := NewMemberOf(expr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func place(t *testing.T, c *Cluster, req *Request, seed uint64) *Result {
	t.Helper()
	var res Result
	if err := c.Place(req, rand.New(rand.NewPCG(seed, 0)), &res); err != nil {
		t.Fatalf("Place: %v", err)
	}
	return &res
}

func placedOn(res *Result) []string {
	var out []string
	for _, p := range res.Placed {
		out = append(out, name(p.Instance))
	}
	return out
}

func TestPlacementEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		// build returns the cluster and the request.
		build        func(t *testing.T) (*Cluster, *Request)
		wantPlaced   []string // instance names; "b|c" accepts either
		wantUnplaced []string // ECS reasons
	}{
		{
			name: "8.3-24 binpack(memory) picks the least remaining that fits",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 2048), inst("b", "1a", 4096, 4096), inst("c", "1a", 4096, 6144)),
					&Request{Count: 1, Group: "g", Task: Requirements{MemoryMiB: 1024}, Strategies: []Strategy{Binpack{Memory}}}
			},
			wantPlaced: []string{"a"},
		},
		{
			name: "8.3-25 binpack(memory) skips instances too small",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 512), inst("b", "1a", 4096, 4096), inst("c", "1a", 4096, 6144)),
					&Request{Count: 1, Group: "g", Task: Requirements{MemoryMiB: 1024}, Strategies: []Strategy{Binpack{Memory}}}
			},
			wantPlaced: []string{"b"},
		},
		{
			name: "8.3-27 spread(instanceId) counts only the service's tasks",
			build: func(t *testing.T) (*Cluster, *Request) {
				a, b, c := inst("a", "1a", 4096, 8192), inst("b", "1a", 4096, 8192), inst("c", "1a", 4096, 8192)
				cl := cluster(t, a, b, c)
				host(t, cl, a, "service:api", 2)
				host(t, cl, c, "service:api", 1)
				host(t, cl, b, "service:other", 5)
				return cl, &Request{Count: 1, Group: "service:api", Task: Requirements{MemoryMiB: 128}, Strategies: []Strategy{Spread{"instanceId"}}}
			},
			wantPlaced: []string{"b"},
		},
		{
			name: "8.3-28 standalone spread counts the same group only",
			build: func(t *testing.T) (*Cluster, *Request) {
				a, b := inst("a", "1a", 4096, 8192), inst("b", "1b", 4096, 8192)
				cl := cluster(t, a, b)
				host(t, cl, a, "family:web", 1)
				host(t, cl, b, "family:batch", 3)
				return cl, &Request{Count: 1, Group: "family:web", Task: Requirements{MemoryMiB: 128}, Strategies: []Strategy{Spread{"attribute:ecs.availability-zone"}}}
			},
			wantPlaced: []string{"b"},
		},
		{
			name: "8.3-29 spread(AZ) then binpack(memory) inside the emptiest zone",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 500)
				b1, b2 := inst("b1", "1b", 4096, 3000), inst("b2", "1b", 4096, 1500)
				cl := cluster(t, a, b1, b2)
				host(t, cl, a, "service:api", 1)
				return cl, &Request{Count: 1, Group: "service:api", Task: Requirements{MemoryMiB: 256},
					Strategies: []Strategy{Spread{"attribute:ecs.availability-zone"}, Binpack{Memory}}}
			},
			wantPlaced: []string{"b2"},
		},
		{
			name: "8.3-30 service default: fewest in zone, then fewest on instance",
			build: func(t *testing.T) (*Cluster, *Request) {
				a, b1, b2, c1 := inst("a", "1a", 4096, 8192), inst("b1", "1b", 4096, 8192), inst("b2", "1b", 4096, 8192), inst("c1", "1c", 4096, 8192)
				cl := cluster(t, a, b1, b2, c1)
				host(t, cl, a, "service:api", 1)
				return cl, &Request{Count: 1, Group: "service:api", Task: Requirements{MemoryMiB: 128}, Strategies: ServiceDefaultStrategies()}
			},
			wantPlaced: []string{"b1|b2|c1"},
		},
		{
			name: "8.3-32 distinctInstance: 4 tasks on 3 instances",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 8192), inst("b", "1b", 4096, 8192), inst("c", "1c", 4096, 8192)),
					&Request{Count: 4, Group: "family:web", Task: Requirements{MemoryMiB: 128}, Constraints: []Constraint{{Type: DistinctInstance}}, Strategies: []Strategy{Spread{"instanceId"}}}
			},
			wantPlaced:   []string{"a|b|c", "a|b|c", "a|b|c"},
			wantUnplaced: []string{"DistinctInstance placement constraint unsatisfied."},
		},
		{
			name: "8.3-33 distinctInstance ignores other groups",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				cl := cluster(t, a)
				host(t, cl, a, "service:b", 3)
				return cl, &Request{Count: 1, Group: "service:a", Task: Requirements{MemoryMiB: 128}, Constraints: []Constraint{{Type: DistinctInstance}}}
			},
			wantPlaced: []string{"a"},
		},
		{
			name: "8.3-34 static host port 80 on two instances, three tasks",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 8192), inst("b", "1b", 4096, 8192)),
					&Request{Count: 3, Group: "family:web", Task: Requirements{MemoryMiB: 128, PortsTCP: []uint16{80}}}
			},
			wantPlaced:   []string{"a|b", "a|b"},
			wantUnplaced: []string{"RESOURCE:PORTS"},
		},
		{
			name: "8.3-35 agent reserved port 22 cannot be taken",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 8192)), &Request{Count: 1, Group: "g", Task: Requirements{PortsTCP: []uint16{22}}}
			},
			wantUnplaced: []string{"RESOURCE:PORTS"},
		},
		{
			name: "8.3-36 98 reserved ports plus 3 static ports exceeds 100",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				for p := range 93 {
					a.Remaining.PortsTCP = append(a.Remaining.PortsTCP, uint16(10000+p))
				}
				return cluster(t, a), &Request{Count: 1, Group: "g", Task: Requirements{PortsTCP: []uint16{81, 82, 83}}}
			},
			wantUnplaced: []string{"RESOURCE:PORTS"},
		},
		{
			name: "8.3-36 the same task with dynamic ports is placeable",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				for p := range 93 {
					a.Remaining.PortsTCP = append(a.Remaining.PortsTCP, uint16(10000+p))
				}
				return cluster(t, a), &Request{Count: 1, Group: "g", Task: Requirements{DynamicPorts: 3}}
			},
			wantPlaced: []string{"a"},
		},
		{
			name: "8.3-42 two GPUs wanted, one present",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				a.Remaining.GPUs = []GPU{{ID: "GPU-0", FreeMilli: 1000}}
				return cluster(t, a), &Request{Count: 1, Group: "g", Task: Requirements{GPUs: 2}}
			},
			wantUnplaced: []string{"RESOURCE:GPU"},
		},
		{
			name: "8.3-43 the only instance is DRAINING",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				a.Status = StatusDraining
				return cluster(t, a), &Request{Count: 1, Group: "g", Task: Requirements{MemoryMiB: 128}}
			},
			wantUnplaced: []string{"STATUS"},
		},
		{
			name: "8.3-43 the only instance's agent is disconnected",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				a.AgentConnected = false
				return cluster(t, a), &Request{Count: 1, Group: "g", Task: Requirements{MemoryMiB: 128}}
			},
			wantUnplaced: []string{"AGENT"},
		},
		{
			name: "8.2-23 memberOf that matches no instance",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 8192)),
					&Request{Count: 1, Group: "g", Task: Requirements{MemoryMiB: 128}, Constraints: []Constraint{memberOf(t, "attribute:ecs.instance-type == p3.2xlarge")}}
			},
			wantUnplaced: []string{"MemberOf placement constraint unsatisfied."},
		},
		{
			name: "requiresAttributes missing on the instance",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 4096, 8192)),
					&Request{Count: 1, Group: "g", RequiredAttributes: []Attribute{{Name: "ecs.capability.task-eni"}}}
			},
			wantUnplaced: []string{"ATTRIBUTE"},
		},
		{
			name: "a named resource (disk) that is short",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				a.Remaining.Scalars = []Scalar{{"disk", 20}}
				return cluster(t, a), &Request{Count: 2, Group: "g", Task: Requirements{Scalars: []Scalar{{"disk", 15}}}}
			},
			wantPlaced:   []string{"a"},
			wantUnplaced: []string{"RESOURCE:disk"},
		},
		{
			name: "CPU is charged before memory for the closest instance",
			build: func(t *testing.T) (*Cluster, *Request) {
				return cluster(t, inst("a", "1a", 100, 100), inst("b", "1a", 4096, 100)),
					&Request{Count: 1, Group: "g", Task: Requirements{CPU: 1024, MemoryMiB: 512}}
			},
			wantUnplaced: []string{"RESOURCE:MEMORY"},
		},
		{
			// Regression: a spread level that finds nothing moves on to the
			// next while a deeper level has grown the filter stack.
			name: "nested spreads fall through to the next level",
			build: func(t *testing.T) (*Cluster, *Request) {
				// stack=dev holds no task of g but has no room; prod and test
				// tie at one task each, and only test has room. The second
				// level has more values than the first.
				dev := inst("dev", "1a", 4096, 0)
				prod1, prod2 := inst("prod1", "1a", 4096, 0), inst("prod2", "1b", 4096, 0)
				test1, test2 := inst("test1", "1a", 4096, 8192), inst("test2", "1b", 4096, 8192)
				for stack, ins := range map[string][]*Instance{"dev": {dev}, "prod": {prod1, prod2}, "test": {test1, test2}} {
					for _, in := range ins {
						in.Attributes = append(in.Attributes, Attribute{"stack", stack})
					}
				}
				cl := cluster(t, dev, prod1, prod2, test1, test2)
				host(t, cl, prod1, "g", 1)
				host(t, cl, test1, "g", 1)
				return cl, &Request{Count: 1, Group: "g", Task: Requirements{MemoryMiB: 128},
					Strategies: []Strategy{Spread{"attribute:stack"}, Spread{"attribute:ecs.availability-zone"}}}
			},
			wantPlaced: []string{"test2"},
		},
		{
			name: "MaxPerInstance caps the group per instance",
			build: func(t *testing.T) (*Cluster, *Request) {
				a, b := inst("a", "1a", 4096, 8192), inst("b", "1a", 4096, 8192)
				cl := cluster(t, a, b)
				host(t, cl, a, "service:app", 1)
				return cl, &Request{Count: 4, Group: "service:app", MaxPerInstance: 2, Strategies: []Strategy{Binpack{Memory}}}
			},
			wantPlaced:   []string{"a|b", "a|b", "a|b"},
			wantUnplaced: []string{"MaxPerInstance placement constraint unsatisfied."},
		},
		{
			name: "a shared GPU goes to the device with the least room that fits",
			build: func(t *testing.T) (*Cluster, *Request) {
				a := inst("a", "1a", 4096, 8192)
				a.Remaining.GPUs = []GPU{{"GPU-0", 1000}, {"GPU-1", 300}, {"GPU-2", 600}}
				return cluster(t, a), &Request{Count: 1, Group: "g", Task: Requirements{GPUs: 1, GPUMilli: 500}}
			},
			wantPlaced: []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, req := tt.build(t)
			res := place(t, c, req, 1)
			got := placedOn(res)
			if len(got) != len(tt.wantPlaced) {
				t.Fatalf("placed on %v, want %d tasks placed (%v); unplaced %+v", got, len(tt.wantPlaced), tt.wantPlaced, res.Unplaced)
			}
			for k, w := range tt.wantPlaced {
				if !slices.Contains(strings.Split(w, "|"), got[k]) {
					t.Errorf("task %d placed on %s, want one of %s", k, got[k], w)
				}
			}
			var reasons []string
			for _, u := range res.Unplaced {
				reasons = append(reasons, u.ReasonString())
			}
			if diff := cmp.Diff(tt.wantUnplaced, reasons); diff != "" {
				t.Errorf("unplaced reasons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlaceDistinctInstanceSpreadsAll(t *testing.T) {
	c := cluster(t, inst("a", "1a", 4096, 8192), inst("b", "1b", 4096, 8192), inst("c", "1c", 4096, 8192))
	res := place(t, c, &Request{Count: 4, Group: "family:web", Constraints: []Constraint{{Type: DistinctInstance}}}, 9)
	got := placedOn(res)
	slices.Sort(got)
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Errorf("distinctInstance placements (-want +got):\n%s", diff)
	}
	if len(res.Unplaced) != 1 || res.Unplaced[0].Removed[ReasonDistinctInstance] != 3 {
		t.Errorf("unplaced = %+v, want one task removed from 3 instances by distinctInstance", res.Unplaced)
	}
}

func TestSharedGPUDeviceChoice(t *testing.T) {
	a := inst("a", "1a", 4096, 8192)
	a.Remaining.GPUs = []GPU{{"GPU-0", 1000}, {"GPU-1", 300}, {"GPU-2", 600}}
	c := cluster(t, a)
	res := place(t, c, &Request{Count: 1, Group: "g", Task: Requirements{GPUs: 1, GPUMilli: 500}}, 1)
	if got := res.Placed[0].GPUs; got != 1<<2 {
		t.Fatalf("devices = %b, want device 2 (600 free, the least that fits)", got)
	}
	if got := a.Remaining.GPUs[2].FreeMilli; got != 100 {
		t.Errorf("device 2 free = %d, want 100", got)
	}
	if err := c.Release(res.Placed[0].Task); err != nil {
		t.Fatal(err)
	}
	if got := a.Remaining.GPUs[2].FreeMilli; got != 600 {
		t.Errorf("after release device 2 free = %d, want 600", got)
	}
}

// Case 8.3-31: RunTask without a strategy is random: seeded, so the same
// seed repeats and different seeds spread.
func TestRandomPlacementIsSeeded(t *testing.T) {
	chosen := map[string]bool{}
	for seed := range uint64(40) {
		var ins []*Instance
		for k := range 5 {
			ins = append(ins, inst(fmt.Sprint(k), "1a", 4096, 8192))
		}
		c := cluster(t, ins...)
		req := &Request{Count: 1, Group: "family:web"}
		first := placedOn(place(t, c, req, seed))[0]
		c2 := cluster(t, func() []*Instance {
			var ins []*Instance
			for k := range 5 {
				ins = append(ins, inst(fmt.Sprint(k), "1a", 4096, 8192))
			}
			return ins
		}()...)
		if again := placedOn(place(t, c2, req, seed))[0]; again != first {
			t.Fatalf("seed %d: placed on %s then %s", seed, first, again)
		}
		chosen[first] = true
	}
	if len(chosen) < 4 {
		t.Errorf("40 seeds chose only %v of 5 instances", chosen)
	}
}

func TestRequestValidation(t *testing.T) {
	mk := func(n int) []Constraint {
		var cs []Constraint
		for range n {
			cs = append(cs, memberOf(t, "attribute:ecs.os-type == linux"))
		}
		return cs
	}
	td := &TaskDefinition{Family: "web", Containers: []ContainerDefinition{{Name: "app", Memory: 128, Essential: true}}, PlacementConstraints: mk(3)}
	strategies := func(n int) []Strategy {
		var s []Strategy
		for range n {
			s = append(s, Binpack{Memory})
		}
		return s
	}
	tests := []struct {
		name    string
		req     *Request
		wantErr string
	}{
		{"8.2-19 3 task-definition + 7 request constraints", td.Request(1, "", mk(7), nil), ""},
		{"8.2-19 3 task-definition + 8 request constraints", td.Request(1, "", mk(8), nil), "11 constraints, at most 10"},
		{"8.2-20 five strategies", &Request{Count: 1, Group: "g", Strategies: strategies(5)}, ""},
		{"8.2-20 six strategies", &Request{Count: 1, Group: "g", Strategies: strategies(6)}, "6 strategies, at most 5"},
		{"count 0", &Request{Count: 0, Group: "g"}, "count: 0"},
		{"8.3-45 group of 256 characters", &Request{Count: 1, Group: strings.Repeat("g", 256)}, "group: 256 characters"},
		{"8.3-45 group of 255 characters", &Request{Count: 1, Group: strings.Repeat("g", 255)}, ""},
		{"distinctInstance with an expression", &Request{Count: 1, Group: "g", Constraints: []Constraint{{Type: DistinctInstance, Expr: mk(1)[0].Expr}}}, "distinctInstance expression should not be specified"},
		{"a shared GPU on two devices", &Request{Count: 1, Group: "g", Task: Requirements{GPUs: 2, GPUMilli: 500}}, "needs exactly 1 gpu"},
		{"binpack on an unknown resource", &Request{Count: 1, Group: "g", Strategies: []Strategy{Binpack{Field: 9}}}, "expected cpu or memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
	if td.Request(1, "", nil, nil).Group != "family:web" {
		t.Errorf("8.3-45 default group = %q, want family:web", td.Request(1, "", nil, nil).Group)
	}
}

func TestParseConstraintAndStrategy(t *testing.T) {
	empty, expr := "", "attribute:stack == prod"
	tests := []struct {
		name    string
		parse   func() error
		wantErr string
	}{
		{"8.2-17 distinctInstance with an empty expression", func() error { _, err := ParseConstraint("distinctInstance", &empty); return err }, "distinctInstance expression should not be specified"},
		{"8.2-17 distinctInstance with an expression", func() error { _, err := ParseConstraint("distinctInstance", &expr); return err }, "distinctInstance expression should not be specified"},
		{"distinctInstance without an expression", func() error { _, err := ParseConstraint("distinctInstance", nil); return err }, ""},
		{"memberOf without an expression", func() error { _, err := ParseConstraint("memberOf", nil); return err }, "an expression is required"},
		{"memberOf with a bad expression", func() error { s := "attribute:x ==="; _, err := ParseConstraint("memberOf", &s); return err }, "memberOf expression: cql:"},
		{"unknown constraint type", func() error { _, err := ParseConstraint("sameInstance", nil); return err }, `constraint type "sameInstance"`},
		{"8.2-21 binpack on disk", func() error { _, err := ParseStrategy("binpack", "disk"); return err }, `binpack field "disk": expected cpu or memory`},
		{"8.2-21 spread with no field", func() error { _, err := ParseStrategy("spread", ""); return err }, `spread field ""`},
		{"8.2-21 spread on host", func() error { _, err := ParseStrategy("spread", "host"); return err }, ""},
		{"random with a field", func() error { _, err := ParseStrategy("random", "cpu"); return err }, "random takes no field"},
		{"unknown strategy", func() error { _, err := ParseStrategy("pack", ""); return err }, `strategy type "pack"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
	_, err := ParseConstraint("distinctInstance", &empty)
	if !errors.Is(err, ErrDistinctInstanceExpression) {
		t.Errorf("ParseConstraint error %v is not ErrDistinctInstanceExpression", err)
	}
}

// Case 8.2-21: spread(host) behaves as spread(instanceId).
func TestSpreadHostIsInstanceID(t *testing.T) {
	for seed := range uint64(20) {
		build := func() *Cluster {
			a, b, c := inst("a", "1a", 4096, 8192), inst("b", "1a", 4096, 8192), inst("c", "1a", 4096, 8192)
			cl := cluster(t, a, b, c)
			host(t, cl, a, "g", 1)
			return cl
		}
		req := func(f string) *Request {
			return &Request{Count: 5, Group: "g", Strategies: []Strategy{Spread{f}}}
		}
		h := placedOn(place(t, build(), req("host"), seed))
		i := placedOn(place(t, build(), req("instanceId"), seed))
		if diff := cmp.Diff(i, h); diff != "" {
			t.Fatalf("seed %d: spread(host) differs from spread(instanceId) (-instanceId +host):\n%s", seed, diff)
		}
	}
}

func TestReleaseRestores(t *testing.T) {
	a := inst("a", "1a", 4096, 8192)
	a.Remaining.Scalars = []Scalar{{"disk", 100}}
	c := cluster(t, a)
	before := a.Remaining.Clone()
	res := place(t, c, &Request{Count: 3, Group: "g", Task: Requirements{CPU: 512, MemoryMiB: 1024, PortsUDP: []uint16{53}, Scalars: []Scalar{{"disk", 10}}}}, 1)
	if len(res.Placed) != 1 || len(res.Unplaced) != 2 {
		t.Fatalf("placed %d, unplaced %d; want 1 and 2 (UDP port 53 taken)", len(res.Placed), len(res.Unplaced))
	}
	if a.RunningTasksCount != 1 || c.GroupCount(a, "g") != 1 {
		t.Errorf("running = %d, group count = %d, want 1 and 1", a.RunningTasksCount, c.GroupCount(a, "g"))
	}
	if err := c.Release(res.Placed[0].Task); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, a.Remaining, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("remaining after release (-before +after):\n%s", diff)
	}
	if err := c.Release(res.Placed[0].Task); err == nil {
		t.Errorf("releasing twice succeeded")
	}
	if a.RunningTasksCount != 0 || len(a.TaskGroups()) != 0 {
		t.Errorf("running = %d, groups = %v after release, want none", a.RunningTasksCount, a.TaskGroups())
	}
}

func TestAddInstanceErrors(t *testing.T) {
	c := cluster(t, inst("a", "1a", 1, 1))
	if err := c.AddInstance(inst("a", "1a", 1, 1)); err == nil || !strings.Contains(err.Error(), "added twice") {
		t.Errorf("duplicate ARN: %v", err)
	}
	if err := c.AddInstance(&Instance{}); err == nil || !strings.Contains(err.Error(), "containerInstanceArn: missing") {
		t.Errorf("missing ARN: %v", err)
	}
	bad := inst("g", "1a", 1, 1)
	bad.Remaining.GPUs = []GPU{{"GPU-0", 1200}}
	if err := c.AddInstance(bad); err == nil || !strings.Contains(err.Error(), "freeMilli: 1200") {
		t.Errorf("GPU over 1000 milli: %v", err)
	}
}

func TestCheck(t *testing.T) {
	a, b := inst("a", "1a", 4096, 8192), inst("b", "1a", 128, 8192)
	c := cluster(t, a, b)
	req := &Request{Count: 1, Group: "g", Task: Requirements{CPU: 512}}
	for _, tt := range []struct {
		in   *Instance
		want Reason
	}{{a, ReasonNone}, {b, ReasonCPU}} {
		got, err := c.Check(tt.in, req)
		if err != nil || got != tt.want {
			t.Errorf("Check(%s) = %v, %v; want %v", name(tt.in), got, err, tt.want)
		}
	}
	if _, err := c.Check(a, &Request{Count: 0, Group: "g"}); err == nil {
		t.Errorf("Check with an invalid request succeeded")
	}
	if a.RunningTasksCount != 0 || a.Remaining.CPU != 4096 {
		t.Errorf("Check changed the instance: %+v", a.Remaining)
	}
}
