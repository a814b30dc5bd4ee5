package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
)

// validatePlanner checks the services, capacity providers, scheduled
// tasks and service events, naming the JSON path of what is wrong.
func (sc *Scenario) validatePlanner() error {
	if sc.ReconcileEvery == 0 {
		sc.ReconcileEvery = Duration(15 * time.Second)
	}
	if sc.ReconcileEvery < 0 {
		return fielderr.Errorf("reconcileEvery", "%v is negative", time.Duration(sc.ReconcileEvery))
	}
	if sc.ReconcileEvery < Duration(MinReconcileEvery) {
		return fielderr.Errorf("reconcileEvery", "%v, expected at least %v", time.Duration(sc.ReconcileEvery), MinReconcileEvery)
	}
	if n := sc.Duration / sc.ReconcileEvery; len(sc.Services) > 0 && n > MaxReconciles {
		return fielderr.Errorf("reconcileEvery", "%v over duration %v is %d reconciliations, expected at most %d", time.Duration(sc.ReconcileEvery), time.Duration(sc.Duration), n, MaxReconciles)
	}
	types := map[string]*InstanceType{}
	for i := range sc.Fleet.InstanceTypes {
		types[sc.Fleet.InstanceTypes[i].Name] = &sc.Fleet.InstanceTypes[i]
	}
	providers := map[string]bool{}
	for i := range sc.CapacityProviders {
		p := &sc.CapacityProviders[i]
		path := fmt.Sprintf("capacityProviders[%d]", i)
		if providers[p.Name] {
			return fielderr.Errorf(path+".name", "%q is defined twice", p.Name)
		}
		if err := printable.Check(p.Name); err != nil {
			return fielderr.Errorf(path+".name", "%q %v", p.Name, err)
		}
		if err := p.validate(path, types); err != nil {
			return err
		}
		providers[p.Name] = true
	}
	if f := sc.Fargate; f != nil {
		if f.PricePerVCPUHour < 0 || f.PricePerGBHour < 0 || f.SpotDiscount < 0 || f.SpotDiscount > 1 || f.ProvisionDelay < 0 || f.SpotInterruptionsPerHour < 0 {
			return fielderr.Errorf("fargate", "prices, provisionDelay and spotInterruptionsPerHour must not be negative and spotDiscount must be 0..1")
		}
		// A Fargate task has at most 16 vCPU and 120 GB.
		if f.PricePerVCPUHour > MaxPricePerHour/16 {
			return fielderr.Errorf("fargate.pricePerVcpuHour", "%g, expected at most %g", f.PricePerVCPUHour, float64(MaxPricePerHour/16))
		}
		if f.PricePerGBHour > MaxPricePerHour/128 {
			return fielderr.Errorf("fargate.pricePerGbHour", "%g, expected at most %g", f.PricePerGBHour, float64(MaxPricePerHour/128))
		}
	}
	groups, err := sc.validateTargetGroups()
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for i := range sc.Services {
		sp := &sc.Services[i]
		path := fmt.Sprintf("services[%d]", i)
		if names[sp.Name] {
			return fielderr.Errorf(path+".name", "%q is defined twice", sp.Name)
		}
		if err := printable.Check(sp.Name); err != nil {
			return fielderr.Errorf(path+".name", "%q %v", sp.Name, err)
		}
		names[sp.Name] = true
		if err := sp.validate(path, providers, &sc.Fleet); err != nil {
			return err
		}
		if err := sp.validateLoadBalancers(path, groups); err != nil {
			return err
		}
	}
	for i, e := range sc.ServiceEvents {
		path := fmt.Sprintf("serviceEvents[%d]", i)
		switch {
		case !names[e.Service]:
			return fielderr.Errorf(path+".service", "%q is not one of services", e.Service)
		case e.At < 0:
			return fielderr.Errorf(path+".at", "%v is negative", time.Duration(e.At))
		case e.DesiredCount != nil && *e.DesiredCount < 0:
			return fielderr.Errorf(path+".desiredCount", "%d is negative", *e.DesiredCount)
		case e.DesiredCount != nil && *e.DesiredCount > MaxServiceTasks:
			return fielderr.Errorf(path+".desiredCount", "%d, expected at most %d", *e.DesiredCount, MaxServiceTasks)
		}
		if e.TaskDefinition != nil {
			if err := e.TaskDefinition.validate(path + ".taskDefinition"); err != nil {
				return err
			}
		}
		if err := e.validateFargate(path, sc.service(e.Service)); err != nil {
			return err
		}
		if e.PlacementConstraints != nil {
			if _, err := CompileConstraints(*e.PlacementConstraints, path+".placementConstraints"); err != nil {
				return err
			}
		}
	}
	for i := range sc.ScheduledTasks {
		st := &sc.ScheduledTasks[i]
		path := fmt.Sprintf("scheduledTasks[%d]", i)
		if st.Name == "" {
			return fielderr.Errorf(path+".name", "missing")
		}
		if err := printable.Check(st.Name); err != nil {
			return fielderr.Errorf(path+".name", "%q %v", st.Name, err)
		}
		if _, err := autoscale.ParseSchedule(st.Schedule, st.Timezone); err != nil {
			return fielderr.Nest(path+".schedule", err)
		}
		if st.Count < 0 || st.Count > 10 {
			return fielderr.Errorf(path+".count", "%d, expected 1..10 (0 means 1)", st.Count)
		}
		if err := st.TaskDefinition.validate(path + ".taskDefinition"); err != nil {
			return err
		}
		if _, err := CompileConstraints(st.Constraints, path+".constraints"); err != nil {
			return err
		}
	}
	if err := sc.validateServiceTasks(); err != nil {
		return err
	}
	if len(sc.Workload.GPUCapacityProviderStrategy) > 0 && len(sc.Workload.CapacityProviderStrategy) == 0 {
		return fielderr.Errorf("workload.gpuCapacityProviderStrategy", "given without workload.capacityProviderStrategy")
	}
	type pathItems struct {
		path  string
		items []StrategyItemSpec
	}
	wss := []pathItems{{"workload.capacityProviderStrategy", sc.Workload.CapacityProviderStrategy}, {"workload.gpuCapacityProviderStrategy", sc.Workload.GPUCapacityProviderStrategy}}
	if g := sc.Workload.Generator; g != nil {
		for i, m := range g.Mix {
			wss = append(wss, pathItems{fmt.Sprintf("workload.generator.mix[%d].capacityProviderStrategy", i), m.CapacityProviderStrategy})
		}
	}
	for _, ws := range wss {
		if len(ws.items) == 0 {
			continue
		}
		if err := validStrategy(ws.path, ws.items, providers); err != nil {
			return err
		}
		for _, it := range ws.items {
			if it.CapacityProvider == ProviderFargate || it.CapacityProvider == ProviderFargateSpot {
				return fielderr.Errorf(ws.path, "%q: workload tasks run on Auto Scaling group providers only", it.CapacityProvider)
			}
		}
	}
	return nil
}

// validateServiceTasks checks that the services' task counts stay within
// MaxServiceTasks each and MaxTotalServiceTasks together, counting each
// service at the most it can ask for: its desiredCount, its scaling
// maxCapacity or a service event's desiredCount.
func (sc *Scenario) validateServiceTasks() error {
	peak := map[string]int{}
	for i, sp := range sc.Services {
		path := fmt.Sprintf("services[%d]", i)
		if sp.DesiredCount != nil && *sp.DesiredCount > MaxServiceTasks {
			return fielderr.Errorf(path+".desiredCount", "%d, expected at most %d", *sp.DesiredCount, MaxServiceTasks)
		}
		if sp.Scaling != nil && sp.Scaling.MaxCapacity > MaxServiceTasks {
			return fielderr.Errorf(path+".scaling.maxCapacity", "%d, expected at most %d", sp.Scaling.MaxCapacity, MaxServiceTasks)
		}
		if sp.DesiredCount != nil {
			peak[sp.Name] = *sp.DesiredCount
		}
		if sp.Scaling != nil {
			peak[sp.Name] = max(peak[sp.Name], sp.Scaling.MaxCapacity)
			for j, a := range sp.Scaling.ScheduledActions {
				for _, c := range []struct {
					field string
					v     *int
				}{{"minCapacity", a.MinCapacity}, {"maxCapacity", a.MaxCapacity}} {
					if c.v == nil {
						continue
					}
					if *c.v > MaxServiceTasks {
						return fielderr.Errorf(fmt.Sprintf("%s.scaling.scheduledActions[%d].%s", path, j, c.field), "%d, expected at most %d", *c.v, MaxServiceTasks)
					}
					peak[sp.Name] = max(peak[sp.Name], *c.v)
				}
			}
		}
	}
	for _, e := range sc.ServiceEvents {
		if e.DesiredCount != nil {
			peak[e.Service] = max(peak[e.Service], *e.DesiredCount)
		}
	}
	total := 0
	for i, sp := range sc.Services {
		if total += peak[sp.Name]; total > MaxTotalServiceTasks {
			return fielderr.Errorf(fmt.Sprintf("services[%d]", i), "%d tasks bring the services to %d, expected at most %d together (counting desiredCount, scaling.maxCapacity and serviceEvents)",
				peak[sp.Name], total, MaxTotalServiceTasks)
		}
	}
	return nil
}

func (p *CapacityProviderSpec) validate(path string, types map[string]*InstanceType) error {
	if err := p.validateMixed(path); err != nil {
		return err
	}
	if len(p.InstanceTypes) == 0 {
		return fielderr.Errorf(path+".instanceTypes", "missing: give at least one of fleet.instanceTypes")
	}
	for j, t := range p.InstanceTypes {
		if types[t] == nil {
			return fielderr.Errorf(fmt.Sprintf("%s.instanceTypes[%d]", path, j), "%q is not one of fleet.instanceTypes", t)
		}
	}
	if len(p.Zones) == 0 {
		p.Zones = []string{"zone-a"}
	}
	if p.LaunchDelay == 0 {
		p.LaunchDelay = Duration(2 * time.Minute)
	}
	if p.SpotPriceFactor == 0 {
		p.SpotPriceFactor = 0.35
	}
	switch {
	case p.MinSize < 0 || p.MaxSize < p.MinSize:
		return fielderr.Errorf(path, "minSize %d, maxSize %d: expected 0 <= minSize <= maxSize", p.MinSize, p.MaxSize)
	case p.DesiredCapacity != nil && (*p.DesiredCapacity < p.MinSize || *p.DesiredCapacity > p.MaxSize):
		return fielderr.Errorf(path+".desiredCapacity", "%d, expected minSize..maxSize (%d..%d)", *p.DesiredCapacity, p.MinSize, p.MaxSize)
	case p.LaunchDelay < 0:
		return fielderr.Errorf(path+".launchDelay", "%v is negative", time.Duration(p.LaunchDelay))
	case p.InterruptionsPerHour < 0 || p.SpotPriceFactor < 0:
		return fielderr.Errorf(path, "interruptionsPerHour and spotPriceFactor must not be negative")
	case p.SpotPriceFactor > maxSpotPriceFactor:
		return fielderr.Errorf(path+".spotPriceFactor", "%g, expected at most %d (a factor of the on-demand price)", p.SpotPriceFactor, maxSpotPriceFactor)
	}
	asg := p.Provider(types)
	if err := asg.Validate(); err != nil {
		return fielderr.Nest(path, err)
	}
	return nil
}

// validateMixed checks the mixedInstancesPolicy and copies its overrides
// into InstanceTypes.
func (p *CapacityProviderSpec) validateMixed(path string) error {
	m := p.MixedInstancesPolicy
	if m == nil {
		return nil
	}
	path += ".mixedInstancesPolicy"
	switch {
	case p.Spot:
		return fielderr.Errorf(path, "given with spot true, expected one of them (instancesDistribution.onDemandPercentageAboveBaseCapacity 0 makes every instance Spot)")
	case len(m.Overrides) > 0 && len(p.InstanceTypes) > 0 && !slices.EqualFunc(m.Overrides, p.InstanceTypes, func(o OverrideSpec, t string) bool { return o.InstanceType == t }):
		// Equal lists are the copy an earlier validation made.
		return fielderr.Errorf(path+".overrides", "given with instanceTypes, expected one of them")
	}
	for j, o := range m.Overrides {
		if o.WeightedCapacity != "" {
			return fielderr.Errorf(fmt.Sprintf("%s.overrides[%d].weightedCapacity", path, j), "%q, expected none: instance weighting is not supported with ECS capacity providers", fielderr.Shorten(o.WeightedCapacity, 20))
		}
		if o.InstanceType == "" {
			return fielderr.Errorf(fmt.Sprintf("%s.overrides[%d].instanceType", path, j), "missing")
		}
	}
	if len(m.Overrides) > 0 {
		p.InstanceTypes = make([]string, len(m.Overrides))
		for j, o := range m.Overrides {
			p.InstanceTypes[j] = o.InstanceType
		}
	}
	return nil
}

// provider is the autoscale view of the capacity provider.
func (p *CapacityProviderSpec) Provider(types map[string]*InstanceType) *autoscale.AutoScalingGroupProvider {
	ms := p.ManagedScaling
	asg := &autoscale.AutoScalingGroupProvider{
		Name: p.Name,
		ManagedScaling: autoscale.ManagedScaling{
			Status: ms.Status, TargetCapacity: ms.TargetCapacity, MinimumScalingStepSize: ms.MinimumScalingStepSize,
			MaximumScalingStepSize: ms.MaximumScalingStepSize, InstanceWarmupPeriod: time.Duration(ms.InstanceWarmupPeriod),
		},
		ManagedTerminationProtection: p.ManagedTerminationProtection,
	}
	for _, name := range p.InstanceTypes {
		if t := types[name]; t != nil {
			asg.InstanceTypes = append(asg.InstanceTypes, autoscale.InstanceType{Name: t.Name, CPU: int(t.CPU), MemoryMiB: int(t.MemoryMiB), GPUs: t.GPUs, PricePerHour: t.PricePerHour})
		}
	}
	if m := p.MixedInstancesPolicy; m != nil {
		d := m.InstancesDistribution
		asg.InstancesDistribution = autoscale.InstancesDistribution{OnDemandAllocationStrategy: d.OnDemandAllocationStrategy,
			OnDemandBaseCapacity: d.OnDemandBaseCapacity, OnDemandPercentageAboveBaseCapacity: d.OnDemandPercentageAboveBaseCapacity,
			SpotAllocationStrategy: d.SpotAllocationStrategy}
	}
	return asg
}

func validStrategy(path string, items []StrategyItemSpec, providers map[string]bool) error {
	if err := ProviderStrategy(items).Validate(); err != nil {
		// autoscale names the list capacityProviderStrategy: path is it.
		var fe *fielderr.Error
		if errors.As(err, &fe) {
			c := *fe
			c.Path = strings.TrimPrefix(c.Path, "capacityProviderStrategy")
			return c.Under(path)
		}
		return fielderr.Nest(path, err)
	}
	for j, it := range items {
		if !providers[it.CapacityProvider] && it.CapacityProvider != ProviderFargate && it.CapacityProvider != ProviderFargateSpot {
			return fielderr.Errorf(fmt.Sprintf("%s[%d].capacityProvider", path, j), "%q is not one of capacityProviders, FARGATE or FARGATE_SPOT", it.CapacityProvider)
		}
	}
	return nil
}

func (sp *ServiceSpec) validate(path string, providers map[string]bool, f *Fleet) error {
	if err := sp.TaskDefinition.validate(path + ".taskDefinition"); err != nil {
		return err
	}
	// Before the scheduler's service: on Fargate the definition is
	// awsvpc, and what ECS rejects for Fargate is named by its field.
	if p := sp.fargateProvider(); p != "" {
		if err := sp.validateFargate(path, p); err != nil {
			return err
		}
	}
	svc, err := sp.SchedulerService(path, nil)
	if err != nil {
		return err
	}
	if err := svc.Validate(); err != nil {
		return fielderr.Nest(path, err)
	}
	if len(sp.CapacityProviderStrategy) > 0 {
		if err := validStrategy(path+".capacityProviderStrategy", sp.CapacityProviderStrategy, providers); err != nil {
			return err
		}
		if sp.SchedulingStrategy == "DAEMON" {
			return fielderr.Errorf(path+".capacityProviderStrategy", "DAEMON services take none")
		}
		for _, it := range sp.CapacityProviderStrategy {
			if (it.CapacityProvider == ProviderFargate || it.CapacityProvider == ProviderFargateSpot) && !validFargateSize(sp.TaskDefinition.CPU, sp.TaskDefinition.MemoryMiB) {
				return fielderr.Errorf(path+".taskDefinition", "cpu %d, memory %d is not a Fargate task size (256: 512-2048; 512: 1024-4096; 1024: 2048-8192; ...)", sp.TaskDefinition.CPU, sp.TaskDefinition.MemoryMiB)
			}
		}
	}
	if err := sp.validateNetwork(path, f); err != nil {
		return err
	}
	if u := sp.Usage; u != nil {
		if u.CPU < 0 || u.Memory < 0 || u.MemoryPerTask < 0 || u.RequestsPerSecond < 0 || u.CPUPerRequest < 0 {
			return fielderr.Errorf(path+".usage", "cpu, memory, memoryPerTask, requestsPerSecond and cpuPerRequest must not be negative")
		}
		if u.DailyCycle < 0 || u.DailyCycle >= 1 {
			return fielderr.Errorf(path+".usage.dailyCycle", "%g, expected 0 <= x < 1", u.DailyCycle)
		}
		for j, st := range u.Steps {
			if st.Factor < 0 {
				return fielderr.Errorf(fmt.Sprintf("%s.usage.steps[%d].factor", path, j), "%g is negative", st.Factor)
			}
		}
		if u.Trace != nil && u.Trace.Path == "" {
			return fielderr.Errorf(path+".usage.trace.path", "missing")
		}
		if u.Series != nil {
			if err := u.Series.validate(path + ".usage.series"); err != nil {
				return err
			}
		}
	}
	if sp.Scaling != nil {
		if sp.SchedulingStrategy == "DAEMON" {
			return fielderr.Errorf(path+".scaling", "DAEMON services do not scale")
		}
		if sp.Usage == nil && len(sp.Scaling.TargetTracking)+len(sp.Scaling.StepScaling) > 0 {
			return fielderr.Errorf(path+".usage", "missing: the scaling policies read the service's metrics, which come from its usage")
		}
		sc, err := sp.Scaling.Scaler(sp.Name)
		if err != nil {
			return fielderr.Errorf(path+".scaling", "%w", err)
		}
		if err := sc.Validate(); err != nil {
			return fielderr.Nest(path+".scaling", err)
		}
	}
	return nil
}

// scaler builds the Application Auto Scaling target of a service.
func (s *ScalingSpec) Scaler(service string) (*autoscale.Scaler, error) {
	sc := &autoscale.Scaler{Target: autoscale.ScalableTarget{
		ServiceNamespace: autoscale.ServiceNamespaceECS, ResourceId: "service/sim/" + service,
		ScalableDimension: autoscale.ScalableDimensionDesiredCount, MinCapacity: s.MinCapacity, MaxCapacity: s.MaxCapacity,
	}}
	for i, t := range s.TargetTracking {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("target-tracking-%d", i)
		}
		pre := &autoscale.PredefinedMetricSpecification{PredefinedMetricType: autoscale.PredefinedMetricType(t.Metric)}
		if pre.PredefinedMetricType == autoscale.ALBRequestCountPerTarget {
			pre.ResourceLabel = "app/sim/" + service
		}
		sc.Policies = append(sc.Policies, autoscale.Policy{PolicyName: name, TargetTracking: &autoscale.TargetTrackingPolicy{
			TargetValue: t.TargetValue, PredefinedMetricSpecification: pre, DisableScaleIn: t.DisableScaleIn,
			ScaleOutCooldown: time.Duration(t.ScaleOutCooldown), ScaleInCooldown: time.Duration(t.ScaleInCooldown),
		}})
	}
	for i, st := range s.StepScaling {
		name := st.Name
		if name == "" {
			name = fmt.Sprintf("step-%d", i)
		}
		p := &autoscale.StepScalingPolicy{
			AdjustmentType: autoscale.AdjustmentType(st.AdjustmentType), Cooldown: time.Duration(st.Cooldown),
			Alarm: autoscale.Alarm{MetricName: st.Alarm.Metric, Threshold: st.Alarm.Threshold,
				ComparisonOperator: autoscale.ComparisonOperator(st.Alarm.ComparisonOperator), EvaluationPeriods: st.Alarm.EvaluationPeriods,
				DatapointsToAlarm: st.Alarm.DatapointsToAlarm, Statistic: autoscale.Statistic(st.Alarm.Statistic)},
		}
		for _, s := range st.Steps {
			p.StepAdjustments = append(p.StepAdjustments, autoscale.StepAdjustment{MetricIntervalLowerBound: s.Lower, MetricIntervalUpperBound: s.Upper, ScalingAdjustment: s.Adjustment})
		}
		sc.Policies = append(sc.Policies, autoscale.Policy{PolicyName: name, StepScaling: p})
	}
	for _, a := range s.ScheduledActions {
		sched, err := autoscale.ParseSchedule(a.Schedule, a.Timezone)
		if err != nil {
			return nil, fielderr.Errorf("", "scheduled action %q: %w", a.Name, fielderr.Inner(err))
		}
		sc.ScheduledActions = append(sc.ScheduledActions, autoscale.ScheduledAction{ScheduledActionName: a.Name, Schedule: sched,
			ScalableTargetAction: autoscale.ScalableTargetAction{MinCapacity: a.MinCapacity, MaxCapacity: a.MaxCapacity}})
	}
	return sc, nil
}

// service returns the service named name, or nil.
func (sc *Scenario) service(name string) *ServiceSpec {
	for i := range sc.Services {
		if sc.Services[i].Name == name {
			return &sc.Services[i]
		}
	}
	return nil
}

// validateFargate checks what an UpdateService of a Fargate service may
// not bring: constraints, or a task definition Fargate cannot run.
func (e *ServiceEvent) validateFargate(path string, sp *ServiceSpec) error {
	p := sp.fargateProvider()
	if p == "" {
		return nil
	}
	if e.PlacementConstraints != nil && len(*e.PlacementConstraints) > 0 {
		return fielderr.Errorf(path+".placementConstraints[0]", "%s: placement constraints are not supported with %s", constraintText((*e.PlacementConstraints)[0]), p)
	}
	if e.TaskDefinition != nil {
		return e.TaskDefinition.validateFargate(path+".taskDefinition", p)
	}
	return nil
}

// usesFargate reports whether a service runs on FARGATE or FARGATE_SPOT.
func (sc *Scenario) UsesFargate() bool {
	for _, sp := range sc.Services {
		for _, it := range sp.CapacityProviderStrategy {
			if it.CapacityProvider == ProviderFargate || it.CapacityProvider == ProviderFargateSpot {
				return true
			}
		}
	}
	return false
}

// hasPlanner reports whether the run needs the planner: services,
// capacity providers, scheduled tasks or Spot interruptions.
func (sc *Scenario) HasPlanner() bool {
	if len(sc.Services) > 0 || len(sc.CapacityProviders) > 0 || len(sc.ScheduledTasks) > 0 || len(sc.Workload.CapacityProviderStrategy) > 0 {
		return true
	}
	for _, e := range sc.Fleet.Events {
		if e.Kind == "interrupt" {
			return true
		}
	}
	for _, pl := range sc.Fleet.Pools {
		if pl.Spot && pl.InterruptionsPerHour > 0 {
			return true // interruptions are the planner's
		}
	}
	return false
}
