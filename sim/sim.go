package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

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
}

// Pacing sets a run on the wall clock.
type Pacing struct {
	Scale float64
	Wall  func() time.Time
}

// task is one task of the workload through its life in the simulation.
type task struct {
	spec      item
	req       placement.Request
	submitted time.Duration
	placedAt  time.Duration
	id        placement.TaskID
	inst      *placement.Instance
	run       *Run
	reason    string // last placement failure
	shape     string // see shapeKey
	state     taskState
	provider  string // the capacity provider it waits for, if any
}

type taskState uint8

const (
	stateWaiting taskState = iota
	stateRunning
	stateDone
)

// Engine events of the simulator.
type (
	arrival    struct{}
	sample     struct{}
	fleetEvent struct{ e scenario.FleetEvent }
	registered struct{ in *placement.Instance }
)

// releaser is implemented by strategies that keep their own account of the
// tasks on each instance (gpushare's GpuClustering): the simulator tells
// them when a task leaves.
type releaser interface {
	Released(in *placement.Instance, r *placement.Requirements)
}

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
	err     error // the first failure of an executor or a source
	closers []io.Closer
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
	fleet    *fleet
	handler  EventHandler // the executor's, when it has events of its own
	rng      *rand.Rand   // placement tie-breaks
	strategy []placement.Strategy
	cons     []placement.Constraint
	gpuCons  map[string]placement.Constraint // per gpu model list
	src      taskSource
	next     *item // the next arrival, read ahead
	waiting  []*task
	running  map[string]*task
	// live holds the ids of a trace's tasks submitted and not yet
	// finished, with the line each came from: an id may come again only
	// once its task is done. Bounded by the live tasks, not by the trace's
	// length. Generated tasks (generator, scheduled tasks) are not in it:
	// berth numbers them itself.
	live   map[string]string
	failed map[string]bool // shapes that failed in the current retry pass
	res    placement.Result
	m      *collector
	pl     *planner // services, scaling, capacity providers; nil without
	events int      // events handled
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
	s := &simulator{
		core:    &core{sc: sc, opts: opts, log: &eventLog{w: opts.Log}},
		rng:     rand.New(rand.NewPCG(sc.Seed, 1)),
		gpuCons: map[string]placement.Constraint{},
		running: map[string]*task{},
		live:    map[string]string{},
		failed:  map[string]bool{},
	}
	s.eng = NewEngine(s.handle)
	s.fleet = newFleet(s.core)
	if opts.Executor != nil {
		s.exec = opts.Executor(s.eng)
	} else {
		s.exec = NewSimulated(s.eng)
	}
	s.handler, _ = s.exec.(EventHandler)
	var err error
	if len(v.Strategies) == 0 && len(v.Constraints) == 0 {
		v = sc.Workload.Placement
	}
	if s.strategy, s.cons, err = v.Compile("placement", orBuiltinOnly(opts.NewStrategy)); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s.m = newCollector(s)
	if sc.HasPlanner() {
		if err := s.newPlanner(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// start builds the fleet and queues the first events.
func (s *simulator) start() error {
	if err := s.fleet.build(); err != nil {
		return err
	}
	if s.pl != nil {
		if err := s.startProviders(); err != nil {
			return err
		}
		s.startServices()
		s.startScheduled()
	}
	src, err := s.openWorkload()
	if err != nil {
		return err
	}
	s.src = src
	if err := s.readAhead(); err != nil {
		return err
	}
	for _, e := range s.sc.Fleet.Events {
		s.eng.Schedule(time.Duration(e.At), fleetEvent{e})
	}
	s.eng.Schedule(0, sample{})
	return nil
}

// readAhead reads the next task and schedules its arrival.
func (s *simulator) readAhead() error {
	t, err := s.src.Next()
	if errors.Is(err, io.EOF) {
		s.next = nil
		return nil
	}
	if err != nil {
		return err
	}
	if !t.HasTimes {
		return fmt.Errorf("sim: workload.trace: %w: it can be packed (berth pack) but not replayed in time", trace.NoTimesError(s.sc.Workload.Trace.Path))
	}
	s.next = &t
	s.eng.Schedule(t.Submit, arrival{})
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
	if s.pl != nil && s.handlePlanner(ev) {
		return
	}
	switch ev := ev.(type) {
	case arrival:
		t := s.next
		if err := s.readAhead(); err != nil {
			s.fail(err)
		}
		if t.fleet != nil {
			s.traceFleetEvent(t.fleet, t.where)
			return
		}
		s.submit(*t)
	case *Exit:
		s.exited(ev)
	case sample:
		s.m.sample(s.eng.Now())
		if s.opts.Progress != nil {
			s.opts.Progress(s.eng.Now(), time.Duration(s.sc.Duration))
		}
		s.eng.After(time.Duration(s.sc.SampleEvery), sample{})
	case fleetEvent:
		s.fleetEvent(ev.e)
		s.changed()
	case registered:
		if ev.in.Status != placement.StatusRegistering {
			return // gone before it registered
		}
		s.fleet.cluster.Update(ev.in, func(in *placement.Instance) { in.Status = placement.StatusActive })
		s.log.instance(s.eng.Now(), trace.KindInstanceAdd, ev.in, s.fleet.info[ev.in.Index()], "")
		if s.pl == nil {
			s.retry()
			return
		}
		// Groups launch many instances at once: one retry for all of them.
		s.armSpot(ev.in)
		s.changed()
		if !s.pl.retrying {
			s.pl.retrying = true
			s.eng.After(0, retryEv{})
		}
	}
}

// submit builds the placement request of a new task and tries to place it.
func (s *simulator) submit(spec item) {
	t := &task{spec: spec, submitted: s.eng.Now()}
	t.req = placement.Request{
		Count: 1,
		Group: spec.Group,
		Task: placement.Requirements{
			CPU:       spec.CPU,
			MemoryMiB: spec.MemoryMiB,
			GPUs:      spec.GPUs,
			GPUMilli:  spec.GPUMilli,
		},
		Strategies:         s.strategy,
		Constraints:        s.cons,
		RequiredAttributes: spec.attrs,
	}
	t.req.Task.PortsTCP = spec.ports
	t.req.Task.PortsUDP = spec.udp
	t.req.Task.DynamicPorts = spec.dynamic
	t.req.Task.AWSVPC = spec.awsvpc
	t.req.Zones = spec.zones
	if len(spec.cons) > 0 {
		t.req.Constraints = append(slices.Clip(t.req.Constraints), spec.cons...)
	}
	if t.req.Group == "" {
		family := spec.App
		if family == "" {
			family = "task"
		}
		t.req.Group = "family:" + family
	}
	if spec.GPUs == 0 {
		t.req.Task.GPUMilli = 0
	}
	for _, sc := range spec.Scalars {
		t.req.Task.Scalars = append(t.req.Task.Scalars, placement.Scalar{Name: sc.Name, Value: sc.Value})
	}
	if len(spec.GPUModels) > 0 {
		con, err := s.gpuConstraint(spec.GPUModels)
		if err != nil {
			s.fail(fmt.Errorf("sim: task %s: %w", spec.ID, err))
			return
		}
		t.req.Constraints = append(slices.Clip(t.req.Constraints), con)
	}
	t.req.MaxPerInstance = spec.MaxPerInstance
	if s.pl != nil {
		if name, con, ok := s.workloadProvider(spec.GPUs > 0); ok {
			t.provider = name
			t.req.Constraints = append(slices.Clip(t.req.Constraints), con)
		}
		if s.pl.offFargate != nil {
			t.req.Constraints = append(slices.Clip(t.req.Constraints), *s.pl.offFargate)
		}
	}
	if err := t.req.Validate(); err != nil {
		s.fail(fmt.Errorf("sim: task %s: %w", spec.ID, err))
		return
	}
	if spec.where != "" && spec.ID != "" { // a trace's task: its id is the input's
		if first, dup := s.live[spec.ID]; dup {
			s.fail(fmt.Errorf("sim: %s: task %q is submitted again while the one from %s has not finished, expected each task id once", spec.where, spec.ID, first))
			return
		}
		s.live[spec.ID] = spec.where
	}
	s.m.submitted++
	s.log.submit(s.eng.Now(), t)
	t.shape = shapeKey(&t.req, spec.GPUModels)
	if len(s.waiting) > 0 && s.sc.Retry == "strict-fifo" {
		s.wait(t, "")
		return
	}
	if !s.tryPlace(t) {
		s.wait(t, t.reason)
	}
}

// gpuConstraint returns the memberOf constraint that keeps a task on the
// GPU models it accepts, compiled once per list.
func (s *simulator) gpuConstraint(models []string) (placement.Constraint, error) {
	key := strings.Join(models, "|")
	if c, ok := s.gpuCons[key]; ok {
		return c, nil
	}
	quoted := make([]string, len(models))
	for i, m := range models {
		quoted[i] = "'" + m + "'"
	}
	c, err := placement.NewMemberOf("attribute:gpu-model in [" + strings.Join(quoted, ", ") + "]")
	if err != nil {
		return c, err
	}
	s.gpuCons[key] = c
	return c, nil
}

func (s *simulator) wait(t *task, reason string) {
	t.state = stateWaiting
	s.waiting = append(s.waiting, t)
	if reason != "" {
		s.log.unplaced(s.eng.Now(), t, reason)
	}
}

// tryPlace places t if it can, and starts it.
func (s *simulator) tryPlace(t *task) bool {
	if err := s.fleet.cluster.Place(&t.req, s.rng, &s.res); err != nil {
		s.fail(fmt.Errorf("sim: task %s: %w", t.spec.ID, err))
		return false
	}
	if len(s.res.Placed) == 0 {
		t.reason = s.res.Unplaced[0].ReasonString()
		return false
	}
	p := s.res.Placed[0]
	t.id, t.inst, t.placedAt, t.state = p.Task, p.Instance, s.eng.Now(), stateRunning
	t.run = &Run{
		ID:         t.spec.ID,
		Group:      t.req.Group,
		Family:     strings.TrimPrefix(t.req.Group, "family:"),
		Instance:   p.Instance.ARN,
		CPU:        t.req.Task.CPU,
		MemoryMiB:  t.req.Task.MemoryMiB,
		Ports:      t.req.Task.PortsTCP,
		Duration:   t.spec.Duration,
		ExitCode:   t.spec.ExitCode,
		Started:    s.eng.Now(),
		Containers: t.spec.containers,
	}
	s.running[t.run.ID] = t
	s.m.placed(t)
	s.log.place(s.eng.Now(), t, s.fleet.info[p.Instance.Index()])
	if err := s.exec.Start(t.run); err != nil {
		s.fail(fmt.Errorf("sim: start task %s: %w", t.spec.ID, err))
		return false
	}
	return true
}

// retry places waiting tasks after capacity freed, in arrival order. With
// fifo every waiting task is tried; a request shape that failed is not
// tried again in the same pass, since capacity only shrinks within it.
// With strict-fifo the first task that does not fit blocks the rest.
func (s *simulator) retry() {
	if len(s.waiting) == 0 {
		return
	}
	clear(s.failed)
	kept := s.waiting[:0]
	blocked := false
	for _, t := range s.waiting {
		if blocked || s.failed[t.shape] || !s.tryPlace(t) {
			kept = append(kept, t)
			s.failed[t.shape] = true
			blocked = s.sc.Retry == "strict-fifo"
		}
	}
	clear(s.waiting[len(kept):])
	s.waiting = kept
}

// shapeKey identifies a request's placement-relevant content: two tasks of
// one shape fit exactly the same instances.
func shapeKey(r *placement.Request, models []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%v|%v", r.Group, r.Task, models)
	for _, c := range r.Constraints {
		b.WriteString("|" + c.String())
	}
	return b.String()
}

// exited handles the end of a run.
func (s *simulator) exited(e *Exit) {
	if s.pl != nil {
		if st, ok := s.pl.tasks[e.Run.ID]; ok {
			s.serviceExited(st, e)
			return
		}
	}
	t, ok := s.running[e.Run.ID]
	if !ok {
		s.fail(fmt.Errorf("sim: executor reported the exit of unknown task %s", e.Run.ID))
		return
	}
	delete(s.running, e.Run.ID)
	if t.spec.where != "" {
		delete(s.live, t.spec.ID)
	}
	t.state = stateDone
	if err := s.fleet.cluster.Release(t.id); err != nil {
		s.fail(err)
		return
	}
	for _, st := range s.strategy {
		if r, ok := st.(releaser); ok {
			r.Released(t.inst, &t.req.Task)
		}
	}
	s.m.finished(t, e)
	s.log.finish(s.eng.Now(), t, s.fleet.info[t.inst.Index()], e)
	s.retry()
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
		s.retry()
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

// instanceEvent drains, fails or deregisters one instance.
func (s *simulator) instanceEvent(in *placement.Instance, kind string) {
	inf := s.fleet.info[in.Index()]
	switch kind {
	case "interrupt":
		s.spotNotice(in)
	case "drain":
		// Standalone tasks keep running on a draining instance.
		s.fleet.cluster.Update(in, func(in *placement.Instance) { in.Status = placement.StatusDraining })
		s.log.instance(s.eng.Now(), trace.KindInstanceDrain, in, inf, "")
	case "fail", "deregister":
		if in.Status == placement.StatusInactive {
			return
		}
		s.fleet.cluster.Update(in, func(in *placement.Instance) { in.Status = placement.StatusInactive })
		inf.removed = s.eng.Now()
		s.log.instance(s.eng.Now(), trace.Kind("instance-"+kind), in, inf, "")
		if err := s.exec.LoseInstance(in.ARN); err != nil {
			s.fail(fmt.Errorf("sim: lose instance %s: %w", in.ARN, err))
		}
	}
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
