package placement

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// anywhere makes in an ECS Anywhere instance: it carries
// ecs.capability.external.
func anywhere(in *Instance) *Instance {
	in.Attributes = append(in.Attributes, Attribute{Name: ExternalAttribute})
	return in
}

// TestPlaceLaunchType follows ECS's rule: EC2 tasks run only on EC2
// instances and EXTERNAL tasks only on ECS Anywhere instances (attribute
// ecs.capability.external); neither a launch type nor a capacity provider
// strategy means EC2. Instances of another launch type are not candidates:
// they never appear in RunTask's failures[], so they are neither counted in
// Removed nor the closest instance.
func TestPlaceLaunchType(t *testing.T) {
	type outcome struct {
		Placed   []string
		Reason   string
		Closest  string
		Removed  map[string]int
		Unplaced int
	}
	tests := []struct {
		name       string
		launchType LaunchType
		instances  func() []*Instance
		strategies []Strategy
		count      int
		want       outcome
	}{{
		name: "no launch type is EC2: the Anywhere instance with room is skipped",
		instances: func() []*Instance {
			return []*Instance{anywhere(inst("ext", "a", 4096, 8192)), inst("ec2", "a", 1024, 2048)}
		},
		strategies: []Strategy{Binpack{Memory}},
		count:      2,
		want:       outcome{Placed: []string{"ec2", "ec2"}},
	}, {
		name:       "EC2 tasks never land on Anywhere instances, which are no failure",
		launchType: LaunchTypeEC2,
		instances: func() []*Instance {
			return []*Instance{anywhere(inst("ext", "a", 4096, 8192)), inst("ec2", "a", 256, 2048)}
		},
		count: 1,
		want:  outcome{Reason: "RESOURCE:CPU", Closest: "ec2", Removed: map[string]int{"RESOURCE:CPU": 1}, Unplaced: 1},
	}, {
		name:       "EXTERNAL tasks only on Anywhere instances",
		launchType: LaunchTypeExternal,
		instances: func() []*Instance {
			return []*Instance{inst("ec2", "a", 4096, 8192), anywhere(inst("ext1", "a", 1024, 2048)), anywhere(inst("ext2", "b", 512, 1024))}
		},
		strategies: []Strategy{Binpack{Memory}},
		count:      3,
		want:       outcome{Placed: []string{"ext2", "ext1", "ext1"}},
	}, {
		name:       "EXTERNAL on a cluster of EC2 instances: nothing is a candidate",
		launchType: LaunchTypeExternal,
		instances:  func() []*Instance { return []*Instance{inst("ec2a", "a", 4096, 8192), inst("ec2b", "b", 4096, 8192)} },
		count:      2,
		want:       outcome{Removed: map[string]int{}, Unplaced: 2},
	}, {
		name:       "the Anywhere attribute counts whatever its value",
		launchType: LaunchTypeExternal,
		instances: func() []*Instance {
			in := inst("ext", "a", 1024, 2048)
			in.Attributes = append(in.Attributes, Attribute{ExternalAttribute, "true"})
			return []*Instance{inst("ec2", "a", 4096, 8192), in}
		},
		count: 1,
		want:  outcome{Placed: []string{"ext"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(t, tt.instances()...)
			req := &Request{Count: tt.count, Group: "family:web", Task: Requirements{CPU: 512, MemoryMiB: 512}, Strategies: tt.strategies, LaunchType: tt.launchType}
			var res Result
			if err := c.Place(req, rand.New(rand.NewPCG(1, 2)), &res); err != nil {
				t.Fatalf("Place: %v", err)
			}
			var got outcome
			for _, p := range res.Placed {
				got.Placed = append(got.Placed, name(p.Instance))
			}
			got.Unplaced = len(res.Unplaced)
			if len(res.Unplaced) > 0 {
				u := res.Unplaced[0]
				got.Reason = u.ReasonString()
				if u.Closest != nil {
					got.Closest = name(u.Closest)
				}
				got.Removed = map[string]int{}
				for r, n := range u.Removed {
					if n > 0 {
						got.Removed[Reason(r).String()] = n
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Place(launchType %q) (-want +got):\n%s", tt.launchType, diff)
			}
		})
	}
}

// TestCheckLaunchType: Check names the launch type as the filter that
// removes an instance of another launch type.
func TestCheckLaunchType(t *testing.T) {
	ec2, ext := inst("ec2", "a", 4096, 8192), anywhere(inst("ext", "a", 4096, 8192))
	c := cluster(t, ec2, ext)
	tests := []struct {
		in   *Instance
		lt   LaunchType
		want Reason
	}{
		{ec2, "", ReasonNone},
		{ec2, LaunchTypeExternal, ReasonLaunchType},
		{ext, "", ReasonLaunchType},
		{ext, LaunchTypeEC2, ReasonLaunchType},
		{ext, LaunchTypeExternal, ReasonNone},
	}
	for _, tt := range tests {
		got, err := c.Check(tt.in, &Request{Count: 1, Group: "g", LaunchType: tt.lt})
		if err != nil || got != tt.want {
			t.Errorf("Check(%s, launchType %q) = %v, %v; want %v", name(tt.in), tt.lt, got, err, tt.want)
		}
	}
}

// TestUpdateLaunchType: an instance that gains or loses the Anywhere
// attribute through Update changes launch type at once.
func TestUpdateLaunchType(t *testing.T) {
	in := inst("x", "a", 4096, 8192)
	c := cluster(t, in)
	req := &Request{Count: 1, Group: "g", LaunchType: LaunchTypeExternal}
	var res Result
	rng := rand.New(rand.NewPCG(1, 1))
	if err := c.Place(req, rng, &res); err != nil || len(res.Placed) != 0 {
		t.Fatalf("Place(EXTERNAL) on an EC2 instance = %d placed, %v; want 0", len(res.Placed), err)
	}
	if err := c.Update(in, func(in *Instance) { anywhere(in) }); err != nil {
		t.Fatal(err)
	}
	if err := c.Place(req, rng, &res); err != nil || len(res.Placed) != 1 {
		t.Fatalf("Place(EXTERNAL) after Update = %d placed, %v; want 1", len(res.Placed), err)
	}
}

func TestRequestLaunchTypeValidation(t *testing.T) {
	tests := []struct {
		lt   LaunchType
		want string
	}{
		{LaunchTypeFargate, "placement: launchType: FARGATE tasks are not placed on container instances, expected EC2 or EXTERNAL"},
		{"ec2", `placement: launchType: "ec2", expected EC2 or EXTERNAL`},
	}
	for _, tt := range tests {
		r := &Request{Count: 1, Group: "g", LaunchType: tt.lt}
		if err := r.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("Validate(launchType %q) = %v, want %s", tt.lt, err, tt.want)
		}
	}
}

// TestSupportsAgreesWithLaunchTypes checks the allocation-free check that
// every request runs against the list it stands for.
func TestSupportsAgreesWithLaunchTypes(t *testing.T) {
	defs := []TaskDefinition{
		{},
		{NetworkMode: NetworkAwsvpc},
		{NetworkMode: NetworkBridge, RequiresCompatibilities: []LaunchType{LaunchTypeFargate}},
		{NetworkMode: NetworkAwsvpc, RequiresCompatibilities: []LaunchType{LaunchTypeFargate, LaunchTypeEC2}},
		{Usage: Usage{EFSVolumes: []EFSVolume{{}}}},
		{Compatibilities: []LaunchType{LaunchTypeExternal}},
		{Compatibilities: []LaunchType{LaunchTypeEC2, LaunchTypeFargate}, NetworkMode: NetworkAwsvpc},
	}
	for i := range defs {
		td := &defs[i]
		for _, l := range []LaunchType{LaunchTypeEC2, LaunchTypeExternal, LaunchTypeFargate, "MANAGED_INSTANCES"} {
			if got, want := td.supports(l), slices.Contains(td.LaunchTypes(), l); got != want {
				t.Errorf("definition %d: supports(%s) = %v, LaunchTypes() = %v", i, l, got, td.LaunchTypes())
			}
		}
	}
}
