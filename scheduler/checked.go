package scheduler

import "github.com/berthsched/berth/placement"

// checked is a service as a Reconcile validated it, carried in State so
// that the next call with the same service skips Validate: validating the
// whole specification (task definition, strategies, constraints) took a
// sixth of an overloaded fleet's time, reconciling services every few
// seconds whose specification changes a few times a day.
//
// The same service is one whose fields are equal, pointers and slices
// pointing to the same task definition, circuit breaker and arrays of the
// same length; the integers behind the count and percent pointers are
// compared by value, as a caller may well set them in place. The desired
// count is not kept here but in State.validCount: a scaling changes only
// the count, whose validity is a cheap check, and a new checked for every
// scaling was a planner day's 3.5 MB. What a
// service's other pointers and slices refer to is its caller's to leave
// unchanged between calls (Reconcile's doc says so): a changed task
// definition is a new revision, and deploy already tells revisions apart
// by their family and number.
type checked struct {
	svc                Service
	minHealthy, maxPct int // behind the pointers, -1 for nil
	// group and task are svc.Group() and svc.TaskDefinition.Requirements(),
	// which every placement request of the service needs; spec is
	// tdKey(svc.TaskDefinition), which every call compares.
	group, spec string
	task        placement.Requirements
}

// checkedOf returns what the validated svc is remembered as.
func checkedOf(svc *Service) *checked {
	dc := &svc.DeploymentConfiguration
	return &checked{svc: *svc, minHealthy: intOr(dc.MinimumHealthyPercent),
		maxPct: intOr(dc.MaximumPercent), group: svc.Group(), spec: tdKey(svc.TaskDefinition),
		task: svc.TaskDefinition.Requirements()}
}

// intOr returns *p, or -1 for nil (every valid value is 0 or more).
func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// same reports whether svc is the service k was made of, by the rules of
// checked, but for the value of its desired count (whether it has one
// does count). A nil k matches no service.
func (k *checked) same(svc *Service) bool {
	if k == nil {
		return false
	}
	a, dc, kc := &k.svc, &svc.DeploymentConfiguration, &k.svc.DeploymentConfiguration
	return a.TaskDefinition == svc.TaskDefinition && a.Name == svc.Name &&
		a.SchedulingStrategy == svc.SchedulingStrategy && (a.DesiredCount == nil) == (svc.DesiredCount == nil) &&
		k.minHealthy == intOr(dc.MinimumHealthyPercent) &&
		k.maxPct == intOr(dc.MaximumPercent) && (kc.MinimumHealthyPercent == nil) == (dc.MinimumHealthyPercent == nil) &&
		(kc.MaximumPercent == nil) == (dc.MaximumPercent == nil) && kc.CircuitBreaker == dc.CircuitBreaker &&
		sameArray(a.PlacementConstraints, svc.PlacementConstraints) && sameArray(a.PlacementStrategy, svc.PlacementStrategy) &&
		a.HealthCheckGracePeriodSeconds == svc.HealthCheckGracePeriodSeconds && a.HealthChecked == svc.HealthChecked &&
		sameArray(a.LoadBalancers, svc.LoadBalancers) && a.LaunchType == svc.LaunchType && sameArray(a.Zones, svc.Zones) &&
		sameArray(a.CapacityProviderStrategy, svc.CapacityProviderStrategy) &&
		a.AvailabilityZoneRebalancing == svc.AvailabilityZoneRebalancing && a.ForceNewDeployment == svc.ForceNewDeployment
}

// sameArray reports whether a and b are the same elements of the same
// array.
func sameArray[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
