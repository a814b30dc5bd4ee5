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

// svcState is one service of the scenario through the run.
type svcState struct {
	spec     *scenario.ServiceSpec
	base     *scheduler.Service // the current specification, full desired count
	strategy autoscale.CapacityProviderStrategy
	shards   []*svcShard
	daemon   bool
	// offFargate keeps shards off other services' Fargate capacity.
	offFargate *placement.Constraint
	fleet      *fleet
	tds        map[string]*scenario.TaskDefSpec // behaviour per "family:revision"

	scaler  *autoscale.Scaler
	sst     autoscale.State
	metrics autoscale.Metrics
	keep    int // datapoints kept per metric
	usage   *usageModel
	groups  []*scheduler.TargetGroup // of its loadBalancers
	// launches is the service scheduler's launch rate for the service,
	// shared by its shards.
	launches scheduler.TokenBucket

	// Figures for the summary. minutes counts the minute ticks, and
	// belowMinutes those at which fewer tasks ran than desired.
	started, stoppedN, failedLaunch, lost int
	minutes, belowMinutes                 int
	waits                                 []float64 // seconds from PROVISIONING (or the shortfall) to a start
}

// svcShard is the part of a service that runs on one capacity provider of
// its strategy (the whole service when it has none): package scheduler
// reconciles each shard as a service of its own, with the shard's share
// of the desired count and a memberOf on the provider.
type svcShard struct {
	svc      *svcState
	provider string // "" for none
	sched    *scheduler.Service
	state    scheduler.State
	tasks    []*svcTask       // not yet STOPPED, in start order
	obs      []scheduler.Task // reused for Observed.Tasks
	stopped  []scheduler.Task
	queued   bool // an immediate reconciliation is queued
	ticking  bool // a periodic one is queued
	// tokenWake: one is queued for the service's next launch token.
	tokenWake bool
	// short is how many tasks the shard lacks (PROVISIONING with a
	// capacity provider); since holds when each began waiting.
	short int
	since []time.Duration
	// fargate is the shard's Fargate capacity: one instance per task.
	fargate []*placement.Instance
}

// svcTask is a service task that has not reached STOPPED.
type svcTask struct {
	shard  *svcShard
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
}

// Planner events.
type (
	reconcileEv struct {
		sh   *svcShard
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
	out        *plannerOutput
}

func tdKey(td *scenario.TaskDefSpec) string {
	rev := td.Revision
	if rev == 0 {
		rev = 1
	}
	return fmt.Sprintf("%s:%d", td.Family, rev)
}

// respec rebuilds every shard's scheduler specification from the service's
// base: its share of the desired count and the provider's constraint.
func (st *svcState) respec() {
	var split []int
	if len(st.strategy) > 0 && st.base.DesiredCount != nil {
		split = st.strategy.Split(*st.base.DesiredCount)
	}
	for i, sh := range st.shards {
		svc := *st.base
		if split != nil {
			n := split[i]
			svc.DesiredCount = &n
		}
		if st.offFargate != nil && sh.provider != scenario.ProviderFargate && sh.provider != scenario.ProviderFargateSpot {
			svc.PlacementConstraints = append(slices.Clip(svc.PlacementConstraints), *st.offFargate)
		}
		if sh.provider != "" {
			expr := "attribute:" + scenario.ProviderAttribute + " == " + sh.provider
			if sh.provider == scenario.ProviderFargate || sh.provider == scenario.ProviderFargateSpot {
				expr += " and attribute:berth.service == " + st.spec.Name
			}
			con, err := st.fleet.memberOf(expr)
			if err == nil {
				svc.PlacementConstraints = append(slices.Clip(svc.PlacementConstraints), con)
			}
		}
		sh.sched = &svc
	}
}

// startServices queues the first reconciliation of every service and the
// minute tick.
func (sv *services) startServices() {
	for _, st := range sv.svcs {
		for _, sh := range st.shards {
			sv.queueReconcile(sh)
		}
	}
	for i := range sv.sc.ServiceEvents {
		e := &sv.sc.ServiceEvents[i]
		sv.eng.Schedule(time.Duration(e.At), svcEventEv{e})
	}
	if len(sv.svcs) > 0 || len(sv.providers.provs) > 0 {
		sv.eng.Schedule(time.Minute, minuteTick{})
	}
}

// queueReconcile reconciles the shard now, once, after the events already
// due at this time.
func (sv *services) queueReconcile(sh *svcShard) {
	if !sh.queued {
		sh.queued = true
		sv.eng.After(0, reconcileEv{sh, reconcileNow})
	}
}

// changed queues a reconciliation of every service: the fleet or the
// capacity changed. A nil *services (a run without any) does nothing.
func (sv *services) changed() {
	if sv == nil {
		return
	}
	for _, st := range sv.svcs {
		for _, sh := range st.shards {
			sv.queueReconcile(sh)
		}
	}
}

func (c *core) wall() time.Time { return scenario.Epoch.Add(c.eng.Now()) }

// reconcile runs package scheduler on one shard and applies its plan.
// Daemon services waiting for their reconciliation go first, so that a
// new instance's daemon tasks get its resources before replica tasks.
func (sv *services) reconcile(sh *svcShard) {
	if !sh.svc.daemon {
		for _, st := range sv.svcs {
			if !st.daemon {
				break
			}
			for _, d := range st.shards {
				if d.queued {
					d.queued = false
					sv.reconcile(d)
				}
			}
		}
	}
	obs := scheduler.Observed{State: sh.state, Stopped: sh.stopped, Launches: &sh.svc.launches}
	obs.Tasks = sh.obs[:0]
	for _, t := range sh.tasks {
		obs.Tasks = append(obs.Tasks, t.t)
	}
	sh.obs = obs.Tasks
	plan, err := scheduler.Reconcile(sh.sched, &obs, sv.wall(), sv.fleet.cluster, sv.rng)
	if err != nil {
		sv.fail(fmt.Errorf("sim: service %s: %w", sh.svc.spec.Name, err))
		return
	}
	sh.stopped = sh.stopped[:0]
	sh.state = plan.State
	for _, e := range plan.Events {
		sv.out.event(sv.eng.Now(), sh.svc.spec.Name, e.Message)
	}
	for _, st := range plan.Stops {
		sv.stopServiceTask(sh, st)
	}
	for i := range plan.Starts {
		sv.startServiceTask(sh, &plan.Starts[i])
	}
	sv.serviceTokenAt(sh, plan.TokenAt)
	sv.shortfall(sh)
	if !sh.ticking && !sv.steady(sh, plan) {
		sh.ticking = true
		sv.eng.After(time.Duration(sv.sc.ReconcileEvery), reconcileEv{sh, reconcilePeriodic})
	}
}

// steady reports whether the shard needs no periodic reconciliation: its
// deployment is complete and nothing is starting, stopping or missing.
func (sv *services) steady(sh *svcShard, plan *scheduler.Plan) bool {
	if !plan.Empty() || sh.short > 0 {
		return false
	}
	if p := plan.State.Primary(); p == nil || p.RolloutState != scheduler.Completed || len(plan.State.Deployments) > 1 {
		return false
	}
	for _, t := range sh.tasks {
		if t.t.LastStatus != scheduler.Running || t.t.DesiredStatus == scheduler.Stopped {
			return false
		}
	}
	return true
}

func (sv *services) stopServiceTask(sh *svcShard, st scheduler.Stop) {
	for _, t := range sh.tasks {
		if t.t.ID != st.ID || t.t.DesiredStatus == scheduler.Stopped {
			continue
		}
		t.t.DesiredStatus = scheduler.Stopped
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

func (sv *services) startServiceTask(sh *svcShard, st *scheduler.Start) {
	key := fmt.Sprintf("%s:%d", st.TaskDefinition.Family, st.TaskDefinition.Revision)
	td := sh.svc.tds[key]
	in := st.Placement.Instance
	req := st.TaskDefinition.Requirements()
	t := &svcTask{shard: sh, t: st.Task(), inst: in, td: td}
	t.run = &Run{ID: st.ID, Group: st.Group, Family: st.TaskDefinition.Family, Instance: in.ARN,
		CPU: req.CPU, MemoryMiB: req.MemoryMiB, Ports: req.PortsTCP, Started: sv.eng.Now()}
	sh.tasks = append(sh.tasks, t)
	sv.byRun[st.ID] = t
	sh.svc.started++
	if len(sh.since) > 0 {
		sh.svc.waits = append(sh.svc.waits, (sv.eng.Now() - sh.since[0]).Seconds())
		sh.since = sh.since[1:]
	}
	if err := sv.exec.Start(t.run); err != nil {
		sv.fail(fmt.Errorf("sim: start task %s: %w", st.ID, err))
		return
	}
	sv.eng.After(td.StartDelayOrDefault(), taskRunning{t})
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
	if len(t.shard.svc.groups) > 0 {
		sv.registerTarget(t)
		return
	}
	// The 40-second health rule: look again once the task counts.
	sv.eng.After(scheduler.NoHealthCheckDelay+time.Second, reconcileEv{t.shard, reconcileLater})
}

// serviceExited handles the end of a service task: release it, report it
// STOPPED once to the scheduler and reconcile.
func (sv *services) serviceExited(t *svcTask, e *Exit) {
	delete(sv.byRun, t.run.ID)
	sh := t.shard
	if i := slices.Index(sh.tasks, t); i >= 0 {
		sh.tasks = slices.Delete(sh.tasks, i, i+1)
	}
	if err := sv.fleet.cluster.Release(t.t.Placement); err != nil {
		sv.fail(err)
		return
	}
	st := t.t
	st.LastStatus, st.DesiredStatus = scheduler.Stopped, scheduler.Stopped
	switch {
	case t.code != "":
		st.StopCode = t.code
		sh.svc.lost++
	case t.reason != "":
		st.StopCode = scheduler.ServiceSchedulerInitiated
	case isLost(e.Reason):
		st.StopCode = scheduler.TerminationNotice
		sh.svc.lost++
	default:
		st.StopCode = scheduler.EssentialContainerExited
	}
	if st.StartedAt.IsZero() && st.StopCode == scheduler.EssentialContainerExited {
		sh.svc.failedLaunch++
	}
	sh.svc.stoppedN++
	sh.stopped = append(sh.stopped, st)
	if p := sv.providers.instanceProvider(t.inst); p == scenario.ProviderFargate || p == scenario.ProviderFargateSpot {
		sv.providers.releaseFargate(t.inst)
	}
	sv.queueReconcile(sh)
}

// shortfall counts the tasks the shard lacks: the primary deployment's
// tasks short of the desired count, within the room maximumPercent
// leaves. With a capacity provider they are PROVISIONING: managed scaling
// counts them, and Fargate provisions capacity for each.
func (sv *services) shortfall(sh *svcShard) {
	short := 0
	// A failed deployment without rollback starts nothing.
	if p := sh.state.Primary(); p != nil && sh.sched.DesiredCount != nil && !sh.svc.daemon && p.RolloutState != scheduler.Failed {
		desired := *sh.sched.DesiredCount
		_, upper := sh.sched.Bounds(desired)
		primary := 0
		for _, t := range sh.tasks {
			if t.t.DesiredStatus != scheduler.Stopped && (t.t.Deployment == p.ID || p.RollbackTo != "" && t.t.Deployment == p.RollbackTo) {
				primary++
			}
		}
		short = max(min(desired-primary, upper-len(sh.tasks)), 0)
	}
	for len(sh.since) < short {
		sh.since = append(sh.since, sv.eng.Now())
	}
	sh.since = sh.since[:short]
	sh.short = short
	if sh.provider == scenario.ProviderFargate || sh.provider == scenario.ProviderFargateSpot {
		sv.providers.fargateCapacity(sh, short)
	}
}

// fargateCapacity keeps as much Fargate capacity provisioned or idle for
// the shard as it lacks tasks, releasing idle capacity beyond that.
func (pv *providers) fargateCapacity(sh *svcShard, short int) {
	ready := 0
	kept := sh.fargate[:0]
	for _, in := range sh.fargate {
		switch {
		case in.Status == placement.StatusInactive:
			continue
		case in.Status == placement.StatusRegistering:
			ready++
		case in.RunningTasksCount == 0:
			if ready >= short {
				pv.releaseFargate(in)
				continue
			}
			ready++
		}
		kept = append(kept, in)
	}
	clear(sh.fargate[len(kept):])
	sh.fargate = kept
	for range short - ready {
		if !pv.fargateToken(sh) {
			break
		}
		pv.provisionFargate(sh)
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
	for _, sh := range st.shards {
		sv.queueReconcile(sh)
	}
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
func (sv *services) setDesired(st *svcState, n int) {
	base := *st.base
	base.DesiredCount = &n
	st.base = &base
	st.respec()
	for _, sh := range st.shards {
		sv.queueReconcile(sh)
	}
}

// desired is the service's desired count (DAEMON: its tasks wanted).
func (st *svcState) desired() int {
	if st.daemon {
		run, pend := st.counts()
		return run + pend
	}
	return *st.base.DesiredCount
}

// counts returns the service's RUNNING and PENDING tasks (PROVISIONING
// included in pending).
func (st *svcState) counts() (running, pending int) {
	for _, sh := range st.shards {
		for _, t := range sh.tasks {
			if t.t.LastStatus == scheduler.Running {
				running++
			} else {
				pending++
			}
		}
		if sh.provider != "" {
			pending += sh.short
		}
	}
	return running, pending
}
