package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
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

// quietMemo is what a service's last reconciliation saw when it changed
// nothing: an empty plan without events or a launch wake-up, the state it
// returned equal to the one it was given, no random draw, no task missing
// (so nothing to place: placement reads the whole fleet) and every task
// on an ACTIVE instance. scheduler.Reconcile is a function of its inputs;
// in that case it reads nothing else that can change but the time, and
// the time only where a threshold passes (until): a task counting as
// healthy 40 seconds after it started, a scale-in protection ending, the
// launch back-off ending, a condition event's EventRepeat. So a later
// reconciliation with the same specification, tasks and zones, every task
// still on an ACTIVE instance and nothing STOPPED since, before until,
// would change nothing either, and is skipped: most of a large plan's
// reconciliations are of steady services after a fleet change, or of
// services waiting for their tasks to start.
type quietMemo struct {
	ok    bool
	sched *scheduler.Service
	tasks []scheduler.Task // Observed.Tasks
	zones []string         // Observed.Zones, a set
	nilZ  bool             // Observed.Zones was nil
	until time.Duration    // when a repeated condition event is due again
}

// quiet reports whether reconciling the service, in zones, would change
// nothing, by its memo. It reads the tasks themselves: most
// reconciliations after a fleet change are skipped, and need no Observed.
func (sv *services) quiet(st *svcState, zones []string) bool {
	q := &st.quiet
	if quietOff || !q.ok || q.sched != st.sched || len(st.stopped) > 0 || sv.eng.Now() >= q.until ||
		q.nilZ != (zones == nil) || !sameZones(q.zones, zones) || len(q.tasks) != len(st.tasks) {
		return false
	}
	for i, t := range st.tasks {
		if t.t != q.tasks[i] {
			return false
		}
	}
	return sv.allActive(q.tasks)
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

// allActive reports whether every task is on an ACTIVE instance: a
// draining one has its tasks replaced.
func (sv *services) allActive(tasks []scheduler.Task) bool {
	for i := range tasks {
		if in := sv.fleet.cluster.TaskInstance(tasks[i].Placement); in == nil || in.Status != placement.StatusActive {
			return false
		}
	}
	return true
}

// remember records the memo of a reconciliation that was given obs and
// from state, drew draws random numbers and returned plan (applied), or
// forgets the memo when the reconciliation changed something.
func (sv *services) remember(st *svcState, obs *scheduler.Observed, from *scheduler.State, draws uint64, plan *scheduler.Plan) {
	q := &st.quiet
	q.ok = false
	// A daemon's desired count is the fleet's eligible instances, and
	// without zones a rebalancing service reads the fleet: neither is
	// a function of what the memo keeps.
	if st.daemon || obs.Zones == nil && st.sched.AvailabilityZoneRebalancing != scheduler.AZRebalancingDisabled ||
		draws != 0 || !plan.Empty() || len(plan.Events) > 0 || !plan.TokenAt.IsZero() || len(obs.Stopped) > 0 ||
		st.short > 0 || !sameState(from, &plan.State) || !sv.allActive(obs.Tasks) {
		return
	}
	until, ok := sv.quietUntil(st, obs.Tasks, &plan.State)
	if !ok {
		return
	}
	q.ok, q.sched, q.nilZ, q.until = true, st.sched, obs.Zones == nil, until
	q.zones = append(q.zones[:0], obs.Zones...)
	// The memo takes the observed tasks; the next Observed is built in the
	// memo's old array.
	q.tasks, st.observed.Tasks = obs.Tasks, q.tasks[:0]
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
		a.NextLaunch == b.NextLaunch && a.Rebalance == nil && b.Rebalance == nil &&
		slices.Equal(a.Deployments, b.Deployments) && slices.Equal(a.Reported, b.Reported)
}

// quietChecked counts the skipped reconciliations checked.
var quietChecked int

// quietOff, set by tests, reconciles every time.
var quietOff bool

// selfCheck, set by tests, checks the run's incremental state against
// its plain recomputation: every skipped reconciliation runs anyway and
// fails the run unless it changed nothing, and every minute recounts the
// services' RUNNING reservations.
var selfCheck bool

// checkQuiet runs the reconciliation quiet skipped and fails the run when
// it would have changed something.
func (sv *services) checkQuiet(st *svcState, obs *scheduler.Observed) {
	quietChecked++
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
