package scheduler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/berthsched/berth/placement"
)

// world is a random cluster and service under the test driver.
type world struct {
	*driver
	next int // next instance number
	rev  int
	src  *countingPCG // w.rng's source
}

// countingPCG is a PCG that counts its draws: Plan.Settled holds only
// of a call that drew nothing.
type countingPCG struct {
	rand.PCG
	draws int
}

func (s *countingPCG) Uint64() uint64 {
	s.draws++
	return s.PCG.Uint64()
}

func genWorld(t *rapid.T, daemon bool) *world {
	c := placement.NewCluster()
	w := &world{rev: 1}
	for range rapid.IntRange(1, 8).Draw(t, "instances") {
		w.addInstance(t, c)
	}
	td := taskDef("web", 1, 256, 512)
	svc := &Service{Name: "web", TaskDefinition: td, HealthChecked: rapid.Bool().Draw(t, "healthChecked")}
	if daemon {
		svc.SchedulingStrategy = Daemon
		if rapid.Bool().Draw(t, "minSet") {
			svc.DeploymentConfiguration.MinimumHealthyPercent = intp(rapid.SampledFrom([]int{0, 50, 100}).Draw(t, "min"))
		}
	} else {
		svc.DesiredCount = intp(rapid.IntRange(0, 10).Draw(t, "desired"))
		svc.DeploymentConfiguration.MinimumHealthyPercent = intp(rapid.SampledFrom([]int{0, 50, 75, 100}).Draw(t, "min"))
		svc.DeploymentConfiguration.MaximumPercent = intp(rapid.SampledFrom([]int{100, 125, 150, 200}).Draw(t, "max"))
	}
	w.driver = newDriver(t, svc, c)
	w.src = &countingPCG{PCG: *rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0)}
	w.rng = rand.New(w.src)
	w.pendFor = time.Duration(rapid.IntRange(0, 60).Draw(t, "pendFor")) * time.Second
	return w
}

func (w *world) addInstance(t *rapid.T, c *placement.Cluster) {
	cpu := int64(rapid.SampledFrom([]int{1024, 2048, 4096}).Draw(t, "cpu"))
	mem := int64(rapid.SampledFrom([]int{1024, 2048, 8192}).Draw(t, "mem"))
	if err := c.AddInstance(newInstance(w.next, cpu, mem)); err != nil {
		t.Fatal(err)
	}
	w.next++
}

// healthyTasks counts the wanted tasks the scheduler counts as healthy.
func (w *world) healthyTasks(stopped map[string]bool) int {
	req := w.svc.request(1)
	n := 0
	for i := range w.obs.Tasks {
		t := &w.obs.Tasks[i]
		if w.svc.strategy() == Daemon && !eligible(w.c.TaskInstance(t.Placement), req) {
			continue // a daemon on a draining instance is not replaced
		}
		if t.DesiredStatus != Stopped && !stopped[t.ID] && plainHealth(w.svc, w.now, t) == healthy {
			n++
		}
	}
	return n
}

// counted is RUNNING plus PENDING tasks, as maximumPercent counts them
// (for DAEMON, on eligible instances).
func (w *world) counted() int {
	req := w.svc.request(1)
	n := 0
	for _, t := range w.obs.Tasks {
		if t.LastStatus != Running && !t.LastStatus.Starting() {
			continue
		}
		if w.svc.strategy() == Daemon && !eligible(w.c.TaskInstance(t.Placement), req) {
			continue
		}
		n++
	}
	return n
}

func (w *world) desired() int {
	if w.svc.strategy() == Daemon {
		req := w.svc.request(1)
		n := 0
		for _, in := range w.c.Instances() {
			if eligible(in, req) {
				n++
			}
		}
		return n
	}
	return *w.svc.DesiredCount
}

// checkedReconcile reconciles and checks the per-plan invariants.
func (w *world) checkedReconcile(t *rapid.T) *Plan {
	lower, upper := w.svc.Bounds(w.desired())
	before := w.healthyTasks(nil)
	primary := ""
	if p := w.obs.State.Primary(); p != nil {
		primary = p.ID
	}
	isHealthy := map[string]bool{}
	for i := range w.obs.Tasks {
		isHealthy[w.obs.Tasks[i].ID] = w.obs.Tasks[i].DesiredStatus != Stopped && plainHealth(w.svc, w.now, &w.obs.Tasks[i]) == healthy
	}
	from, tasks, draws, sawStopped := w.obs.State, slices.Clone(w.obs.Tasks), w.src.draws, len(w.obs.Stopped) > 0
	p, err := Reconcile(w.svc, &w.obs, w.now, w.c, w.rng)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	defer w.checkSettled(t, p, &from, tasks, w.src.draws == draws, sawStopped)
	if p.State.Primary().ID != primary {
		primary = "" // a new deployment: every older task is being replaced
	}
	stopped := map[string]bool{}
	replacedHealthy := false
	for _, s := range p.Stops {
		stopped[s.ID] = true
		if !isHealthy[s.ID] {
			continue
		}
		for _, tk := range w.obs.Tasks {
			draining := w.c.TaskInstance(tk.Placement).Status != placement.StatusActive
			if tk.ID == s.ID && (tk.Deployment != primary && !draining || draining && w.svc.strategy() == Replica) {
				replacedHealthy = true
			}
		}
	}
	w.apply(p)
	if len(p.Starts) > 0 && w.counted() > upper {
		t.Fatalf("after starting %d tasks, %d RUNNING+PENDING > floor(desired x max%%) = %d", len(p.Starts), w.counted(), upper)
	}
	if after := w.healthyTasks(stopped); replacedHealthy && after < min(lower, before) {
		t.Fatalf("a deployment stop left %d healthy tasks, below ceil(desired x min%%) = %d (were %d)", after, lower, before)
	}
	return p
}

// settledSeen counts the plans Settled held for that changed their state
// or emitted conditions, and those of calls that saw a task STOPPED: the
// cases the property is about.
var settledSeen, settledStopped atomic.Int64

// checkSettled checks, when p is settled from the state from and its
// call, given tasks (and a task STOPPED when sawStopped), drew nothing,
// that reconciling p.State and tasks again changes nothing and draws
// nothing.
func (w *world) checkSettled(t *rapid.T, p *Plan, from *State, tasks []Task, drewNothing, sawStopped bool) {
	if !drewNothing || !p.Settled(from) {
		return
	}
	if len(p.Events) > 0 || !sameStates(from, &p.State) {
		settledSeen.Add(1)
	}
	if sawStopped {
		settledStopped.Add(1)
	}
	draws := w.src.draws
	obs := Observed{State: p.State, Tasks: tasks, Zones: w.obs.Zones, Launches: w.obs.Launches}
	again, err := Reconcile(w.svc, &obs, w.now, w.c, w.rng)
	if err != nil {
		t.Fatalf("Reconcile again: %v", err)
	}
	if w.src.draws != draws || !again.Empty() || len(again.Events) > 0 || !again.TokenAt.IsZero() || !sameStates(&p.State, &again.State) {
		t.Fatalf("a settled plan (events %q) reconciled again: drew %d, %d starts, %d stops, events %q, state %+v, want %+v",
			messages(p), w.src.draws-draws, len(again.Starts), len(again.Stops), messages(again), again.State, p.State)
	}
}

// sameStates reports whether a and b are equal field by field.
func sameStates(a, b *State) bool {
	return a.LastCompleted == b.LastCompleted && a.LaunchFailures == b.LaunchFailures && a.LastFailure == b.LastFailure &&
		a.NextLaunch == b.NextLaunch && (a.Rebalance == nil) == (b.Rebalance == nil) && (a.Rebalance == nil || *a.Rebalance == *b.Rebalance) &&
		slices.Equal(a.Deployments, b.Deployments) && slices.Equal(a.Reported, b.Reported)
}

// event applies one random event to the world.
func (w *world) event(t *rapid.T) {
	switch rapid.IntRange(0, 9).Draw(t, "event") {
	case 0: // a task fails
		if len(w.obs.Tasks) > 0 {
			k := rapid.IntRange(0, len(w.obs.Tasks)-1).Draw(t, "task")
			tk := w.obs.Tasks[k]
			w.obs.Tasks = append(w.obs.Tasks[:k], w.obs.Tasks[k+1:]...)
			tk.StopCode = EssentialContainerExited
			if tk.LastStatus.Starting() {
				tk.StopCode = TaskFailedToStart
			}
			w.stopTask(tk)
		}
	case 1: // an instance is lost
		in := w.c.Instances()[rapid.IntRange(0, len(w.c.Instances())-1).Draw(t, "lost")]
		if in.Status == placement.StatusInactive {
			return
		}
		kept := w.obs.Tasks[:0]
		for _, tk := range w.obs.Tasks {
			if w.c.TaskInstance(tk.Placement) == in {
				tk.StopCode = TerminationNotice
				w.stopTask(tk)
				continue
			}
			kept = append(kept, tk)
		}
		w.obs.Tasks = kept
		w.c.Update(in, func(in *placement.Instance) { in.Status = placement.StatusInactive })
	case 2: // draining, or back to ACTIVE
		in := w.c.Instances()[rapid.IntRange(0, len(w.c.Instances())-1).Draw(t, "drain")]
		switch in.Status {
		case placement.StatusActive:
			w.c.Update(in, func(in *placement.Instance) { in.Status = placement.StatusDraining })
		case placement.StatusDraining:
			w.c.Update(in, func(in *placement.Instance) { in.Status = placement.StatusActive })
		}
	case 3: // a new instance
		w.addInstance(t, w.c)
	case 4: // a deployment
		w.rev++
		w.svc.TaskDefinition = taskDef("web", w.rev, 256, 512)
	case 5: // a new desired count
		if w.svc.DesiredCount != nil {
			*w.svc.DesiredCount = rapid.IntRange(0, 10).Draw(t, "newDesired")
		}
	default:
		w.checkedReconcile(t)
		w.step(time.Duration(rapid.IntRange(1, 90).Draw(t, "dt")) * time.Second)
	}
}

// quiesce stops the events, gives the service room, and lets it settle.
// A configuration that allows neither starting nor stopping a task (min
// and max both at desired, which TestRollingWorkedExamples covers) is
// given maximumPercent 200 (a DAEMON, minimumHealthyPercent 0), as a user
// would after the stall event.
func (w *world) quiesce(t *rapid.T) {
	if d := w.desired(); w.svc.strategy() == Replica {
		if lower, upper := w.svc.Bounds(d); d > 0 && lower >= d && upper <= d {
			w.svc.DeploymentConfiguration.MaximumPercent = intp(200)
		}
	} else if minP, _ := w.svc.Percents(); minP == 100 {
		w.svc.DeploymentConfiguration.MinimumHealthyPercent = intp(0)
	}
	for range w.desired() + 1 {
		if err := w.c.AddInstance(newInstance(w.next, 4096, 8192)); err != nil {
			t.Fatal(err)
		}
		w.next++
	}
	for range 60 {
		w.checkedReconcile(t)
		w.step(time.Minute)
	}
}

func TestPropReplica(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, false)
		for range rapid.IntRange(0, 40).Draw(t, "events") {
			w.event(t)
		}
		w.quiesce(t)
		desired := *w.svc.DesiredCount
		if got := w.count(w.rev, Running); got != desired {
			t.Fatalf("converged to %d RUNNING tasks of revision %d, want desiredCount %d", got, w.rev, desired)
		}
		if got := len(w.obs.Tasks); got != desired {
			t.Fatalf("%d tasks left, want %d", got, desired)
		}
		p, err := Reconcile(w.svc, &w.obs, w.now, w.c, w.rng)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() || len(p.Events) != 0 {
			t.Fatalf("reconciling a converged state planned %d starts, %d stops, events %q", len(p.Starts), len(p.Stops), messages(p))
		}
		if st := p.State.Primary(); st.RolloutState != Completed || len(p.State.Deployments) != 1 {
			t.Fatalf("deployments after convergence: %+v", p.State.Deployments)
		}
	})
}

func TestPropDaemon(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, true)
		for range rapid.IntRange(0, 40).Draw(t, "events") {
			w.event(t)
		}
		w.quiesce(t)
		req := w.svc.request(1)
		per := map[string]int{}
		for _, tk := range w.obs.Tasks {
			per[w.c.TaskInstance(tk.Placement).ARN]++
			if rev := w.revision(&tk); rev != w.rev {
				t.Fatalf("task %s runs revision %d, want %d", tk.ID, rev, w.rev)
			}
		}
		for _, in := range w.c.Instances() {
			want := 0
			if eligible(in, req) {
				want = 1
			}
			if per[in.ARN] != want {
				t.Fatalf("instance %s (%s): %d daemon tasks, want %d", in.ARN, in.Status, per[in.ARN], want)
			}
		}
		p, err := Reconcile(w.svc, &w.obs, w.now, w.c, w.rng)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() || len(p.Events) != 0 {
			t.Fatalf("reconciling a converged daemon planned %d starts, %d stops, events %q", len(p.Starts), len(p.Stops), messages(p))
		}
	})
}

// TestPropDeterministic: the same inputs give the same plan.
func TestPropDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		desired := rapid.IntRange(0, 12).Draw(t, "desired")
		run := func() string {
			c := placement.NewCluster()
			for i := range 5 {
				if err := c.AddInstance(newInstance(i, 2048, 4096)); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Reconcile(replicaService(desired, taskDef("web", 1, 256, 512)), &Observed{}, t0, c, rand.New(rand.NewPCG(seed, 1)))
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%+v", messages(p)) + fmt.Sprint(len(p.Starts))
		}
		if a, b := run(), run(); a != b {
			t.Fatalf("two runs differ:\n%s\n%s", a, b)
		}
	})
}

// TestPropSettled: the worlds of the replica and daemon properties, every
// settled plan reconciled again (checkSettled); the property must have
// met plans that raised a condition or counted again, after a task
// STOPPED among them.
func TestPropSettled(t *testing.T) {
	settledSeen.Store(0)
	settledStopped.Store(0)
	for _, daemon := range []bool{false, true} {
		rapid.Check(t, func(t *rapid.T) {
			w := genWorld(t, daemon)
			for range rapid.IntRange(0, 40).Draw(t, "events") {
				w.event(t)
			}
			w.quiesce(t)
		})
	}
	if settledSeen.Load() == 0 || settledStopped.Load() == 0 {
		t.Errorf("settled plans that changed the state or raised a condition: %d, of calls that saw a task STOPPED: %d; want some of each",
			settledSeen.Load(), settledStopped.Load())
	}
	t.Logf("settled plans checked: %d changed the state or raised a condition, %d saw a task STOPPED", settledSeen.Load(), settledStopped.Load())
}
