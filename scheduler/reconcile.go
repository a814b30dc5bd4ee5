package scheduler

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/berthsched/berth/placement"
)

// MaxLaunchBackoff caps the wait between launch attempts of a service whose
// tasks keep stopping before they reach RUNNING.
const MaxLaunchBackoff = 15 * time.Minute

// LaunchBackoff returns how long a service waits before starting tasks
// again after failures consecutive tasks stopped before reaching RUNNING:
// 0 without failures, then 10 s doubling with each failure, at most
// MaxLaunchBackoff. (ECS publishes only the cap; the steps are berth's.)
func LaunchBackoff(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	if failures > 10 {
		return MaxLaunchBackoff
	}
	return min(10*time.Second<<(failures-1), MaxLaunchBackoff)
}

// Reconcile compares a service's specification with what is observed and
// returns the plan that moves it toward the specification: the tasks to
// start (already placed, and reserved in c), the tasks to stop with their
// stoppedReason, the service events ECS would emit, and the state to pass
// to the next call in Observed.State.
//
// Reconcile is a function of its arguments: it reads the time only from
// now and draws randomness only from rng (to break placement ties and to
// name new tasks and deployments). It changes c only by placing the plan's
// starts. The error is for an invalid service; an outcome such as "no
// instance can take the task" is a plan with an event.
//
// Reconcile validates svc unless it is the service the call that returned
// obs.State validated: the same field values, with pointers and slices
// pointing to the same things (the integers behind DesiredCount and the
// percents may change in place). Change a task definition, constraint or
// other pointed-to value by giving svc a new one, not by writing into it.
//
// With obs.Plan set, the plan returned is that one, overwritten.
func Reconcile(svc *Service, obs *Observed, now time.Time, c *placement.Cluster, rng *rand.Rand) (*Plan, error) {
	valid, count, err := validated(svc, &obs.State)
	if err != nil {
		return nil, err
	}
	sc := scratches.Get().(*scratch)
	defer sc.put()
	// The reconciler is the scratch's: its census and stopped slices keep
	// their capacity from call to call; nothing else carries over.
	r := &sc.rec
	plan := obs.Plan
	if plan == nil {
		plan = new(Plan)
	}
	*plan = Plan{State: obs.State.cloneInto(sc.deps), Starts: plan.Starts[:0], Stops: plan.Stops[:0], Events: plan.Events[:0]}
	*r = reconciler{svc: svc, obs: obs, now: now, c: c, rng: rng, plan: plan,
		scratch: sc, res: &sc.res, stopped: r.stopped[:0], conds: r.conds[:0], cs: census{primary: r.cs.primary[:0],
			old: r.cs.old[:0], unhealthy: r.cs.unhealthy[:0], drainNow: r.cs.drainNow[:0], why: r.cs.why[:0]}}
	r.st = &r.plan.State
	r.st.valid, r.st.validCount = valid, count
	r.healthThresholds()
	r.deploy()
	r.countStopped()
	if svc.strategy() == Daemon {
		err = r.daemon()
	} else {
		err = r.replica()
	}
	if err != nil {
		r.plan.Discard(c)
		return nil, err
	}
	r.finish()
	return r.plan, nil
}

// validated returns svc as validated, and its desired count (intOr):
// st's if svc is the service st's call validated but for its count, and
// the count is valid (0 or more, or any for a DAEMON, which ignores it);
// otherwise it validates svc, for its error or a new checked.
func validated(svc *Service, st *State) (*checked, int, error) {
	count := intOr(svc.DesiredCount)
	if st.valid.same(svc) && (count == st.validCount || count >= 0) {
		return st.valid, count, nil
	}
	if err := svc.Validate(); err != nil {
		return nil, 0, err
	}
	if st.valid.same(svc) { // a DAEMON's negative count
		return st.valid, count, nil
	}
	return checkedOf(svc), count, nil
}

// scratch is what one Reconcile call uses and no plan keeps: the request
// it places and the placement's result. A service that cannot be placed
// asks for its missing tasks every reconciliation; a fresh Result would
// grow to that many Unplaced each time.
type scratch struct {
	rec reconciler
	req placement.Request
	res placement.Result
	msg []byte // condBytes's message
	// deps holds the plan's deployments until finish gives the plan its
	// own (or the observed state's, unchanged).
	deps []Deployment
	// scaleIn's healthy candidates, their observed indexes and the
	// unready ones: a service scaling in every few minutes built a new
	// map of its tasks each time.
	inIDs   []placement.TaskID
	inIndex map[placement.TaskID]int
	unready [3][]int
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// put returns s to the pool, emptied but with its capacity. What the
// slices still point to (instances, expressions) the pool keeps only until
// a garbage collection or two empties it; clearing them would cost a
// failing service's every reconciliation a pass over its Unplaced.
func (s *scratch) put() {
	s.rec = reconciler{stopped: s.rec.stopped, conds: s.rec.conds, cs: s.rec.cs} // drop the call's service, plan and cluster
	s.res.Placed, s.res.Unplaced = s.res.Placed[:0], s.res.Unplaced[:0]
	s.req = placement.Request{Constraints: s.req.Constraints[:0]}
	scratches.Put(s)
}

// request returns the scratch request for count tasks of td (with extra,
// when not nil), valid until the next call.
func (r *reconciler) request(td *placement.TaskDefinition, count int, extra *placement.Constraint) *placement.Request {
	v := r.st.valid
	if td != v.svc.TaskDefinition { // a rollback's, or an old deployment's
		r.scratch.req = r.svc.buildRequest(r.scratch.req.Constraints, td, count, extra)
		return &r.scratch.req
	}
	r.scratch.req = r.svc.buildRequestOf(r.scratch.req.Constraints, td, v.task, v.group, count, extra)
	return &r.scratch.req
}

// reconciler holds one Reconcile call.
type reconciler struct {
	svc  *Service
	obs  *Observed
	now  time.Time
	c    *placement.Cluster
	rng  *rand.Rand
	plan *Plan
	st   *State

	conds     []Event           // condition events raised this call
	reason    string            // the scaling stoppedReason, made once
	reasonFor string            // the deployment it names
	stopped   []bool            // per observed task: stopped by this plan
	scratch   *scratch          // from scratches, returned when the call ends
	res       *placement.Result // &scratch.res
	cs        census            // REPLICA: the tasks sorted by takeCensus
	desired   int               // the desired count (DAEMON: eligible instances)
	// health's thresholds, made once per call instead of a time.Time
	// subtraction per task: a task started at or before settled is past
	// NoHealthCheckDelay, one started at or before graceEnd past the
	// service's grace period.
	checks            bool // svc.healthChecked()
	settled, graceEnd time.Time
	// rebalanced: the plan's start or stop is Availability Zone
	// rebalancing's, which has an event of its own.
	rebalanced bool
}

func (r *reconciler) primary() *Deployment { return &r.st.Deployments[0] }

// scaling returns the stoppedReason of deployment and scale-in stops,
// naming the primary deployment.
func (r *reconciler) scaling() string {
	if id := r.primary().ID; r.reasonFor != id {
		r.reason, r.reasonFor = reasonScaling(id), id
	}
	return r.reason
}

// deploy starts a deployment when the service's task definition or
// ForceNewDeployment differs from the primary deployment's.
func (r *reconciler) deploy() {
	p := r.st.Primary()
	// The deployments made here take the validated service's spec string,
	// so that this comparison usually finds the same string, not equal
	// bytes.
	spec := r.st.valid.spec
	if p != nil && p.Spec == spec && p.Generation == r.svc.ForceNewDeployment {
		if p.RollbackTo == "" {
			p.TaskDefinition = r.svc.TaskDefinition
		}
		return
	}
	if p == nil || tdKey(p.TaskDefinition) != spec {
		r.clearBackoff() // a new task definition ends the throttle at once
	}
	r.newDeployment(Deployment{TaskDefinition: r.svc.TaskDefinition, Spec: spec, Generation: r.svc.ForceNewDeployment})
}

func (r *reconciler) newDeployment(d Deployment) *Deployment {
	if p := r.st.Primary(); p != nil {
		p.Status = DeploymentActive
		p.UpdatedAt = r.now
	}
	d.ID = r.deploymentID()
	d.Status = DeploymentPrimary
	d.RolloutState = InProgress
	if d.RolloutStateReason == "" {
		d.RolloutStateReason = "ECS deployment " + d.ID + " in progress."
	}
	d.CreatedAt, d.UpdatedAt = r.now, r.now
	r.st.Deployments = slices.Insert(r.st.Deployments, 0, d)
	return r.primary()
}

func (r *reconciler) clearBackoff() {
	r.st.LaunchFailures = 0
	r.st.NextLaunch = time.Time{}
}

func (r *reconciler) cbEnabled() *CircuitBreaker {
	if cb := r.svc.DeploymentConfiguration.CircuitBreaker; cb != nil && cb.Enable {
		return cb
	}
	return nil
}

// countStopped feeds the tasks that stopped since the last call to the
// launch back-off and to the circuit breaker.
func (r *reconciler) countStopped() {
	p := r.primary()
	cb := r.cbEnabled()
	for i := range r.obs.Stopped {
		t := &r.obs.Stopped[i]
		if t.launchFailed() {
			r.st.LaunchFailures++
			r.st.LastFailure = r.now
			r.st.NextLaunch = r.now.Add(LaunchBackoff(r.st.LaunchFailures))
			if cb != nil && p.owns(t.Deployment) && !p.RunningSeen {
				p.FailedTasks++ // stage 1: a task failed to reach RUNNING
			}
			continue
		}
		if cb != nil && p.owns(t.Deployment) && p.RunningSeen && t.Health == HealthUnhealthy &&
			t.StopCode != ServiceSchedulerInitiated && t.StopCode != UserInitiated {
			p.FailedTasks++ // stage 2: a RUNNING task failed its health checks
		}
	}
	// Without a back-off there is none to clear: skip the walk.
	for i := 0; i < len(r.obs.Tasks) && (r.st.LaunchFailures != 0 || !r.st.NextLaunch.IsZero()); i++ {
		t := &r.obs.Tasks[i]
		if t.LastStatus == Running && t.StartedAt.After(r.st.LastFailure) {
			r.clearBackoff() // a launch succeeded
			break
		}
	}
	r.stopped = slices.Grow(r.stopped[:0], len(r.obs.Tasks))[:len(r.obs.Tasks)]
	clear(r.stopped)
}

// breaker checks the primary deployment against the circuit breaker's
// threshold, given its healthy tasks and whether one is RUNNING, and fails
// it (and rolls back) when the failures reach the threshold. It reports
// whether it created a rollback deployment.
func (r *reconciler) breaker(desired, healthy int, running bool) bool {
	cb := r.cbEnabled()
	p := r.primary()
	if cb == nil || p.RolloutState != InProgress {
		return false
	}
	if running {
		p.RunningSeen = true
	}
	if cb.resetOnHealthy() && healthy > p.Healthy {
		p.FailedTasks = 0
	}
	p.Healthy = healthy
	if p.FailedTasks < cb.FailureThreshold(desired) {
		return false
	}
	p.RolloutState = Failed
	p.UpdatedAt = r.now
	what, reason := "deployment failed: tasks failed to start.", reasonCBFailed
	if p.RunningSeen {
		what, reason = "deployment failed: tasks failed health checks.", reasonCBUnhealthy
	}
	p.RolloutStateReason = reason
	r.event(msgDeployment(r.svc.Name, p.ID, what))
	last := r.st.LastCompleted
	if !cb.Rollback || last == nil || p.RollbackTo != "" || last.ID == p.ID {
		return false
	}
	failed := *p
	r.newDeployment(Deployment{
		TaskDefinition:     last.TaskDefinition,
		Spec:               failed.Spec,
		Generation:         failed.Generation,
		RollbackTo:         last.ID,
		RolloutStateReason: reasonRollbackPfx + last.ID + ".",
	})
	r.clearBackoff()
	r.event(msgRollback(r.svc.Name, last.ID))
	return true
}

// health says where a task stands for minimumHealthyPercent.
type health uint8

const (
	notYet    health = iota // PENDING, or RUNNING but not yet healthy
	healthy                 // counts toward minimumHealthyPercent
	unhealthy               // failed its health check after the grace period
)

// healthThresholds makes health's thresholds from r.svc and r.now.
func (r *reconciler) healthThresholds() {
	r.checks = r.svc.healthChecked()
	r.settled = r.now.Add(-NoHealthCheckDelay)
	r.graceEnd = r.now.Add(-time.Duration(r.svc.HealthCheckGracePeriodSeconds) * time.Second)
}

func (r *reconciler) health(t *Task) health {
	if t.LastStatus != Running {
		return notYet
	}
	if !r.checks {
		// now - StartedAt >= NoHealthCheckDelay
		if !t.StartedAt.IsZero() && !t.StartedAt.After(r.settled) {
			return healthy
		}
		return notYet
	}
	switch t.Health {
	case HealthHealthy:
		return healthy
	case HealthUnhealthy:
		if !t.StartedAt.After(r.graceEnd) { // now - StartedAt >= the grace period
			return unhealthy
		}
	}
	return notYet
}

// live reports whether the task is still wanted (desiredStatus RUNNING)
// and counts toward maximumPercent (lastStatus RUNNING or PENDING, as
// the ECS API reference defines it, tasks being stopped included).
func live(t *Task) (wanted, counted bool) {
	return t.DesiredStatus != Stopped, t.LastStatus == Running || t.LastStatus.Starting()
}

// stop adds the observed task i to the plan's stops.
func (r *reconciler) stop(i int, reason string) {
	if r.stopped[i] {
		return
	}
	r.stopped[i] = true
	t := &r.obs.Tasks[i]
	r.plan.Stops = append(r.plan.Stops, Stop{ID: t.ID, Placement: t.Placement, Reason: reason})
}

// place starts n tasks of the primary deployment; r.res.Unplaced says
// which could not be placed.
func (r *reconciler) place(n int) error {
	r.res.Placed, r.res.Unplaced = r.res.Placed[:0], r.res.Unplaced[:0]
	if n <= 0 {
		return nil
	}
	n, throttled := r.launchable(n)
	if n == 0 {
		r.launched(0, throttled)
		return nil
	}
	if err := r.placeReq(r.request(r.primary().TaskDefinition, n, nil)); err != nil {
		return err
	}
	r.launched(len(r.res.Placed), throttled)
	return nil
}

// placeSplit starts n tasks of a REPLICA service's primary deployment,
// divided among the providers of its capacity provider strategy
// (Service.Assign, from the primary tasks each already has), each placed
// only on its provider's instances, and raises the "unable to place"
// event for the first task that could not be placed.
func (r *reconciler) placeSplit(n int, cs *census) error {
	cps := r.svc.CapacityProviderStrategy
	if len(cps) == 0 {
		if err := r.place(n); err != nil {
			return err
		}
		if len(r.res.Unplaced) > 0 {
			r.condBytes(appendUnplaced(r.scratch.msg[:0], r.svc.Name, &r.res.Unplaced[0]))
		}
		return nil
	}
	if n <= 0 {
		return nil
	}
	// The service's launch rate applies to the service, whichever
	// provider a task goes to.
	n, throttled := r.launchable(n)
	if n == 0 {
		r.launched(0, throttled)
		return nil
	}
	var one [1]int
	var split []int
	if len(cps) == 1 {
		one[0] = n // one provider takes every task
		split = one[:]
	} else {
		by := r.byProvider(cs.primary)
		have := make([]int, len(cps))
		for i := range cps {
			have[i] = len(by[i])
		}
		split = r.svc.Assign(have, n)
	}
	var first placement.Unplaced // valid when unplaced
	unplaced, placed := false, 0
	for i, k := range split {
		if k == 0 {
			continue
		}
		r.res.Placed, r.res.Unplaced = r.res.Placed[:0], r.res.Unplaced[:0]
		req := r.request(r.primary().TaskDefinition, k, &cps[i].Instances)
		if err := r.placeReq(req); err != nil {
			return err
		}
		placed += len(r.res.Placed)
		if !unplaced && len(r.res.Unplaced) > 0 {
			first, unplaced = r.res.Unplaced[0], true
		}
	}
	r.launched(placed, throttled)
	if unplaced {
		r.condBytes(appendUnplaced(r.scratch.msg[:0], r.svc.Name, &first))
	}
	return nil
}

// placeReq places req and adds what it placed to the plan's starts.
func (r *reconciler) placeReq(req *placement.Request) error {
	p := r.primary()
	if err := r.c.Place(req, r.rng, r.res); err != nil {
		return err
	}
	for _, pl := range r.res.Placed {
		r.plan.Starts = append(r.plan.Starts, Start{
			ID: r.taskID(), Deployment: p.ID, TaskDefinition: p.TaskDefinition, Group: req.Group, Placement: pl,
		})
	}
	return nil
}

// stopOrder sorts deployment and draining candidates: tasks on instances
// that are not ACTIVE first, then the oldest deployment's, then those on
// the instance with the most tasks of the service; ties keep the observed
// order. ECS does not document how it picks them.
func (r *reconciler) stopOrder(cands []int) {
	type key struct {
		i, age, draining, n int
	}
	keys := make([]key, len(cands))
	group := r.svc.Group()
	for k, i := range cands {
		t := &r.obs.Tasks[i]
		in := r.c.TaskInstance(t.Placement)
		age := len(r.st.Deployments)
		for j := range r.st.Deployments {
			if r.st.Deployments[j].owns(t.Deployment) {
				age = j
				break
			}
		}
		d := 0
		if in.Status != placement.StatusActive {
			d = 1
		}
		keys[k] = key{i, age, d, r.c.GroupCount(in, group)}
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		switch {
		case a.draining != b.draining:
			return b.draining - a.draining
		case a.age != b.age:
			return b.age - a.age
		}
		return b.n - a.n
	})
	for k := range keys {
		cands[k] = keys[k].i
	}
}

// event appends an action event (started, stopped, deployment ...).
func (r *reconciler) event(msg string) {
	r.plan.actions++
	r.emit(msg)
}

// emit appends an event, action or condition.
func (r *reconciler) emit(msg string) {
	r.plan.Events = append(r.plan.Events, Event{At: r.now, Message: msg})
}

// cond raises a condition event: emitted unless the same message was
// emitted within EventRepeat and its cause has persisted since.
func (r *reconciler) cond(msg string) {
	r.condBytes(append(r.scratch.msg[:0], msg...))
}

// condBytes is cond for a message built in the scratch buffer, made a
// string only when it is emitted.
func (r *reconciler) condBytes(msg []byte) {
	r.scratch.msg = msg[:0] // keep the grown buffer
	for _, e := range r.conds {
		if e.Message == string(msg) {
			return
		}
	}
	for _, e := range r.obs.State.Reported {
		if e.Message == string(msg) && r.now.Sub(e.At) < EventRepeat {
			r.conds = append(r.conds, e)
			return
		}
	}
	m := string(msg)
	r.conds = append(r.conds, Event{At: r.now, Message: m})
	r.emit(m)
}

// finish adds the started and stopped events (after the deployment and
// condition events), refreshes the deployments'
// counts and drops the deployments that have no task left.
func (r *reconciler) finish() {
	if n := len(r.plan.Starts); n > 0 && !r.rebalanced {
		r.event(msgTaskList(r.svc.Name, "started", "tasks", n, func(i int) string { return r.plan.Starts[i].ID }))
	}
	if n := len(r.plan.Stops); n > 0 && !r.rebalanced {
		r.event(msgTaskList(r.svc.Name, "stopped", "running tasks", n, func(i int) string { return r.plan.Stops[i].ID }))
	}
	if len(r.conds) > 0 {
		r.st.Reported = keepIn(r.conds, r.obs.State.Reported, r.obs.SpareReported)
	}
	ds := r.st.Deployments
	for j := range ds {
		ds[j].PendingCount, ds[j].RunningCount = 0, 0
	}
	var hasBuf [8]bool // no allocation for a few deployments
	has := hasBuf[:0]
	if len(ds) > len(hasBuf) {
		has = make([]bool, len(ds))
	}
	has = has[:len(ds)]
	has[0] = true
	for i := range r.obs.Tasks {
		t := &r.obs.Tasks[i]
		for j := range ds {
			if ds[j].ID == t.Deployment || j == 0 && ds[0].owns(t.Deployment) {
				has[j] = true
				if r.stopped[i] || t.DesiredStatus == Stopped {
					break
				}
				switch {
				case t.LastStatus == Running:
					ds[j].RunningCount++
				case t.LastStatus.Starting():
					ds[j].PendingCount++
				}
				break
			}
		}
	}
	ds[0].PendingCount += len(r.plan.Starts)
	ds[0].DesiredCount = r.desired
	k := 0
	for j := range ds {
		if has[j] {
			ds[k] = ds[j]
			k++
		}
	}
	r.st.Deployments = keepIn(ds[:k], r.obs.State.Deployments, r.obs.Spare)
	r.scratch.deps = ds[:0]
}

// keep returns what a plan's state keeps of s, built in a scratch
// buffer: was, the observed state's, when s equals it (a service that
// nothing changed, reconciled again and again while it cannot be
// placed), else a copy of its own. States share such slices but never
// write into them: cloneInto copies what a plan changes, and leaves no
// room to append into.
func keep[T comparable](s, was []T) []T {
	if slices.Equal(s, was) {
		return was
	}
	return slices.Clip(slices.Clone(s))
}

// keepIn is keep, with the copy made in spare when it has room (see
// Observed.Spare): a caller that reconciles every service again and again
// would otherwise allocate one whenever a count changes.
func keepIn[T comparable](s, was, spare []T) []T {
	if len(s) > 0 && cap(spare) >= len(s) && !slices.Equal(s, was) {
		return slices.Clip(append(spare[:0], s...))
	}
	return keep(s, was)
}

// complete marks the primary deployment COMPLETED once the service is in
// steady state, and raises the steady state event.
func (r *reconciler) complete() {
	p := r.primary()
	if p.RolloutState == InProgress {
		p.RolloutState = Completed
		p.RolloutStateReason = "ECS deployment " + p.ID + " completed."
		p.UpdatedAt = r.now
		d := *p
		r.st.LastCompleted = &d
		r.event(msgDeployment(r.svc.Name, p.ID, "deployment completed."))
	}
	r.condBytes(appendSteady(r.scratch.msg[:0], r.svc.Name))
}

const hexDigits = "0123456789abcdef"

// taskID returns a new task id: 32 hexadecimal digits from rng.
func (r *reconciler) taskID() string {
	var b [32]byte
	for h := 0; h < 2; h++ {
		v := r.rng.Uint64()
		for k := 0; k < 16; k++ {
			b[h*16+k] = hexDigits[v&15]
			v >>= 4
		}
	}
	return string(b[:])
}

// deploymentID returns a new deployment id: "ecs-svc/" and 19 digits.
func (r *reconciler) deploymentID() string {
	return "ecs-svc/" + strconv.FormatInt(1e18+r.rng.Int64N(8e18), 10)
}
