package sim

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/trace"
)

// Options adjust one run.
type Options struct {
	// Executor builds the executor; nil means the simulated one.
	Executor func(*Engine) Executor
	// Log receives the event log, one JSON object per line.
	Log io.Writer
	// Open opens the files the scenario names (traces); nil means the
	// scenario has none.
	Open func(path string) (io.ReadCloser, error)
	// Progress, when set, is called now and then with the simulated time
	// reached.
	Progress func(now, total time.Duration)
	// Paced runs on the wall clock scaled by Paced.Scale (simulated seconds
	// per wall second); nil runs on the virtual clock.
	Paced *Pacing
	// NewStrategy builds the strategies placement does not know; nil
	// allows only binpack, spread and random.
	NewStrategy scenario.StrategyFactory
	// SummaryOnly is for a caller that reads only the Result's Summary and
	// Series (a table, a sweep's or a replicate's figures): the run keeps
	// no per-service or per-provider timeline and no service event or
	// scaling record, so that its memory does not grow with simulated time
	// by them. Result.ServiceEvents, Scaling, Services and Providers are
	// then empty; the Summary and the Series are the same as without it.
	SummaryOnly bool
	// Compared marks the variant as one of a comparison (a compare list's
	// or a caller's), not the workload's own placement: its strategies
	// then also replace the placement strategy of every service
	// VariantServices lists, and a variant whose strategies apply to
	// nothing is an error wrapping ErrVariantChangesNothing.
	Compared bool
}

// Pacing sets a run on the wall clock.
type Pacing struct {
	Scale float64
	Wall  func() time.Time
}

// Engine events of the simulator.
type (
	arrival    struct{}
	sample     struct{}
	fleetEvent struct{ e scenario.FleetEvent }
	registered struct{ in *placement.Instance }
)

// core is what every component of a run shares: the scenario, the clock
// with its event queue, the executor, the event log, the files the run
// opened and the run's first error. Components hold the core and the
// siblings they call, never the whole simulator.
type core struct {
	sc      *scenario.Scenario
	opts    Options
	eng     *Engine
	exec    Executor
	log     *eventLog
	rng     *rand.Rand      // placement tie-breaks, of standalone and service tasks alike
	src     *countingSource // rng's source
	err     error           // the first failure of an executor or a source
	quota   *quotas         // the account's launch throughput
	closers []io.Closer
	// curves are the usage models' daily cycles, by the bits of their
	// peak hour: the models of one peak hour share one.
	curves    map[uint64]*dailyCurve
	curveSlab []dailyCurve // where curves point, in chunks
}

// fail records the first error of the run and stops it.
func (c *core) fail(err error) {
	if c.err == nil {
		c.err = err
	}
	c.eng.Stop()
}

// simulator is one run of a scenario with one placement variant: the core
// and its components, each with its own state, and the event dispatch
// between them.
type simulator struct {
	*core
	fleet   *fleet
	handler EventHandler // the executor's, when it has events of its own
	tasks   *standalone
	m       *collector
	// services, providers and scheduled are nil in a run without
	// services, capacity providers and scheduled tasks.
	services  *services
	providers *providers
	scheduled *scheduledTasks
	retrying  bool // a retryEv is queued
	events    int  // events handled
	// variant is the run's placement: the compared variant, or the
	// workload's own.
	variant scenario.Variant
}

// Simulate simulates the scenario with one placement variant and returns its
// result. The same scenario, variant and seed give the same result and
// byte-identical event log.
func Simulate(sc *scenario.Scenario, v scenario.Variant, opts Options) (*Result, error) {
	s, err := newSimulator(sc, v, opts)
	if err != nil {
		return nil, err
	}
	defer s.exec.Close()
	defer func() {
		for _, c := range s.closers {
			c.Close()
		}
	}()
	if err := s.start(); err != nil {
		return nil, err
	}
	until := time.Duration(sc.Duration)
	if opts.Paced != nil {
		if err := s.eng.RunPaced(context.Background(), until, opts.Paced.Scale, opts.Paced.Wall); err != nil {
			return nil, err
		}
	} else {
		s.eng.Run(until)
	}
	if s.err != nil {
		return nil, s.err
	}
	if err := s.log.err; err != nil {
		return nil, fmt.Errorf("sim: event log: %w", err)
	}
	r := s.finish(v)
	r.Events = s.events
	s.finishPlanner(r)
	return r, nil
}

func newSimulator(sc *scenario.Scenario, v scenario.Variant, opts Options) (*simulator, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	src := &countingSource{src: rand.NewPCG(sc.Seed, 1)}
	s := &simulator{core: &core{sc: sc, opts: opts, log: &eventLog{w: opts.Log}, rng: rand.New(src), src: src, quota: newQuotas(sc.Quotas)}}
	s.eng = NewEngine(s.handle)
	s.fleet = newFleet(s.core)
	s.tasks = &standalone{core: s.core, fleet: s.fleet, gpuCons: map[string]placement.Constraint{},
		running: map[string]*task{}, live: map[string]string{}, shapes: map[string]int32{}}
	switch {
	case opts.Executor != nil:
		s.exec = opts.Executor(s.eng)
	case sc.Contention:
		s.exec = NewContended(s.eng)
	default:
		s.exec = NewSimulated(s.eng)
	}
	s.handler, _ = s.exec.(EventHandler)
	var err error
	if opts.Compared {
		if err := checkVariantApplies(sc, v); err != nil {
			return nil, err
		}
	}
	if len(v.Strategies) == 0 && len(v.Constraints) == 0 {
		v = sc.Workload.Placement
	}
	s.variant = v
	if s.tasks.strategy, s.tasks.cons, err = v.Compile("placement", orBuiltinOnly(opts.NewStrategy)); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s.m = newCollector(s.fleet, s.tasks)
	if sc.HasPlanner() {
		if err := s.newPlanner(); err != nil {
			return nil, err
		}
	}
	s.tasks.m = s.m
	return s, nil
}

// start builds the fleet and queues the first events.
func (s *simulator) start() error {
	if err := s.fleet.build(); err != nil {
		return err
	}
	if err := s.fleet.buildInstances(); err != nil {
		return err
	}
	if s.services != nil {
		s.providers.armSpotPools()
		if err := s.providers.startProviders(); err != nil {
			return err
		}
		if err := s.services.adoptTasks(); err != nil {
			return err
		}
		s.services.startServices()
		s.scheduled.startScheduled()
	}
	src, err := s.openWorkload()
	if err != nil {
		return err
	}
	s.tasks.src = src
	if err := s.tasks.readAhead(); err != nil {
		return err
	}
	for _, e := range s.sc.Fleet.Events {
		s.eng.Schedule(time.Duration(e.At), fleetEvent{e})
	}
	s.eng.Schedule(0, sample{})
	return nil
}

// handle is the engine's handler: one case per kind of event.
func (s *simulator) handle(ev Event) {
	s.events++
	if s.handler != nil {
		if exit, ok := s.handler.Handle(ev); ok {
			if exit != nil {
				s.exited(exit)
			}
			return
		}
	}
	if s.services != nil && s.handlePlanner(ev) {
		return
	}
	switch ev := ev.(type) {
	case arrival:
		t := s.tasks.next
		if err := s.tasks.readAhead(); err != nil {
			s.fail(err)
		}
		if t.fleet != nil {
			s.traceFleetEvent(t.fleet, t.where)
			s.services.changed() // every instance state change
			return
		}
		s.tasks.submit(*t)
	case *Exit:
		s.exited(ev)
	case runTaskTokenEv:
		s.tasks.runTaskToken()
	case sample:
		s.m.sample(s.eng.Now())
		if s.opts.Progress != nil {
			s.opts.Progress(s.eng.Now(), time.Duration(s.sc.Duration))
		}
		s.eng.After(time.Duration(s.sc.SampleEvery), sample{})
	case fleetEvent:
		s.fleetEvent(ev.e)
		s.services.changed()
	case registered:
		if ev.in.Status != placement.StatusRegistering {
			return // gone before it registered
		}
		s.fleet.cluster.SetStatus(ev.in, placement.StatusActive)
		s.log.instance(s.eng.Now(), trace.KindInstanceAdd, ev.in, s.fleet.info[ev.in.Index()], "")
		if s.services == nil {
			s.tasks.retry()
			return
		}
		// Groups launch many instances at once: one retry for all of them.
		s.providers.armSpot(ev.in)
		s.services.changed()
		if !s.retrying {
			s.retrying = true
			s.eng.After(0, retryEv{})
		}
	}
}

// exited handles the end of a run.
func (s *simulator) exited(e *Exit) {
	if s.services != nil {
		if st, ok := s.services.byRun[e.Run.ID]; ok {
			s.services.serviceExited(st, e)
			return
		}
	}
	s.tasks.exited(e)
}

func (s *simulator) fleetEvent(e scenario.FleetEvent) {
	if e.Kind == "add" {
		for range e.Count {
			status := placement.StatusActive
			if s.sc.Fleet.RegistrationDelay > 0 {
				status = placement.StatusRegistering
			}
			in, err := s.fleet.add(s.fleet.types[e.Type], e.Zone, nil, status, "", "")
			if err != nil {
				s.fail(err)
				return
			}
			if status != placement.StatusActive {
				s.eng.After(time.Duration(s.sc.Fleet.RegistrationDelay), registered{in})
			}
		}
		s.tasks.retry()
		return
	}
	n := 0
	for _, in := range s.fleet.cluster.Instances() {
		if n == e.Count {
			break
		}
		inf := s.fleet.info[in.Index()]
		if (e.Type != "" && inf.typ.Name != e.Type) || (e.Zone != "" && inf.zone != e.Zone) {
			continue
		}
		if in.Status != placement.StatusActive && !(e.Kind != "drain" && in.Status == placement.StatusDraining) {
			continue
		}
		n++
		s.instanceEvent(in, e.Kind)
		if s.err != nil {
			return
		}
	}
}

// instanceEvent interrupts (Spot), drains, fails or deregisters one
// instance.
func (s *simulator) instanceEvent(in *placement.Instance, kind string) {
	if kind == "interrupt" {
		s.providers.spotNotice(in)
		return
	}
	s.fleet.instanceEvent(in, kind)
}

func sortRuns(rs []*simRun) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i].run, rs[j].run
		if a.Started != b.Started {
			return a.Started < b.Started
		}
		return a.ID < b.ID
	})
}

// builtinOnly is the StrategyFactory of a run given none: it makes no
// strategy, so that a type placement does not know is an error rather than
// left out of the chain.
func builtinOnly(scenario.StrategySpec) (placement.Strategy, error) {
	return nil, scenario.ErrUnknownStrategy
}

// orBuiltinOnly returns f, or builtinOnly when f is nil.
func orBuiltinOnly(f scenario.StrategyFactory) scenario.StrategyFactory {
	if f == nil {
		return builtinOnly
	}
	return f
}

// open opens a file the scenario names, keeping it to close at the end.
func (c *core) open(path string) (io.Reader, string, error) {
	if c.opts.Open == nil {
		return nil, "", fmt.Errorf("sim: %s: the scenario names a file but the run was given no way to open files (Options.Open)", path)
	}
	rc, err := c.opts.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("sim: %w", err)
	}
	c.closers = append(c.closers, rc)
	name := path
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		name = path[i+1:]
	}
	return rc, name, nil
}

// newPlanner builds the components of a capacity plan: services,
// capacity providers (Fargate included) and scheduled tasks.
func (s *simulator) newPlanner() error {
	sc := s.sc
	out := &plannerOutput{off: s.opts.SummaryOnly}
	p := &providers{core: s.core, fleet: s.fleet, standalone: s.tasks, byName: map[string]*providerState{},
		spotRNG: rand.New(rand.NewPCG(sc.Seed, 3)), out: out}
	sv := &services{core: s.core, fleet: s.fleet, standalone: s.tasks, providers: p, byName: map[string]*svcState{}, byRun: map[string]*svcTask{}, out: out,
		recycle: s.opts.Executor == nil && !recycleOff}
	p.services = sv
	s.services, s.providers = sv, p
	s.scheduled = &scheduledTasks{core: s.core, standalone: s.tasks}
	s.tasks.providers = p
	p.fargate = &scenario.FargateSpec{PricePerVCPUHour: 0.04048, PricePerGBHour: 0.004445, SpotDiscount: 0.3, ProvisionDelay: scenario.Duration(30 * time.Second)}
	if f := sc.Fargate; f != nil {
		if f.PricePerVCPUHour > 0 {
			p.fargate.PricePerVCPUHour = f.PricePerVCPUHour
		}
		if f.PricePerGBHour > 0 {
			p.fargate.PricePerGBHour = f.PricePerGBHour
		}
		if f.SpotDiscount > 0 {
			p.fargate.SpotDiscount = f.SpotDiscount
		}
		if f.ProvisionDelay > 0 {
			p.fargate.ProvisionDelay = f.ProvisionDelay
		}
		p.fargate.SpotInterruptionsPerHour = f.SpotInterruptionsPerHour
	}
	if sc.UsesFargate() {
		con, err := placement.NewMemberOf("not(attribute:berth.service exists)")
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		p.offFargate = &con
	}
	for i := range sc.CapacityProviders {
		ps := newProviderState(&sc.CapacityProviders[i], s.fleet.types)
		p.provs = append(p.provs, ps)
		p.byName[ps.spec.Name] = ps
	}
	for i := range sc.Services {
		sp := &sc.Services[i]
		path := fmt.Sprintf("services[%d]", i)
		base, err := sp.SchedulerService(path, orBuiltinOnly(s.opts.NewStrategy))
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		base.Zones = sp.Zones(sc.Fleet.Subnets)
		if s.opts.Compared && len(s.variant.Strategies) > 0 && slices.Contains(VariantServices(sc), sp.Name) {
			// A compared variant's strategies, compiled for this service
			// alone: strategies may keep state.
			v := scenario.Variant{Strategies: s.variant.Strategies}
			if base.PlacementStrategy, _, err = v.Compile(path+".placementStrategy", orBuiltinOnly(s.opts.NewStrategy)); err != nil {
				return fmt.Errorf("sim: %w", err)
			}
		}
		st := &svcState{spec: sp, base: base, daemon: sp.SchedulingStrategy == "DAEMON",
			tds:  map[string]*scenario.TaskDefSpec{tdKey(&sp.TaskDefinition): &sp.TaskDefinition},
			keep: autoscale.DefaultLowDatapoints + 5, launches: sc.Quotas.ServiceLaunches().TokenBucket()}
		st.now, st.periodic = reconcileEv{st, reconcileNow}, reconcileEv{st, reconcilePeriodic}
		if sp.Scaling != nil {
			if st.scaler, err = sp.Scaling.Scaler(sp.Name); err != nil {
				return fmt.Errorf("sim: %s.scaling: %w", path, err)
			}
			st.sst = st.scaler.Start(*sp.DesiredCount)
			st.reads = readsOf(st.scaler)
			for _, p := range sp.Scaling.StepScaling {
				st.keep = max(st.keep, p.Alarm.EvaluationPeriods+5)
			}
			n := st.sst.Capacity
			st.base.DesiredCount = &n
		}
		if sp.Usage != nil {
			if st.usage, err = s.newUsage(sp.Usage); err != nil {
				return fmt.Errorf("sim: %s.usage: %w", path, err)
			}
		}
		st.offFargate, st.fleet = p.offFargate, s.fleet
		if st.items, err = s.fleet.strategyItems(sp.Name, scenario.ProviderStrategy(sp.CapacityProviderStrategy)); err != nil {
			return fmt.Errorf("sim: %s.capacityProviderStrategy: %w", path, err)
		}
		for _, it := range st.items {
			st.providers = append(st.providers, &svcProvider{name: it.CapacityProvider})
		}
		st.respec()
		sv.svcs = append(sv.svcs, st)
		sv.byName[sp.Name] = st
	}
	s.services.resolveTargetGroups()
	// Daemons first: a new instance's daemon tasks get its resources first.
	slices.SortStableFunc(sv.svcs, func(a, b *svcState) int {
		switch {
		case a.daemon == b.daemon:
			return 0
		case a.daemon:
			return -1
		}
		return 1
	})
	return s.scheduled.newScheduled()
}

// handlePlanner handles the planner's events; it reports whether ev was
// one of them.
func (s *simulator) handlePlanner(ev Event) bool {
	switch ev := ev.(type) {
	case reconcileEv:
		switch ev.kind {
		case reconcileNow:
			ev.st.queued = false
		case reconcilePeriodic:
			ev.st.ticking = false
			if s.services.idleTick(ev.st) {
				return true
			}
		}
		s.services.reconcile(ev.st)
	case taskRunning:
		if s.services.arrived(ev.t) {
			s.services.taskRunning(ev.t)
		}
	case svcEventEv:
		s.services.serviceEvent(ev.e)
	case minuteTick:
		s.minute()
		s.eng.After(time.Minute, minuteTick{})
	case spotNoticeEv:
		s.providers.spotNotice(ev.in)
	case spotKillEv:
		s.providers.spotKill(ev.in)
	case spotStopEv:
		if s.services.arrived(ev.t) {
			s.providers.spotStop(ev.t)
		}
	case scheduledRun:
		s.scheduled.runScheduled(ev.i)
	case retryEv:
		s.retrying = false
		s.tasks.retry()
	case serviceTokenEv:
		ev.st.tokenWake = false
		s.services.reconcile(ev.st)
	case fargateTokenEv:
		s.services.fargateTokenArrived(ev.spot)
	default:
		return s.services.handleTargets(ev)
	}
	return true
}
