package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
)

// svcState is one service of the scenario through the run: package
// scheduler reconciles it as one service, its capacity provider strategy
// included (one deployment, one circuit breaker count, one event stream).
type svcState struct {
	// The fields the minute reads for every service, every minute, come
	// first, in the order it reads them: together they take a few
	// adjacent cache lines instead of one each across the struct.
	daemon bool
	reads  [metricKinds]bool // the metrics scaler reads: only those are recorded (in series)
	// desiredN is the base's desired count as respecInto, through which
	// every change of the base goes, last found it: the minute reads it
	// for every service, and base's is two pointers away.
	desiredN int
	running  reservation // of the RUNNING tasks
	// belowMinutes counts the minute ticks at which fewer tasks ran than
	// desired (services.minutes counts them all), for the summary.
	belowMinutes int
	usage        *usageModel
	scaler       *autoscale.Scaler
	groups       []*scheduler.TargetGroup // of its loadBalancers
	keep         int                      // datapoints kept per metric
	series       seriesByMetric
	windows      autoscale.Windows // scaler's alarm windows, carried from minute to minute
	sst          autoscale.State
	state        scheduler.State

	spec  *scenario.ServiceSpec
	base  *scheduler.Service // the current specification, as the scenario and its events give it
	sched *scheduler.Service // what Reconcile gets: base, its strategy, off other services' Fargate capacity
	// items is the scheduler's capacity provider strategy, each provider's
	// instances selected by a memberOf on berth.capacity-provider;
	// providers keeps what the run tracks per provider of it.
	items     []scheduler.CapacityProviderStrategyItem
	providers []*svcProvider
	// offFargate keeps the service off other services' Fargate capacity.
	offFargate *placement.Constraint
	fleet      *fleet
	tds        map[string]*scenario.TaskDefSpec // behaviour per "family:revision"
	lastTD     *placement.TaskDefinition        // and the last one behaviour looked up
	lastSpec   *scenario.TaskDefSpec

	// spare and spareReported are Observed.Spare and SpareReported: an
	// older state's deployments and conditions, read by nothing.
	spare         []scheduler.Deployment
	spareReported []scheduler.Event
	tasks         []*svcTask // not yet STOPPED, in start order
	stopped       []scheduler.Task
	// quiet and the fields below it down to periodic are what a periodic
	// reconciliation skipped by idleTick reads: kept together, they are
	// in a few cache lines (hundreds of services, every ReconcileEvery).
	quiet quietMemo
	// taskGen counts the changes to tasks: any task added, removed or
	// changed (quiet compares the tasks only when it moved); obsGen is
	// taskGen as of the last observe.
	taskGen, obsGen uint64
	// zones is zonesOf's answer for the specification zonesFor as of the
	// zone index's rebuild zonesEpoch.
	zones      []string
	zonesFor   *scheduler.Service
	zonesEpoch uint64
	// idleOK: the last reconciliation was skipped (quiet) and only queued
	// the next periodic one, as the next would do while its inputs stay
	// (idleTick). apply and shortfall clear it.
	idleOK  bool
	queued  bool // an immediate reconciliation is queued
	ticking bool // a periodic one is queued
	// now and periodic are the service's reconcileEv of those kinds, made
	// Events once: queued and ticking keep each queued at most once, and
	// scheduling a fresh one would allocate every reconciliation.
	now, periodic Event
	idle          scheduler.Plan // the empty plan of a skipped reconciliation
	// short is how many tasks the service lacks (PROVISIONING with a
	// capacity provider); since holds when each began waiting.
	short int
	since []time.Duration
	// recount: the service is on its fleet's recount list.
	recount bool
	// allRun is allRunning's answer as of taskGen runningGen-1 (0: none).
	allRun     bool
	runningGen uint64

	// launches is the service scheduler's launch rate for the service,
	// whichever provider a task goes to; tokenWake: a reconciliation is
	// queued for its next token.
	launches  scheduler.TokenBucket
	tokenWake bool

	// Figures for the summary.
	started, stoppedN, failedLaunch, lost int
	waits                                 []float64 // seconds from PROVISIONING (or the shortfall) to a start

	// specs are the two buffers setDesired writes the specification in.
	specs    [2]specBuf
	observed scheduler.Observed // reused by every reconcile
}

// svcProvider is one provider of a service's capacity provider strategy:
// how many of the service's missing tasks it should run (PROVISIONING,
// for managed scaling) and, for FARGATE and FARGATE_SPOT, the capacity
// provisioned for them, one instance per task.
type svcProvider struct {
	name    string
	short   int
	fargate []*placement.Instance
	// counted tasks of size countedAs are what managed scaling's count
	// of the provider's waiting tasks holds of this one (providers.waits).
	counted   int
	countedAs autoscale.TaskSize
}

// markRecount puts the service on its fleet's recount list: its waiting
// tasks may have changed since managed scaling counted them.
func (st *svcState) markRecount() {
	if !st.recount {
		st.recount = true
		st.fleet.recount = append(st.fleet.recount, st)
	}
}

func (p *svcProvider) isFargate() bool {
	return p.name == scenario.ProviderFargate || p.name == scenario.ProviderFargateSpot
}

// svcTask is a service task that has not reached STOPPED.
type svcTask struct {
	svc    *svcState
	prov   int // index in svc.providers, -1 without
	t      scheduler.Task
	run    *Run
	inst   *placement.Instance
	td     *scenario.TaskDefSpec
	reason string // the stoppedReason the scheduler gave, when it stopped it
	// registered: a target of the service's target groups; draining:
	// deregistered, waiting out the deregistration delay.
	registered, draining bool
	// code is the stopCode when something other than the scheduler
	// stopped the task (a FARGATE_SPOT interruption).
	code scheduler.StopCode
	// runv is where run points for a task the scheduler started: one
	// allocation for both, at every start.
	runv Run
	// pending counts the events that name the task (taskRunning, target
	// health, deregistered, Spot stop) and are not yet handled; gone: it
	// exited. A gone task's record serves a new start once no event names
	// it (services.free).
	pending int32
	gone    bool
}

// Planner events.
type (
	reconcileEv struct {
		st   *svcState
		kind reconcileKind
	}
	taskRunning  struct{ t *svcTask }
	svcEventEv   struct{ e *scenario.ServiceEvent }
	minuteTick   struct{}
	spotNoticeEv struct{ in *placement.Instance }
	spotKillEv   struct{ in *placement.Instance }
	spotStopEv   struct{ t *svcTask }
	scheduledRun struct{ i int }
	retryEv      struct{}
)

// reconcileKind says which queued reconciliation an event is.
type reconcileKind uint8

const (
	reconcileNow      reconcileKind = iota // after a change, coalesced
	reconcilePeriodic                      // every ReconcileEvery while not steady
	reconcileLater                         // once a task counts as healthy
)

// services is the run's ECS services: each reconciled by package
// scheduler whenever something changes, its tasks started and stopped
// through the executor, its target groups and its scaling. It reads the
// fleet, asks the capacity providers for Fargate capacity and tells them
// what it waits for; out collects its events for the report.
type services struct {
	*core
	fleet      *fleet
	standalone *standalone
	providers  *providers
	svcs       []*svcState
	byName     map[string]*svcState
	byRun      map[string]*svcTask // by run id
	// minutes counts the minute ticks: the same for every service, as
	// every service is there from the start.
	minutes int
	out     *plannerOutput
	// obsTasks is the room of Observed.Tasks when the quiet memo does not
	// hold the tasks: one reconciliation reads it at a time.
	obsTasks []scheduler.Task
	// zones are the zones of the ACTIVE instances per capacity provider
	// ("" the fleet's own; "*" every one but Fargate capacity), for
	// scheduler.Observed.Zones, rebuilt after the fleet changed.
	zones      map[string][]string
	zonesValid bool
	zonesEpoch uint64              // counts the changes of zones
	nextZones  map[string][]string // indexZones' scratch
	// plan is every Observed.Plan: a plan is applied before the next
	// reconciliation (of any service) overwrites it.
	plan scheduler.Plan
	// free holds the records of exited tasks that no event names any
	// more, for new starts (a planner day starts thousands); recycle is
	// whether exited tasks go there: only under the simulated executors,
	// which read no Run once its Exit is handled.
	free    []*svcTask
	recycle bool
	// mustQuiet, under selfCheck: the reconciliation running was skipped
	// by idleTick, and fails the run unless quiet skips it too.
	mustQuiet bool
}

// after schedules ev, which names the task t, after d: t's record is not
// used again before ev is handled (arrived).
func (sv *services) after(d time.Duration, t *svcTask, ev Event) {
	t.pending++
	sv.eng.After(d, ev)
}

// arrived is called first by the handler of an event after scheduled:
// it reports whether t is still the task the event named. When t has
// exited (every handler then does nothing) and this was the last event
// naming it, its record is free for a new start.
func (sv *services) arrived(t *svcTask) bool {
	t.pending--
	if !t.gone {
		return true
	}
	sv.release(t)
	return false
}

// release frees the record of t, gone, unless an event still names it.
func (sv *services) release(t *svcTask) {
	if sv.recycle && t.pending == 0 {
		sv.free = append(sv.free, t)
	}
}

// newTask returns a record for a new task: a freed one, or a new one.
func (sv *services) newTask() *svcTask {
	if n := len(sv.free); n > 0 {
		t := sv.free[n-1]
		sv.free[n-1] = nil
		sv.free = sv.free[:n-1]
		if selfCheck {
			recycledTasks.Add(1)
		}
		return t
	}
	return new(svcTask)
}

func tdKey(td *scenario.TaskDefSpec) string {
	rev := td.Revision
	if rev == 0 {
		rev = 1
	}
	return fmt.Sprintf("%s:%d", td.Family, rev)
}

// respec rebuilds the scheduler's specification from the service's
// base: its capacity provider strategy, and the constraint that keeps it
// off other services' Fargate capacity.
func (st *svcState) respec() { st.respecInto(new(scheduler.Service)) }

// respecInto is respec, building the specification in svc.
func (st *svcState) respecInto(svc *scheduler.Service) {
	if st.sched == nil || st.sched.TaskDefinition != st.base.TaskDefinition {
		st.markRecount()
	}
	if st.base.DesiredCount != nil {
		st.desiredN = *st.base.DesiredCount
	}
	*svc = *st.base
	svc.CapacityProviderStrategy = st.items
	if st.offFargate != nil && !(len(st.providers) > 0 && st.providers[0].isFargate()) {
		svc.PlacementConstraints = append(slices.Clip(svc.PlacementConstraints), *st.offFargate)
	}
	st.sched = svc
}

// strategyItems builds the scheduler's capacity provider strategy of a
// service: each provider's instances are those with its name in
// berth.capacity-provider (for Fargate, also the service's own).
func (f *fleet) strategyItems(name string, s autoscale.CapacityProviderStrategy) ([]scheduler.CapacityProviderStrategyItem, error) {
	var items []scheduler.CapacityProviderStrategyItem
	for _, it := range s {
		expr := "attribute:" + scenario.ProviderAttribute + " == " + it.CapacityProvider
		if it.CapacityProvider == scenario.ProviderFargate || it.CapacityProvider == scenario.ProviderFargateSpot {
			expr += " and attribute:berth.service == " + name
		}
		con, err := f.memberOf(expr)
		if err != nil {
			return nil, err
		}
		items = append(items, scheduler.CapacityProviderStrategyItem{CapacityProvider: it.CapacityProvider, Weight: it.Weight, Base: it.Base, Instances: con})
	}
	return items, nil
}

// startServices queues the first reconciliation of every service and the
// minute tick.
func (sv *services) startServices() {
	for _, st := range sv.svcs {
		sv.queueReconcile(st)
	}
	for i := range sv.sc.ServiceEvents {
		e := &sv.sc.ServiceEvents[i]
		sv.eng.Schedule(time.Duration(e.At), svcEventEv{e})
	}
	if len(sv.svcs) > 0 || len(sv.providers.provs) > 0 {
		sv.eng.Schedule(time.Minute, minuteTick{})
	}
}

// queueReconcile reconciles the service now, once, after the events
// already due at this time.
func (sv *services) queueReconcile(st *svcState) {
	if !st.queued {
		st.queued = true
		sv.eng.After(0, st.now)
	}
}

// changed queues a reconciliation of every service: the fleet or the
// capacity changed. A nil *services (a run without any) does nothing.
func (sv *services) changed() {
	if sv == nil {
		return
	}
	sv.zonesValid = false
	for _, st := range sv.svcs {
		sv.queueReconcile(st)
	}
}

func (c *core) wall() time.Time { return c.sc.StartTime().Add(c.eng.Now()) }

// reconcile runs package scheduler on one service and applies its plan.
// Daemon services waiting for their reconciliation go first, so that a
// new instance's daemon tasks get its resources before replica tasks.
func (sv *services) reconcile(st *svcState) {
	if !st.daemon {
		for _, d := range sv.svcs {
			if !d.daemon {
				break
			}
			if d.queued {
				d.queued = false
				sv.reconcile(d)
			}
		}
	}
	zones := sv.zonesOf(st)
	if sv.quiet(st, zones) {
		if selfCheck {
			sv.checkQuiet(st, sv.observe(st, zones))
		}
		// Nothing it reads changed (see quietMemo): the plan would be
		// empty and the state the same.
		idle := sv.applyIdle(st)
		if selfCheck {
			sv.checkShortfall(st)
		}
		st.idleOK = idle
		return
	}
	if sv.mustQuiet {
		sv.fail(fmt.Errorf("sim: service %s: a periodic reconciliation skipped as idle was not quiet", st.spec.Name))
	}
	obs := sv.observe(st, zones)
	from, draws := st.state, sv.src.draws
	plan, err := scheduler.Reconcile(st.sched, obs, sv.wall(), sv.fleet.cluster, sv.rng)
	if err != nil {
		sv.fail(fmt.Errorf("sim: service %s: %w", st.spec.Name, err))
		return
	}
	sv.apply(st, plan)
	sv.remember(st, obs, &from, sv.src.draws-draws, plan)
	// The deployments of the state before, once the new state no longer
	// shares them, are read by nothing: the next plan's may go there.
	if now := st.state.Deployments; len(now) == 0 || len(from.Deployments) == 0 || &now[0] != &from.Deployments[0] {
		st.spare = from.Deployments
	}
	if now := st.state.Reported; len(now) == 0 || len(from.Reported) == 0 || &now[0] != &from.Reported[0] {
		st.spareReported = from.Reported
	}
}

// apply carries out a reconciliation's plan: its events, stops and
// starts, the launch rate's wake-up, the shortfall and, while the
// service is not steady, the periodic reconciliation.
func (sv *services) apply(st *svcState, plan *scheduler.Plan) {
	st.idleOK = false
	st.stopped = st.stopped[:0]
	st.state = plan.State
	for _, e := range plan.Events {
		sv.out.event(sv.eng.Now(), st.spec.Name, e.Message)
	}
	for _, s := range plan.Stops {
		sv.stopServiceTask(st, s)
	}
	for i := range plan.Starts {
		sv.startServiceTask(st, &plan.Starts[i])
	}
	sv.serviceTokenAt(st, plan.TokenAt)
	sv.shortfall(st)
	if !st.ticking && !sv.steady(st, plan) {
		st.ticking = true
		sv.eng.AfterLane(time.Duration(sv.sc.ReconcileEvery), st.periodic)
	}
}

// applyIdle is apply of a skipped reconciliation's empty plan. The
// shortfall stands: it is a function of the tasks, state and
// specification, which the memo found unchanged since the apply that
// computed it. Only Fargate capacity, which follows the launch tokens as
// time passes, is topped up again. It reports whether that was all but
// the next periodic reconciliation: the service has no Fargate capacity
// and is not steady.
func (sv *services) applyIdle(st *svcState) bool {
	st.stopped = st.stopped[:0]
	st.idle.State = st.state
	fargate := false
	for _, pr := range st.providers {
		if pr.isFargate() {
			fargate = true
			sv.providers.fargateCapacity(st, pr)
		}
	}
	steady := sv.steady(st, &st.idle)
	if !st.ticking && !steady {
		st.ticking = true
		sv.eng.AfterLane(time.Duration(sv.sc.ReconcileEvery), st.periodic)
	}
	return !fargate && !steady
}

// observe returns what Reconcile observes of the service: its own
// Observed, as Reconcile takes a pointer and a fresh one would be
// allocated every reconciliation. Its tasks are the quiet memo's copy
// when that is as of the service's taskGen (a service is often
// reconciled several times between two changes of its tasks: the
// periodic reconciliations, the one that raises the steady state event),
// else a copy in the room all services share, valid until the next
// observe: Reconcile and the memo only read them. Under selfCheck the
// memo's copy is compared with the tasks.
func (sv *services) observe(st *svcState, zones []string) *scheduler.Observed {
	var tasks []scheduler.Task
	if q := &st.quiet; q.taskGen == st.taskGen && len(q.tasks) == len(st.tasks) {
		tasks = q.tasks
		if selfCheck && !slices.EqualFunc(tasks, st.tasks, func(a scheduler.Task, b *svcTask) bool { return a == b.t }) {
			sv.fail(fmt.Errorf("sim: service %s: the memo's tasks as of taskGen %d differ from the tasks", st.spec.Name, st.taskGen))
		}
	} else {
		tasks = sv.obsTasks[:0]
		for _, t := range st.tasks {
			tasks = append(tasks, t.t)
		}
		sv.obsTasks = tasks[:0]
	}
	obs := &st.observed
	*obs = scheduler.Observed{State: st.state, Stopped: st.stopped, Zones: zones, Launches: &st.launches, Tasks: tasks, Spare: st.spare, SpareReported: st.spareReported, Plan: &sv.plan}
	st.obsGen = st.taskGen
	return obs
}

// zonesOf returns the zones in which the service can run, for
// scheduler.Observed.Zones, so that the scheduler need not scan the fleet
// for every service: the zones of the ACTIVE instances of its capacity
// providers (Fargate capacity is one zone, "fargate"), or without a
// strategy of every instance but Fargate capacity. It returns nil, and
// the scheduler scans, for a service that cannot rebalance or whose
// constraints, required attributes or subnets narrow the zones further.
func (sv *services) zonesOf(st *svcState) []string {
	if st.zonesFor == st.sched && sv.zonesValid && st.zonesEpoch == sv.zonesEpoch {
		if selfCheck {
			if z := sv.zonesAfresh(st); !slices.Equal(z, st.zones) || (z == nil) != (st.zones == nil) {
				sv.fail(fmt.Errorf("sim: service %s: zones kept %v, afresh %v", st.spec.Name, st.zones, z))
			}
		}
		return st.zones
	}
	z := sv.zonesAfresh(st)
	st.zonesFor, st.zonesEpoch, st.zones = st.sched, sv.zonesEpoch, z
	return z
}

// zonesAfresh is zonesOf without the service's copy, which stands until
// the specification changes or the index is rebuilt (zonesEpoch): most
// reconciliations are of services waiting, and the index changes only
// with the fleet.
func (sv *services) zonesAfresh(st *svcState) []string {
	svc := st.sched
	if st.daemon || svc.AvailabilityZoneRebalancing == scheduler.AZRebalancingDisabled || len(svc.Zones) > 0 ||
		len(st.base.PlacementConstraints) > 0 || len(svc.TaskDefinition.PlacementConstraints) > 0 || len(svc.TaskDefinition.RequiresAttributes) > 0 {
		return nil
	}
	if len(st.providers) > 0 && st.providers[0].isFargate() {
		return fargateZones
	}
	if !sv.zonesValid {
		sv.indexZones()
	}
	if len(st.providers) == 0 {
		return sv.zones["*"]
	}
	if len(st.providers) == 1 {
		return sv.zones[st.providers[0].name]
	}
	var out []string
	for _, p := range st.providers {
		for _, z := range sv.zones[p.name] {
			if !slices.Contains(out, z) {
				out = append(out, z)
			}
		}
	}
	return out
}

var fargateZones = []string{"fargate"}

// indexZones rebuilds the zones of the ACTIVE instances per provider
// ("*": of every provider), each list in the order of the zones' first
// instances. A list, once made, stays in the index (empty when its zones
// are gone). Every instance that registers, drains or goes away rebuilds
// the index, but the lists rarely change (a fleet of thousands of
// instances in three zones keeps its three): only a change moves
// zonesEpoch, which makes every service look its zones up again.
func (sv *services) indexZones() {
	if sv.zones == nil {
		sv.zones = map[string][]string{}
	}
	next := sv.nextZones
	if next == nil {
		next = map[string][]string{}
		sv.nextZones = next
	}
	for k, v := range next {
		next[k] = v[:0]
	}
	// The scan keeps the lists of the provider of the instance before and
	// of "*" at hand: instances come in runs of one provider, and two map
	// accesses per instance were most of the rebuild.
	all, cur, curP, haveCur := next["*"], []string(nil), "", false
	for i, in := range sv.fleet.cluster.Instances() {
		if in.Status != placement.StatusActive {
			continue
		}
		inf := sv.fleet.info[i]
		p := inf.provider // sv.providers.instanceProvider(in), without its search
		if sv.providers == nil {
			p = ""
		}
		if p == scenario.ProviderFargate || p == scenario.ProviderFargateSpot {
			continue
		}
		if p != "*" { // a provider named "*" has the list of every one
			if !haveCur || p != curP {
				if haveCur {
					next[curP] = cur
				}
				cur, curP, haveCur = next[p], p, true
			}
			if !slices.Contains(cur, inf.zone) {
				cur = append(cur, inf.zone)
			}
		}
		if !slices.Contains(all, inf.zone) {
			all = append(all, inf.zone)
		}
	}
	if haveCur {
		next[curP] = cur
	}
	if all != nil {
		next["*"] = all
	}
	sv.zonesValid = true
	if selfCheck {
		defer sv.checkZones()
	}
	same := true
	for k, v := range next {
		old, ok := sv.zones[k]
		same = same && slices.Equal(old, v) && (ok || len(v) == 0)
	}
	for k, v := range sv.zones {
		same = same && len(v) == len(next[k])
	}
	if same {
		return
	}
	for k, v := range next {
		if old, ok := sv.zones[k]; ok || len(v) > 0 {
			sv.zones[k] = append(old[:0], v...)
		}
	}
	for k, v := range sv.zones {
		if _, ok := next[k]; !ok {
			sv.zones[k] = v[:0]
		}
	}
	sv.zonesEpoch++
}

// steady reports whether the service needs no periodic reconciliation:
// its deployment is complete and nothing is starting, stopping or
// missing.
func (sv *services) steady(st *svcState, plan *scheduler.Plan) bool {
	if !plan.Empty() || st.short > 0 {
		return false
	}
	if p := plan.State.Primary(); p == nil || p.RolloutState != scheduler.Completed || len(plan.State.Deployments) > 1 {
		return false
	}
	return sv.allRunning(st)
}

// allRunning reports whether every task is RUNNING and wanted. The answer
// stands while taskGen does: every reconciliation asks (skipped ones of
// steady services most), and the tasks change far less often. Under
// selfCheck the run fails unless the tasks give the same answer.
func (sv *services) allRunning(st *svcState) bool {
	if st.runningGen != st.taskGen+1 {
		st.runningGen, st.allRun = st.taskGen+1, st.allRunningPlain()
	} else if selfCheck && st.allRun != st.allRunningPlain() {
		sv.fail(fmt.Errorf("sim: service %s: every task RUNNING kept %v as of taskGen %d, the tasks say otherwise", st.spec.Name, st.allRun, st.taskGen))
	}
	return st.allRun
}

func (st *svcState) allRunningPlain() bool {
	for _, t := range st.tasks {
		if t.t.LastStatus != scheduler.Running || t.t.DesiredStatus == scheduler.Stopped {
			return false
		}
	}
	return true
}

func (sv *services) stopServiceTask(svc *svcState, st scheduler.Stop) {
	for _, t := range svc.tasks {
		if t.t.ID != st.ID || t.t.DesiredStatus == scheduler.Stopped {
			continue
		}
		t.t.DesiredStatus = scheduler.Stopped
		svc.taskGen++
		t.reason = st.Reason
		if sv.deregister(t) {
			return
		}
		// An error means the task already ended (its instance went at this
		// very time) and its Exit is on the way: nothing to stop.
		_ = sv.exec.Stop(t.run, st.Reason)
		return
	}
}

func (sv *services) startServiceTask(svc *svcState, st *scheduler.Start) {
	td := svc.behaviour(st.TaskDefinition)
	in := st.Placement.Instance
	req := st.TaskDefinition.Requirements()
	t := sv.newTask()
	*t = svcTask{svc: svc, prov: svc.providerIndex(sv.providers.instanceProvider(in)), t: st.Task(), inst: in, td: td}
	t.runv = Run{ID: st.ID, Group: st.Group, Family: st.TaskDefinition.Family, Instance: in.ARN,
		CPU: req.CPU, MemoryMiB: req.MemoryMiB, Ports: req.PortsTCP, Started: sv.eng.Now(),
		InstanceCPU: in.Registered.CPU, InstanceMemoryMiB: in.Registered.MemoryMiB}
	t.run = &t.runv
	if td != nil {
		t.run.StopTimeout = time.Duration(td.StopTimeout)
		if len(td.Containers) > 0 {
			t.run.TaskCPU, t.run.TaskMemoryMiB = td.CPU, td.MemoryMiB
			t.run.Containers = runContainers(td.Containers)
		}
	}
	svc.tasks = append(svc.tasks, t)
	svc.taskGen++
	sv.byRun[st.ID] = t
	svc.started++
	if len(svc.since) > 0 {
		svc.waits = append(svc.waits, (sv.eng.Now() - svc.since[0]).Seconds())
		svc.since = svc.since[1:]
	}
	if err := sv.exec.Start(t.run); err != nil {
		sv.fail(fmt.Errorf("sim: start task %s: %w", st.ID, err))
		return
	}
	sv.after(td.StartDelayOrDefault(), t, taskRunning{t})
}

// behaviour returns the scenario's definition of td: tds by
// "family:revision", remembered for td itself, which the service's
// tasks share until an update changes it, so that a start formats no key.
func (st *svcState) behaviour(td *placement.TaskDefinition) *scenario.TaskDefSpec {
	if td != st.lastTD || st.lastSpec == nil {
		st.lastTD, st.lastSpec = td, st.tds[fmt.Sprintf("%s:%d", td.Family, td.Revision)]
	}
	return st.lastSpec
}

// taskRunning moves a PENDING task to RUNNING, or stops it when its
// revision crashes.
func (sv *services) taskRunning(t *svcTask) {
	if t.t.LastStatus != scheduler.Pending || t.t.DesiredStatus == scheduler.Stopped {
		return
	}
	if _, live := sv.byRun[t.run.ID]; !live {
		return
	}
	if t.td.Crash {
		t.run.ExitCode = 1
		_ = sv.exec.Stop(t.run, ReasonEssentialExited) // an error: it already ended
		return
	}
	t.t.LastStatus, t.t.StartedAt = scheduler.Running, sv.wall()
	t.svc.taskGen++
	t.svc.running.add(t, 1)
	if len(t.svc.groups) > 0 {
		sv.registerTarget(t)
		return
	}
	// The 40-second health rule: look again once the task counts.
	sv.eng.After(scheduler.NoHealthCheckDelay+time.Second, reconcileEv{t.svc, reconcileLater})
}

// serviceExited handles the end of a service task: release it, report it
// STOPPED once to the scheduler and reconcile.
func (sv *services) serviceExited(t *svcTask, e *Exit) {
	delete(sv.byRun, t.run.ID)
	st := t.svc
	if i := slices.Index(st.tasks, t); i >= 0 {
		st.tasks = slices.Delete(st.tasks, i, i+1)
		st.taskGen++
		if t.t.LastStatus == scheduler.Running {
			st.running.add(t, -1)
		}
	}
	if err := sv.fleet.cluster.Release(t.t.Placement); err != nil {
		sv.fail(err)
		return
	}
	tk := t.t
	tk.LastStatus, tk.DesiredStatus = scheduler.Stopped, scheduler.Stopped
	switch {
	case t.code != "":
		tk.StopCode = t.code
		st.lost++
	case t.reason != "":
		tk.StopCode = scheduler.ServiceSchedulerInitiated
	case isLost(e.Reason):
		tk.StopCode = scheduler.TerminationNotice
		st.lost++
	default:
		tk.StopCode = scheduler.EssentialContainerExited
	}
	if tk.StartedAt.IsZero() && tk.StopCode == scheduler.EssentialContainerExited {
		st.failedLaunch++
	}
	st.stoppedN++
	st.stopped = append(st.stopped, tk)
	if p := sv.providers.instanceProvider(t.inst); p == scenario.ProviderFargate || p == scenario.ProviderFargateSpot {
		sv.providers.releaseFargate(t.inst)
	}
	sv.queueReconcile(st)
	if t.inst.Status == placement.StatusDraining {
		sv.lastOnDraining(t.inst)
	}
	t.gone = true
	sv.release(t)
}

// lastOnDraining reconciles the DAEMON services with a task on the
// draining instance in: a daemon task there stops once the other service
// tasks have, so each stop there may be the one it waits for.
func (sv *services) lastOnDraining(in *placement.Instance) {
	for _, d := range sv.svcs {
		if !d.daemon {
			break // daemons come first
		}
		if sv.fleet.cluster.GroupCount(in, d.base.Group()) > 0 {
			sv.queueReconcile(d)
		}
	}
}

// shortfall counts the tasks the service lacks: the primary
// deployment's tasks short of the desired count, within the room
// maximumPercent leaves. With a capacity provider strategy they are
// PROVISIONING on the providers the strategy gives them to
// (scheduler.Service.Assign): managed scaling counts them, and Fargate
// provisions capacity for each.
func (sv *services) shortfall(st *svcState) {
	st.idleOK = false
	short := 0
	// A failed deployment without rollback starts nothing.
	p := st.state.Primary()
	if p != nil && st.sched.DesiredCount != nil && !st.daemon && p.RolloutState != scheduler.Failed {
		desired := *st.sched.DesiredCount
		_, upper := st.sched.Bounds(desired)
		primary := 0
		for _, t := range st.tasks {
			if t.primary(p) {
				primary++
			}
		}
		short = max(min(desired-primary, upper-len(st.tasks)), 0)
	}
	for len(st.since) < short {
		st.since = append(st.since, sv.eng.Now())
	}
	st.since = st.since[:short]
	st.short = short
	if len(st.providers) == 0 {
		return
	}
	var was [4]int // the providers' shortfalls before, to tell a change
	for i, pr := range st.providers {
		if i < len(was) {
			was[i] = pr.short
		}
		pr.short = 0
	}
	if short > 0 {
		have := make([]int, len(st.providers))
		for _, t := range st.tasks {
			if t.prov >= 0 && t.primary(p) {
				have[t.prov]++
			}
		}
		for i, n := range st.sched.Assign(have, short) {
			st.providers[i].short = n
		}
	}
	for i, pr := range st.providers {
		if i >= len(was) || pr.short != was[i] {
			st.markRecount()
			break
		}
	}
	for _, pr := range st.providers {
		if pr.isFargate() {
			sv.providers.fargateCapacity(st, pr)
		}
	}
}

// primary reports whether the task is wanted and of the primary
// deployment p.
func (t *svcTask) primary(p *scheduler.Deployment) bool {
	return t.t.DesiredStatus != scheduler.Stopped && (t.t.Deployment == p.ID || p.RollbackTo != "" && t.t.Deployment == p.RollbackTo)
}

// providerIndex returns the index of the provider name in the service's
// strategy, or -1.
func (st *svcState) providerIndex(name string) int {
	for i, p := range st.providers {
		if p.name == name {
			return i
		}
	}
	return -1
}

// fargateCapacity keeps as much Fargate capacity provisioned or idle for
// the service's provider pr as it lacks tasks there, releasing idle
// capacity beyond that.
func (pv *providers) fargateCapacity(st *svcState, pr *svcProvider) {
	ready := 0
	kept := pr.fargate[:0]
	for _, in := range pr.fargate {
		switch {
		case in.Status == placement.StatusInactive:
			continue
		case in.Status == placement.StatusRegistering:
			ready++
		case in.RunningTasksCount == 0:
			if ready >= pr.short {
				pv.releaseFargate(in)
				continue
			}
			ready++
		}
		kept = append(kept, in)
	}
	clear(pr.fargate[len(kept):])
	pr.fargate = kept
	for range pr.short - ready {
		if !pv.fargateToken(st, pr) {
			break
		}
		pv.provisionFargate(st, pr)
	}
}

// serviceEvent applies an UpdateService.
func (sv *services) serviceEvent(e *scenario.ServiceEvent) {
	st := sv.byName[e.Service]
	base := *st.base
	if e.TaskDefinition != nil {
		td, err := e.TaskDefinition.TaskDefinition("serviceEvents.taskDefinition")
		if err != nil {
			sv.fail(fmt.Errorf("sim: %w", err))
			return
		}
		if e.TaskDefinition.AWSVPC(st.spec.Fargate()) {
			td.NetworkMode = placement.NetworkAwsvpc
		}
		st.tds[tdKey(e.TaskDefinition)] = e.TaskDefinition
		st.lastSpec = nil // it may replace the one behaviour remembers
		base.TaskDefinition = td
	}
	if e.DesiredCount != nil {
		n := *e.DesiredCount
		base.DesiredCount = &n
		if st.scaler != nil {
			st.sst.Capacity = n
		}
	}
	if e.PlacementConstraints != nil {
		cons, err := scenario.CompileConstraints(*e.PlacementConstraints, "serviceEvents.placementConstraints")
		if err != nil {
			sv.fail(fmt.Errorf("sim: %w", err))
			return
		}
		base.PlacementConstraints = cons
	}
	if e.ForceNewDeployment {
		base.ForceNewDeployment++
	}
	st.base = &base
	st.respec()
	sv.out.event(sv.eng.Now(), st.spec.Name, "(service "+st.spec.Name+") was updated: "+describeEvent(e))
	sv.queueReconcile(st)
}

func describeEvent(e *scenario.ServiceEvent) string {
	var parts []string
	if e.TaskDefinition != nil {
		parts = append(parts, "taskDefinition "+tdKey(e.TaskDefinition))
	}
	if e.DesiredCount != nil {
		parts = append(parts, fmt.Sprintf("desiredCount %d", *e.DesiredCount))
	}
	if e.PlacementConstraints != nil {
		parts = append(parts, "placementConstraints")
	}
	if e.ForceNewDeployment {
		parts = append(parts, "forceNewDeployment")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += ", " + p
	}
	return out
}

// setDesired changes a service's desired count (Application Auto Scaling).
// It runs at every scaling, so the new base and specification go into
// whichever of the service's two buffers neither st.base nor st.sched
// points to, instead of three new allocations. Nothing keeps the old
// pointers but the skip memo, which compares st.sched by pointer: it is
// forgotten, as a buffer's pointer comes back two scalings later.
func (sv *services) setDesired(st *svcState, n int) {
	b := &st.specs[0]
	if st.base == &b.base || st.sched == &b.sched {
		b = &st.specs[1]
	}
	if st.base == &b.base || st.sched == &b.sched {
		b = new(specBuf)
	}
	b.desired = n
	b.base = *st.base
	b.base.DesiredCount = &b.desired
	st.base = &b.base
	// The zones a service can run in do not depend on its desired count:
	// zonesOf's copy stands for the new specification.
	kept := st.zonesFor == st.sched
	st.respecInto(&b.sched)
	if kept {
		st.zonesFor = st.sched
	}
	st.quiet.ok = false
	sv.queueReconcile(st)
}

// specBuf is a service's specification as setDesired writes it: the
// base, the scheduler's copy and the desired count behind both.
type specBuf struct {
	base, sched scheduler.Service
	desired     int
}

// desired is the service's desired count: for DAEMON, the eligible
// instances as of the last reconciliation (an instance set DRAINING
// leaves it at once, while its daemon task waits for the other tasks
// there to stop).
func (st *svcState) desired() int {
	if st.daemon {
		if p := st.state.Primary(); p != nil {
			return p.DesiredCount
		}
		return 0
	}
	return st.desiredN
}

// counts returns the service's RUNNING and PENDING tasks (PROVISIONING
// included in pending).
func (st *svcState) counts() (running, pending int) {
	for _, t := range st.tasks {
		if t.t.LastStatus == scheduler.Running {
			running++
		} else {
			pending++
		}
	}
	for _, p := range st.providers {
		pending += p.short
	}
	return running, pending
}
