package autoscale

import (
	"errors"
)

// ECS's names for a service's scalable target.
const (
	// ServiceNamespaceECS is the ServiceNamespace of an ECS service.
	ServiceNamespaceECS = "ecs"
	// ScalableDimensionDesiredCount is the ScalableDimension of an ECS service.
	ScalableDimensionDesiredCount = "ecs:service:DesiredCount"
)

// Quotas of Application Auto Scaling (docs/ecs-behaviour.md 4.1).
const (
	MaxPoliciesPerTarget         = 50
	MaxScheduledActionsPerTarget = 200
	MaxStepAdjustments           = 20
)

// ScalableTarget is a RegisterScalableTarget request: the bounds within
// which policies move a service's desired count. ServiceNamespace,
// ResourceId and ScalableDimension are informational and may be empty;
// MinCapacity and MaxCapacity have no default (zero is a valid bound), so
// call Validate.
type ScalableTarget struct {
	ServiceNamespace  string
	ResourceId        string //nolint:revive // the AWS field name
	ScalableDimension string
	MinCapacity       int
	MaxCapacity       int
	SuspendedState    SuspendedState
}

// SuspendedState says which kinds of scaling are suspended. The zero value
// suspends nothing, as in AWS.
type SuspendedState struct {
	// DynamicScalingInSuspended blocks scale-in by step and
	// target-tracking policies.
	DynamicScalingInSuspended bool
	// DynamicScalingOutSuspended blocks scale-out by those policies.
	DynamicScalingOutSuspended bool
	// ScheduledScalingSuspended blocks scheduled actions; occurrences that
	// pass while suspended are skipped for good.
	ScheduledScalingSuspended bool
}

// Validate reports whether the bounds are usable: 0 <= MinCapacity <=
// MaxCapacity.
func (t ScalableTarget) Validate() error {
	if t.MinCapacity < 0 {
		return fieldErrorf("MinCapacity", "%d is negative, expected 0 or more", t.MinCapacity)
	}
	if t.MaxCapacity < t.MinCapacity {
		return fieldErrorf("MaxCapacity", "%d is below MinCapacity %d", t.MaxCapacity, t.MinCapacity)
	}
	if t.ServiceNamespace != "" && t.ServiceNamespace != ServiceNamespaceECS {
		return fieldErrorf("ServiceNamespace", "%q is not supported, expected %q", t.ServiceNamespace, ServiceNamespaceECS)
	}
	if t.ScalableDimension != "" && t.ScalableDimension != ScalableDimensionDesiredCount {
		return fieldErrorf("ScalableDimension", "%q is not supported, expected %q", t.ScalableDimension, ScalableDimensionDesiredCount)
	}
	return nil
}

// Clamp returns capacity moved inside [MinCapacity, MaxCapacity], as
// registering or updating a target does to the current desired count
// (docs/ecs-behaviour.md 4.1, case 63).
func (t ScalableTarget) Clamp(capacity int) int {
	return clamp(capacity, t.MinCapacity, t.MaxCapacity)
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// ScalableTargetAction is the change a scheduled action (or a
// RegisterScalableTarget update) makes to a target's bounds. A nil field
// leaves that bound as it is.
type ScalableTargetAction struct {
	MinCapacity *int
	MaxCapacity *int
}

// ErrEmptyAction is returned for a ScalableTargetAction that sets neither
// bound.
var ErrEmptyAction = errors.New("autoscale: ScalableTargetAction: sets neither MinCapacity nor MaxCapacity")

// Apply returns t with the action's bounds, and the current capacity moved
// inside them. It fails when the result would have MinCapacity above
// MaxCapacity or a negative bound; t is then unchanged.
func (t ScalableTarget) Apply(a ScalableTargetAction, capacity int) (ScalableTarget, int, error) {
	if a.MinCapacity == nil && a.MaxCapacity == nil {
		return t, capacity, ErrEmptyAction
	}
	u := t
	if a.MinCapacity != nil {
		u.MinCapacity = *a.MinCapacity
	}
	if a.MaxCapacity != nil {
		u.MaxCapacity = *a.MaxCapacity
	}
	if err := u.Validate(); err != nil {
		return t, capacity, err
	}
	return u, u.Clamp(capacity), nil
}
