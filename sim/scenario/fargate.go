package scenario

import (
	"fmt"

	"github.com/berthsched/berth/eni"
	"github.com/berthsched/berth/fielderr"
)

// validateFargate reports what ECS rejects (InvalidParameterException or
// ClientException) for a service on FARGATE or FARGATE_SPOT, naming the
// field: placement constraints and strategies ("Placement constraints
// are not supported with FARGATE launch type."), task definition
// constraints and GPUs (the definition is then not Fargate-compatible:
// "Task definition does not support launch_type FARGATE."), and network
// modes other than awsvpc ("Fargate only supports network mode
// 'awsvpc'."), and a container's hostPort other than its containerPort
// (in awsvpc mode the host port, when given, must equal the container
// port: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).
// A definition's hostPorts are their own container ports. provider names
// the Fargate provider of the strategy, for the message.
func (sp *ServiceSpec) validateFargate(path, provider string) error {
	if len(sp.PlacementConstraints) > 0 {
		return fielderr.Errorf(path+".placementConstraints[0]", "%s: placement constraints are not supported with %s", constraintText(sp.PlacementConstraints[0]), provider)
	}
	if len(sp.PlacementStrategy) > 0 {
		s := sp.PlacementStrategy[0]
		return fielderr.Errorf(path+".placementStrategy[0]", "%s: placement strategies are not supported with %s (Fargate spreads tasks across zones itself)", strategyText(s), provider)
	}
	return sp.TaskDefinition.validateFargate(path+".taskDefinition", provider)
}

// validateFargate checks the parts of a task definition that keep it off
// Fargate.
func (td *TaskDefSpec) validateFargate(path, provider string) error {
	switch {
	case len(td.Constraints) > 0:
		return fielderr.Errorf(path+".constraints[0]", "%s: task placement constraints are not supported for tasks on %s", constraintText(td.Constraints[0]), provider)
	case td.GPUs > 0:
		return fielderr.Errorf(path+".gpus", "%d: GPUs are not supported for tasks on %s, expected 0", td.GPUs, provider)
	case !td.AWSVPC(true):
		return fielderr.Errorf(path+".networkMode", "%q: %s only supports network mode awsvpc", td.NetworkMode, provider)
	}
	for i, c := range td.Containers {
		for j, pm := range c.PortMappings {
			if pm.HostPort != 0 && pm.HostPort != pm.ContainerPort {
				return fielderr.Errorf(fmt.Sprintf("%s.containers[%d].portMappings[%d].hostPort", path, i, j),
					"%d: on %s (network mode awsvpc) the host port must be the container port %d or absent", pm.HostPort, provider, pm.ContainerPort)
			}
		}
	}
	return nil
}

func constraintText(c ConstraintSpec) string {
	if c.Expression == nil {
		return c.Type
	}
	return fmt.Sprintf("%s %q", c.Type, *c.Expression)
}

func strategyText(s StrategySpec) string {
	if s.Field == "" {
		return s.Type
	}
	return s.Type + " " + s.Field
}

// fargateProvider returns the service's Fargate provider (the first of
// its strategy), or "".
func (sp *ServiceSpec) fargateProvider() string {
	for _, it := range sp.CapacityProviderStrategy {
		if it.CapacityProvider == ProviderFargate || it.CapacityProvider == ProviderFargateSpot {
			return it.CapacityProvider
		}
	}
	return ""
}

// validateNetwork checks an awsvpc service's subnets and, on EC2
// instances, that every instance type has a known count of task ENIs.
func (sp *ServiceSpec) validateNetwork(path string, f *Fleet) error {
	fargate := sp.Fargate()
	if len(sp.Subnets) > 0 && !sp.TaskDefinition.AWSVPC(fargate) {
		return fielderr.Errorf(path+".subnets", "given for networkMode %q, expected awsvpc", sp.TaskDefinition.NetworkMode)
	}
	for i, sn := range sp.Subnets {
		if _, ok := f.Subnets[sn]; !ok {
			return fielderr.Errorf(fmt.Sprintf("%s.subnets[%d]", path, i), "%q is not one of fleet.subnets", sn)
		}
	}
	if fargate || !sp.TaskDefinition.AWSVPC(false) {
		return nil
	}
	return f.knownENIs(path)
}

// knownENIs reports an instance type whose task ENIs are unknown: neither
// enis nor berth's table gives them, and what runs awsvpc tasks at path
// would then never be placed.
func (f *Fleet) knownENIs(path string) error {
	for i := range f.InstanceTypes {
		t := &f.InstanceTypes[i]
		if _, known := eni.Lookup(t.Name); !known && t.ENIs == nil {
			return fielderr.Errorf(fmt.Sprintf("fleet.instanceTypes[%d].enis", i), "missing: berth's ENI table does not know %q and %s runs awsvpc tasks", t.Name, path)
		}
	}
	return nil
}
