package placement

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// eniInstance is an ACTIVE instance with room for any small task, enis
// free task ENIs and the given zone ("" for none).
func eniInstance(arn, zone string, enis int) *Instance {
	in := &Instance{ARN: arn, Status: StatusActive, AgentConnected: true}
	if zone != "" {
		in.Attributes = []Attribute{{"ecs.availability-zone", zone}}
	}
	in.Remaining = Capacity{CPU: 8192, MemoryMiB: 32768, ENIs: enis, PortsTCP: append([]uint16(nil), DefaultReservedPortsTCP...)}
	in.Registered = in.Remaining.Clone()
	return in
}

// TestPlaceAWSVPC covers the awsvpc filters: a task takes one task ENI
// (RESOURCE:ENI when none is free), its ports live on its ENI, and its
// subnets' zones restrict the instances (LOCATION).
func TestPlaceAWSVPC(t *testing.T) {
	web := Requirements{CPU: 256, MemoryMiB: 512, AWSVPC: true}
	web80 := web
	web80.PortsTCP = []uint16{80}
	tests := []struct {
		name      string
		reason    string // the documented rule
		instances []*Instance
		req       Request
		// want is, per task, the ARN it went to or the failure reason.
		want []string
		// wantENIs is the remaining task ENIs per instance afterwards.
		wantENIs []int
	}{
		{
			name:      "c5.large without trunking",
			reason:    "c5.large: 3 ENIs, so 2 awsvpc tasks without trunking; the third finds no free ENI",
			instances: []*Instance{eniInstance("c5", "us-east-1a", 2)},
			req:       Request{Count: 3, Group: "family:web", Task: web},
			want:      []string{"c5", "c5", "RESOURCE:ENI"},
			wantENIs:  []int{0},
		},
		{
			name:      "no task ENIs at all",
			reason:    "an instance with no task ENI takes no awsvpc task, however much CPU it has",
			instances: []*Instance{eniInstance("a", "us-east-1a", 0)},
			req:       Request{Count: 1, Group: "family:web", Task: web},
			want:      []string{"RESOURCE:ENI"},
			wantENIs:  []int{0},
		},
		{
			name:      "bridge tasks take no ENI",
			reason:    "only awsvpc tasks take a task ENI",
			instances: []*Instance{eniInstance("a", "us-east-1a", 0)},
			req:       Request{Count: 2, Group: "family:web", Task: Requirements{CPU: 256, MemoryMiB: 512}},
			want:      []string{"a", "a"},
			wantENIs:  []int{0},
		},
		{
			name:      "case 37: containerPort 80 twice on one instance",
			reason:    "awsvpc ports live on the task's ENI: two tasks with port 80 share an instance, and no host port is reserved",
			instances: []*Instance{eniInstance("a", "us-east-1a", 2)},
			req:       Request{Count: 2, Group: "family:web", Task: web80},
			want:      []string{"a", "a"},
			wantENIs:  []int{0},
		},
		{
			name:      "awsvpc port 22 is not the agent's",
			reason:    "the agent's reserved ports are the instance's, not the task ENI's",
			instances: []*Instance{eniInstance("a", "us-east-1a", 1)},
			req:       Request{Count: 1, Group: "family:web", Task: Requirements{AWSVPC: true, PortsTCP: []uint16{22}}},
			want:      []string{"a"},
			wantENIs:  []int{0},
		},
		{
			name:      "subnets in another zone",
			reason:    "LOCATION: the instance is in a different AZ from the awsvpc subnets",
			instances: []*Instance{eniInstance("a", "us-east-1a", 3)},
			req:       Request{Count: 1, Group: "family:web", Task: web, Zones: []string{"us-east-1b", "us-east-1c"}},
			want:      []string{"LOCATION"},
			wantENIs:  []int{3},
		},
		{
			name:      "one subnet in the instance's zone",
			reason:    "a task whose subnets span zones may run in any of them",
			instances: []*Instance{eniInstance("a", "us-east-1a", 3), eniInstance("b", "us-east-1b", 3)},
			req:       Request{Count: 2, Group: "family:web", Task: web, Zones: []string{"us-east-1b"}},
			want:      []string{"b", "b"},
			wantENIs:  []int{3, 1},
		},
		{
			name:      "instance without a zone",
			reason:    "berth's decision: an instance without ecs.availability-zone is in no subnet's zone",
			instances: []*Instance{eniInstance("a", "", 3)},
			req:       Request{Count: 1, Group: "family:web", Task: web, Zones: []string{"us-east-1a"}},
			want:      []string{"LOCATION"},
			wantENIs:  []int{3},
		},
		{
			name:      "LOCATION comes after RESOURCE:ENI",
			reason:    "filter order: the instance in the right zone without an ENI got further than the one in the wrong zone",
			instances: []*Instance{eniInstance("a", "us-east-1a", 0), eniInstance("b", "us-east-1b", 1)},
			req:       Request{Count: 1, Group: "family:web", Task: web, Zones: []string{"us-east-1a"}},
			want:      []string{"LOCATION"},
			wantENIs:  []int{0, 1},
		},
		{
			name:      "RESOURCE:ENI comes after RESOURCE:MEMORY",
			reason:    "filter order: ENIs are checked after CPU, memory, GPU and ports",
			instances: []*Instance{eniInstance("a", "us-east-1a", 0)},
			req:       Request{Count: 1, Group: "family:web", Task: Requirements{MemoryMiB: 1 << 20, AWSVPC: true}},
			want:      []string{"RESOURCE:MEMORY"},
			wantENIs:  []int{0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCluster()
			for _, in := range tt.instances {
				if err := c.AddInstance(in); err != nil {
					t.Fatal(err)
				}
			}
			var res Result
			if err := c.Place(&tt.req, rand.New(rand.NewPCG(1, 2)), &res); err != nil {
				t.Fatalf("Place: %v", err)
			}
			var got []string
			for _, p := range res.Placed {
				got = append(got, p.Instance.ARN)
			}
			for _, u := range res.Unplaced {
				got = append(got, u.ReasonString())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Place (%s) mismatch (-want +got):\n%s", tt.reason, diff)
			}
			var enis []int
			for _, in := range c.Instances() {
				enis = append(enis, in.Remaining.ENIs)
				if diff := cmp.Diff(DefaultReservedPortsTCP, in.Remaining.PortsTCP); diff != "" {
					t.Errorf("instance %s: ports taken (-want +got):\n%s", in.ARN, diff)
				}
			}
			if diff := cmp.Diff(tt.wantENIs, enis); diff != "" {
				t.Errorf("remaining ENIs (%s) (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestReleaseAWSVPC: a stopped awsvpc task gives its ENI back.
func TestReleaseAWSVPC(t *testing.T) {
	c := NewCluster()
	in := eniInstance("a", "us-east-1a", 1)
	if err := c.AddInstance(in); err != nil {
		t.Fatal(err)
	}
	req := Request{Count: 1, Group: "g", Task: Requirements{AWSVPC: true}}
	var res Result
	rng := rand.New(rand.NewPCG(1, 2))
	if err := c.Place(&req, rng, &res); err != nil || len(res.Placed) != 1 {
		t.Fatalf("Place = %+v, %v; want one placed", res, err)
	}
	if err := c.Release(res.Placed[0].Task); err != nil {
		t.Fatal(err)
	}
	if in.Remaining.ENIs != 1 {
		t.Errorf("after Release: %d remaining ENIs, want 1", in.Remaining.ENIs)
	}
	if err := c.Place(&req, rng, &res); err != nil || len(res.Placed) != 1 {
		t.Errorf("Place after Release = %+v, %v; want one placed", res, err)
	}
}

func TestValidateZones(t *testing.T) {
	req := Request{Count: 1, Group: "g", Zones: []string{"us-east-1a"}}
	err := req.Validate()
	if err == nil || !strings.Contains(err.Error(), "placement: zones:") {
		t.Errorf("Validate(zones without awsvpc) = %v, want an error naming zones", err)
	}
	req.Task.AWSVPC = true
	if err := req.Validate(); err != nil {
		t.Errorf("Validate(awsvpc with zones) = %v, want nil", err)
	}
}

func TestAddInstanceNegativeENIs(t *testing.T) {
	in := eniInstance("a", "us-east-1a", -1)
	err := NewCluster().AddInstance(in)
	want := `placement: instance "a": remaining enis: -1 is negative`
	if err == nil || err.Error() != want {
		t.Errorf("AddInstance = %v, want %q", err, want)
	}
}

func TestTaskDefinitionAWSVPC(t *testing.T) {
	td := TaskDefinition{Family: "web", NetworkMode: NetworkAwsvpc, Containers: []ContainerDefinition{
		{Name: "c", Memory: 512, PortMappings: []PortMapping{{ContainerPort: 80}}},
	}}
	want := Requirements{MemoryMiB: 512, AWSVPC: true}
	if diff := cmp.Diff(want, td.Requirements()); diff != "" {
		t.Errorf("Requirements() of an awsvpc task definition (-want +got):\n%s", diff)
	}
}
