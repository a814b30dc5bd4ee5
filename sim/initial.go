package sim

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
)

// This file starts a run from a cluster as it is (scenario.InstanceSpec,
// scenario.InitialTaskSpec): the fleet's explicit instances with exactly
// their attributes, the capacity providers' groups adopting theirs, and
// the services' tasks already RUNNING on them.

// buildInstances registers the fleet's explicit instances, ACTIVE or
// DRAINING from the start.
func (f *fleet) buildInstances() error {
	for i := range f.sc.Fleet.Instances {
		spec := &f.sc.Fleet.Instances[i]
		typ := f.types[spec.Type]
		attrs := maps.Clone(spec.Attributes)
		if attrs == nil {
			attrs = map[string]string{}
		}
		if spec.CapacityProvider != "" {
			attrs[scenario.ProviderAttribute] = spec.CapacityProvider
		}
		// Registered without attributes first: the exact list replaces
		// berth's made-up ones below.
		in, err := f.add(typ, spec.Zone, nil, placement.StatusRegistering, spec.ID, spec.AgentVersion)
		if err != nil {
			return err
		}
		list := []placement.Attribute{{Name: "ecs.availability-zone", Value: spec.Zone}, {Name: "ecs.instance-type", Value: typ.Name}}
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			if k != "ecs.availability-zone" && k != "ecs.instance-type" {
				list = append(list, placement.Attribute{Name: k, Value: attrs[k]})
			}
		}
		status := placement.StatusActive
		if spec.Status == "DRAINING" {
			status = placement.StatusDraining
		}
		err = f.cluster.Update(in, func(in *placement.Instance) {
			in.Attributes, in.Status = list, status
			if spec.EC2InstanceID != "" {
				in.EC2InstanceID = spec.EC2InstanceID
			}
		})
		if err != nil {
			return fmt.Errorf("sim: %w", fielderr.Nest(fielderr.Index("fleet.instances", i), err))
		}
		inf := f.info[in.Index()]
		inf.attrs, inf.provider = attrs, attrs[scenario.ProviderAttribute]
		f.log.instance(f.eng.Now(), trace.KindInstanceAdd, in, inf, "")
		if status == placement.StatusDraining {
			f.log.instance(f.eng.Now(), trace.KindInstanceDrain, in, inf, "")
		}
	}
	return nil
}

// adoptMembers makes each group's explicit instances (those with its name
// in berth.capacity-provider at the start) its members, on-demand.
func (pv *providers) adoptMembers() {
	if len(pv.sc.Fleet.Instances) == 0 {
		return
	}
	for _, in := range pv.fleet.cluster.Instances() {
		if ps := pv.byName[pv.instanceProvider(in)]; ps != nil {
			pv.join(ps, in, pv.fleet.info[in.Index()])
			ps.onDemand++
		}
	}
}

// adoptTasks puts each service's initial tasks on their instances,
// RUNNING and of a COMPLETED primary deployment, as if the service had
// reached its steady state before the run; a Fargate task gets its
// capacity at once. A task that does not fit its instance is an error
// naming it.
func (sv *services) adoptTasks() error {
	start := sv.wall()
	for _, st := range sv.svcs {
		if len(st.spec.Tasks) == 0 {
			continue
		}
		path := fmt.Sprintf("services[%d]", slices.IndexFunc(sv.sc.Services, func(sp scenario.ServiceSpec) bool { return sp.Name == st.spec.Name }))
		td := st.base.TaskDefinition
		req := td.Requirements()
		d := scheduler.Deployment{ID: deploymentID(st.spec.Name), Status: scheduler.DeploymentPrimary, TaskDefinition: td,
			Spec: fmt.Sprintf("%s:%d", td.Family, td.Revision), RolloutState: scheduler.Completed,
			RolloutStateReason: "ECS deployment completed before the run.", CreatedAt: start, UpdatedAt: start,
			DesiredCount: len(st.spec.Tasks), RunningCount: len(st.spec.Tasks), RunningSeen: true}
		if st.base.DesiredCount != nil {
			d.DesiredCount = *st.base.DesiredCount
		}
		done := d
		st.state = scheduler.State{Deployments: []scheduler.Deployment{d}, LastCompleted: &done}
		for j, it := range st.spec.Tasks {
			p := fielderr.Index(path+".tasks", j)
			in, err := sv.initialInstance(st, it)
			if err != nil {
				return err
			}
			if err := fits(in, &req); err != nil {
				return fmt.Errorf("sim: %s: %q does not fit on instance %s: %w", p, it.ID, in.ARN, err)
			}
			id, err := sv.fleet.cluster.Adopt(in, placement.HostedTask{Group: st.base.Group(), Requirements: req})
			if err != nil {
				return fmt.Errorf("sim: %s: %w", p, err)
			}
			t := &svcTask{svc: st, prov: st.providerIndex(sv.providers.instanceProvider(in)), inst: in, td: &st.spec.TaskDefinition,
				t: scheduler.Task{ID: it.ID, Placement: id, Deployment: d.ID, LastStatus: scheduler.Running, DesiredStatus: scheduler.Running,
					StartedAt: start.Add(-time.Hour), Health: scheduler.HealthHealthy}}
			t.run = &Run{ID: it.ID, Group: st.base.Group(), Family: td.Family, Instance: in.ARN, CPU: req.CPU, MemoryMiB: req.MemoryMiB, Ports: req.PortsTCP}
			t.registered = len(st.groups) > 0
			st.tasks = append(st.tasks, t)
			st.taskGen++
			st.running.add(t, 1)
			sv.byRun[it.ID] = t
			if err := sv.exec.Start(t.run); err != nil {
				return fmt.Errorf("sim: %s: start: %w", p, err)
			}
		}
	}
	return nil
}

// initialInstance is the instance of an initial task: its fleet instance,
// or new Fargate capacity on the service's first provider.
func (sv *services) initialInstance(st *svcState, it scenario.InitialTaskSpec) (*placement.Instance, error) {
	if it.Instance != "" {
		return sv.fleet.byID[it.Instance], nil
	}
	in := sv.providers.fargateInstance(st, st.providers[0], placement.StatusActive)
	if in == nil {
		return nil, sv.err
	}
	return in, nil
}

// deploymentID is the made-up id of a service's deployment before the
// run, the same in every run.
func deploymentID(service string) string {
	return "ecs-svc/" + hexID("0", service)[2:]
}

// fits reports what an instance lacks for one more task of req: CPU,
// memory or, for an awsvpc task, a task ENI.
func fits(in *placement.Instance, req *placement.Requirements) error {
	r := &in.Remaining
	switch {
	case r.CPU < req.CPU:
		return fmt.Errorf("cpu %d needed, %d remaining", req.CPU, r.CPU)
	case r.MemoryMiB < req.MemoryMiB:
		return fmt.Errorf("memory %d MiB needed, %d remaining", req.MemoryMiB, r.MemoryMiB)
	case req.AWSVPC && r.ENIs < 1:
		return fmt.Errorf("no task ENI remaining")
	}
	return nil
}
