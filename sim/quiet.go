package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
	"github.com/berthsched/berth/sim/scenario"
)

// countingSource is the run's random source, counting its draws so that
// the services can tell a reconciliation that drew nothing: skipping a
// reconciliation that would have drawn would shift every later draw.
type countingSource struct {
	src   *rand.PCG
	draws uint64
}

func (s *countingSource) Uint64() uint64 {
	s.draws++
	return s.src.Uint64()
}

// quietMemo is what a service's last reconciliation saw when it left the
// service settled: an empty plan without a launch wake-up, the state it
// returned the one it was given but for the condition events it raised
// and the deployments' counts (scheduler.Plan.Settled: reconciling that
// state again would return it unchanged, without events), no random
// draw, no task missing (so nothing to place: placement reads the whole
// fleet) and every task on an ACTIVE instance. Such a plan mostly only
// raised the steady state event, after a scaling's tasks started or
// stopped. scheduler.Reconcile is a function of its inputs;
// in that case it reads nothing else that can change but the time, and
// the time only where a threshold passes (until): a task counting as
// healthy 40 seconds after it started, a scale-in protection ending, the
// launch back-off ending, a condition event's EventRepeat. So a later
// reconciliation with the same specification, tasks and zones, every task
// still on an ACTIVE instance and nothing STOPPED since, before until,
// would change nothing either, and is skipped: most of a large plan's
// reconciliations are of steady services after a fleet change, or of
// services waiting for their tasks to start.
//
// A service that lacks tasks the fleet cannot hold (short) is idle too
// when its reconciliation only failed to place them, its "unable to
// place" condition already in force: Place then drew nothing, and
// placing again gives the same failure, so the same condition, until
// the cluster changes so that the request fits or its closest instance
// or reason differ (placement.Cluster.FailsAgain from the generation
// gen). How many tasks the launch tokens let it start does not matter:
// the first that fails gives the condition, and the tokens only grow
// while nothing starts. Services split among several providers place
// several requests of one group, which the cluster remembers one
// failure for: they are not skipped. A steady service between the
// steps of a zone rebalancing that could not start its task in the light
// zone is idle the same way: that request is its group's last Place, and
// its failure is the one checked. In an overloaded fleet nearly every
// reconciliation is an idle one.
type quietMemo struct {
	// The fields idleTick reads come first, in one or two cache lines.
	ok    bool
	nilZ  bool // Observed.Zones was nil
	sched *scheduler.Service
	until time.Duration // when a repeated condition event is due again
	// placing: the service lacked tasks, its failure to place them
	// remembered at the cluster's generation gen for group (the
	// service's placement group).
	placing bool
	// settled: the reconciliation raised a condition, counted the tasks
	// again or saw a task STOPPED (not only an unchanged state), for the
	// self-check's count.
	settled bool
	gen     uint64
	fail    placement.Failure // the cluster's handle on it
	// taskGen, deacts and zonesEpoch are the service's taskGen, the
	// cluster's Deactivations and the service's zonesEpoch when the
	// memo's tasks, their instances' statuses and zones were last found
	// the same: while they stay so, quiet need not compare them again.
	taskGen, deacts, zonesEpoch uint64
	group                       string
	tasks                       []scheduler.Task // Observed.Tasks
	// ids are tasks' placement ids, which allActive reads after every
	// deactivation in the fleet: eight bytes a task, not a Task's lines.
	ids   []placement.TaskID
	zones []string // Observed.Zones, a set
}

// quiet reports whether reconciling the service, in zones, would change
// nothing, by its memo. It reads the tasks themselves: most
// reconciliations after a fleet change are skipped, and need no Observed.
func (sv *services) quiet(st *svcState, zones []string) bool {
	q := &st.quiet
	if quietOff || !q.ok || q.sched != st.sched || len(st.stopped) > 0 || sv.eng.Now() >= q.until ||
		q.nilZ != (zones == nil) || !sv.sameTasks(st) {
		return false
	}
	// zonesOf gives the same zones for the same specification until the
	// index is rebuilt.
	if q.zonesEpoch != st.zonesEpoch {
		if !sameZones(q.zones, zones) {
			return false
		}
		q.zonesEpoch = st.zonesEpoch
	}
	// A task's instance changes status only by Update, and leaves ACTIVE
	// only by a deactivation: instances that register do not count.
	if d := sv.fleet.cluster.Deactivations(); q.deacts != d {
		active := sv.allActiveIDs(q.ids)
		if selfCheck && active != sv.allActive(q.tasks) {
			sv.fail(fmt.Errorf("sim: service %s: the memo's task ids say all ACTIVE %v, its tasks %v", st.spec.Name, active, !active))
		}
		if !active {
			return false
		}
		q.deacts = d
	} else if selfCheck && !sv.allActive(q.tasks) {
		sv.fail(fmt.Errorf("sim: service %s: a task left ACTIVE without a deactivation", st.spec.Name))
	}
	return sv.failsAgain(q)
}

// idleTick runs a periodic reconciliation of st that only failed to
// place again or found nothing to do, like the skipped one before it
// (st.idleOK), without visiting what quiet and applyIdle read but cannot
// have changed: it queues the next one and reports true. In an overloaded
// fleet nearly every periodic reconciliation is such a one, of hundreds
// of services every ReconcileEvery. It holds when quiet would hold with
// nothing compared again: the memo's specification, tasks, zones (zonesOf
// would give the memo's, from the same index) and instance statuses
// (no Deactivations) are the service's, no task STOPPED and until not reached, and
// the failure to place fails again (the one check that reads the
// cluster). Then quiet would skip the reconciliation, and applyIdle,
// with the state, shortfall and tasks of the last skipped one (which
// apply and shortfall would have changed, clearing idleOK), would only
// queue the next: no Fargate capacity to top up, not steady. Without
// daemon services, whose queued reconciliations a replica service's
// runs first, nothing else is done. Under selfCheck the reconciliation
// runs anyway, and the run fails unless quiet skipped it too.
func (sv *services) idleTick(st *svcState) bool {
	q := &st.quiet
	if !st.idleOK || quietOff || !q.ok || q.sched != st.sched || len(st.stopped) > 0 || sv.eng.Now() >= q.until ||
		q.taskGen != st.taskGen || st.zonesFor != st.sched || !sv.zonesValid || st.zonesEpoch != sv.zonesEpoch ||
		q.zonesEpoch != st.zonesEpoch || q.deacts != sv.fleet.cluster.Deactivations() || sv.svcs[0].daemon || !sv.failsAgain(q) {
		return false
	}
	if selfCheck {
		idleTicks.Add(1)
		sv.mustQuiet = true
		sv.reconcile(st)
		sv.mustQuiet = false
		if !st.ticking {
			sv.fail(fmt.Errorf("sim: service %s: a periodic reconciliation skipped as idle queued no next one", st.spec.Name))
		}
		return true
	}
	st.ticking = true
	sv.eng.AfterLane(time.Duration(sv.sc.ReconcileEvery), st.periodic)
	return true
}

// sameTasks reports whether the service's tasks are the memo's, comparing
// them only when taskGen moved since they last were.
func (sv *services) sameTasks(st *svcState) bool {
	q := &st.quiet
	if q.taskGen == st.taskGen {
		return true
	}
	if len(q.tasks) != len(st.tasks) {
		return false
	}
	for i, t := range st.tasks {
		if t.t != q.tasks[i] {
			return false
		}
	}
	q.taskGen = st.taskGen
	return true
}

// failsAgain reports whether the failure to place of the memo q, if it
// has one, would be the same now, moving q's generation up when it is.
func (sv *services) failsAgain(q *quietMemo) bool {
	c := sv.fleet.cluster
	if !q.placing || q.gen == c.Generation() {
		return true
	}
	if !c.FailsAgainOf(q.fail, q.group, q.gen) {
		return false
	}
	q.gen = c.Generation()
	return true
}

// sameZones reports whether a and b hold the same zones: Reconcile reads
// them as a set (it sorts them), while the fleet's index lists them in
// the order its instances come.
func sameZones(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, z := range a {
		if !slices.Contains(b, z) {
			return false
		}
	}
	return true
}

// allActiveIDs is allActive for the tasks' placement ids.
func (sv *services) allActiveIDs(ids []placement.TaskID) bool {
	c := sv.fleet.cluster
	for _, id := range ids {
		if found, active := c.TaskActive(id); !found || !active {
			return false
		}
	}
	return true
}

// allActive reports whether every task is on an ACTIVE instance: a
// draining one has its tasks replaced.
func (sv *services) allActive(tasks []scheduler.Task) bool {
	for i := range tasks {
		if found, active := sv.fleet.cluster.TaskActive(tasks[i].Placement); !found || !active {
			return false
		}
	}
	return true
}

// remember records the memo of a reconciliation that was given obs and
// from state, drew draws random numbers and returned plan (applied), or
// forgets the memo when the reconciliation did not leave the service
// settled.
func (sv *services) remember(st *svcState, obs *scheduler.Observed, from *scheduler.State, draws uint64, plan *scheduler.Plan) {
	q := &st.quiet
	q.ok = false
	// A daemon's desired count is the fleet's eligible instances, and
	// without zones a rebalancing service reads the fleet: neither is
	// a function of what the memo keeps.
	// A plan that only raised a condition or counted the tasks again
	// (Settled) leaves a state that the next reconciliation, given it,
	// returns unchanged: the memo holds from now, not from that one.
	if st.daemon || obs.Zones == nil && st.sched.AvailabilityZoneRebalancing != scheduler.AZRebalancingDisabled ||
		draws != 0 || !plan.Settled(from) || st.short > 0 && len(st.sched.CapacityProviderStrategy) > 1 ||
		!sv.allActive(obs.Tasks) {
		return
	}
	until, ok := sv.quietUntil(st, obs.Tasks, &plan.State)
	if !ok || st.obsGen != st.taskGen {
		return
	}
	// Between the steps of a zone rebalancing, a steady service asks to
	// place its rebalancing task in the light zone, the last Place of
	// its group in a reconciliation: when that failed, the cluster's
	// failure for the group is that request's (or none that FailsAgain
	// answers for, when it was not memorable), checked like a shortfall.
	placing := st.short > 0 || plan.State.Rebalance != nil && plan.State.Rebalance.Task == ""
	if placing && (q.group == "" || q.sched != st.sched) {
		q.group = st.sched.Group()
	}
	q.ok, q.sched, q.nilZ, q.until = true, st.sched, obs.Zones == nil, until
	q.placing, q.gen = placing, sv.fleet.cluster.Generation()
	if selfCheck {
		q.settled = len(plan.Events) > 0 || len(obs.Stopped) > 0 || !sameState(from, &plan.State)
	}
	q.fail = placement.Failure{}
	if q.placing {
		q.fail = sv.fleet.cluster.Failed(q.group)
		if g := q.fail.Group(); g == q.group {
			q.group = g // the failure's own string: FailsAgainOf compares it by pointer first
		}
	}
	q.zones = append(q.zones[:0], obs.Zones...)
	// The memo copies the observed tasks, which the next observe after a
	// change rewrites, unless it holds them already: its tasks are those
	// as of its taskGen (sameTasks moves it only when they are the same),
	// and obs's are as of the service's.
	if q.taskGen != st.taskGen {
		q.tasks = append(q.tasks[:0], obs.Tasks...)
		if cap(q.ids) < len(q.tasks) {
			q.ids = make([]placement.TaskID, 0, cap(q.tasks)) // grows as q.tasks does
		}
		q.ids = q.ids[:0]
		for i := range obs.Tasks {
			q.ids = append(q.ids, obs.Tasks[i].Placement)
		}
	} else if selfCheck && !slices.Equal(q.tasks, obs.Tasks) {
		sv.fail(fmt.Errorf("sim: service %s: the memo's tasks as of taskGen %d differ from the observed ones", st.spec.Name, st.taskGen))
	}
	q.taskGen, q.deacts, q.zonesEpoch = st.taskGen, sv.fleet.cluster.Deactivations(), st.zonesEpoch
}

// quietUntil returns when the passing time next changes what a
// reconciliation of tasks with state decides, as the engine's time; ok
// is false when an unhealthy task's grace period decides it (rare: not
// worth following).
func (sv *services) quietUntil(st *svcState, tasks []scheduler.Task, state *scheduler.State) (until time.Duration, ok bool) {
	now, start := sv.wall(), sv.sc.StartTime()
	until = time.Duration(1<<63 - 1)
	at := func(t time.Time) {
		if t.After(now) {
			until = min(until, t.Sub(start))
		}
	}
	for _, e := range state.Reported {
		at(e.At.Add(scheduler.EventRepeat))
	}
	at(state.NextLaunch)
	checked := st.sched.HealthChecked || len(st.sched.LoadBalancers) > 0
	for i := range tasks {
		t := &tasks[i]
		at(t.ProtectedUntil)
		switch {
		case checked && t.Health == scheduler.HealthUnhealthy:
			return 0, false
		case !checked && t.LastStatus == scheduler.Running:
			at(t.StartedAt.Add(scheduler.NoHealthCheckDelay))
		}
	}
	return until, true
}

// sameState reports whether b equals a, field by field (times as ==,
// stricter than Equal).
func sameState(a, b *scheduler.State) bool {
	return a.LastCompleted == b.LastCompleted && a.LaunchFailures == b.LaunchFailures && a.LastFailure == b.LastFailure &&
		a.NextLaunch == b.NextLaunch && (a.Rebalance == nil) == (b.Rebalance == nil) && (a.Rebalance == nil || *a.Rebalance == *b.Rebalance) &&
		slices.Equal(a.Deployments, b.Deployments) && slices.Equal(a.Reported, b.Reported)
}

// quietChecked counts the skipped reconciliations checked, and
// idleChecked those of services that lacked tasks they could not place.
var quietChecked, idleChecked atomic.Int64 // runs of a Compare are concurrent

// rebalanceChecked counts the skipped reconciliations checked of services
// with a zone rebalancing under way.
var rebalanceChecked atomic.Int64

// settledChecked counts the skipped reconciliations checked whose memo a
// settled plan that changed something made (quietMemo.settled).
var settledChecked atomic.Int64

// recycledTasks counts, under selfCheck, the starts given the record of
// an exited task.
var recycledTasks atomic.Int64

// idleTicks counts the periodic reconciliations idleTick skipped.
var idleTicks atomic.Int64

// quietOff, set by tests, reconciles every time.
var quietOff bool

// recycleOff, set by tests, gives every started task a new record.
var recycleOff bool

// selfCheck, set by tests, checks the run's incremental state against
// its plain recomputation: every skipped reconciliation runs anyway and
// fails the run unless it changed nothing, and every minute recounts the
// services' RUNNING reservations.
var selfCheck bool

// checkQuiet runs the reconciliation quiet skipped and fails the run when
// it would have changed something.
func (sv *services) checkQuiet(st *svcState, obs *scheduler.Observed) {
	quietChecked.Add(1)
	if st.quiet.placing {
		idleChecked.Add(1)
	}
	if st.state.Rebalance != nil {
		rebalanceChecked.Add(1)
	}
	if st.quiet.settled {
		settledChecked.Add(1)
	}
	draws := sv.src.draws
	plan, err := scheduler.Reconcile(st.sched, obs, sv.wall(), sv.fleet.cluster, sv.rng)
	if err == nil && (sv.src.draws != draws || !plan.Empty() || len(plan.Events) > 0 || !plan.TokenAt.IsZero() || !sameState(&st.state, &plan.State)) {
		err = fmt.Errorf("drew %d, %d starts, %d stops, events %v, state %+v, want %+v",
			sv.src.draws-draws, len(plan.Starts), len(plan.Stops), plan.Events, plan.State, st.state)
	}
	if err != nil {
		sv.fail(fmt.Errorf("sim: service %s: a skipped reconciliation: %w", st.spec.Name, err))
	}
}

// checkZones rebuilds the zone index the plain way, from each instance's
// attribute, and fails the run when the index differs.
func (sv *services) checkZones() {
	want := map[string][]string{}
	for _, in := range sv.fleet.cluster.Instances() {
		if in.Status != placement.StatusActive {
			continue
		}
		p := sv.providers.instanceProvider(in)
		if p == scenario.ProviderFargate || p == scenario.ProviderFargateSpot {
			continue
		}
		zone := sv.fleet.info[in.Index()].zone
		for _, k := range [2]string{p, "*"} {
			if !slices.Contains(want[k], zone) {
				want[k] = append(want[k], zone)
			}
		}
	}
	for k, v := range sv.zones {
		if !slices.Equal(v, want[k]) {
			sv.fail(fmt.Errorf("sim: the zone index of %q is %v, want %v", k, v, want[k]))
		}
	}
	for k := range want {
		if _, ok := sv.zones[k]; !ok {
			sv.fail(fmt.Errorf("sim: the zone index lacks %q (want %v)", k, want[k]))
		}
	}
}

// checkShortfall recounts the shortfall a skipped reconciliation left
// standing and fails the run when it differs. Services with Fargate
// capacity are not recounted: shortfall provisions it too.
func (sv *services) checkShortfall(st *svcState) {
	short, per := st.short, make([]int, len(st.providers))
	for i, pr := range st.providers {
		if pr.isFargate() {
			return
		}
		per[i] = pr.short
	}
	sv.shortfall(st)
	for i, pr := range st.providers {
		if pr.short != per[i] {
			short = -1
		}
	}
	if short != st.short {
		sv.fail(fmt.Errorf("sim: service %s: a skipped reconciliation left the shortfall %d %v, recounted %d", st.spec.Name, short, per, st.short))
	}
}
