package autoscale

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOnDemandCount(t *testing.T) {
	pct := 25
	d := InstancesDistribution{OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: &pct}
	// The base 2 first, then 25% of the rest rounded up: 10 -> 2 + ceil(8 x 0.25) = 4.
	for _, tt := range []struct{ n, want int }{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 3}, {6, 3}, {7, 4}, {10, 4}} {
		if got := d.OnDemandCount(tt.n); got != tt.want {
			t.Errorf("OnDemandCount(%d) with base 2 and 25%% above = %d, want %d", tt.n, got, tt.want)
		}
	}
	if got := (InstancesDistribution{}).OnDemandCount(7); got != 7 {
		t.Errorf("default distribution: OnDemandCount(7) = %d, want 7 (100%% on-demand)", got)
	}
}

// TestNextLaunch launches ten instances one at a time into a group of three
// overrides, base 2 and 25% on-demand above it; the Spot ones go to the
// cheapest type (price-capacity-optimized approximated by price), the
// on-demand ones to the first (prioritized) or the cheapest (lowest-price).
func TestNextLaunch(t *testing.T) {
	types := []InstanceType{
		{Name: "m5.xlarge", CPU: 4096, MemoryMiB: 15360, PricePerHour: 0.192},
		{Name: "m5a.xlarge", CPU: 4096, MemoryMiB: 15360, PricePerHour: 0.172},
		{Name: "m6i.xlarge", CPU: 4096, MemoryMiB: 15360, PricePerHour: 0.192},
	}
	pct := 25
	tests := []struct {
		name     string
		od, spot string
		want     []string
	}{
		{"prioritized, price-capacity-optimized", "", "", []string{
			"m5.xlarge", "m5.xlarge", "m5.xlarge", "spot m5a.xlarge", "spot m5a.xlarge", "spot m5a.xlarge",
			"m5.xlarge", "spot m5a.xlarge", "spot m5a.xlarge", "spot m5a.xlarge"}},
		{"lowest-price, capacity-optimized-prioritized", LowestPrice, CapacityOptimizedPrioritized, []string{
			"m5a.xlarge", "m5a.xlarge", "m5a.xlarge", "spot m5.xlarge", "spot m5.xlarge", "spot m5.xlarge",
			"m5a.xlarge", "spot m5.xlarge", "spot m5.xlarge", "spot m5.xlarge"}},
	}
	for _, tt := range tests {
		p := AutoScalingGroupProvider{Name: "asg", InstanceTypes: types, InstancesDistribution: InstancesDistribution{
			OnDemandAllocationStrategy: tt.od, SpotAllocationStrategy: tt.spot, OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: &pct}}
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: Validate() = %v", tt.name, err)
		}
		var got []string
		od, spot := 0, 0
		for range 10 {
			i, isSpot := p.NextLaunch(od, spot)
			name := types[i].Name
			if isSpot {
				spot++
				name = "spot " + name
			} else {
				od++
			}
			got = append(got, name)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: launches (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestInstancesDistributionValidate(t *testing.T) {
	bad := 101
	for _, tt := range []struct {
		d    InstancesDistribution
		want string
	}{
		{InstancesDistribution{OnDemandAllocationStrategy: "cheapest"}, `onDemandAllocationStrategy: "cheapest", expected prioritized or lowest-price`},
		{InstancesDistribution{SpotAllocationStrategy: "capacity-optimized"}, `spotAllocationStrategy: "capacity-optimized", expected`},
		{InstancesDistribution{OnDemandBaseCapacity: -1}, `onDemandBaseCapacity: -1, expected 0 or more`},
		{InstancesDistribution{OnDemandPercentageAboveBaseCapacity: &bad}, `onDemandPercentageAboveBaseCapacity: 101, expected 0 to 100`},
	} {
		err := tt.d.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.d, err, tt.want)
		}
	}
}
