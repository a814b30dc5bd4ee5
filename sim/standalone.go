package sim

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
)

// standalone is the run's standalone tasks: the workload's (generated or
// from a trace) and the scheduled tasks', each a RunTask of count 1 placed
// with the variant's strategies. A task that does not fit waits and is
// tried again, in arrival order, whenever capacity frees.
type standalone struct {
	*core
	fleet     *fleet
	m         *collector
	providers *providers // nil without capacity providers and services
	strategy  []placement.Strategy
	cons      []placement.Constraint
	gpuCons   map[string]placement.Constraint // per gpu model list
	src       taskSource
	next      *item // the next arrival, read ahead: one of buf
	buf       [2]item
	ahead     int
	waiting   []*task
	running   map[string]*task
	// live holds the ids of a trace's tasks submitted and not yet
	// finished, with the line each came from: an id may come again only
	// once its task is done. Bounded by the live tasks, not by the trace's
	// length. Generated tasks (generator, scheduled tasks) are not in it:
	// berth numbers them itself.
	live map[string]string
	// shapes numbers the shape keys; failed[id] == pass when the shape
	// failed in retry pass number pass.
	shapes map[string]int32
	// lastShape is, per group, the last task whose shape was numbered:
	// most tasks that wait are of a shape just seen.
	lastShape map[string]*task
	failed    []uint32
	pass      uint32
	// watches holds, per shape id, the placement watches of the waiting
	// tasks that needed one (see watchFor), and of shapes that waited
	// before, up to maxWatches of them; nwatch counts them.
	watches          [][]*watchRef
	nwatch, maxWatch int
	res              placement.Result
	// wlSplit counts the workload tasks given to each provider of the
	// workload's capacity provider strategy; wlSplitGPU the GPU strategy's.
	wlSplit, wlSplitGPU []int
	// mixSplit counts them per generator mix entry with a strategy of
	// its own (index item.mix-1).
	mixSplit [][]int
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
	shape     int32  // the id of its shapeKey, once it waits
	watch     *watchRef
	state     taskState
	provider  string // the capacity provider it waits for, if any
}

type taskState uint8

const (
	stateWaiting taskState = iota
	stateRunning
	stateDone
)

// releaser is implemented by strategies that keep their own account of the
// tasks on each instance (gpushare's GpuClustering): the simulator tells
// them when a task leaves.
type releaser interface {
	Released(in *placement.Instance, r *placement.Requirements)
}

// readAhead reads the next task and schedules its arrival.
func (s *standalone) readAhead() error {
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
	// Two slots, alternately: the arrival handler still reads the item
	// read before this one, and a fresh item per task would be an
	// allocation of a few hundred bytes.
	s.ahead = 1 - s.ahead
	s.buf[s.ahead] = t
	s.next = &s.buf[s.ahead]
	s.eng.Schedule(t.Submit, arrival{})
	return nil
}

// submit submits a new task once RunTask's request rate lets it.
func (s *standalone) submit(spec item) {
	if s.admit(spec) {
		s.submitAt(spec, s.eng.Now())
	}
}

// submitAt builds the placement request of a task that arrived at and
// tries to place it.
func (s *standalone) submitAt(spec item, at time.Duration) {
	t := &task{spec: spec, submitted: at}
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
	if s.providers != nil {
		if name, con, ok := s.workloadProvider(&spec); ok {
			t.provider = name
			t.req.Constraints = append(slices.Clip(t.req.Constraints), con)
		}
		if s.providers.offFargate != nil {
			t.req.Constraints = append(slices.Clip(t.req.Constraints), *s.providers.offFargate)
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
func (s *standalone) gpuConstraint(models []string) (placement.Constraint, error) {
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

func (s *standalone) wait(t *task, reason string) {
	t.state = stateWaiting
	// Only waiting tasks need their shape: most tasks never wait, and the
	// key is formatted.
	t.shape = s.shapeOf(t)
	s.waiting = append(s.waiting, t)
	if reason != "" {
		s.log.unplaced(s.eng.Now(), t, reason)
	}
}

// tryPlace places t if it can, and starts it.
func (s *standalone) tryPlace(t *task) bool {
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
		CPUUse:     t.spec.CPUUse,
		Ports:      t.req.Task.PortsTCP,
		Duration:   t.spec.Duration,
		ExitCode:   t.spec.ExitCode,
		Started:    s.eng.Now(),
		Containers: t.spec.containers,
		// The instance's bounds, for executors that model them.
		InstanceCPU:       p.Instance.Registered.CPU,
		InstanceMemoryMiB: p.Instance.Registered.MemoryMiB,
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
func (s *standalone) retry() {
	if len(s.waiting) == 0 {
		return
	}
	s.pass++
	kept := s.waiting[:0]
	blocked := false
	for _, t := range s.waiting {
		if blocked || s.failed[t.shape] == s.pass || !s.retryOne(t) {
			kept = append(kept, t)
			s.failed[t.shape] = s.pass
			blocked = s.sc.Retry == "strict-fifo"
		}
	}
	clear(s.waiting[len(kept):])
	s.waiting = kept
}

// retryOne places a waiting task if it can. Most retries fail: its
// watch answers those without a Place, which would fail the same way and
// explain it the same way (drawing nothing from the rng).
func (s *standalone) retryOne(t *task) bool {
	if w := s.watchFor(t); w != nil && !w.Fits() {
		u := w.Explain()
		t.reason = u.ReasonString()
		return false
	}
	if !s.tryPlace(t) {
		return false
	}
	s.unwatch(t)
	return true
}

// shapeOf returns the id of t's shape key. A task whose request has every
// field the key prints equal to the last one of its group's has its id
// without formatting the key: equal fields print equal keys.
func (s *standalone) shapeOf(t *task) int32 {
	if u := s.lastShape[t.req.Group]; u != nil && sameShape(&u.req, &t.req) && slices.Equal(u.spec.GPUModels, t.spec.GPUModels) {
		return u.shape
	}
	t.shape = s.shapeID(shapeKey(&t.req, t.spec.GPUModels))
	if s.lastShape == nil {
		s.lastShape = map[string]*task{}
	}
	s.lastShape[t.req.Group] = t
	return t.shape
}

// sameShape reports whether a and b have equal the fields shapeKey
// prints (constraints by compiled expression: equal pointers print
// equal text).
func sameShape(a, b *placement.Request) bool {
	x, y := &a.Task, &b.Task
	return a.Group == b.Group && x.CPU == y.CPU && x.MemoryMiB == y.MemoryMiB && x.GPUs == y.GPUs &&
		x.GPUMilli == y.GPUMilli && x.AllGPUs == y.AllGPUs && x.AWSVPC == y.AWSVPC &&
		slices.Equal(x.PortsTCP, y.PortsTCP) && slices.Equal(x.PortsUDP, y.PortsUDP) &&
		slices.EqualFunc(x.Scalars, y.Scalars, sameScalar) && slices.Equal(a.Constraints, b.Constraints)
}

// sameScalar compares amounts bit for bit: -0 and 0 are equal numbers
// that print differently.
func sameScalar(a, b placement.Scalar) bool {
	return a.Name == b.Name && math.Float64bits(a.Value) == math.Float64bits(b.Value)
}

// shapeID numbers a shape key.
func (s *standalone) shapeID(key string) int32 {
	id, ok := s.shapes[key]
	if !ok {
		id = int32(len(s.failed))
		s.shapes[key] = id
		s.failed = append(s.failed, 0)
		s.watches = append(s.watches, nil)
	}
	return id
}

// watchRef is a placement watch shared by the waiting tasks whose
// requests have the same filters, with how many use it.
type watchRef struct {
	w     *placement.Watch
	users int
}

// minWatches is how many watches standalone keeps before it drops those
// no waiting task uses: a shape often waits again soon after its tasks
// were placed, and a new watch checks every instance.
const minWatches = 512

// watchFor returns the watch of a waiting task's request, sharing one
// among the tasks of one shape and filters; nil for a request placement
// rejects (never a validated one).
func (s *standalone) watchFor(t *task) *placement.Watch {
	if t.watch != nil {
		return t.watch.w
	}
	for _, r := range s.watches[t.shape] {
		if r.w.Same(&t.req) {
			t.watch = r
		}
	}
	if t.watch == nil {
		w, err := s.fleet.cluster.Watch(&t.req)
		if err != nil {
			return nil
		}
		if s.nwatch >= max(s.maxWatch, minWatches) {
			s.dropIdleWatches()
		}
		t.watch = &watchRef{w: w}
		s.watches[t.shape] = append(s.watches[t.shape], t.watch)
		s.nwatch++
	}
	t.watch.users++
	return t.watch.w
}

// unwatch lets go of a placed task's watch.
func (s *standalone) unwatch(t *task) {
	if t.watch != nil {
		t.watch.users--
		t.watch = nil
	}
}

// dropIdleWatches drops the watches no waiting task uses, and lets the
// watches grow to twice those left before the next sweep.
func (s *standalone) dropIdleWatches() {
	s.nwatch = 0
	for k, refs := range s.watches {
		refs = slices.DeleteFunc(refs, func(r *watchRef) bool { return r.users == 0 })
		s.watches[k] = refs
		s.nwatch += len(refs)
	}
	s.maxWatch = 2 * s.nwatch
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

// exited handles the end of a standalone task's run.
func (s *standalone) exited(e *Exit) {
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

// workloadProvider picks the provider of the next workload task (of its
// mix entry's strategy when it has one, else of the GPU strategy when it
// needs GPUs and there is one, else the workload's): each task to the
// provider furthest below its share (Split's rule, one task at a time,
// counted per strategy). It returns the memberOf that keeps the task
// there.
func (s *standalone) workloadProvider(spec *item) (string, placement.Constraint, bool) {
	items, split := s.sc.Workload.CapacityProviderStrategy, &s.wlSplit
	if spec.GPUs > 0 && len(s.sc.Workload.GPUCapacityProviderStrategy) > 0 {
		items, split = s.sc.Workload.GPUCapacityProviderStrategy, &s.wlSplitGPU
	}
	if g := s.sc.Workload.Generator; spec.mix > 0 && g != nil && len(g.Mix[spec.mix-1].CapacityProviderStrategy) > 0 {
		if s.mixSplit == nil {
			s.mixSplit = make([][]int, len(g.Mix))
		}
		items, split = g.Mix[spec.mix-1].CapacityProviderStrategy, &s.mixSplit[spec.mix-1]
	}
	if len(items) == 0 {
		return "", placement.Constraint{}, false
	}
	if *split == nil {
		*split = make([]int, len(items))
	}
	k := scenario.ProviderStrategy(items).Next(*split)
	(*split)[k]++
	name := items[k].CapacityProvider
	con, err := s.fleet.memberOf("attribute:" + scenario.ProviderAttribute + " == " + name)
	return name, con, err == nil
}
