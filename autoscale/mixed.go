package autoscale

import (
	"errors"
)

// Allocation strategies of an Auto Scaling group's InstancesDistribution
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstancesDistribution.html).
const (
	Prioritized                  = "prioritized"
	LowestPrice                  = "lowest-price"
	PriceCapacityOptimized       = "price-capacity-optimized"
	CapacityOptimizedPrioritized = "capacity-optimized-prioritized"
)

// InstancesDistribution is the part of an Auto Scaling group's
// MixedInstancesPolicy that says which instance type and purchase option
// each launched instance gets; the group's InstanceTypes are the launch
// template overrides in priority order. Zero values mean the API
// defaults: OnDemandAllocationStrategy prioritized, OnDemandBaseCapacity
// 0, OnDemandPercentageAboveBaseCapacity 100 (nil), SpotAllocationStrategy
// price-capacity-optimized. Call Validate.
//
// Berth has no Spot capacity pools whose depth could differ, so the Spot
// strategies are approximated by price alone: price-capacity-optimized
// and lowest-price take the cheapest type (Spot prices are the on-demand
// price times one factor, so the same order), ties to the earlier
// override; capacity-optimized-prioritized takes the first override.
// Likewise prioritized on-demand takes the first override, as the
// group does while that type has capacity.
type InstancesDistribution struct {
	OnDemandAllocationStrategy          string
	OnDemandBaseCapacity                int
	OnDemandPercentageAboveBaseCapacity *int
	SpotAllocationStrategy              string
}

// Validate checks the strategies and ranges.
func (d InstancesDistribution) Validate() error {
	switch {
	case d.OnDemandAllocationStrategy != "" && d.OnDemandAllocationStrategy != Prioritized && d.OnDemandAllocationStrategy != LowestPrice:
		return fieldErrorf("instancesDistribution.onDemandAllocationStrategy", "%q, expected prioritized or lowest-price", d.OnDemandAllocationStrategy)
	case d.SpotAllocationStrategy != "" && d.SpotAllocationStrategy != PriceCapacityOptimized && d.SpotAllocationStrategy != LowestPrice && d.SpotAllocationStrategy != CapacityOptimizedPrioritized:
		return fieldErrorf("instancesDistribution.spotAllocationStrategy", "%q, expected price-capacity-optimized, lowest-price or capacity-optimized-prioritized", d.SpotAllocationStrategy)
	case d.OnDemandBaseCapacity < 0:
		return fieldErrorf("instancesDistribution.onDemandBaseCapacity", "%d, expected 0 or more", d.OnDemandBaseCapacity)
	case d.OnDemandPercentageAboveBaseCapacity != nil && (*d.OnDemandPercentageAboveBaseCapacity < 0 || *d.OnDemandPercentageAboveBaseCapacity > 100):
		return fieldErrorf("instancesDistribution.onDemandPercentageAboveBaseCapacity", "%d, expected 0 to 100", *d.OnDemandPercentageAboveBaseCapacity)
	}
	return nil
}

// OnDemandCount returns how many of a group of n instances are on-demand:
// the base first, then the percentage of the rest, rounded up (berth's
// choice where the guide gives no rounding: it favours on-demand).
func (d InstancesDistribution) OnDemandCount(n int) int {
	pct := 100
	if d.OnDemandPercentageAboveBaseCapacity != nil {
		pct = *d.OnDemandPercentageAboveBaseCapacity
	}
	base := min(n, d.OnDemandBaseCapacity)
	return base + ((n-base)*pct+99)/100
}

// NextLaunch returns which override (an index into the provider's
// InstanceTypes) the group's next instance is and whether it is Spot,
// given how many on-demand and Spot instances the group has: the
// instance is on-demand while the group has fewer than OnDemandCount of
// its new size, and its type follows the allocation strategy.
func (p *AutoScalingGroupProvider) NextLaunch(onDemand, spot int) (override int, isSpot bool) {
	d := p.InstancesDistribution
	isSpot = onDemand >= d.OnDemandCount(onDemand+spot+1)
	strategy := d.OnDemandAllocationStrategy
	if isSpot {
		strategy = d.SpotAllocationStrategy
		if strategy == "" {
			strategy = PriceCapacityOptimized
		}
	}
	if strategy == LowestPrice || strategy == PriceCapacityOptimized {
		for i, t := range p.InstanceTypes {
			if t.PricePerHour < p.InstanceTypes[override].PricePerHour {
				override = i
			}
		}
	}
	return override, isSpot
}

// ErrWeightedCapacity is the error for an instance weight: ECS capacity
// providers do not support weighting the instance types of an Auto Scaling
// group (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html).
var ErrWeightedCapacity = errors.New("autoscale: weightedCapacity: instance weighting is not supported with ECS capacity providers")
