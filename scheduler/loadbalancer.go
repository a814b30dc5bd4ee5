package scheduler

import (
	"time"
)

// MaxLoadBalancers is how many target groups one service may name.
const MaxLoadBalancers = 5

// LoadBalancer is one of a service's loadBalancers, as CreateService takes
// it: the target group its tasks register with, and the container and
// port that receive the traffic.
type LoadBalancer struct {
	// TargetGroupArn names the target group.
	TargetGroupArn string
	// ContainerName and ContainerPort are the container and port
	// registered as the target.
	ContainerName string
	ContainerPort int
}

// Target group defaults, as ELB's CreateTargetGroup gives an HTTP or HTTPS
// target group, and its deregistration_delay.timeout_seconds attribute.
const (
	DefaultHealthCheckIntervalSeconds = 30
	DefaultHealthyThresholdCount      = 5
	DefaultUnhealthyThresholdCount    = 2
	DefaultDeregistrationDelaySeconds = 300
)

// TargetGroup is the part of an ELB target group that decides when a
// registered task is healthy and how long a deregistered one drains. The
// zero value of each field means ELB's default; check it with Validate.
type TargetGroup struct {
	// TargetGroupArn identifies the group (LoadBalancer.TargetGroupArn).
	TargetGroupArn string
	// HealthCheckIntervalSeconds is the time between health checks of a
	// target: 5 to 300, default 30.
	HealthCheckIntervalSeconds int
	// HealthyThresholdCount is how many consecutive passed checks make a
	// target healthy: 2 to 10, default 5.
	HealthyThresholdCount int
	// UnhealthyThresholdCount is how many consecutive failed checks make a
	// target unhealthy: 2 to 10, default 2.
	UnhealthyThresholdCount int
	// DeregistrationDelaySeconds is the attribute
	// deregistration_delay.timeout_seconds: how long a deregistered target
	// keeps its in-flight requests (draining) before it is removed: 0 to
	// 3600; nil means 300.
	DeregistrationDelaySeconds *int
}

// Validate checks the group's settings against ELB's ranges.
func (g *TargetGroup) Validate() error {
	for _, f := range []struct {
		name   string
		v      int
		lo, hi int
	}{
		{"healthCheckIntervalSeconds", g.HealthCheckIntervalSeconds, 5, 300},
		{"healthyThresholdCount", g.HealthyThresholdCount, 2, 10},
		{"unhealthyThresholdCount", g.UnhealthyThresholdCount, 2, 10},
	} {
		if f.v != 0 && (f.v < f.lo || f.v > f.hi) {
			return fieldErrorf(f.name, "%d, expected %d..%d (0 means the default)", f.v, f.lo, f.hi)
		}
	}
	if d := g.DeregistrationDelaySeconds; d != nil && (*d < 0 || *d > 3600) {
		return fieldErrorf("deregistrationDelayTimeoutSeconds", "%d, expected 0..3600", *d)
	}
	return nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// HealthyAfter is how long after it registers a target that passes its
// health checks becomes healthy: interval x healthy threshold (until then
// ELB reports it "initial").
func (g *TargetGroup) HealthyAfter() time.Duration {
	return time.Duration(orDefault(g.HealthCheckIntervalSeconds, DefaultHealthCheckIntervalSeconds)*
		orDefault(g.HealthyThresholdCount, DefaultHealthyThresholdCount)) * time.Second
}

// UnhealthyAfter is how long after it registers a target that fails its
// health checks becomes unhealthy: interval x unhealthy threshold.
func (g *TargetGroup) UnhealthyAfter() time.Duration {
	return time.Duration(orDefault(g.HealthCheckIntervalSeconds, DefaultHealthCheckIntervalSeconds)*
		orDefault(g.UnhealthyThresholdCount, DefaultUnhealthyThresholdCount)) * time.Second
}

// DeregistrationDelay is how long a deregistered target drains before the
// task behind it is stopped.
func (g *TargetGroup) DeregistrationDelay() time.Duration {
	if g.DeregistrationDelaySeconds == nil {
		return DefaultDeregistrationDelaySeconds * time.Second
	}
	return time.Duration(*g.DeregistrationDelaySeconds) * time.Second
}

// TargetHealth is the health a task registered at registered reports at
// now, given whether it passes the health checks of every group: HEALTHY
// once it has passed them in all groups, UNHEALTHY once it has failed them
// in any, UNKNOWN before. This is the Health the caller gives the
// scheduler for a service with load balancers; the scheduler then ignores
// UNHEALTHY for HealthCheckGracePeriodSeconds after the task's StartedAt.
func TargetHealth(groups []*TargetGroup, registered, now time.Time, passes bool) HealthStatus {
	if len(groups) == 0 {
		return HealthUnknown
	}
	at := HealthChangeAfter(groups, passes)
	switch {
	case now.Sub(registered) < at:
		return HealthUnknown
	case passes:
		return HealthHealthy
	}
	return HealthUnhealthy
}

// HealthChangeAfter is how long after registering a task's health leaves
// UNKNOWN (see TargetHealth): the longest HealthyAfter when it passes
// its checks, the shortest UnhealthyAfter when it fails them.
func HealthChangeAfter(groups []*TargetGroup, passes bool) time.Duration {
	var at time.Duration
	for i, g := range groups {
		switch d := g.UnhealthyAfter(); {
		case passes:
			at = max(at, g.HealthyAfter())
		case i == 0 || d < at:
			at = d
		}
	}
	return at
}

// DeregistrationDelay is how long a task of a service with these target
// groups drains after the scheduler stops it: the longest group's delay.
// The caller keeps the task RUNNING (desiredStatus STOPPED, its resources
// held) for that long before it sends the stop.
func DeregistrationDelay(groups []*TargetGroup) time.Duration {
	var d time.Duration
	for _, g := range groups {
		d = max(d, g.DeregistrationDelay())
	}
	return d
}
