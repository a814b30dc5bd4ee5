package scenario

import (
	"slices"
	"time"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
)

// Epoch is the wall-clock time of simulated time 0: Monday 6 January 2025,
// 00:00 UTC. Cron schedules, daily curves and the scheduler's timestamps
// read simulated time from it.
var Epoch = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)

// TaskDefSpec is a task definition in a scenario: what one task reserves
// and how it behaves when started.
type TaskDefSpec struct {
	// Family and Revision name the revision ("web:3"); a new revision in a
	// service event starts a deployment. Revision 0 means 1.
	Family   string `json:"family"`
	Revision int    `json:"revision"`
	// CPU in CPU units (1024 per vCPU) and MemoryMiB reserved.
	CPU       int64 `json:"cpu"`
	MemoryMiB int64 `json:"memory"`
	GPUs      int   `json:"gpus"`
	// HostPorts are static TCP host ports (bridge mode), each mapped to the
	// same container port; in awsvpc mode they are on the task's ENI.
	HostPorts []uint16 `json:"hostPorts"`
	// Containers are the definition's containers, as a workload mix's
	// (name, cpu, memory, memoryReservation, essential, portMappings with
	// containerPort and hostPort, ...). When given, hostPorts must be
	// absent, cpu and memory are the task-level size (cpu 0 or 128 to
	// 196608 units), and the task requires what ECS derives from the
	// containers. Without them the definition has one container, "app",
	// reserving cpu, memory and hostPorts.
	Containers []ContainerSpec `json:"containers,omitempty"`
	// NetworkMode is bridge or awsvpc; absent means bridge, except for a
	// service on FARGATE or FARGATE_SPOT, where it means awsvpc (Fargate
	// runs nothing else). An awsvpc task takes one of its instance's task
	// ENIs.
	NetworkMode string `json:"networkMode,omitempty"`
	// StopTimeout is how long a task takes to exit after SIGTERM (the
	// containers' stopTimeout): 30s when absent, at most 2m. It matters
	// where ECS sends SIGTERM ahead of the end, as at a FARGATE_SPOT
	// interruption notice.
	StopTimeout Duration `json:"stopTimeout,omitempty"`
	// Constraints are the task definition's memberOf constraints.
	Constraints []ConstraintSpec `json:"constraints"`
	// RequiresAttributes are the task definition's requiresAttributes:
	// instance attributes every task requires.
	RequiresAttributes []AttributeSpec `json:"requiresAttributes"`
	// StartDelay is how long a task stays PENDING (image pull, container
	// start) before RUNNING; default 10s.
	StartDelay Duration `json:"startDelay"`
	// Crash makes the essential container exit (code 1) at the end of
	// StartDelay, before the task reaches RUNNING: a broken revision that
	// the deployment circuit breaker catches.
	Crash bool `json:"crash"`
	// FailsTargetHealthChecks makes the revision's tasks fail their
	// target groups' health checks once RUNNING (a service with
	// loadBalancers then replaces them).
	FailsTargetHealthChecks bool `json:"failsTargetHealthChecks"`
	// Duration is how long a task of a scheduled task runs (services run
	// until stopped).
	Duration *Distribution `json:"duration"`

	// ecs is the definition read by ecsjson from an ECS document (see
	// docs/scenario.md, "ECS documents"); the fields above then hold its
	// family, revision, size, network mode and containers.
	ecs *placement.TaskDefinition
}

// ECS returns the task definition read from the ECS document the spec
// was given as, or nil for one in berth's own form.
func (td *TaskDefSpec) ECS() *placement.TaskDefinition { return td.ecs }

// StrategyItemSpec is one item of a capacity provider strategy.
type StrategyItemSpec struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           int    `json:"weight"`
	Base             int    `json:"base"`
}

// ServiceSpec is an ECS service in a scenario, as CreateService takes it.
type ServiceSpec struct {
	Name string `json:"name"`
	// SchedulingStrategy is REPLICA (default) or DAEMON.
	SchedulingStrategy string      `json:"schedulingStrategy"`
	TaskDefinition     TaskDefSpec `json:"taskDefinition"`
	// DesiredCount is required for REPLICA services.
	DesiredCount            *int                    `json:"desiredCount"`
	DeploymentConfiguration DeploymentConfiguration `json:"deploymentConfiguration"`
	PlacementConstraints    []ConstraintSpec        `json:"placementConstraints"`
	PlacementStrategy       []StrategySpec          `json:"placementStrategy"`
	// AvailabilityZoneRebalancing is ENABLED or DISABLED; empty means
	// CreateService's default: ENABLED for a service that supports it,
	// DISABLED for one that does not (DAEMON, binpack).
	AvailabilityZoneRebalancing string `json:"availabilityZoneRebalancing,omitempty"`
	// CapacityProviderStrategy names the scenario's capacity providers
	// (or FARGATE, FARGATE_SPOT); empty runs on any instance of the fleet.
	CapacityProviderStrategy []StrategyItemSpec `json:"capacityProviderStrategy"`
	// Subnets are the subnets (of fleet.subnets) of an awsvpc service's
	// tasks, ECS's networkConfiguration.awsvpcConfiguration.subnets: its
	// tasks run only in those subnets' zones (else LOCATION). Fargate
	// tasks ignore them: Fargate picks the zone.
	Subnets []string `json:"subnets,omitempty"`
	// Usage is what the tasks actually use; nil means nothing (the
	// utilization metrics are then 0).
	Usage *UsageSpec `json:"usage"`
	// Scaling registers the service with Application Auto Scaling.
	Scaling *ScalingSpec `json:"scaling"`
	// LoadBalancers name the scenario's targetGroups the tasks register
	// with; without them ALBRequestCountPerTarget shares the requests
	// among all RUNNING tasks.
	LoadBalancers []LoadBalancerSpec `json:"loadBalancers"`
	// HealthCheckGracePeriodSeconds is how long after RUNNING the
	// scheduler ignores a task's failed target health checks (default 0).
	HealthCheckGracePeriodSeconds int64 `json:"healthCheckGracePeriodSeconds"`
	// Tasks are the service's tasks running at the start (see
	// InitialTaskSpec); without them the service starts with none.
	Tasks []InitialTaskSpec `json:"tasks,omitempty"`
}

// LoadBalancerSpec is one of a service's loadBalancers, as CreateService
// takes it. TargetGroupArn is a targetGroups name, or an ARN whose
// "targetgroup/<name>/" part names one.
type LoadBalancerSpec struct {
	TargetGroupArn string `json:"targetGroupArn"`
	// ContainerName is the scenario task definition's only container,
	// "app" (optional).
	ContainerName string `json:"containerName"`
	ContainerPort int    `json:"containerPort"`
}

// TargetGroupSpec is an ELB target group (CreateTargetGroup's health
// check settings and the deregistration_delay.timeout_seconds attribute);
// zero values mean ELB's defaults: 30, 5, 2 and 300.
type TargetGroupSpec struct {
	Name                              string `json:"name"`
	HealthCheckIntervalSeconds        int    `json:"healthCheckIntervalSeconds"`
	HealthyThresholdCount             int    `json:"healthyThresholdCount"`
	UnhealthyThresholdCount           int    `json:"unhealthyThresholdCount"`
	DeregistrationDelayTimeoutSeconds *int   `json:"deregistrationDelayTimeoutSeconds"`
}

// DeploymentConfiguration is ECS's deploymentConfiguration.
type DeploymentConfiguration struct {
	MaximumPercent        *int                `json:"maximumPercent"`
	MinimumHealthyPercent *int                `json:"minimumHealthyPercent"`
	CircuitBreaker        *CircuitBreakerSpec `json:"deploymentCircuitBreaker"`
}

// CircuitBreakerSpec is ECS's deploymentCircuitBreaker.
type CircuitBreakerSpec struct {
	Enable   bool `json:"enable"`
	Rollback bool `json:"rollback"`
}

// UsageSpec is a service's actual use over time. The load factor is the
// product of a daily curve (1 + DailyCycle x cos(2 pi (t - PeakHour)/24h)),
// the latest step at or before t, and the trace's value at t; the service
// uses CPU x load (CPU units, shared among its RUNNING tasks) plus
// RequestsPerSecond x load x CPUPerRequest, and MemoryPerTask per task
// plus Memory x load shared.
type UsageSpec struct {
	CPU               float64    `json:"cpu"`
	MemoryPerTask     float64    `json:"memoryPerTask"`
	Memory            float64    `json:"memory"`
	RequestsPerSecond float64    `json:"requestsPerSecond"`
	CPUPerRequest     float64    `json:"cpuPerRequest"`
	DailyCycle        float64    `json:"dailyCycle"`
	PeakHour          float64    `json:"peakHour"`
	Steps             []LoadStep `json:"steps"`
	Trace             *LoadTrace `json:"trace"`
	// Series is measured use over time (berth import ecs writes it from
	// CloudWatch); where given it replaces CPU, Memory and
	// RequestsPerSecond, scaled by the same load factor.
	Series *UsageSeries `json:"series,omitempty"`
}

// LoadStep sets the load factor from At on.
type LoadStep struct {
	At     Duration `json:"at"`
	Factor float64  `json:"factor"`
}

// LoadTrace is a CSV whose first column is the time in seconds and whose
// Column (a header name; default the second column, header optional) is
// the load factor, read as a step function of time.
type LoadTrace struct {
	Path   string `json:"path"`
	Column string `json:"column"`
}

// ScalingSpec is a scalable target with its policies and scheduled
// actions (Application Auto Scaling).
type ScalingSpec struct {
	MinCapacity      int                   `json:"minCapacity"`
	MaxCapacity      int                   `json:"maxCapacity"`
	TargetTracking   []TargetTrackingSpec  `json:"targetTracking"`
	StepScaling      []StepScalingSpec     `json:"stepScaling"`
	ScheduledActions []ScheduledActionSpec `json:"scheduledActions"`
}

// TargetTrackingSpec is a target-tracking policy on a predefined metric:
// ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or
// ALBRequestCountPerTarget.
type TargetTrackingSpec struct {
	Name             string   `json:"name"`
	Metric           string   `json:"metric"`
	TargetValue      float64  `json:"targetValue"`
	ScaleOutCooldown Duration `json:"scaleOutCooldown"`
	ScaleInCooldown  Duration `json:"scaleInCooldown"`
	DisableScaleIn   bool     `json:"disableScaleIn"`
}

// StepScalingSpec is a step policy with the alarm that invokes it.
type StepScalingSpec struct {
	Name           string     `json:"name"`
	AdjustmentType string     `json:"adjustmentType"`
	Steps          []StepSpec `json:"steps"`
	Cooldown       Duration   `json:"cooldown"`
	Alarm          AlarmSpec  `json:"alarm"`
}

// StepSpec is one step adjustment; bounds are offsets from the threshold.
type StepSpec struct {
	Lower      *float64 `json:"lower"`
	Upper      *float64 `json:"upper"`
	Adjustment int      `json:"adjustment"`
}

// AlarmSpec is a CloudWatch alarm on one of the service's metrics.
type AlarmSpec struct {
	Metric             string  `json:"metric"`
	Threshold          float64 `json:"threshold"`
	ComparisonOperator string  `json:"comparisonOperator"`
	EvaluationPeriods  int     `json:"evaluationPeriods"`
	DatapointsToAlarm  int     `json:"datapointsToAlarm"`
	Statistic          string  `json:"statistic"`
}

// ScheduledActionSpec is a scheduled action (at, rate or cron).
type ScheduledActionSpec struct {
	Name        string `json:"name"`
	Schedule    string `json:"schedule"`
	Timezone    string `json:"timezone"`
	MinCapacity *int   `json:"minCapacity"`
	MaxCapacity *int   `json:"maxCapacity"`
}

// ServiceEvent changes a service at a time, as UpdateService does.
type ServiceEvent struct {
	At      Duration `json:"at"`
	Service string   `json:"service"`
	// TaskDefinition starts a deployment of a new revision.
	TaskDefinition *TaskDefSpec `json:"taskDefinition"`
	DesiredCount   *int         `json:"desiredCount"`
	// PlacementConstraints replace the service's.
	PlacementConstraints *[]ConstraintSpec `json:"placementConstraints"`
	ForceNewDeployment   bool              `json:"forceNewDeployment"`
}

// CapacityProviderSpec is an Auto Scaling group capacity provider: its
// group of instances (types, bounds, launch delay, Spot) and managed
// scaling.
type CapacityProviderSpec struct {
	Name string `json:"name"`
	// InstanceTypes name fleet.instanceTypes: the group's launch template
	// overrides in priority order. Managed scaling sizes its need with all
	// of them (the largest for the count, the smallest as the guard); the
	// group launches them as MixedInstancesPolicy says (by default the
	// first, on-demand, or Spot with Spot).
	InstanceTypes []string `json:"instanceTypes"`
	// MixedInstancesPolicy, when given, sets the group's overrides (then
	// InstanceTypes stays empty) and their distribution between on-demand
	// and Spot.
	MixedInstancesPolicy *MixedInstancesPolicySpec `json:"mixedInstancesPolicy"`
	Zones                []string                  `json:"zones"`
	// MinSize, MaxSize and DesiredCapacity bound the group; it starts
	// with DesiredCapacity instances (default MinSize).
	MinSize         int  `json:"minSize"`
	MaxSize         int  `json:"maxSize"`
	DesiredCapacity *int `json:"desiredCapacity"`
	// LaunchDelay is how long a launched instance takes to register
	// (default 2m).
	LaunchDelay                  Duration           `json:"launchDelay"`
	ManagedScaling               ManagedScalingSpec `json:"managedScaling"`
	ManagedTerminationProtection string             `json:"managedTerminationProtection"`
	// Spot makes the group's instances Spot: priced at SpotPriceFactor x
	// the type's price and interrupted at InterruptionsPerHour per
	// instance (a two-minute notice drains the instance first, unless
	// SpotInstanceDraining is false).
	Spot                 bool    `json:"spot"`
	SpotPriceFactor      float64 `json:"spotPriceFactor"`
	InterruptionsPerHour float64 `json:"interruptionsPerHour"`
	// SpotInstanceDraining is the agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING
	// on the group's instances; nil means true (see SpotDraining).
	SpotInstanceDraining *bool `json:"spotInstanceDraining"`
}

// MixedInstancesPolicySpec is an Auto Scaling group's MixedInstancesPolicy:
// its launch template overrides (instance types in priority order) and
// InstancesDistribution. Spot instances get the group's spotPriceFactor,
// interruptionsPerHour and spotInstanceDraining.
type MixedInstancesPolicySpec struct {
	Overrides             []OverrideSpec            `json:"overrides"`
	InstancesDistribution InstancesDistributionSpec `json:"instancesDistribution"`
}

// OverrideSpec is one launch template override. WeightedCapacity is read
// only to be rejected: ECS capacity providers do not support instance
// weighting.
type OverrideSpec struct {
	InstanceType     string `json:"instanceType"`
	WeightedCapacity string `json:"weightedCapacity"`
}

// InstancesDistributionSpec is autoscale.InstancesDistribution; zero
// values mean the API defaults (prioritized, base 0, 100% on-demand above
// it, price-capacity-optimized).
type InstancesDistributionSpec struct {
	OnDemandAllocationStrategy          string `json:"onDemandAllocationStrategy"`
	OnDemandBaseCapacity                int    `json:"onDemandBaseCapacity"`
	OnDemandPercentageAboveBaseCapacity *int   `json:"onDemandPercentageAboveBaseCapacity"`
	SpotAllocationStrategy              string `json:"spotAllocationStrategy"`
}

// ManagedScalingSpec is ECS's managedScaling.
type ManagedScalingSpec struct {
	Status                 string   `json:"status"`
	TargetCapacity         int      `json:"targetCapacity"`
	MinimumScalingStepSize int      `json:"minimumScalingStepSize"`
	MaximumScalingStepSize int      `json:"maximumScalingStepSize"`
	InstanceWarmupPeriod   Duration `json:"instanceWarmupPeriod"`
}

// FargateSpec prices Fargate and sets its behaviour.
type FargateSpec struct {
	// PricePerVCPUHour and PricePerGBHour price FARGATE tasks (defaults:
	// us-east-1 Linux/x86, 0.04048 and 0.004445).
	PricePerVCPUHour float64 `json:"pricePerVcpuHour"`
	PricePerGBHour   float64 `json:"pricePerGbHour"`
	// SpotDiscount is FARGATE_SPOT's price as a fraction of FARGATE's
	// (default 0.3).
	SpotDiscount float64 `json:"spotDiscount"`
	// ProvisionDelay is how long a Fargate task stays PROVISIONING
	// (default 30s).
	ProvisionDelay Duration `json:"provisionDelay"`
	// SpotInterruptionsPerHour is the rate at which each FARGATE_SPOT task
	// is interrupted (default 0).
	SpotInterruptionsPerHour float64 `json:"spotInterruptionsPerHour"`
}

// ScheduledTaskSpec is an EventBridge rule that runs RunTask on a
// schedule: rate(...), cron(...) or at(...).
type ScheduledTaskSpec struct {
	Name           string      `json:"name"`
	Schedule       string      `json:"schedule"`
	Timezone       string      `json:"timezone"`
	TaskDefinition TaskDefSpec `json:"taskDefinition"`
	// Count is the tasks per run (default 1).
	Count int `json:"count"`
	// Constraints join the task definition's; the tasks are placed with
	// the run's placement strategies, like the workload's.
	Constraints []ConstraintSpec `json:"constraints"`
}

// Fargate providers.
const (
	ProviderFargate     = "FARGATE"
	ProviderFargateSpot = "FARGATE_SPOT"
)

// ProviderAttribute is the attribute that ties an instance to its capacity
// provider; services and tasks with a strategy get a memberOf on it.
const ProviderAttribute = "berth.capacity-provider"

// fargateSizes lists the valid Fargate task sizes: CPU units and the
// memory range and step in MiB.
var fargateSizes = []struct{ cpu, lo, hi, step int64 }{
	{256, 512, 2048, 512}, // 512, 1024, 2048 (1536 is not offered; see valid)
	{512, 1024, 4096, 1024},
	{1024, 2048, 8192, 1024},
	{2048, 4096, 16384, 1024},
	{4096, 8192, 30720, 1024},
	{8192, 16384, 61440, 4096},
	{16384, 32768, 122880, 8192},
}

// validFargateSize reports whether cpu and memory are a Fargate task size.
func validFargateSize(cpu, mem int64) bool {
	for _, s := range fargateSizes {
		if s.cpu != cpu {
			continue
		}
		if cpu == 256 {
			return mem == 512 || mem == 1024 || mem == 2048
		}
		return mem >= s.lo && mem <= s.hi && (mem-s.lo)%s.step == 0
	}
	return false
}

// taskDefinition builds the placement task definition.
func (td *TaskDefSpec) TaskDefinition(path string) (*placement.TaskDefinition, error) {
	rev := td.Revision
	if rev == 0 {
		rev = 1
	}
	if td.ecs != nil {
		out := *td.ecs
		out.Revision = rev
		out.Containers = slices.Clone(out.Containers)
		out.RequiresAttributes = slices.Clone(out.RequiresAttributes)
		out.PlacementConstraints = slices.Clone(out.PlacementConstraints)
		return &out, nil
	}
	out := &placement.TaskDefinition{Family: td.Family, Revision: rev, MemoryMiB: td.MemoryMiB, NetworkMode: placement.NetworkMode(td.NetworkMode)}
	if len(td.Containers) > 0 {
		out.CPU = td.CPU
		out.Containers = containerDefinitions(td.Containers)
		out.Containers[0].GPUs = td.GPUs
	} else {
		c := placement.ContainerDefinition{Name: "app", CPU: td.CPU, Memory: td.MemoryMiB, GPUs: td.GPUs, Essential: true}
		for _, p := range td.HostPorts {
			c.PortMappings = append(c.PortMappings, placement.PortMapping{ContainerPort: int(p), HostPort: int(p)})
		}
		out.Containers = []placement.ContainerDefinition{c}
	}
	cons, err := CompileConstraints(td.Constraints, path+".constraints")
	if err != nil {
		return nil, err
	}
	out.PlacementConstraints = cons
	out.RequiresAttributes = attributes(td.RequiresAttributes)
	if len(td.Containers) > 0 {
		out.RequiresAttributes = out.DerivedAttributes()
	}
	if err := out.Validate(); err != nil {
		return nil, containersError(err, path)
	}
	return out, nil
}

func (td *TaskDefSpec) validate(path string) error {
	switch {
	case td.Family == "":
		return fielderr.Errorf(path+".family", "missing")
	case printable.Check(td.Family) != nil:
		return fielderr.Errorf(path+".family", "%q %v", td.Family, printable.Check(td.Family))
	case td.CPU < 0 || td.MemoryMiB <= 0 || td.GPUs < 0:
		return fielderr.Errorf(path, "cpu %d, memory %d, gpus %d: expected memory above 0 and nothing negative", td.CPU, td.MemoryMiB, td.GPUs)
	case td.StartDelay < 0:
		return fielderr.Errorf(path+".startDelay", "%v is negative", time.Duration(td.StartDelay))
	case td.StopTimeout < 0 || td.StopTimeout > Duration(maxStopTimeout):
		return fielderr.Errorf(path+".stopTimeout", "%v, expected 0s to %v", time.Duration(td.StopTimeout), maxStopTimeout)
	case td.NetworkMode != "" && td.NetworkMode != string(placement.NetworkBridge) && td.NetworkMode != string(placement.NetworkAwsvpc):
		return fielderr.Errorf(path+".networkMode", "%q, expected bridge or awsvpc", td.NetworkMode)
	}
	if len(td.Containers) > 0 && td.ecs == nil {
		if len(td.HostPorts) > 0 {
			return fielderr.Errorf(path+".hostPorts", "%v, expected none when containers are given (use their portMappings)", td.HostPorts)
		}
		if err := validateContainerSpecs(td.Containers, path); err != nil {
			return err
		}
	}
	if td.Duration != nil {
		if err := td.Duration.validate(path + ".duration"); err != nil {
			return err
		}
	}
	if _, err := td.TaskDefinition(path); err != nil {
		return err
	}
	return nil
}

// awsvpc reports whether td's tasks run in awsvpc network mode; on
// Fargate a definition without networkMode is awsvpc.
func (td *TaskDefSpec) AWSVPC(fargate bool) bool {
	return td.NetworkMode == string(placement.NetworkAwsvpc) || fargate && td.NetworkMode == ""
}

// stopTimeout is how long a task takes to exit after SIGTERM.
func (td *TaskDefSpec) StopTimeoutOrDefault() time.Duration {
	if td.StopTimeout == 0 {
		return defaultStopTimeout
	}
	return time.Duration(td.StopTimeout)
}

// ECS's stopTimeout: 30s by default, at most 120s on Fargate.
const (
	defaultStopTimeout = 30 * time.Second
	maxStopTimeout     = 2 * time.Minute
)

func (td *TaskDefSpec) StartDelayOrDefault() time.Duration {
	if td.StartDelay == 0 {
		return 10 * time.Second
	}
	return time.Duration(td.StartDelay)
}

// strategy converts a scenario strategy.
func ProviderStrategy(items []StrategyItemSpec) autoscale.CapacityProviderStrategy {
	var s autoscale.CapacityProviderStrategy
	for _, it := range items {
		s = append(s, autoscale.CapacityProviderStrategyItem{CapacityProvider: it.CapacityProvider, Weight: it.Weight, Base: it.Base})
	}
	return s
}

// schedulerService builds the scheduler's service from the spec.
func (sp *ServiceSpec) SchedulerService(path string, newStrategy StrategyFactory) (*scheduler.Service, error) {
	td, err := sp.TaskDefinition.TaskDefinition(path + ".taskDefinition")
	if err != nil {
		return nil, err
	}
	if sp.TaskDefinition.AWSVPC(sp.Fargate()) {
		td.NetworkMode = placement.NetworkAwsvpc
	}
	svc := &scheduler.Service{
		Name:               sp.Name,
		SchedulingStrategy: scheduler.SchedulingStrategy(sp.SchedulingStrategy),
		TaskDefinition:     td,
		DesiredCount:       sp.DesiredCount,
	}
	svc.HealthCheckGracePeriodSeconds = sp.HealthCheckGracePeriodSeconds
	svc.AvailabilityZoneRebalancing = scheduler.AZRebalancing(sp.AvailabilityZoneRebalancing)
	for _, lb := range sp.LoadBalancers {
		svc.LoadBalancers = append(svc.LoadBalancers, scheduler.LoadBalancer{TargetGroupArn: lb.TargetGroupArn, ContainerName: lb.ContainerName, ContainerPort: lb.ContainerPort})
	}
	dc := &svc.DeploymentConfiguration
	dc.MaximumPercent, dc.MinimumHealthyPercent = sp.DeploymentConfiguration.MaximumPercent, sp.DeploymentConfiguration.MinimumHealthyPercent
	if cb := sp.DeploymentConfiguration.CircuitBreaker; cb != nil {
		dc.CircuitBreaker = &scheduler.CircuitBreaker{Enable: cb.Enable, Rollback: cb.Rollback}
	}
	v := Variant{Strategies: sp.PlacementStrategy, Constraints: sp.PlacementConstraints}
	if svc.PlacementStrategy, svc.PlacementConstraints, err = v.Compile(path, newStrategy); err != nil {
		return nil, err
	}
	return svc, nil
}

// fargate reports whether the service runs on FARGATE or FARGATE_SPOT
// (a strategy never mixes them with Auto Scaling group providers).
func (sp *ServiceSpec) Fargate() bool { return sp.fargateProvider() != "" }

// zones returns the zones of the service's subnets, for an awsvpc service
// on EC2 instances; nil otherwise.
func (sp *ServiceSpec) Zones(subnets map[string]string) []string {
	if sp.Fargate() || !sp.TaskDefinition.AWSVPC(false) {
		return nil
	}
	var out []string
	for _, sn := range sp.Subnets {
		if z := subnets[sn]; !slices.Contains(out, z) {
			out = append(out, z)
		}
	}
	return out
}
