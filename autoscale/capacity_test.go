package autoscale

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCase83StrategyValidation(t *testing.T) {
	tests := []struct {
		name string
		s    CapacityProviderStrategy
		want string
	}{
		{"two bases", CapacityProviderStrategy{{"A", 1, 1}, {"B", 1, 2}}, "capacityProviderStrategy[1].base: 2, but item 0 already defines a base"},
		{"all weights 0", CapacityProviderStrategy{{"A", 0, 0}, {"B", 0, 0}}, "every weight is 0"},
		{"weight 1001", CapacityProviderStrategy{{"A", 1001, 0}}, "capacityProviderStrategy[0].weight: 1001, expected 0 to 1000"},
		{"base 100001", CapacityProviderStrategy{{"A", 1, 100001}}, "capacityProviderStrategy[0].base: 100001, expected 0 to 100000"},
		{"ASG mixed with FARGATE", CapacityProviderStrategy{{"asg", 1, 0}, {"FARGATE", 1, 0}}, "mixes FARGATE providers"},
		{"duplicate", CapacityProviderStrategy{{"A", 1, 0}, {"A", 1, 0}}, `"A" appears twice`},
		{"FARGATE and FARGATE_SPOT", CapacityProviderStrategy{{"FARGATE", 1, 0}, {"FARGATE_SPOT", 1, 0}}, ""},
		{"one provider with weight 0", CapacityProviderStrategy{{"A", 0, 0}}, ""},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := ResolveStrategy("EC2", CapacityProviderStrategy{{"A", 1, 0}}, nil); !errors.Is(err, ErrLaunchTypeAndStrategy) {
		t.Errorf("case 83: launchType with a strategy: %v, want ErrLaunchTypeAndStrategy", err)
	}
}

func TestCase84ClusterDefault(t *testing.T) {
	def := CapacityProviderStrategy{{"default", 1, 0}}
	got, err := ResolveStrategy("", nil, def)
	if err != nil || !cmp.Equal(got, def) {
		t.Errorf("ResolveStrategy(no launch type, no strategy) = %v, %v; want the cluster default", got, err)
	}
	if got, _ := ResolveStrategy("EC2", nil, def); got != nil {
		t.Errorf("ResolveStrategy(EC2) = %v, want none (launch-type tasks never trigger provider scaling)", got)
	}
}

func TestCase85And86Split(t *testing.T) {
	tests := []struct {
		name string
		s    CapacityProviderStrategy
		n    int
		want []int
	}{
		{"case 85: weights 1 and 4", CapacityProviderStrategy{{"A", 1, 0}, {"B", 4, 0}}, 10, []int{2, 8}},
		{"case 85: base 2 then 1:1", CapacityProviderStrategy{{"A", 1, 2}, {"B", 1, 0}}, 10, []int{6, 4}},
		{"odd count 1:1, tie to the first", CapacityProviderStrategy{{"A", 1, 0}, {"B", 1, 0}}, 3, []int{2, 1}},
		{"fewer tasks than the base", CapacityProviderStrategy{{"A", 1, 5}, {"B", 1, 0}}, 3, []int{3, 0}},
		{"base on a weight-0 provider", CapacityProviderStrategy{{"A", 0, 2}, {"B", 1, 0}}, 5, []int{2, 3}},
		{"weight 0 gets nothing", CapacityProviderStrategy{{"A", 0, 0}, {"B", 3, 0}}, 4, []int{0, 4}},
		{"2:1 in order", CapacityProviderStrategy{{"A", 2, 0}, {"B", 1, 0}}, 4, []int{3, 1}},
		{"case 86: FARGATE_SPOT keeps its share, no fallback", CapacityProviderStrategy{{"FARGATE", 1, 0}, {"FARGATE_SPOT", 1, 0}}, 4, []int{2, 2}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.s.Split(tt.n)); diff != "" {
			t.Errorf("%s: Split(%d) (-want +got):\n%s", tt.name, tt.n, diff)
		}
	}
}

func TestCase87ManagedScalingValidation(t *testing.T) {
	tests := []struct {
		name string
		m    ManagedScaling
		want string
	}{
		{"targetCapacity 101", ManagedScaling{TargetCapacity: 101}, "targetCapacity: 101, expected 1 to 100"},
		{"targetCapacity -1", ManagedScaling{TargetCapacity: -1}, "targetCapacity: -1"},
		{"step size 10001", ManagedScaling{MaximumScalingStepSize: 10001}, "maximumScalingStepSize: 10001"},
		{"min step 10001", ManagedScaling{MinimumScalingStepSize: 10001}, "minimumScalingStepSize: 10001"},
		{"warm-up 10001 s", ManagedScaling{InstanceWarmupPeriod: 10001 * time.Second}, "instanceWarmupPeriod"},
		{"max below min", ManagedScaling{MinimumScalingStepSize: 5, MaximumScalingStepSize: 2}, "below minimumScalingStepSize"},
		{"zero value is valid", ManagedScaling{}, ""},
	}
	for _, tt := range tests {
		err := tt.m.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
	// Omitted (zero) fields mean the defaults. In Go an explicit 0 and an
	// omitted field are the same value; 0 is rejected by AWS but means
	// "omitted" here.
	d := ManagedScaling{}.withDefaults()
	want := ManagedScaling{Status: Enabled, TargetCapacity: 100, MinimumScalingStepSize: 1, MaximumScalingStepSize: 10000, InstanceWarmupPeriod: 300 * time.Second}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestCase88Reservation(t *testing.T) {
	for _, tt := range []struct {
		m, n int
		want float64
	}{{0, 0, 100}, {3, 0, 200}, {2, 3, 66.67}, {4, 4, 100}, {5, 4, 125}} {
		if got := Reservation(tt.m, tt.n); math.Abs(got-tt.want) > 0.005 {
			t.Errorf("Reservation(M=%d, N=%d) = %v, want %v", tt.m, tt.n, got, tt.want)
		}
	}
}

func TestCase89Convergence(t *testing.T) {
	for _, tt := range []struct{ target, m, want int }{{100, 2, 2}, {50, 2, 4}, {90, 9, 10}, {100, 0, 0}} {
		if got := SteadyInstances(tt.m, tt.target); got != tt.want {
			t.Errorf("SteadyInstances(M=%d, target %d) = %d, want %d", tt.m, tt.target, got, tt.want)
		}
	}
	// Driving the provider to a steady state: target 50, two busy instances.
	p := AutoScalingGroupProvider{Name: "asg", ManagedScaling: ManagedScaling{TargetCapacity: 50, InstanceWarmupPeriod: -1}}
	inst := []Instance{{ID: "a", NonDaemonTasks: 1}, {ID: "b", NonDaemonTasks: 1}, {ID: "c"}}
	d := p.Scale(ProviderInput{Now: t0, Instances: inst})
	if d.Launch != 1 || d.DesiredCapacity != 4 {
		t.Errorf("M=2 N=3 target 50: launch %d desired %d, want 1 and 4 (%s)", d.Launch, d.DesiredCapacity, d.Reason)
	}
}

func TestCase90StepSize(t *testing.T) {
	for _, tt := range []struct {
		name       string
		m          ManagedScaling
		need, want int
	}{
		{"need 1, minimum 3", ManagedScaling{MinimumScalingStepSize: 3}, 1, 3},
		{"need 50, maximum 10", ManagedScaling{MaximumScalingStepSize: 10}, 50, 10},
		{"need 5, 1 to 10", ManagedScaling{MinimumScalingStepSize: 1, MaximumScalingStepSize: 10}, 5, 5},
	} {
		if got := tt.m.StepSize(tt.need); got != tt.want {
			t.Errorf("%s: StepSize(%d) = %d, want %d", tt.name, tt.need, got, tt.want)
		}
	}
}

var (
	small = InstanceType{Name: "m5.large", CPU: 2048, MemoryMiB: 7680}
	large = InstanceType{Name: "m5.2xlarge", CPU: 8192, MemoryMiB: 31232}
)

func TestCase91WarmUp(t *testing.T) {
	p := AutoScalingGroupProvider{Name: "asg", InstanceTypes: []InstanceType{small}}
	inst := []Instance{{ID: "a", LaunchTime: t0, NonDaemonTasks: 2}}
	task := TaskSize{CPU: 2048, MemoryMiB: 1024}
	for _, tt := range []struct {
		at         time.Duration
		wantLaunch int
	}{{120 * time.Second, 0}, {299 * time.Second, 0}, {300 * time.Second, 1}} {
		d := p.Scale(ProviderInput{Now: t0.Add(tt.at), Instances: inst, Provisioning: []TaskSize{task}})
		if d.Launch != tt.wantLaunch {
			t.Errorf("t=%v: launch %d, want %d (%s)", tt.at, d.Launch, tt.wantLaunch, d.Reason)
		}
	}
}

func TestCase92ExcludedTasks(t *testing.T) {
	p := AutoScalingGroupProvider{Name: "asg", InstanceTypes: []InstanceType{small, large}}
	big := TaskSize{CPU: 4096, MemoryMiB: 1024} // fits the large type, not the small one
	d := p.Scale(ProviderInput{Now: t0, Provisioning: []TaskSize{big, big}})
	if d.Launch != 0 || d.Excluded != 2 || d.Reservation != 100 {
		t.Errorf("only an excluded group: launch %d excluded %d CPR %v, want 0, 2, 100", d.Launch, d.Excluded, d.Reservation)
	}
	ok := TaskSize{CPU: 1024, MemoryMiB: 1024}
	need, excluded := InstancesNeeded([]InstanceType{small, large}, []TaskSize{big, ok, ok, ok, ok, ok, ok, ok, ok, ok})
	if need != 2 || excluded != 1 {
		t.Errorf("InstancesNeeded(9 x 1 vCPU on 8 vCPU, 1 excluded) = %d, %d; want 2, 1", need, excluded)
	}
	d = p.Scale(ProviderInput{Now: t0, Provisioning: []TaskSize{big, ok}})
	if d.M != 1 || d.N != 0 || d.Reservation != 200 || d.Launch != 2 {
		t.Errorf("one placeable task, no instances: M %d N %d CPR %v launch %d; want 1 0 200 2 (the first step from zero)", d.M, d.N, d.Reservation, d.Launch)
	}
}

func TestCase93ProvisioningLimit(t *testing.T) {
	if err := CheckProvisioning(299, 1); err != nil {
		t.Errorf("CheckProvisioning(299, 1) = %v, want nil", err)
	}
	if err := CheckProvisioning(300, 1); !errors.Is(err, ErrProvisioningLimit) {
		t.Errorf("CheckProvisioning(300, 1) = %v, want ErrProvisioningLimit", err)
	}
}

func TestCase94ScaleInTerminationProtection(t *testing.T) {
	inst := []Instance{
		{ID: "a", LaunchTime: t0, NonDaemonTasks: 3},
		{ID: "b", LaunchTime: t0.Add(time.Minute), NonDaemonTasks: 1},
		{ID: "c", LaunchTime: t0.Add(2 * time.Minute), NonDaemonTasks: 0}, // only a DAEMON task
	}
	low := repeat(66.7, ScaleInDatapoints-1)
	tests := []struct {
		name       string
		protection string
		history    []float64
		want       []string
	}{
		{"protected: only the empty instance goes", Enabled, low, []string{"c"}},
		{"unprotected: the oldest goes, though busy", Disabled, low, []string{"a"}},
		{"14 datapoints are not enough", Enabled, low[1:], nil},
		{"a datapoint at target resets the run", Enabled, append(append([]float64(nil), low[:13]...), 100), nil},
	}
	for _, tt := range tests {
		p := AutoScalingGroupProvider{Name: "asg", ManagedTerminationProtection: tt.protection}
		d := p.Scale(ProviderInput{Now: t0.Add(time.Hour), Instances: inst, Reservations: tt.history})
		if diff := cmp.Diff(tt.want, d.Terminate); diff != "" {
			t.Errorf("%s: Terminate (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestCase95And96ProviderRules(t *testing.T) {
	p := AutoScalingGroupProvider{Name: "asg", ManagedScaling: ManagedScaling{Status: Disabled}, ManagedTerminationProtection: Enabled}
	if p.TerminationProtected() {
		t.Errorf("case 95: protection with managed scaling DISABLED is in effect, want no effect")
	}
	if err := p.CanAssociate(1); err != nil {
		t.Errorf("case 96: managed scaling off, second cluster: %v, want allowed", err)
	}
	p.ManagedScaling.Status = Enabled
	if !p.TerminationProtected() {
		t.Errorf("protection with managed scaling ENABLED is not in effect")
	}
	if err := p.CanAssociate(1); !errors.Is(err, ErrProviderInUse) {
		t.Errorf("case 96: managed scaling on, second cluster: %v, want ErrProviderInUse", err)
	}
	for _, name := range []string{"", "ecs-provider", "AWSthing", "fargate2", "bad name"} {
		q := AutoScalingGroupProvider{Name: name}
		if err := q.Validate(); err == nil {
			t.Errorf("provider name %q: Validate() = nil, want an error", name)
		}
	}
}

// TestScaleOutFromZero follows the cluster auto scaling considerations of
// the ECS guide: with no instance, the first step is to 200%, two
// instances, whatever the need; the next step waits for their warm-up and
// then launches the rest of the shortfall.
func TestScaleOutFromZero(t *testing.T) {
	task := TaskSize{CPU: 2048, MemoryMiB: 1024} // one per m5.large
	ten := make([]TaskSize, 10)
	for i := range ten {
		ten[i] = task
	}
	tests := []struct {
		name       string
		ms         ManagedScaling
		instances  []Instance
		need       int // provisioning tasks, one instance each
		at         time.Duration
		wantLaunch int
		reason     string
	}{
		{"10 needed, none running", ManagedScaling{}, nil, 10, 0, 2, "M=10 N=0: two, not 10"},
		{"1 needed, none running", ManagedScaling{}, nil, 1, 0, 2, "still two: the step is to 200%"},
		{"minimum step 3", ManagedScaling{MinimumScalingStepSize: 3}, nil, 10, 0, 3, "minimumScalingStepSize still bounds it"},
		{"maximum step 1", ManagedScaling{MaximumScalingStepSize: 1}, nil, 10, 0, 1, "maximumScalingStepSize still bounds it"},
		{"the two in warm-up", ManagedScaling{}, []Instance{{ID: "a", LaunchTime: t0}, {ID: "b", LaunchTime: t0}}, 10, 4 * time.Minute, 0, "warm-up 300 s"},
		{"the two warm", ManagedScaling{}, []Instance{{ID: "a", LaunchTime: t0}, {ID: "b", LaunchTime: t0}}, 10, 5 * time.Minute, 8, "M=10 N=2: ceil(100 x 10 / 100) - 2 = 8"},
	}
	for _, tt := range tests {
		p := AutoScalingGroupProvider{Name: "asg", ManagedScaling: tt.ms, InstanceTypes: []InstanceType{small}}
		d := p.Scale(ProviderInput{Now: t0.Add(tt.at), Instances: tt.instances, Provisioning: ten[:tt.need]})
		if d.Launch != tt.wantLaunch {
			t.Errorf("%s: Scale().Launch = %d, want %d (%s); reason %q", tt.name, d.Launch, tt.wantLaunch, tt.reason, d.Reason)
		}
	}
}

// TestScaleInStep reads the ECS guide's "more than one instance and less
// than 50%" per minute as at most the largest count below half, at least
// one; a group of 10 empty instances then needs six evaluations to empty.
func TestScaleInStep(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 2}, {6, 2}, {10, 4}, {11, 5}} {
		if got := ScaleInStep(tt.n); got != tt.want {
			t.Errorf("ScaleInStep(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
	p := AutoScalingGroupProvider{Name: "asg", ManagedTerminationProtection: Enabled}
	var inst []Instance
	for i := range 10 {
		inst = append(inst, Instance{ID: string(rune('a' + i)), LaunchTime: t0})
	}
	history := repeat(0, ScaleInDatapoints-1)
	var sizes []int
	for minute := range 8 {
		d := p.Scale(ProviderInput{Now: t0.Add(time.Hour + time.Duration(minute)*time.Minute), Instances: inst, Reservations: history})
		history = append(history, d.Reservation)
		inst = inst[len(d.Terminate):] // victims are the oldest: a prefix
		sizes = append(sizes, len(inst))
	}
	// 10 - 4 = 6, 6 - 2 = 4, then one at a time; M = 0 keeps the
	// reservation at 0, below target, and a group of 0 is steady (M = N = 0 is 100).
	want := []int{6, 4, 3, 2, 1, 0, 0, 0}
	if diff := cmp.Diff(want, sizes); diff != "" {
		t.Errorf("group size after each minute (-want +got):\n%s", diff)
	}
}
