package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
	"github.com/berthsched/berth/scheduler"
)

// TargetGroupName returns the name a loadBalancers targetGroupArn refers to:
// the name itself, or the name part of an ELB target group ARN.
func TargetGroupName(arn string) string {
	const tg = ":targetgroup/"
	if i := strings.Index(arn, tg); i >= 0 {
		name, _, _ := strings.Cut(arn[i+len(tg):], "/")
		return name
	}
	return arn
}

func (g *TargetGroupSpec) TargetGroup() *scheduler.TargetGroup {
	return &scheduler.TargetGroup{TargetGroupArn: g.Name, HealthCheckIntervalSeconds: g.HealthCheckIntervalSeconds,
		HealthyThresholdCount: g.HealthyThresholdCount, UnhealthyThresholdCount: g.UnhealthyThresholdCount,
		DeregistrationDelaySeconds: g.DeregistrationDelayTimeoutSeconds}
}

// validateTargetGroups checks targetGroups and returns them by name.
func (sc *Scenario) validateTargetGroups() (map[string]*scheduler.TargetGroup, error) {
	groups := map[string]*scheduler.TargetGroup{}
	for i := range sc.TargetGroups {
		g := &sc.TargetGroups[i]
		path := fmt.Sprintf("targetGroups[%d]", i)
		switch {
		case g.Name == "":
			return nil, fielderr.Errorf(path+".name", "missing")
		case printable.Check(g.Name) != nil:
			return nil, fielderr.Errorf(path+".name", "%q %v", g.Name, printable.Check(g.Name))
		case groups[g.Name] != nil:
			return nil, fielderr.Errorf(path+".name", "%q is defined twice", g.Name)
		}
		tg := g.TargetGroup()
		if err := tg.Validate(); err != nil {
			return nil, fielderr.Wrap(path, err)
		}
		groups[g.Name] = tg
	}
	return groups, nil
}

// validateLoadBalancers checks that a service's loadBalancers name target
// groups of the scenario and its only container.
func (sp *ServiceSpec) validateLoadBalancers(path string, groups map[string]*scheduler.TargetGroup) error {
	for j, lb := range sp.LoadBalancers {
		if groups[TargetGroupName(lb.TargetGroupArn)] == nil {
			return fielderr.Errorf(fmt.Sprintf("%s.loadBalancers[%d].targetGroupArn", path, j), "%q is not one of targetGroups", lb.TargetGroupArn)
		}
		if len(sp.TaskDefinition.Containers) > 0 {
			if lb.ContainerName != "" && !slices.ContainsFunc(sp.TaskDefinition.Containers, func(c ContainerSpec) bool { return c.Name == lb.ContainerName }) {
				return fielderr.Errorf(fmt.Sprintf("%s.loadBalancers[%d].containerName", path, j), "%q, expected a container of the service's task definition", lb.ContainerName)
			}
		} else if lb.ContainerName != "" && lb.ContainerName != "app" {
			return fielderr.Errorf(fmt.Sprintf("%s.loadBalancers[%d].containerName", path, j), "%q, expected app (a scenario task definition has one container, app)", lb.ContainerName)
		}
	}
	return nil
}
