package ecsjson

import (
	"slices"

	"github.com/berthsched/berth/eni"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/placement"
)

// Cluster converts the snapshot into placement's model, one
// placement.Instance per container instance in document order, and adopts
// the tasks that hold a place on them. It returns the cluster and, by task
// ARN, the id of each adopted task (for placement.Cluster.Release).
//
// remainingResources is authoritative: an instance's Remaining is its
// remainingResources as they are, and adopted tasks are marked Reserved,
// so nothing is subtracted twice. Remaining CPU and MemoryMiB are CPU and
// MEMORY; the taken ports are PORTS and PORTS_UDP; the GPU devices are the
// registered GPU ids (then any remaining id not registered), those listed
// in remainingResources free and the others taken; every other INTEGER,
// LONG or DOUBLE resource is a placement.Scalar (STRINGSET ones are left
// out). Attributes, status, agentConnected, versionInfo.agentVersion,
// registeredAt and runningTasksCount carry over. An instance's task ENIs
// (placement.Capacity.ENIs) are its ENIResource entry when
// registeredResources has one, else its ecs.instance-type's count from
// package eni (with ENI trunking when it has ecs.awsvpc-trunk-id); what
// remains is remainingResources' ENIResource entry when present, else
// that count less the adopted tasks with an ElasticNetworkInterface
// attachment. An unknown instance type without the entry has none.
//
// A task is adopted when its lastStatus is PENDING, ACTIVATING or RUNNING,
// it names an instance, and it has a group; it then counts for its group
// (task:group, distinctInstance, spread). What it would free on Release is
// its task-level cpu and memory (else the sum over its containers,
// memoryReservation before memory), the host ports of its networkBindings
// and the devices of its containers' gpuIds; a gpuId the instance does not
// list is ignored.
//
// The error is a *fielderr.Error naming the instance or task placement refused
// (more than placement.MaxGPUsPerInstance GPUs, for one).
func (s *Snapshot) Cluster() (_ *placement.Cluster, _ map[string]placement.TaskID, err error) {
	defer prefix(&err)
	c := placement.NewCluster()
	awsvpc := map[string]int{} // awsvpc tasks holding an ENI, by instance
	for j := range s.Tasks {
		if t := &s.Tasks[j]; t.ENI && countsForGroup(t.LastStatus) && t.ContainerInstanceARN != "" {
			awsvpc[t.ContainerInstanceARN]++
		}
	}
	for i := range s.ContainerInstances {
		in := s.ContainerInstances[i].instance(awsvpc[s.ContainerInstances[i].ARN])
		if err := c.AddInstance(in); err != nil {
			return nil, nil, placementError(elem("containerInstances", i), err)
		}
	}
	ids := map[string]placement.TaskID{}
	for j := range s.Tasks {
		t := &s.Tasks[j]
		if !countsForGroup(t.LastStatus) || t.ContainerInstanceARN == "" || t.Group == "" {
			continue
		}
		in := c.Instance(t.ContainerInstanceARN)
		if in == nil {
			return nil, nil, errorf(elem("tasks", j)+".containerInstanceArn", "%q names no instance of containerInstances", t.ContainerInstanceARN)
		}
		id, err := c.Adopt(in, t.hosted(in))
		if err != nil {
			return nil, nil, placementError(elem("tasks", j), err)
		}
		ids[t.ARN] = id
	}
	return c, ids, nil
}

// placementError places an error of the placement package at path.
func placementError(path string, err error) error {
	return fielderr.Wrap(path, err)
}

func (ci *ContainerInstance) instance(awsvpcTasks int) *placement.Instance {
	in := &placement.Instance{
		ARN:               ci.ARN,
		EC2InstanceID:     ci.InstanceID,
		Status:            placement.Status(ci.Status),
		AgentConnected:    ci.Connected,
		AgentVersion:      ci.VersionInfo.AgentVersion,
		RegisteredAt:      ci.Registered,
		RunningTasksCount: ci.RunningCount,
		Registered:        capacity(&ci.RegisteredResources),
		Remaining:         capacity(&ci.RemainingResources),
	}
	if len(ci.Attributes) > 0 {
		in.Attributes = make([]placement.Attribute, len(ci.Attributes))
		for k, a := range ci.Attributes {
			in.Attributes[k] = placement.Attribute{Name: a.Name, Value: a.Value}
		}
	}
	in.Registered.GPUs, in.Remaining.GPUs = devices(ci.RegisteredResources.GPUs, ci.RemainingResources.GPUs)
	in.Registered.ENIs, in.Remaining.ENIs = ci.enis(awsvpcTasks)
	return in
}

// ENIResource is the name of the registeredResources (and
// remainingResources) entry that overrides an instance's task ENIs in a
// snapshot. ECS itself reports no such resource.
const ENIResource = "ENI"

// enis returns the instance's task ENIs, registered and remaining. An ENI
// resource in registeredResources overrides the instance type (and one in
// remainingResources is authoritative, as the others are). Otherwise the
// count comes from ecs.instance-type by package eni, with trunking when
// the instance has ecs.awsvpc-trunk-id, less the awsvpc tasks the snapshot
// places on it. An unknown type without an override has none: awsvpc
// tasks fail there with RESOURCE:ENI.
func (ci *ContainerInstance) enis(awsvpcTasks int) (registered, remaining int) {
	if n, ok := ci.RegisteredResources.integer(ENIResource); ok {
		registered = n
	} else {
		typ, _ := ci.Attribute("ecs.instance-type")
		_, trunked := ci.Attribute("ecs.awsvpc-trunk-id")
		if l, ok := eni.Lookup(typ); ok {
			registered = l.TaskENIs(trunked)
		}
	}
	if n, ok := ci.RemainingResources.integer(ENIResource); ok {
		return registered, max(n, 0)
	}
	return registered, max(registered-awsvpcTasks, 0)
}

// integer returns the value of the named INTEGER or LONG resource.
func (r *Resources) integer(name string) (int, bool) {
	for _, o := range r.Other {
		if o.Name == name && (o.Type == "INTEGER" || o.Type == "LONG") {
			return int(o.Integer), true
		}
	}
	return 0, false
}

// capacity converts everything but the GPUs.
func capacity(r *Resources) placement.Capacity {
	c := placement.Capacity{
		CPU:       int64(r.CPU),
		MemoryMiB: int64(r.MemoryMiB),
		PortsTCP:  slices.Clone(r.Ports),
		PortsUDP:  slices.Clone(r.PortsUDP),
	}
	for _, o := range r.Other {
		if o.Name == ENIResource {
			continue // Capacity.ENIs, set by enis
		}
		switch o.Type {
		case "INTEGER", "LONG":
			c.Scalars = append(c.Scalars, placement.Scalar{Name: o.Name, Value: float64(o.Integer)})
		case "DOUBLE":
			c.Scalars = append(c.Scalars, placement.Scalar{Name: o.Name, Value: o.Double})
		}
	}
	return c
}

// devices returns the instance's GPU devices, registered ones first, as
// registered (all free) and as remaining (free when listed there).
func devices(registered, remaining []string) (reg, rem []placement.GPU) {
	ids := slices.Clone(registered)
	for _, id := range remaining {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	reg = make([]placement.GPU, len(ids))
	rem = make([]placement.GPU, len(ids))
	for k, id := range ids {
		reg[k] = placement.GPU{ID: id, FreeMilli: placement.GPUMilliPerDevice}
		rem[k] = placement.GPU{ID: id}
		if slices.Contains(remaining, id) {
			rem[k].FreeMilli = placement.GPUMilliPerDevice
		}
	}
	return reg, rem
}

// hosted describes t, which runs on in, for placement.Cluster.Adopt.
func (t *Task) hosted(in *placement.Instance) placement.HostedTask {
	h := placement.HostedTask{Group: t.Group, Reserved: true}
	r := &h.Requirements
	for _, c := range t.Containers {
		r.CPU += int64(c.CPU)
		if c.MemoryReservationMiB > 0 {
			r.MemoryMiB += int64(c.MemoryReservationMiB)
		} else {
			r.MemoryMiB += int64(c.MemoryMiB)
		}
		for _, b := range c.NetworkBindings {
			switch {
			case b.HostPort == 0:
			case b.Protocol == "udp" && !slices.Contains(r.PortsUDP, b.HostPort):
				r.PortsUDP = append(r.PortsUDP, b.HostPort)
			case b.Protocol != "udp" && !slices.Contains(r.PortsTCP, b.HostPort):
				r.PortsTCP = append(r.PortsTCP, b.HostPort)
			}
		}
		for _, id := range c.GPUIDs {
			for k, g := range in.Remaining.GPUs {
				if g.ID == id {
					h.GPUs |= 1 << uint(k)
				}
			}
		}
	}
	if t.CPU > 0 {
		r.CPU = int64(t.CPU)
	}
	if t.MemoryMiB > 0 {
		r.MemoryMiB = int64(t.MemoryMiB)
	}
	r.GPUs = h.GPUs.Len()
	r.AWSVPC = t.ENI
	return h
}
