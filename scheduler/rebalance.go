package scheduler

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/berthsched/berth/placement"
)

// AZRebalancing is a service's availabilityZoneRebalancing.
type AZRebalancing string

// Availability Zone rebalancing settings. The zero value means
// CreateService's default: ENABLED for a service that supports it,
// DISABLED otherwise (Service.AZRebalancingSupported).
const (
	AZRebalancingEnabled  AZRebalancing = "ENABLED"
	AZRebalancingDisabled AZRebalancing = "DISABLED"
)

// zoneAttribute is the built-in attribute holding an instance's zone.
const zoneAttribute = "ecs.availability-zone"

// AZRebalancingSupported reports whether Availability Zone rebalancing
// can run for the service, and why not: the ECS Developer Guide's
// "Balancing an Amazon ECS service across Availability Zones" lists the
// services it does not support; berth applies those it models: DAEMON
// services, the EXTERNAL launch type, and services with a binpack
// placement strategy.
func (s *Service) AZRebalancingSupported() (bool, string) {
	switch {
	case s.strategy() == Daemon:
		return false, "the DAEMON scheduling strategy"
	case s.LaunchType == placement.LaunchTypeExternal:
		return false, "the EXTERNAL launch type"
	}
	for _, st := range s.PlacementStrategy {
		switch st.(type) {
		case placement.Binpack, *placement.Binpack:
			return false, "a binpack placement strategy"
		}
	}
	return true, ""
}

// rebalancing reports whether the service rebalances across zones: as
// given, or by default when it supports it.
func (s *Service) rebalancing() bool {
	switch s.AvailabilityZoneRebalancing {
	case AZRebalancingDisabled:
		return false
	case AZRebalancingEnabled:
		return true
	}
	ok, _ := s.AZRebalancingSupported()
	return ok
}

func (s *Service) validRebalancing() error {
	switch s.AvailabilityZoneRebalancing {
	case "", AZRebalancingDisabled:
		return nil
	case AZRebalancingEnabled:
		if ok, why := s.AZRebalancingSupported(); !ok {
			return fieldErrorf("availabilityZoneRebalancing", "ENABLED, but it does not support %s", why)
		}
		return nil
	}
	return fieldErrorf("availabilityZoneRebalancing", "%q, expected ENABLED or DISABLED", s.AvailabilityZoneRebalancing)
}

// zoneCount is a zone and the service's tasks there.
type zoneCount struct {
	zone string
	n    int
	v    int32 // the zone's number in the cluster's AttributeValues; 0 for zones without a task
}

// zoneCounts appends to zs the service's tasks per zone, for the zones it has
// tasks in and the zones in which it can run (an ACTIVE instance of its
// launch type, in its subnets' zones, meeting its memberOf constraints
// and, with a capacity provider strategy, of one of its providers),
// sorted by zone name; tasks are observed indexes. Unless force, it
// returns nil when no zone can have more than one task more than another
// (no zone has two): then the instances are not scanned, which keeps a
// steady reconciliation cheap.
func (r *reconciler) zoneCounts(zs []zoneCount, tasks []int, force bool) []zoneCount {
	most := 0
	// Zones by the cluster's number for them: reading each task's
	// instance's attributes and comparing zone names was most of the cost.
	zones := r.c.AttributeValues(zoneAttribute)
	for _, i := range tasks {
		v := zones.OfTask(r.obs.Tasks[i].Placement)
		if v == 0 {
			continue // no zone attribute
		}
		k := zoneByValue(zs, v)
		if k < 0 {
			zs = append(zs, zoneCount{zone: zones.Value(v), v: v})
			k = len(zs) - 1
		}
		zs[k].n++
		most = max(most, zs[k].n)
	}
	if most <= 1 && !force {
		return nil
	}
	// Zones without a task where the service could run: the caller's, or
	// from the instances outside the zones known so far.
	if r.obs.Zones != nil {
		for _, zone := range r.obs.Zones {
			if zoneIndex(zs, zone) < 0 {
				zs = append(zs, zoneCount{zone: zone})
			}
		}
		slices.SortFunc(zs, func(a, b zoneCount) int { return strings.Compare(a.zone, b.zone) })
		return zs
	}
	req := r.svc.request(1)
	for _, in := range r.c.Instances() {
		zone, found := in.Attribute(zoneAttribute)
		if !found || zoneIndex(zs, zone) >= 0 || len(r.svc.Zones) > 0 && !slices.Contains(r.svc.Zones, zone) ||
			!eligible(in, req) || len(r.svc.CapacityProviderStrategy) > 0 && r.svc.providerOf(in) < 0 {
			continue
		}
		zs = append(zs, zoneCount{zone: zone})
	}
	slices.SortFunc(zs, func(a, b zoneCount) int { return strings.Compare(a.zone, b.zone) })
	return zs
}

// zoneByValue is zoneIndex for a zone numbered v (not 0).
func zoneByValue(zs []zoneCount, v int32) int {
	for k := range zs {
		if zs[k].v == v {
			return k
		}
	}
	return -1
}

func zoneIndex(zs []zoneCount, zone string) int {
	for k := range zs {
		if zs[k].zone == zone {
			return k
		}
	}
	return -1
}

// balanced reports whether no zone has more than one task more than
// another, and returns the lightest and the heaviest zone (the first by
// name among equals).
func balanced(zs []zoneCount) (ok bool, light, heavy int) {
	for i, z := range zs {
		if z.n < zs[light].n {
			light = i
		}
		if z.n > zs[heavy].n {
			heavy = i
		}
	}
	return len(zs) == 0 || zs[heavy].n-zs[light].n <= 1, light, heavy
}

// rebalance runs Availability Zone rebalancing for a REPLICA service in
// steady state, as the ECS guide describes it: when the tasks are not
// balanced across the zones it can use, it starts a task in the zone with
// the fewest, then, once that task is healthy, stops one in the zone with
// the most, one at a time until no zone has more than one task more than
// another. berth starts first only when maximumPercent leaves room for one
// more task; otherwise it does not rebalance. It reports whether it
// changed anything (then the service is not in steady state).
func (r *reconciler) rebalance(cs *census, desired, upper int) (bool, error) {
	st := r.st
	if st.Rebalance != nil && st.Rebalance.Task != "" {
		return r.rebalanceStop(cs)
	}
	if cs.counted+1 > upper && st.Rebalance == nil {
		return false, nil // no room to start first: berth does not rebalance
	}
	var buf [8]zoneCount // most services span at most a few zones: no allocation
	zs := r.zoneCounts(buf[:0], cs.primary, st.Rebalance != nil)
	ok, light, heavy := balanced(zs)
	if ok {
		if st.Rebalance != nil {
			st.Rebalance = nil
			r.event(msgBalanced(r.svc.Name, zs))
		}
		return false, nil
	}
	if cs.counted+1 > upper || desired == 0 {
		return false, nil
	}
	if st.Rebalance == nil {
		st.Rebalance = &Rebalance{}
		r.event(msgNotBalanced(r.svc.Name, zs))
	}
	rb := st.Rebalance
	con, err := zoneConstraint(zs[light].zone)
	if err != nil {
		return false, err
	}
	req := r.svc.requestOn(r.primary().TaskDefinition, 1, &con)
	if k := r.heavyProvider(cs, zs[heavy].zone); k >= 0 {
		req.Constraints = append(req.Constraints, r.svc.CapacityProviderStrategy[k].Instances)
		rb.Provider = k
	}
	r.res.Placed, r.res.Unplaced = r.res.Placed[:0], r.res.Unplaced[:0]
	if err := r.placeReq(req); err != nil {
		return false, err
	}
	if len(r.plan.Starts) == 0 {
		r.cond(msgUnplacedInZone(r.svc.Name, zs[light].zone))
		return false, nil
	}
	s := &r.plan.Starts[len(r.plan.Starts)-1]
	rb.Task, rb.From = s.ID, zs[heavy].zone
	r.rebalanced = true
	r.event(msgRebalanceStarted(r.svc.Name, zs[light].zone, s.ID))
	return true, nil
}

// zoneConstraints holds the compiled memberOf constraint of each zone
// rebalancing has started a task in (a string to a placement.Constraint),
// shared by every run: the cluster recalls a failed Place only for the
// same compiled constraint (placement compares expressions by pointer),
// so a rebalancing service that cannot start its task in the light zone
// would otherwise scan the whole cluster again at every reconciliation.
// A compiled expression is immutable; zones are few.
var zoneConstraints sync.Map

// zoneConstraint returns the memberOf constraint that keeps a task in
// zone, compiled once.
func zoneConstraint(zone string) (placement.Constraint, error) {
	if c, ok := zoneConstraints.Load(zone); ok {
		return c.(placement.Constraint), nil
	}
	con, err := placement.NewMemberOf("attribute:" + zoneAttribute + " == " + zone)
	if err != nil {
		return con, err
	}
	c, _ := zoneConstraints.LoadOrStore(zone, con)
	return c.(placement.Constraint), nil
}

// heavyProvider returns, with a capacity provider strategy, the provider
// of a healthy task in the heavy zone (the rebalancing task starts on the
// provider it will stop one on, so the split stays); -1 without.
func (r *reconciler) heavyProvider(cs *census, zone string) int {
	if len(r.svc.CapacityProviderStrategy) == 0 {
		return -1
	}
	for _, i := range cs.primary {
		in := r.c.TaskInstance(r.obs.Tasks[i].Placement)
		if z, _ := in.Attribute(zoneAttribute); z == zone && r.health(&r.obs.Tasks[i]) == healthy {
			return r.svc.providerOf(in)
		}
	}
	return -1
}

// rebalanceStop waits for the rebalancing task to be healthy, then stops
// one healthy task in the zone it came to relieve (on its provider, with
// a strategy), as the placement strategies choose. It reports whether it
// is still under way.
func (r *reconciler) rebalanceStop(cs *census) (bool, error) {
	rb := r.st.Rebalance
	var task *Task
	for _, i := range cs.primary {
		if r.obs.Tasks[i].ID == rb.Task {
			task = &r.obs.Tasks[i]
		}
	}
	if task == nil { // it failed, or was stopped: look again
		*rb = Rebalance{}
		return false, nil
	}
	if r.health(task) != healthy {
		return true, nil
	}
	var ids []placement.TaskID
	index := map[placement.TaskID]int{}
	for _, i := range cs.primary {
		t := &r.obs.Tasks[i]
		in := r.c.TaskInstance(t.Placement)
		z, _ := in.Attribute(zoneAttribute)
		if t.ID == rb.Task || z != rb.From || t.protected(r.now) || r.health(t) != healthy ||
			len(r.svc.CapacityProviderStrategy) > 0 && r.svc.providerOf(in) != rb.Provider {
			continue
		}
		ids = append(ids, t.Placement)
		index[t.Placement] = i
	}
	from := rb.From
	*rb = Rebalance{}
	if len(ids) == 0 {
		return false, nil
	}
	n := len(r.plan.Stops)
	if err := r.selectStops(ids, 1, index, reasonRebalancing); err != nil || len(r.plan.Stops) == n {
		return false, err
	}
	r.rebalanced = true
	r.event(msgRebalanceStopped(r.svc.Name, from, r.plan.Stops[n].ID))
	return true, nil
}

// The rebalancing event messages, in the ECS guide's words ("Amazon ECS
// Availability Zone service rebalancing service event messages").

func zoneList(zs []zoneCount, every bool) string {
	var b strings.Builder
	for i, z := range zs {
		switch {
		case i == 1 && len(zs) == 2:
			b.WriteString(" and ")
		case i > 0 && i == len(zs)-1:
			b.WriteString(", and ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(z.n))
		if i == 0 || every {
			b.WriteString(" tasks")
		}
		b.WriteString(" in ")
		b.WriteString(z.zone)
	}
	return b.String()
}

func msgNotBalanced(name string, zs []zoneCount) string {
	return svcPrefix(name) + " is not AZ balanced with " + zoneList(zs, false) + ". AZ Rebalancing in progress."
}

func msgBalanced(name string, zs []zoneCount) string {
	return svcPrefix(name) + " is AZ balanced with " + zoneList(zs, true) + "."
}

func msgRebalanceStarted(name, zone, id string) string {
	return name + " has started 1 tasks in " + zone + " to AZ Rebalance: (task " + id + ")."
}

func msgRebalanceStopped(name, zone, id string) string {
	return name + " has stopped 1 running tasks in " + zone + " due to AZ rebalancing: (task " + id + ")."
}

func msgUnplacedInZone(name, zone string) string {
	return svcPrefix(name) + " is unable to place a task in " + zone + " because no container instance met all of its requirements."
}

const reasonRebalancing = "AZ rebalancing initiated by the service scheduler"
