package scheduler

import (
	"github.com/berthsched/berth/placement"
)

// census sorts a service's observed tasks for one Reconcile.
type census struct {
	counted  int // lastStatus RUNNING or PENDING, wanted or not (maximumPercent)
	running  int // wanted and RUNNING
	inflight int // being stopped, not yet STOPPED
	healthy  int // wanted and healthy, any deployment

	primary        []int // the primary deployment's wanted tasks on ACTIVE instances, not unhealthy
	primaryHealthy int
	primaryRunning bool  // some task of the primary deployment is RUNNING
	old            []int // to replace: other deployments' tasks, tasks on draining instances
	unhealthy      []int
	drainNow       []int    // not yet RUNNING on a draining instance: stopped at once
	why            []string // per drainNow, the reason when not draining
	waiting        int      // DAEMON: tasks waiting to be the last on a draining instance
	protected      int
}

func (cs *census) stopNow(i int, reason string) {
	cs.drainNow = append(cs.drainNow, i)
	cs.why = append(cs.why, reason)
}

// takeCensus sorts the observed tasks into r.cs and returns it. A second
// call (after the circuit breaker rolls back) reuses the slices of the
// first, which nothing holds by then; primary, usually most of the tasks,
// is sized once for all of them.
func (r *reconciler) takeCensus() *census {
	cs := &r.cs
	*cs = census{primary: cs.primary[:0], old: cs.old[:0], unhealthy: cs.unhealthy[:0],
		drainNow: cs.drainNow[:0], why: cs.why[:0]}
	if cs.primary == nil {
		cs.primary = make([]int, 0, len(r.obs.Tasks))
	}
	p := r.primary()
	for i := range r.obs.Tasks {
		t := &r.obs.Tasks[i]
		wanted, counted := live(t)
		if counted {
			cs.counted++
		}
		// The instance's status from the cluster's bit: loading every
		// task's instance was most of the census.
		found, active := r.c.TaskActive(t.Placement)
		if !found {
			continue // not in the cluster: the caller reports it STOPPED
		}
		if !wanted {
			cs.inflight++
			continue
		}
		mine := p.owns(t.Deployment)
		if mine && t.LastStatus == Running {
			cs.primaryRunning = true
		}
		if t.LastStatus == Running {
			cs.running++
		}
		if t.protected(r.now) {
			cs.protected++
		}
		h := r.health(t)
		if h == healthy {
			cs.healthy++
		}
		draining := !active
		switch {
		case draining && t.LastStatus != Running:
			cs.stopNow(i, reasonDraining(r.c.TaskInstance(t.Placement)))
		case h == unhealthy:
			cs.unhealthy = append(cs.unhealthy, i)
		case draining || !mine:
			cs.old = append(cs.old, i)
		default:
			cs.primary = append(cs.primary, i)
			if h == healthy {
				cs.primaryHealthy++
			}
		}
	}
	return cs
}

// replica reconciles a REPLICA service, in this order: the circuit
// breaker (it may roll back, which changes what the tasks are), then the
// starts (within maximumPercent and the launch back-off), then the stops
// of tasks to replace (within minimumHealthyPercent), of unhealthy tasks
// (after their replacements are healthy) and of excess tasks (scale-in).
func (r *reconciler) replica() error {
	desired := *r.svc.DesiredCount
	r.desired = desired
	lower, upper := r.svc.Bounds(desired)
	cs := r.takeCensus()
	if r.breaker(desired, cs.primaryHealthy, cs.primaryRunning) {
		cs = r.takeCensus()
	}
	p := r.primary()
	halted := p.RolloutState == Failed
	extra := r.rebalanceExtra(cs, desired)

	need := desired + extra - len(cs.primary)
	room := upper - cs.counted
	starts := 0
	if !halted && need > 0 {
		if r.now.Before(r.st.NextLaunch) {
			r.cond(msgThrottled(r.svc.Name))
		} else {
			starts = min(need, max(room, 0))
		}
	}
	if err := r.placeSplit(starts, cs); err != nil {
		return err
	}
	placed := len(r.plan.Starts)

	budget := cs.healthy - lower
	for k, i := range cs.drainNow {
		r.stop(i, cs.why[k])
	}
	stoppedRunning := 0
	if !halted {
		stoppedRunning += r.replaceOld(cs, budget)
	}
	r.stopUnhealthy(cs, desired, lower, need-placed, room-placed, stoppedRunning)
	if err := r.scaleIn(cs, desired+extra); err != nil {
		return err
	}
	if cs.protected > desired {
		r.cond(msgProtected(r.svc.Name, p.ID))
	}

	switch {
	case !halted && len(cs.old) > 0 && r.plan.Empty() && need > 0 && room <= 0 && budget <= 0 &&
		len(cs.primary) == cs.primaryHealthy && cs.inflight == 0:
		r.cond(msgStalled(r.svc.Name))
	case !halted && r.plan.Empty() && cs.inflight == 0 && len(cs.old)+len(cs.unhealthy)+len(cs.drainNow) == 0 &&
		len(cs.primary) == desired+extra && cs.primaryHealthy >= desired:
		// Steady, or steady but for rebalancing's extra task.
		if extra == 0 {
			r.complete()
		}
		if r.svc.rebalancing() && len(r.st.Deployments) == 1 && r.primary().RolloutState == Completed {
			if _, err := r.rebalance(cs, desired, upper); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebalanceExtra returns 1 while Availability Zone rebalancing's extra
// task runs beside a steady service (it is not an excess to scale in),
// else 0, forgetting a rebalancing step that a deployment, a new desired
// count or the task's loss interrupted.
func (r *reconciler) rebalanceExtra(cs *census, desired int) int {
	rb := r.st.Rebalance
	if rb == nil || rb.Task == "" {
		return 0
	}
	if r.primary().RolloutState == Completed && len(r.st.Deployments) == 1 && len(cs.primary) == desired+1 {
		for _, i := range cs.primary {
			if r.obs.Tasks[i].ID == rb.Task {
				return 1
			}
		}
	}
	*rb = Rebalance{}
	return 0
}

// replaceOld stops the tasks being replaced: those not yet healthy at
// once, the healthy ones as far as minimumHealthyPercent allows. Protected
// tasks stay. It returns how many RUNNING tasks it stopped.
func (r *reconciler) replaceOld(cs *census, budget int) int {
	var ready []int
	n := 0
	for _, i := range cs.old {
		t := &r.obs.Tasks[i]
		if t.protected(r.now) {
			continue
		}
		if r.health(t) == healthy {
			ready = append(ready, i)
			continue
		}
		r.stop(i, r.replaceReason(t))
		if t.LastStatus == Running {
			n++
		}
	}
	k := min(len(ready), budget)
	if k <= 0 {
		return n
	}
	if k < len(ready) {
		r.stopOrder(ready)
	}
	for _, i := range ready[:k] {
		r.stop(i, r.replaceReason(&r.obs.Tasks[i]))
	}
	cs.healthy -= k
	return n + k
}

func (r *reconciler) replaceReason(t *Task) string {
	if in := r.c.TaskInstance(t.Placement); in.Status != placement.StatusActive {
		return reasonDraining(in)
	}
	return r.scaling()
}

// stopUnhealthy stops unhealthy tasks once enough healthy tasks replace
// them; when maximumPercent leaves no room for replacements, it stops one
// at a time, keeping minimumHealthyPercent of desired RUNNING.
func (r *reconciler) stopUnhealthy(cs *census, desired, lower, unstarted, room, stoppedRunning int) {
	u := len(cs.unhealthy)
	if u == 0 {
		return
	}
	n := min(max(cs.healthy-desired+u, 0), u)
	if n == 0 && unstarted > 0 && room <= 0 && cs.inflight == 0 && len(r.plan.Stops) == 0 &&
		cs.running-stoppedRunning-1 >= lower {
		n = 1
	}
	p := r.primary()
	for _, i := range cs.unhealthy[:n] {
		r.stop(i, r.unhealthyReason())
		if r.cbEnabled() != nil && p.owns(r.obs.Tasks[i].Deployment) && p.RolloutState == InProgress {
			p.FailedTasks++ // stage 2: counted when the scheduler stops it
		}
	}
}

// scaleIn stops the primary deployment's tasks beyond the desired count.
// Tasks that are not healthy go first: unhealthy ones still in their grace
// period, then those not yet RUNNING, then those not yet
// counted healthy; then the placement strategies choose among the healthy
// ones (placement.SelectStop), so that a scale-in never stops a healthy
// task while an unready one is left. Protected tasks are not candidates.
// With a capacity provider strategy, the healthy tasks to stop come from
// each provider as Service.Shed says (those on no provider of the
// strategy first), chosen within it by the placement strategies.
func (r *reconciler) scaleIn(cs *census, desired int) error {
	excess := len(cs.primary) - desired
	if excess <= 0 {
		return nil
	}
	reason := r.scaling()
	ids, unready, index := r.scaleInScratch()
	for _, i := range cs.primary {
		t := &r.obs.Tasks[i]
		switch {
		case t.protected(r.now):
		case r.health(t) == healthy:
			ids = append(ids, t.Placement)
			index[t.Placement] = i
		case r.svc.healthChecked() && t.Health == HealthUnhealthy:
			unready[0] = append(unready[0], i)
		case t.LastStatus != Running:
			unready[1] = append(unready[1], i)
		default:
			unready[2] = append(unready[2], i)
		}
	}
	r.scratch.inIDs, r.scratch.unready = ids, unready // their grown arrays, for the next call
	for _, u := range unready {
		for _, i := range u {
			if excess == 0 {
				return nil
			}
			r.stop(i, reason)
			excess--
		}
	}
	if excess <= 0 || len(ids) == 0 {
		return nil
	}
	cps := r.svc.CapacityProviderStrategy
	if len(cps) == 0 || len(cps) == 1 && r.allOn(ids, 0) {
		return r.selectStops(ids, excess, index, reason)
	}
	// The split counts every primary task left on a provider; the stops
	// come from its healthy ones.
	have := make([]int, len(cps))
	for _, i := range cs.primary {
		if k := r.svc.providerOf(r.c.TaskInstance(r.obs.Tasks[i].Placement)); k >= 0 && !r.stopped[i] {
			have[k]++
		}
	}
	by := make([][]placement.TaskID, len(cps)+1)
	for _, id := range ids {
		k := r.svc.providerOf(r.c.TaskInstance(id))
		if k < 0 {
			k = len(cps)
		}
		by[k] = append(by[k], id)
	}
	off := min(excess, len(by[len(cps)]))
	if err := r.selectStops(by[len(cps)], off, index, reason); err != nil {
		return err
	}
	for k, n := range r.svc.Shed(have, excess-off) {
		if err := r.selectStops(by[k], min(n, len(by[k])), index, reason); err != nil {
			return err
		}
	}
	return nil
}

// scaleInScratch returns scaleIn's candidate slices and index, emptied,
// from the call's scratch.
func (r *reconciler) scaleInScratch() ([]placement.TaskID, [3][]int, map[placement.TaskID]int) {
	sc := r.scratch
	if sc.inIndex == nil {
		sc.inIndex = map[placement.TaskID]int{}
	}
	clear(sc.inIndex)
	u := sc.unready
	return sc.inIDs[:0], [3][]int{u[0][:0], u[1][:0], u[2][:0]}, sc.inIndex
}

// selectStops stops n of the healthy tasks ids, as the placement
// strategies choose (placement.SelectStop).
func (r *reconciler) selectStops(ids []placement.TaskID, n int, index map[placement.TaskID]int, reason string) error {
	if n <= 0 {
		return nil
	}
	strategies := r.svc.PlacementStrategy
	if len(strategies) == 0 {
		strategies = defaultStrategies
	}
	chosen, err := placement.SelectStop(r.c, ids, n, strategies, r.rng)
	if err != nil {
		return err
	}
	for _, id := range chosen {
		r.stop(index[id], reason)
	}
	return nil
}
