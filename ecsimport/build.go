package ecsimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/sim/scenario"
)

// The scenario as the import writes it: berth's keys for the fleet and
// the groups, ECS's own documents (task definitions, services) as the
// AWS CLI printed them, for package scenario to read.
type outScenario struct {
	Name              string                 `json:"name"`
	Seed              uint64                 `json:"seed"`
	Start             string                 `json:"start,omitempty"`
	Duration          string                 `json:"duration"`
	SampleEvery       string                 `json:"sampleEvery"`
	Fleet             outFleet               `json:"fleet"`
	CapacityProviders []outProvider          `json:"capacityProviders,omitempty"`
	TargetGroups      []outTargetGroup       `json:"targetGroups,omitempty"`
	TaskDefinitions   []json.RawMessage      `json:"taskDefinitions,omitempty"`
	Services          []json.RawMessage      `json:"services"`
	Import            *scenario.ImportRecord `json:"import"`
}

type outFleet struct {
	InstanceTypes []outType               `json:"instanceTypes"`
	Instances     []scenario.InstanceSpec `json:"instances"`
	Subnets       map[string]string       `json:"subnets,omitempty"`
}

type outType struct {
	Name         string  `json:"name"`
	CPU          int64   `json:"cpu"`
	MemoryMiB    int64   `json:"memory"`
	PricePerHour float64 `json:"pricePerHour,omitempty"`
}

type outProvider struct {
	Name                         string                             `json:"name"`
	InstanceTypes                []string                           `json:"instanceTypes,omitempty"`
	MixedInstancesPolicy         *scenario.MixedInstancesPolicySpec `json:"mixedInstancesPolicy,omitempty"`
	Zones                        []string                           `json:"zones"`
	MinSize                      int                                `json:"minSize"`
	MaxSize                      int                                `json:"maxSize"`
	DesiredCapacity              int                                `json:"desiredCapacity"`
	ManagedScaling               *outManagedScaling                 `json:"managedScaling,omitempty"`
	ManagedTerminationProtection string                             `json:"managedTerminationProtection,omitempty"`
	SpotPriceFactor              float64                            `json:"spotPriceFactor,omitempty"`
}

type outManagedScaling struct {
	Status                 string `json:"status"`
	TargetCapacity         int    `json:"targetCapacity,omitempty"`
	MinimumScalingStepSize int    `json:"minimumScalingStepSize,omitempty"`
	MaximumScalingStepSize int    `json:"maximumScalingStepSize,omitempty"`
	InstanceWarmupPeriod   string `json:"instanceWarmupPeriod,omitempty"`
}

type outTargetGroup struct {
	Name string `json:"name"`
}

type outUsage struct {
	Steps  []outStep             `json:"steps,omitempty"`
	Series *scenario.UsageSeries `json:"series,omitempty"`
}

type outStep struct {
	At     string  `json:"at"`
	Factor float64 `json:"factor"`
}

// defaultDuration is the run's length without metrics.
const defaultDuration = 24 * time.Hour

// build writes the scenario, then reads it back with package scenario,
// which checks it and lists the ECS fields it does not model.
func (d *dump) build() (*Result, error) {
	start, end, period, err := d.window()
	if err != nil {
		return nil, err
	}
	out := &outScenario{Name: d.cluster, Duration: defaultDuration.String(), SampleEvery: "5m"}
	if out.Name == "" {
		out.Name = "imported"
	}
	n := 0
	switch {
	case period > 0:
		out.Start, out.Duration = start.Format(time.RFC3339), end.Sub(start).String()
		n = int(end.Sub(start) / period)
	case !d.latest.IsZero():
		start = d.latest.Truncate(time.Minute)
		out.Start = start.Format(time.RFC3339)
		d.assume("no metrics: the run starts at the dump's latest time, %s, and lasts %v", out.Start, defaultDuration)
	default:
		d.assume("no metrics and no times: the run starts at berth's default start and lasts %v", defaultDuration)
	}
	metrics, err := d.join(start, period, n)
	if err != nil {
		return nil, err
	}
	types, err := d.fleet(out)
	if err != nil {
		return nil, err
	}
	if err := d.groups(out, types); err != nil {
		return nil, err
	}
	running, err := d.initialTasks()
	if err != nil {
		return nil, err
	}
	if err := d.servicesOut(out, running, metrics, period); err != nil {
		return nil, err
	}
	for _, it := range d.tdOrder {
		if !it.used {
			d.skip("%s: %s: read, used by no service", it.src.file, it.key)
		}
	}
	return d.finish(out)
}

// finish checks the scenario with package scenario and records the ECS
// fields it does not model.
func (d *dump) finish(out *outScenario) (*Result, error) {
	rec := &scenario.ImportRecord{Read: d.read, Assumed: d.assumed, NotModelled: d.notModelled, Unpriced: d.unpriced}
	// Checked without the record, compact, then written with it.
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	sc, err := scenario.ParseScenario(b, "the imported scenario")
	if err != nil {
		return nil, fmt.Errorf("the imported scenario is not one berth runs (a bug of the import, or a dump berth cannot model): %w", err)
	}
	for _, p := range sc.NotModelled() {
		rec.NotModelled = append(rec.NotModelled, "scenario: "+p)
	}
	if rec.Assumed == nil {
		rec.Assumed = []string{}
	}
	if rec.NotModelled == nil {
		rec.NotModelled = []string{}
	}
	// sc, which may keep b, is done with: b is rewritten in place.
	// The record is the last member, null so far: put it in place rather
	// than marshal the whole scenario again (the same bytes, as
	// TestImportGolden checks).
	r, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	const last = `,"import":null}`
	if !bytes.HasSuffix(b, []byte(last)) {
		return nil, fmt.Errorf("the imported scenario ends in %q, expected %q (a bug of the import)", b[max(0, len(b)-len(last)):], last)
	}
	b = append(append(append(b[:len(b)-len(last)], `,"import":`...), r...), '}')
	return &Result{Scenario: indent(b), Read: rec.Read, Assumed: rec.Assumed, NotModelled: rec.NotModelled}, nil
}

// fleet writes the instance types and the instances; it returns the
// types by name.
func (d *dump) fleet(out *outScenario) (map[string]*outType, error) {
	types := map[string]*outType{}
	differs := map[string]bool{}
	out.Fleet.Instances = []scenario.InstanceSpec{}
	for i := range d.instances {
		ci := &d.instances[i]
		at := d.instSrc[i]
		if ci.Status != "ACTIVE" && ci.Status != "DRAINING" {
			d.skip("%s: status %s: only ACTIVE and DRAINING instances are imported", at, ci.Status)
			continue
		}
		spec := scenario.InstanceSpec{ID: ci.ARN, EC2InstanceID: ci.InstanceID, AgentVersion: ci.VersionInfo.AgentVersion, Attributes: map[string]string{}}
		if ci.Status == "DRAINING" {
			spec.Status = ci.Status
		}
		for _, a := range ci.Attributes {
			spec.Attributes[a.Name] = a.Value
		}
		spec.Type, spec.Zone = spec.Attributes["ecs.instance-type"], spec.Attributes["ecs.availability-zone"]
		if spec.Type == "" || spec.Zone == "" {
			return nil, fmt.Errorf("%s.attributes: no ecs.instance-type or ecs.availability-zone, expected both (the agent registers them)", at)
		}
		if len(ci.RegisteredResources.GPUs) > 0 {
			d.skip("%s: %d GPUs registered: not imported", at, len(ci.RegisteredResources.GPUs))
		}
		cpu, mem := int64(ci.RegisteredResources.CPU), int64(ci.RegisteredResources.MemoryMiB)
		t := types[spec.Type]
		if t == nil {
			t = &outType{Name: spec.Type, CPU: cpu, MemoryMiB: mem}
			if p, ok := d.opts.Prices[spec.Type]; ok {
				t.PricePerHour = p.PerHour
			} else {
				d.assume("%s: no price (--prices): its cost is unknown (counted as 0); read its instance-hours", spec.Type)
				d.unpriced = append(d.unpriced, spec.Type)
			}
			types[spec.Type] = t
			out.Fleet.InstanceTypes = append(out.Fleet.InstanceTypes, *t)
		} else if (t.CPU != cpu || t.MemoryMiB != mem) && !differs[spec.Type] {
			differs[spec.Type] = true
			d.assume("%s: registeredResources cpu %d, memory %d differ from the first %s's (%d, %d), which every %s registers in the run", at, cpu, mem, spec.Type, t.CPU, t.MemoryMiB, spec.Type)
		}
		if cpn := d.instDocs[i].CapacityProviderName; cpn != "" {
			spec.CapacityProvider = cpn
		}
		out.Fleet.Instances = append(out.Fleet.Instances, spec)
		if sn := spec.Attributes["ecs.subnet-id"]; sn != "" {
			d.subnet(out, sn, spec.Zone)
		}
	}
	for _, t := range d.taskDocs {
		for _, a := range t.Attachments {
			for _, det := range a.Details {
				if a.Type == "ElasticNetworkInterface" && det.Name == "subnetId" && t.AvailabilityZone != "" {
					d.subnet(out, det.Value, t.AvailabilityZone)
				}
			}
		}
	}
	return types, nil
}

// subnet records the zone of a subnet.
func (d *dump) subnet(out *outScenario, id, zone string) {
	if out.Fleet.Subnets == nil {
		out.Fleet.Subnets = map[string]string{}
	}
	out.Fleet.Subnets[id] = zone
}

// groups writes the capacity providers with their Auto Scaling groups;
// instances of a provider the dump does not describe belong to the fleet.
func (d *dump) groups(out *outScenario, types map[string]*outType) error {
	members := map[string][]int{}
	for i, in := range out.Fleet.Instances {
		if in.CapacityProvider != "" {
			members[in.CapacityProvider] = append(members[in.CapacityProvider], i)
		}
	}
	known := map[string]bool{}
	for i, cp := range d.providers {
		at := d.provSrc[i]
		if cp.Name == scenario.ProviderFargate || cp.Name == scenario.ProviderFargateSpot {
			continue
		}
		asgArn := cp.AutoScalingGroupProvider.AutoScalingGroupArn
		g := -1
		for j, a := range d.asgs {
			if a.AutoScalingGroupARN == asgArn || strings.HasSuffix(asgArn, ":autoScalingGroupName/"+a.AutoScalingGroupName) {
				g = j
			}
		}
		if g < 0 {
			return fmt.Errorf("%s.autoScalingGroupProvider.autoScalingGroupArn: %q: no describe-auto-scaling-groups output of it in the dump", at, asgArn)
		}
		asg := &d.asgs[g]
		p := outProvider{Name: cp.Name, Zones: asg.AvailabilityZones, MinSize: asg.MinSize, MaxSize: asg.MaxSize,
			DesiredCapacity: len(members[cp.Name]), ManagedTerminationProtection: cp.AutoScalingGroupProvider.ManagedTerminationProtection}
		if p.DesiredCapacity != asg.DesiredCapacity {
			d.assume("%s: DesiredCapacity %d, but %d of its instances are registered: the group starts with those", d.asgSrc[g], asg.DesiredCapacity, p.DesiredCapacity)
		}
		if ms := cp.AutoScalingGroupProvider.ManagedScaling; ms != nil {
			p.ManagedScaling = &outManagedScaling{Status: ms.Status, TargetCapacity: ms.TargetCapacity,
				MinimumScalingStepSize: ms.MinimumScalingStepSize, MaximumScalingStepSize: ms.MaximumScalingStepSize}
			if ms.InstanceWarmupPeriod != nil {
				p.ManagedScaling.InstanceWarmupPeriod = (time.Duration(*ms.InstanceWarmupPeriod) * time.Second).String()
			}
		}
		if mip := asg.MixedInstancesPolicy; mip != nil {
			pol := &scenario.MixedInstancesPolicySpec{InstancesDistribution: scenario.InstancesDistributionSpec{
				OnDemandAllocationStrategy: mip.InstancesDistribution.OnDemandAllocationStrategy, OnDemandBaseCapacity: mip.InstancesDistribution.OnDemandBaseCapacity,
				OnDemandPercentageAboveBaseCapacity: mip.InstancesDistribution.OnDemandPercentageAboveBaseCapacity, SpotAllocationStrategy: mip.InstancesDistribution.SpotAllocationStrategy}}
			for k, o := range mip.LaunchTemplate.Overrides {
				op := fmt.Sprintf("%s.MixedInstancesPolicy.LaunchTemplate.Overrides[%d]", d.asgSrc[g], k)
				if o.WeightedCapacity != "" {
					d.skip("%s.WeightedCapacity: %s: ECS capacity providers do not support instance weighting", op, o.WeightedCapacity)
				}
				if types[o.InstanceType] == nil {
					d.assume("%s: %s: no instance of the type in the dump, so what it registers is unknown: left out of the group", op, o.InstanceType)
					continue
				}
				pol.Overrides = append(pol.Overrides, scenario.OverrideSpec{InstanceType: o.InstanceType})
			}
			if len(pol.Overrides) == 0 {
				return fmt.Errorf("%s.MixedInstancesPolicy.LaunchTemplate.Overrides: no instance type of the dump's instances, expected at least one", d.asgSrc[g])
			}
			if od := pol.InstancesDistribution.OnDemandPercentageAboveBaseCapacity; od != nil && *od < 100 {
				d.assume("%s: the group's registered instances start as on-demand; it launches Spot ones as its InstancesDistribution says", d.asgSrc[g])
				p.SpotPriceFactor = d.spotFactor(pol.Overrides[0].InstanceType, d.asgSrc[g].String())
			}
			p.MixedInstancesPolicy = pol
		} else {
			for _, k := range members[cp.Name] {
				if t := out.Fleet.Instances[k].Type; !slices.Contains(p.InstanceTypes, t) {
					p.InstanceTypes = append(p.InstanceTypes, t)
				}
			}
			if len(p.InstanceTypes) == 0 {
				return fmt.Errorf("%s: no instance of the group in the dump, so its instance type (in its launch template) is unknown", d.asgSrc[g])
			}
			d.assume("%s: its launch template's instance type is the type of its instances, %s", d.asgSrc[g], strings.Join(p.InstanceTypes, ", "))
		}
		known[cp.Name] = true
		out.CapacityProviders = append(out.CapacityProviders, p)
	}
	for i := range out.Fleet.Instances {
		in := &out.Fleet.Instances[i]
		if in.CapacityProvider != "" && !known[in.CapacityProvider] {
			d.assume("%s: capacityProviderName %s is not in a describe-capacity-providers output: the instance is the fleet's own", in.ID, in.CapacityProvider)
			in.CapacityProvider = ""
		}
	}
	return nil
}

// spotFactor is the Spot price of typ over its on-demand price, when
// both are known (else 0: berth's default).
func (d *dump) spotFactor(typ, where string) float64 {
	p, ok := d.opts.Prices[typ]
	if !ok || p.PerHour == 0 || p.SpotPerHour == 0 {
		d.assume("%s: no Spot price of %s (--prices): Spot instances cost berth's default share of the on-demand price", where, typ)
		return 0
	}
	return math.Round(p.SpotPerHour/p.PerHour*1e4) / 1e4
}

// initialTasks returns the RUNNING tasks of each service, listing the
// others.
func (d *dump) initialTasks() (map[string][]scenario.InitialTaskSpec, error) {
	out := map[string][]scenario.InitialTaskSpec{}
	services := map[string]bool{}
	for _, s := range d.services {
		services[s.ServiceName] = true
	}
	for i := range d.tasks {
		t := &d.tasks[i]
		at := d.taskSrc[i]
		name, ok := strings.CutPrefix(t.Group, "service:")
		switch {
		case !ok:
			d.skip("%s: a standalone task (group %s): not replayed", at, t.Group)
			continue
		case !services[name]:
			d.skip("%s: a task of service %s, which no describe-services output holds: not replayed", at, name)
			continue
		case t.LastStatus != "RUNNING" || t.DesiredStatus != "RUNNING":
			d.skip("%s: lastStatus %s, desiredStatus %s: only RUNNING tasks start the run", at, t.LastStatus, t.DesiredStatus)
			continue
		}
		if t.ContainerInstanceARN != "" {
			if k, ok := d.instIndex[t.ContainerInstanceARN]; ok && d.instances[k].Status != "ACTIVE" && d.instances[k].Status != "DRAINING" {
				d.skip("%s: on instance %s, which is %s: not replayed", at, t.ContainerInstanceARN, d.instances[k].Status)
				continue
			}
		}
		out[name] = append(out[name], scenario.InitialTaskSpec{ID: t.ARN, Instance: t.ContainerInstanceARN})
		for _, s := range d.services {
			if s.ServiceName == name && t.TaskDefinitionARN != "" && t.TaskDefinitionARN != s.TaskDefinition {
				d.assume("%s: runs %s, the service's task definition is %s: it starts as the service's", at, t.TaskDefinitionARN, s.TaskDefinition)
			}
		}
	}
	return out, nil
}

// dropped are the keys of a describe-services element the import reads
// itself (the tasks' deployment, the history) and leaves out.
var dropped = map[string]bool{"events": true, "deployments": true, "taskSets": true}

// servicesOut writes each service: its describe-services element as
// printed, less the dropped keys, with berth's tasks, usage and scaling.
func (d *dump) servicesOut(out *outScenario, running map[string][]scenario.InitialTaskSpec, metrics map[string]*series, period time.Duration) error {
	out.Services = []json.RawMessage{}
	tgs := map[string]bool{}
	for i, s := range d.services {
		at := d.svcSrc[i]
		td := d.taskDefs[s.TaskDefinition]
		if td == nil {
			return fmt.Errorf("%s.taskDefinition: %q: no describe-task-definition output of it in the dump", at, s.TaskDefinition)
		}
		if !td.used {
			td.used = true
			out.TaskDefinitions = append(out.TaskDefinitions, json.RawMessage(td.node.AppendJSON(nil)))
		}
		daemon := s.SchedulingStrategy == "DAEMON"
		var b bytes.Buffer
		b.WriteByte('{')
		node := d.svcNodes[i]
		for _, m := range node.Members {
			if dropped[m.Key] {
				if m.Key == "events" || len(m.Value.Elems) > 0 {
					d.skip("%s.%s: read by the import, left out of the scenario", at, m.Key)
				}
				continue
			}
			if daemon && m.Key == "desiredCount" {
				continue // a DAEMON service's count is its instances'
			}
			if b.Len() > 1 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(m.Key)
			b.Write(k)
			b.WriteByte(':')
			b.Write(m.Value.AppendJSON(nil))
		}
		for _, p := range s.CapacityProviderStrategy {
			if p.CapacityProvider != scenario.ProviderFargate && p.CapacityProvider != scenario.ProviderFargateSpot && !slices.ContainsFunc(out.CapacityProviders, func(o outProvider) bool { return o.Name == p.CapacityProvider }) {
				return fmt.Errorf("%s.capacityProviderStrategy: %q is in no describe-capacity-providers output of the dump", at, p.CapacityProvider)
			}
		}
		for _, lb := range s.LoadBalancers {
			name := targetGroupName(lb.TargetGroupArn)
			if name != "" && !tgs[name] {
				tgs[name] = true
				out.TargetGroups = append(out.TargetGroups, outTargetGroup{Name: name})
				d.assume("%s: target group %s has ELB's default health check and deregistration delay", at, name)
			}
		}
		extra := map[string]any{}
		if ts := running[s.ServiceName]; len(ts) > 0 {
			extra["tasks"] = ts
		}
		extra["usage"] = d.usage(s, td, len(running[s.ServiceName]), metrics[s.ServiceName], period, at)
		if sc := d.scaling(s, at); sc != nil {
			extra["scaling"] = sc
		}
		for _, k := range []string{"tasks", "usage", "scaling"} {
			if v, ok := extra[k]; ok {
				vb, err := json.Marshal(v)
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, ",%q:%s", k, vb)
			}
		}
		b.WriteByte('}')
		out.Services = append(out.Services, json.RawMessage(b.Bytes()))
	}
	return nil
}

// targetGroupName is the name in a target group ARN
// (...:targetgroup/NAME/ID).
func targetGroupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// usage is a service's use from its metrics: utilization times what the
// n tasks running at the dump reserve, requests per second from the load
// balancer's counts.
func (d *dump) usage(s serviceDoc, td *taskDefItem, n int, m *series, period time.Duration, at src) *outUsage {
	// Always a step: a sweep of services[*].usage.steps[0].factor asks
	// "what if the load were twice this" without editing the scenario.
	f := d.opts.LoadFactor
	if f == 0 {
		f = 1
	}
	steps := []outStep{{At: "0s", Factor: f}}
	if m == nil {
		if s.SchedulingStrategy != "DAEMON" {
			d.assume("%s: service %s has no metrics in the dump: it uses nothing in the run", at, s.ServiceName)
		}
		return &outUsage{Steps: steps}
	}
	req := td.td.Requirements()
	if n == 0 {
		n = s.RunningCount
	}
	d.assume("%s: service %s's use is its utilization times what its %d tasks running at the dump reserve (%d CPU units, %d MiB each)", at, s.ServiceName, n, req.CPU, req.MemoryMiB)
	u := &outUsage{Series: &scenario.UsageSeries{Every: scenario.Duration(period)}}
	scale := func(vals []float64, f float64) []float64 {
		out := make([]float64, len(vals))
		for i, v := range vals {
			out[i] = round2(v * f)
		}
		return out
	}
	if m[metricCPU] != nil {
		u.Series.CPU = scale(m[metricCPU], float64(n)*float64(req.CPU)/100)
	}
	if m[metricMemory] != nil {
		u.Series.Memory = scale(m[metricMemory], float64(n)*float64(req.MemoryMiB)/100)
	}
	sec := period.Seconds()
	switch {
	case m[metricRequests] != nil:
		u.Series.RequestsPerSecond = scale(m[metricRequests], 1/sec)
	case m[metricPerTarget] != nil && m[metricHealthy] != nil:
		rps := make([]float64, len(m[metricPerTarget]))
		for i, v := range m[metricPerTarget] {
			rps[i] = round2(v * m[metricHealthy][i] / sec)
		}
		u.Series.RequestsPerSecond = rps
	case m[metricPerTarget] != nil:
		d.assume("%s: service %s's requests are RequestCountPerTarget times its %d tasks running at the dump", at, s.ServiceName, n)
		u.Series.RequestsPerSecond = scale(m[metricPerTarget], float64(n)/sec)
	}
	u.Steps = steps
	return u
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// resourceID is Application Auto Scaling's id of a service.
func (d *dump) resourceID(service string) string { return "service/" + d.cluster + "/" + service }

// metricOfAlarm is the simulator's name of an alarm's metric.
var metricOfAlarm = map[[2]string]string{
	{"AWS/ECS", "CPUUtilization"}:                   "ECSServiceAverageCPUUtilization",
	{"AWS/ECS", "MemoryUtilization"}:                "ECSServiceAverageMemoryUtilization",
	{"AWS/ApplicationELB", "RequestCountPerTarget"}: "ALBRequestCountPerTarget",
	{"AWS/ApplicationELB", "RequestCount"}:          "RequestCount",
}

// scaling is the service's scalable target with its policies and
// scheduled actions; nil when it has none.
func (d *dump) scaling(s serviceDoc, at src) *scenario.ScalingSpec {
	id := d.resourceID(s.ServiceName)
	var sc *scenario.ScalingSpec
	for _, t := range d.targets {
		if t.ResourceID == id && t.ScalableDimension == "ecs:service:DesiredCount" {
			sc = &scenario.ScalingSpec{MinCapacity: t.MinCapacity, MaxCapacity: t.MaxCapacity}
		}
	}
	if sc == nil {
		return nil
	}
	for i, p := range d.policies {
		if p.ResourceID != id {
			continue
		}
		ps := d.polSrc[i]
		switch {
		case p.TargetTrackingScalingPolicyConfiguration != nil:
			c := p.TargetTrackingScalingPolicyConfiguration
			if c.PredefinedMetricSpecification == nil {
				d.skip("%s: %s: a customized metric specification: berth imports predefined metrics only", ps, p.PolicyName)
				continue
			}
			sc.TargetTracking = append(sc.TargetTracking, scenario.TargetTrackingSpec{Name: p.PolicyName, Metric: c.PredefinedMetricSpecification.PredefinedMetricType,
				TargetValue: c.TargetValue, ScaleOutCooldown: seconds(c.ScaleOutCooldown), ScaleInCooldown: seconds(c.ScaleInCooldown), DisableScaleIn: c.DisableScaleIn})
		case p.StepScalingPolicyConfiguration != nil:
			c := p.StepScalingPolicyConfiguration
			if len(p.Alarms) == 0 {
				d.skip("%s: %s: a step scaling policy without an alarm: nothing invokes it", ps, p.PolicyName)
				continue
			}
			a, ok := d.alarms[p.Alarms[0].AlarmName]
			if !ok {
				d.assume("%s: %s: its alarm %s is in no describe-alarms output of the dump: the policy is left out", ps, p.PolicyName, p.Alarms[0].AlarmName)
				continue
			}
			metric, ok := metricOfAlarm[[2]string{a.Namespace, a.MetricName}]
			if !ok {
				d.skip("%s: %s: alarm %s on %s %s, a metric the simulator does not publish: the policy is left out", ps, p.PolicyName, a.AlarmName, a.Namespace, a.MetricName)
				continue
			}
			if a.Period != 60 {
				d.assume("alarm %s: Period %d read as one-minute datapoints, as the simulator publishes them", a.AlarmName, a.Period)
			}
			st := scenario.StepScalingSpec{Name: p.PolicyName, AdjustmentType: c.AdjustmentType, Cooldown: seconds(c.Cooldown),
				Alarm: scenario.AlarmSpec{Metric: metric, Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator,
					EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, Statistic: a.Statistic}}
			for _, sa := range c.StepAdjustments {
				st.Steps = append(st.Steps, scenario.StepSpec{Lower: sa.MetricIntervalLowerBound, Upper: sa.MetricIntervalUpperBound, Adjustment: sa.ScalingAdjustment})
			}
			sc.StepScaling = append(sc.StepScaling, st)
		default:
			d.skip("%s: %s: policy type %s", ps, p.PolicyName, p.PolicyType)
		}
	}
	for i, a := range d.actions {
		if a.ResourceID != id {
			continue
		}
		if a.StartTime != "" || a.EndTime != "" {
			d.skip("%s: %s: StartTime and EndTime (the action is taken as always in force)", d.actSrc[i], a.ScheduledActionName)
		}
		sc.ScheduledActions = append(sc.ScheduledActions, scenario.ScheduledActionSpec{Name: a.ScheduledActionName, Schedule: a.Schedule,
			Timezone: a.Timezone, MinCapacity: a.ScalableTargetAction.MinCapacity, MaxCapacity: a.ScalableTargetAction.MaxCapacity})
	}
	return sc
}

func seconds(s int) scenario.Duration { return scenario.Duration(time.Duration(s) * time.Second) }

var _ = ecsjson.ReadSnapshot
var _ = strconv.Itoa
