package sim

import (
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/scheduler"
)

// Load balancer events.
type (
	// targetHealthEv is when a registered target's health checks have
	// passed (or failed) often enough to change its health.
	targetHealthEv struct{ t *svcTask }
	// deregisteredEv is the end of a stopped task's deregistration delay.
	deregisteredEv struct{ t *svcTask }
)

// handleTargets handles the load balancer events; it reports whether ev
// was one of them.
func (sv *services) handleTargets(ev Event) bool {
	switch ev := ev.(type) {
	case targetHealthEv:
		if sv.arrived(ev.t) {
			sv.targetHealth(ev.t)
		}
	case deregisteredEv:
		// The task may have ended meanwhile (its instance went).
		if sv.arrived(ev.t) && sv.byRun[ev.t.run.ID] == ev.t {
			_ = sv.exec.Stop(ev.t.run, ev.t.reason)
		}
	default:
		return false
	}
	return true
}

// resolveTargetGroups gives each service the target groups its
// loadBalancers name (validated).
func (sv *services) resolveTargetGroups() {
	byName := map[string]*scheduler.TargetGroup{}
	for i := range sv.sc.TargetGroups {
		byName[sv.sc.TargetGroups[i].Name] = sv.sc.TargetGroups[i].TargetGroup()
	}
	for _, st := range sv.svcs {
		for _, lb := range st.spec.LoadBalancers {
			st.groups = append(st.groups, byName[scenario.TargetGroupName(lb.TargetGroupArn)])
		}
	}
}

// registerTarget registers a task that reached RUNNING with its service's
// target groups; its health changes once the checks have run (interval x
// healthy threshold, or x unhealthy threshold for a revision that fails
// them).
func (sv *services) registerTarget(t *svcTask) {
	t.registered = true
	sv.after(scheduler.HealthChangeAfter(t.svc.groups, !t.td.FailsTargetHealthChecks), t, targetHealthEv{t})
}

// targetHealth reports a target's new health to the scheduler. An
// unhealthy task inside the grace period is looked at again when the
// period ends.
func (sv *services) targetHealth(t *svcTask) {
	if sv.byRun[t.run.ID] != t || t.draining {
		return
	}
	st := t.svc
	st.taskGen++
	t.t.Health = scheduler.TargetHealth(st.groups, t.t.StartedAt, sv.wall(), !t.td.FailsTargetHealthChecks)
	sv.queueReconcile(st)
	grace := time.Duration(st.base.HealthCheckGracePeriodSeconds) * time.Second
	if left := t.t.StartedAt.Add(grace).Sub(sv.wall()); t.t.Health == scheduler.HealthUnhealthy && left > 0 {
		sv.eng.After(left, reconcileEv{st, reconcileLater})
	}
}

// deregister deregisters a registered task the scheduler stopped: it keeps
// running, serving no new requests, for the deregistration delay, and is
// stopped after it. It reports whether the stop was deferred.
func (sv *services) deregister(t *svcTask) bool {
	if !t.registered || t.draining {
		return false
	}
	t.draining = true
	d := scheduler.DeregistrationDelay(t.svc.groups)
	if d == 0 {
		return false
	}
	sv.after(d, t, deregisteredEv{t})
	return true
}

// targetMetrics returns the minute's RequestCount and
// ALBRequestCountPerTarget of a service with load balancers: requests go
// to its healthy targets (registered, not draining, HEALTHY); ok is false
// without a usage model or registered targets.
func (st *svcState) targetMetrics(now time.Duration) (count, perTarget float64, ok bool) {
	if st.usage == nil {
		return 0, 0, false
	}
	healthy, registered := 0, 0
	for _, t := range st.tasks {
		if t.registered && !t.draining && t.t.LastStatus == scheduler.Running {
			registered++
			if t.t.Health == scheduler.HealthHealthy {
				healthy++
			}
		}
	}
	count = st.usage.rps(now) * 60
	perTarget, ok = autoscale.RequestCountPerTarget(count, healthy, registered)
	return count, perTarget, ok
}
