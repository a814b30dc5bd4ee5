package sim

import (
	"errors"
	"fmt"

	"github.com/berthsched/berth/sim/scenario"
)

// VariantServices lists, in scenario order, the services a compared
// placement variant's strategies apply to: REPLICA services on EC2
// capacity that give no placementStrategy of their own. A DAEMON service
// takes no strategy, a Fargate service no placement at all, and a service
// that pins its own strategy keeps it, as in ECS.
func VariantServices(sc *scenario.Scenario) []string {
	var out []string
	for i := range sc.Services {
		sp := &sc.Services[i]
		if sp.SchedulingStrategy != "DAEMON" && !sp.Fargate() && len(sp.PlacementStrategy) == 0 {
			out = append(out, sp.Name)
		}
	}
	return out
}

// workloadPlaced reports whether the run places tasks of its own with the
// run's placement: a generated or traced workload, or scheduled tasks,
// not all on Fargate.
func workloadPlaced(sc *scenario.Scenario) bool {
	if sc.Workload.Generator == nil && sc.Workload.Trace == nil && len(sc.ScheduledTasks) == 0 {
		return false
	}
	if len(sc.Workload.CapacityProviderStrategy) == 0 {
		return true
	}
	for _, it := range sc.Workload.CapacityProviderStrategy {
		if it.CapacityProvider != scenario.ProviderFargate && it.CapacityProvider != scenario.ProviderFargateSpot {
			return true
		}
	}
	return false
}

// ErrVariantChangesNothing is the error of a compared variant whose
// strategies apply to nothing in the scenario.
var ErrVariantChangesNothing = errors.New("changes nothing")

// checkVariantApplies returns an error wrapping ErrVariantChangesNothing
// when the strategies of the compared variant v apply to no task of sc.
func checkVariantApplies(sc *scenario.Scenario, v scenario.Variant) error {
	if len(v.Strategies) == 0 || workloadPlaced(sc) || len(VariantServices(sc)) > 0 {
		return nil
	}
	return fmt.Errorf("sim: variant %q %w: the scenario places no workload or scheduled task on EC2 instances, and every service runs on Fargate, is a DAEMON or gives its own placementStrategy; expected a scenario a placement strategy applies to", v.String(), ErrVariantChangesNothing)
}
