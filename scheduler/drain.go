package scheduler

import (
	"github.com/berthsched/berth/placement"
)

// MaxInstancesPerStateUpdate is the most container instances one
// UpdateContainerInstancesState call changes.
const MaxInstancesPerStateUpdate = 10

// UpdateContainerInstancesState sets the instances, named by ARN, to
// ACTIVE or DRAINING, as ECS's API of that name: only ACTIVE and DRAINING
// instances can change, and at most MaxInstancesPerStateUpdate per call.
// Either every instance changes or, on error, none does. Draining's effect
// on tasks comes from the next Reconcile of each service.
func UpdateContainerInstancesState(c *placement.Cluster, arns []string, status placement.Status) error {
	if status != placement.StatusActive && status != placement.StatusDraining {
		return fieldErrorf("status", "%q, expected ACTIVE or DRAINING", status)
	}
	if len(arns) > MaxInstancesPerStateUpdate {
		return fieldErrorf("containerInstances", "%d instances, at most %d per call", len(arns), MaxInstancesPerStateUpdate)
	}
	ins := make([]*placement.Instance, len(arns))
	for i, a := range arns {
		in := c.Instance(a)
		switch {
		case in == nil:
			return fieldErrorf("containerInstances", "%q is not in the cluster", a)
		case in.Status != placement.StatusActive && in.Status != placement.StatusDraining:
			return fieldErrorf("containerInstances", "%q is %s, only ACTIVE and DRAINING instances can change state", a, in.Status)
		}
		ins[i] = in
	}
	for _, in := range ins {
		if in.Status != status {
			c.Update(in, func(in *placement.Instance) { in.Status = status })
		}
	}
	return nil
}
