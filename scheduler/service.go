package scheduler

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/placement"
)

// SchedulingStrategy is a service's schedulingStrategy.
type SchedulingStrategy string

// Scheduling strategies. The zero value means REPLICA, ECS's default.
const (
	Replica SchedulingStrategy = "REPLICA"
	Daemon  SchedulingStrategy = "DAEMON"
)

// MaxHealthCheckGracePeriodSeconds is the largest
// healthCheckGracePeriodSeconds ECS accepts.
const MaxHealthCheckGracePeriodSeconds = math.MaxInt32

// NoHealthCheckDelay is how long a task without a load balancer or an
// essential container health check must have been RUNNING before it counts
// as healthy toward minimumHealthyPercent.
const NoHealthCheckDelay = 40 * time.Second

// Service is the specification of an ECS service, as CreateService and
// UpdateService take it. Pointer fields are the ones whose absence ECS
// distinguishes from a zero value; nil means "not given", and the ECS
// default applies. Check a Service with Validate (Reconcile does too).
type Service struct {
	// Name is the service name: 1 to 255 letters, digits, _ and -. Its
	// tasks have the group "service:<Name>".
	Name string
	// SchedulingStrategy is REPLICA (the default, "") or DAEMON.
	SchedulingStrategy SchedulingStrategy
	// TaskDefinition is the revision the service runs. Changing it (another
	// family or revision) starts a deployment.
	TaskDefinition *placement.TaskDefinition
	// DesiredCount is required for REPLICA and ignored for DAEMON, whose
	// desired count is the number of eligible instances.
	DesiredCount *int
	// DeploymentConfiguration bounds rolling deployments, draining and
	// unhealthy-task replacement.
	DeploymentConfiguration DeploymentConfiguration
	// PlacementConstraints join the task definition's (at most
	// placement.MaxConstraints together).
	PlacementConstraints []placement.Constraint
	// PlacementStrategy ranks instances for REPLICA services; empty means
	// placement.ServiceDefaultStrategies. DAEMON services take none.
	PlacementStrategy []placement.Strategy
	// HealthCheckGracePeriodSeconds is how long after a task reaches
	// RUNNING its failed health checks are ignored: 0 (the default) to
	// MaxHealthCheckGracePeriodSeconds.
	HealthCheckGracePeriodSeconds int64
	// HealthChecked says a health check decides when a task is healthy: an
	// essential container has a health check or the service has a load
	// balancer. Then a task is healthy when its Health is HEALTHY;
	// otherwise NoHealthCheckDelay after it reaches RUNNING.
	HealthChecked bool
	// LoadBalancers are the target groups the service's tasks register
	// with (at most MaxLoadBalancers). A service with load balancers is
	// health checked whatever HealthChecked says: the caller reports each
	// task's target health as its Health (see TargetHealth), and a task
	// stopped for failing it gets ECS's "Task failed ELB health checks
	// in (target-group ...)".
	LoadBalancers []LoadBalancer
	// LaunchType is the service's launchType: EC2 (the zero value, also
	// what a service with neither a launch type nor a capacity provider
	// strategy gets) or EXTERNAL. Its tasks run only on instances of that
	// launch type, and the task definition must support it (ECS's
	// "Task definition does not support launch_type ..."). FARGATE
	// services are not reconciled here: they have no container instances.
	LaunchType placement.LaunchType
	// Zones are the availability zones of an awsvpc service's subnets
	// (its networkConfiguration): its tasks are placed only there, else
	// LOCATION (placement.Request.Zones). Empty means any zone.
	Zones []string
	// CapacityProviderStrategy divides a REPLICA service's tasks among
	// capacity providers (base first, then by weight): one deployment, one
	// circuit breaker count and one event stream across all of them. Each
	// task is placed only on its provider's instances, with no fallback
	// to another provider. Empty means none: any instance of LaunchType.
	CapacityProviderStrategy []CapacityProviderStrategyItem
	// AvailabilityZoneRebalancing moves a REPLICA service's tasks back into
	// balance across zones once it is in steady state: "" means
	// CreateService's default, ENABLED for a service that supports it
	// (AZRebalancingSupported) and DISABLED otherwise.
	AvailabilityZoneRebalancing AZRebalancing
	// ForceNewDeployment starts a deployment whenever it changes, even with
	// the same task definition (UpdateService's forceNewDeployment, as a
	// generation counter so that the spec stays declarative).
	ForceNewDeployment int
}

// DeploymentConfiguration is ECS's deploymentConfiguration for the rolling
// update (ECS) deployment controller.
type DeploymentConfiguration struct {
	// MaximumPercent caps RUNNING plus PENDING tasks at
	// floor(desired x MaximumPercent / 100). nil means 200 for REPLICA and
	// 100 for DAEMON, which accepts nothing else. At least 100.
	MaximumPercent *int
	// MinimumHealthyPercent keeps ceil(desired x MinimumHealthyPercent /
	// 100) healthy tasks during deployments and draining. nil means 100
	// for REPLICA and 0 for DAEMON. 0 to 100.
	MinimumHealthyPercent *int
	// CircuitBreaker is the deployment circuit breaker; nil disables it.
	CircuitBreaker *CircuitBreaker
}

// CircuitBreaker is ECS's deploymentCircuitBreaker.
type CircuitBreaker struct {
	// Enable turns failure detection on.
	Enable bool
	// Rollback returns the service to its last COMPLETED deployment when a
	// deployment fails.
	Rollback bool
	// ResetOnHealthyTask resets the failure count when a task of the
	// deployment becomes healthy; nil means true.
	ResetOnHealthyTask *bool
	// Threshold is the failure threshold; nil means BOUNDED_PERCENT 50.
	Threshold *ThresholdConfiguration
}

// ThresholdType is a circuit breaker threshold type.
type ThresholdType string

// Threshold types. The zero value means BOUNDED_PERCENT.
const (
	BoundedPercent   ThresholdType = "BOUNDED_PERCENT"
	UnboundedPercent ThresholdType = "UNBOUNDED_PERCENT"
	Count            ThresholdType = "COUNT"
)

// Circuit breaker bounds for BOUNDED_PERCENT thresholds (the current API;
// the 2023 Developer Guide gave 10 as the minimum).
const (
	MinFailureThreshold = 3
	MaxFailureThreshold = 200
)

// ThresholdConfiguration is ECS's thresholdConfiguration.
type ThresholdConfiguration struct {
	// Type is BOUNDED_PERCENT (the default, ""), UNBOUNDED_PERCENT or COUNT.
	Type ThresholdType
	// Value is the percent of the desired count, or the count itself; nil
	// means 50. Not negative.
	Value *int
}

// FailureThreshold returns how many failures fail a deployment whose
// desired count is desired: for the percent types value% of desired,
// rounded up (ECS does not say; the 2023 table implies up), at least 1, and
// for BOUNDED_PERCENT clamped to [MinFailureThreshold,
// MaxFailureThreshold]; for COUNT the value itself (at least 1).
func (cb *CircuitBreaker) FailureThreshold(desired int) int {
	typ, value := BoundedPercent, 50
	if cb.Threshold != nil {
		if cb.Threshold.Type != "" {
			typ = cb.Threshold.Type
		}
		if cb.Threshold.Value != nil {
			value = *cb.Threshold.Value
		}
	}
	if typ == Count {
		return max(value, 1)
	}
	n := max(ceilDiv(desired*value, 100), 1)
	if typ == BoundedPercent {
		n = min(max(n, MinFailureThreshold), MaxFailureThreshold)
	}
	return n
}

func (cb *CircuitBreaker) resetOnHealthy() bool {
	return cb.ResetOnHealthyTask == nil || *cb.ResetOnHealthyTask
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func (s *Service) strategy() SchedulingStrategy {
	if s.SchedulingStrategy == "" {
		return Replica
	}
	return s.SchedulingStrategy
}

// Group returns the task group of the service's tasks: "service:<Name>".
func (s *Service) Group() string { return "service:" + s.Name }

// Percents returns the service's minimumHealthyPercent and maximumPercent
// with the defaults of its scheduling strategy filled in.
func (s *Service) Percents() (minimumHealthy, maximum int) {
	minimumHealthy, maximum = 100, 200
	if s.strategy() == Daemon {
		minimumHealthy, maximum = 0, 100
	}
	if p := s.DeploymentConfiguration.MinimumHealthyPercent; p != nil {
		minimumHealthy = *p
	}
	if p := s.DeploymentConfiguration.MaximumPercent; p != nil {
		maximum = *p
	}
	return minimumHealthy, maximum
}

// Bounds returns, for a desired count, the fewest healthy tasks a
// deployment may leave, ceil(desired x minimumHealthyPercent / 100), and
// the most RUNNING plus PENDING tasks it may run, floor(desired x
// maximumPercent / 100).
func (s *Service) Bounds(desired int) (lower, upper int) {
	minP, maxP := s.Percents()
	return ceilDiv(desired*minP, 100), desired * maxP / 100
}

// Validate reports the first thing wrong with the service, naming the
// field, the value and what was expected.
func (s *Service) Validate() error {
	if err := validName(s.Name); err != nil {
		return err
	}
	st := s.strategy()
	if st != Replica && st != Daemon {
		return fieldErrorf("schedulingStrategy", "%q, expected REPLICA or DAEMON", s.SchedulingStrategy)
	}
	if s.TaskDefinition == nil {
		return fieldErrorf("taskDefinition", "missing")
	}
	if err := s.TaskDefinition.Validate(); err != nil {
		return fieldErrorf("taskDefinition", "%w", err)
	}
	if err := s.TaskDefinition.Supports(s.LaunchType); err != nil {
		return fieldErrorf("", "%w", err)
	}
	if err := s.validCounts(st); err != nil {
		return err
	}
	if g := s.HealthCheckGracePeriodSeconds; g < 0 || g > MaxHealthCheckGracePeriodSeconds {
		return fieldErrorf("healthCheckGracePeriodSeconds", "%d, expected 0..%d", g, MaxHealthCheckGracePeriodSeconds)
	}
	if err := s.validLoadBalancers(); err != nil {
		return err
	}
	if err := s.validStrategy(); err != nil {
		return err
	}
	if err := s.validRebalancing(); err != nil {
		return err
	}
	if cb := s.DeploymentConfiguration.CircuitBreaker; cb != nil && cb.Threshold != nil {
		switch cb.Threshold.Type {
		case "", BoundedPercent, UnboundedPercent, Count:
		default:
			return fieldErrorf("deploymentCircuitBreaker.thresholdConfiguration.type", "%q, expected COUNT, BOUNDED_PERCENT or UNBOUNDED_PERCENT", cb.Threshold.Type)
		}
		if v := cb.Threshold.Value; v != nil && *v < 0 {
			return fieldErrorf("deploymentCircuitBreaker.thresholdConfiguration.value", "%d, expected 0 or more", *v)
		}
	}
	if st == Daemon && len(s.PlacementStrategy) > 0 {
		return fieldErrorf("placementStrategy", "%d strategies, DAEMON services take none", len(s.PlacementStrategy))
	}
	sc := scratches.Get().(*scratch) // a scratch request: no allocation per validation
	defer sc.put()
	sc.req = s.buildRequest(sc.req.Constraints, s.TaskDefinition, 1, nil)
	if err := sc.req.Validate(); err != nil {
		return fieldErrorf("", "%w", err)
	}
	return nil
}

func (s *Service) validCounts(st SchedulingStrategy) error {
	dc := &s.DeploymentConfiguration
	if st == Replica {
		if s.DesiredCount == nil {
			return fieldErrorf("desiredCount", "missing for REPLICA")
		}
		if *s.DesiredCount < 0 {
			return fieldErrorf("desiredCount", "%d, expected 0 or more", *s.DesiredCount)
		}
	}
	if p := dc.MinimumHealthyPercent; p != nil && (*p < 0 || *p > 100) {
		return fieldErrorf("minimumHealthyPercent", "%d, expected 0..100", *p)
	}
	if p := dc.MaximumPercent; p != nil {
		if st == Daemon && *p != 100 {
			return fieldErrorf("maximumPercent", "%d, DAEMON services require 100", *p)
		}
		if *p < 100 {
			return fieldErrorf("maximumPercent", "%d, expected 100 or more", *p)
		}
	}
	return nil
}

func validName(n string) error {
	if n == "" {
		return fieldErrorf("serviceName", "missing")
	}
	if len(n) > 255 {
		return fieldErrorf("serviceName", "%d characters, at most 255 allowed", len(n))
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fieldErrorf("serviceName", "%q has %q, expected letters, digits, _ and -", n, r)
		}
	}
	return nil
}

// request is the placement request for count tasks of the service's
// current task definition.
func (s *Service) request(count int) *placement.Request {
	return s.requestFor(s.TaskDefinition, count)
}

func (s *Service) requestFor(td *placement.TaskDefinition, count int) *placement.Request {
	return s.requestOn(td, count, nil)
}

// requestOn is requestFor with one more constraint, when extra is not nil
// (a capacity provider's instances, a zone).
func (s *Service) requestOn(td *placement.TaskDefinition, count int, extra *placement.Constraint) *placement.Request {
	req := s.buildRequest(nil, td, count, extra)
	return &req
}

// buildRequest returns the request for count tasks of td, as td.Request
// builds it with the service's constraints (and extra, when not nil) and
// strategies, its constraints appended to buf[:0]: Validate and every
// placement of a Reconcile build one, and need not allocate.
func (s *Service) buildRequest(buf []placement.Constraint, td *placement.TaskDefinition, count int, extra *placement.Constraint) placement.Request {
	return s.buildRequestOf(buf, td, td.Requirements(), s.Group(), count, extra)
}

// buildRequestOf is buildRequest given td's requirements and the
// service's group, which a Reconcile of an unchanged service keeps from
// the call that validated it (checked) rather than build them again.
func (s *Service) buildRequestOf(buf []placement.Constraint, td *placement.TaskDefinition, task placement.Requirements,
	group string, count int, extra *placement.Constraint) placement.Request {
	strategies := s.PlacementStrategy
	daemon := s.strategy() == Daemon
	switch {
	case daemon:
		strategies = nil
	case len(strategies) == 0:
		strategies = defaultStrategies
	}
	all := append(buf[:0], td.PlacementConstraints...)
	all = append(all, s.PlacementConstraints...)
	if extra != nil {
		all = append(all, *extra)
	}
	if daemon {
		all = append(all, placement.Constraint{Type: placement.DistinctInstance})
	}
	if group == "" {
		group = td.DefaultGroup()
	}
	req := placement.Request{
		Count:              count,
		Group:              group,
		Task:               task,
		RequiredAttributes: td.RequiresAttributes,
		Constraints:        all,
		Strategies:         strategies,
		LaunchType:         s.LaunchType,
	}
	if req.Task.AWSVPC {
		req.Zones = s.Zones
	}
	return req
}

var defaultStrategies = placement.ServiceDefaultStrategies()

// tdKey identifies a task definition revision: "family:revision".
func tdKey(td *placement.TaskDefinition) string {
	return td.Family + ":" + strconv.Itoa(td.Revision)
}

// ProtectionExpiry returns when task scale-in protection set at now ends:
// expiresInMinutes is UpdateTaskProtection's field, nil for its default of
// 120 minutes, else 1 to 2880.
func ProtectionExpiry(now time.Time, expiresInMinutes *int) (time.Time, error) {
	m := 120
	if expiresInMinutes != nil {
		m = *expiresInMinutes
		if m < 1 || m > 2880 {
			return time.Time{}, fieldErrorf("expiresInMinutes", "%d, expected 1..2880", m)
		}
	}
	return now.Add(time.Duration(m) * time.Minute), nil
}

// healthChecked reports whether a health check decides when the
// service's tasks are healthy.
func (s *Service) healthChecked() bool { return s.HealthChecked || len(s.LoadBalancers) > 0 }

func (s *Service) validLoadBalancers() error {
	if n := len(s.LoadBalancers); n > MaxLoadBalancers {
		return fieldErrorf("loadBalancers", "%d target groups, expected at most %d", n, MaxLoadBalancers)
	}
	for i, lb := range s.LoadBalancers {
		switch {
		case lb.TargetGroupArn == "":
			return fieldErrorf(fmt.Sprintf("loadBalancers[%d].targetGroupArn", i), "missing")
		case lb.ContainerPort < 1 || lb.ContainerPort > 65535:
			return fieldErrorf(fmt.Sprintf("loadBalancers[%d].containerPort", i), "%d, expected 1..65535", lb.ContainerPort)
		}
	}
	return nil
}

// fieldErrorf returns the error, with the package's prefix, of the field
// at path of what the caller gave (a service, a target group, a RunTask
// input); "" is the value itself. A caller that reads these from a
// document puts them under the document's path with fielderr.Wrap.
func fieldErrorf(path, format string, args ...any) error {
	return fmt.Errorf("scheduler: %w", fielderr.Errorf(path, format, args...))
}
