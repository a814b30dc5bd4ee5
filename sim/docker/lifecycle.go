package docker

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/moby/moby/client"
)

// launchers is how many containers of a run are created and started at
// once: engines serialize much of a start, and a few at a time keep the
// launches close to first come, first started.
const launchers = 4

// ReasonCannotStart prefixes the stopped reason of a task whose container
// could not be created or started (ECS's CannotStartContainerError); its
// exit code is -1, since no process ran.
const ReasonCannotStart = "CannotStartContainerError: "

// Start implements sim.Executor: it validates the run and launches its
// containers in the background, in the run's order; a container that
// cannot be created or started ends the task with ReasonCannotStart.
func (e *Executor) Start(r *sim.Run) error {
	if err := e.Err(); err != nil {
		return err
	}
	if e.closed {
		return fmt.Errorf("docker: start task %s: the executor is closed", r.ID)
	}
	if err := validRun(r); err != nil {
		return err
	}
	if _, dup := e.running[r.ID]; dup {
		return fmt.Errorf("docker: task %s is already running", r.ID)
	}
	ep, err := e.endpoint(endpointFor(e.cfg.Hosts, r.Instance, e.cfg.Host))
	if err != nil {
		return err
	}
	t := &task{run: r, ep: ep, startSim: e.eng.Now(), startWall: e.wall(),
		stop: stopWall(r, e.cfg.StopTimeout, e.cfg.Scale)}
	if err := e.taskCgroup(t); err != nil {
		return err
	}
	e.running[r.ID] = t
	e.n++
	specs := containerSpecs(r)
	for i := range specs {
		c := &ctr{t: t, essential: specs[i].essential, name: fmt.Sprintf("berth-%s-%d", e.runID, e.n)}
		if len(r.Containers) > 0 {
			c.name += "-" + strconv.Itoa(i)
		}
		c.cc, c.hc = e.containerConfig(t, &specs[i])
		t.ctrs = append(t.ctrs, c)
	}
	e.wg.Add(1)
	go e.launch(t)
	return nil
}

// launch creates and starts t's containers, one after the other; when one
// fails, the task ends and the others are removed.
func (e *Executor) launch(t *task) {
	defer e.wg.Done()
	select {
	case e.sem <- struct{}{}:
		defer func() { <-e.sem }()
	case <-e.ctx.Done():
		return
	}
	for _, c := range t.ctrs {
		if !e.launchOne(c) {
			e.stopOthers(t)
			if e.ctx.Err() == nil {
				e.taskEnded(t, false, 0)
			}
			return
		}
	}
}

// launchOne creates and starts container c; it reports whether it runs.
func (e *Executor) launchOne(c *ctr) bool {
	t := c.t
	for retried := false; ; retried = true {
		if t.ep.noInit.Load() {
			c.hc.Init = nil
		}
		id, ok := e.create(c)
		if !ok {
			return false
		}
		if e.ctx.Err() != nil {
			return false // the run is ending: Close removes it
		}
		err := e.start(c, id)
		if err == nil {
			return true
		}
		e.mu.Lock()
		delete(e.byContainer, id)
		c.cid = ""
		ended := t.ended
		e.mu.Unlock()
		e.remove(t.ep, id, c.name)
		if !retried && !ended && c.hc.Init != nil && strings.Contains(err.Error(), "docker-init") {
			// An engine without its init binary: run the workload as PID 1.
			t.ep.noInit.Store(true)
			continue
		}
		e.mu.Lock()
		ended = t.ended
		t.ended = true
		e.mu.Unlock()
		if !ended {
			e.cannotStart(t, err)
		}
		return false
	}
}

// create creates container c and registers it; ok is false when the task
// ended instead (creation failed, the run is closing, the task ended
// already, or it was stopped before it started: it never runs, as a
// PENDING task stopped in ECS).
//
// The create is not cut short when the run is cancelled: a create cancelled
// on the client's side can still complete on the engine, after Close looked
// for the run's containers, and leave one behind. Close waits for it
// instead, and removes it.
func (e *Executor) create(c *ctr) (string, bool) {
	t := c.t
	cli := t.ep.cli
	e.mu.Lock()
	e.onEngine[c.name] = t.ep
	e.mu.Unlock()
	ctx, cancel := e.engineCtx()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: c.cc, HostConfig: c.hc, Name: c.name})
	cancel()
	if err != nil {
		if !uncertain(err) {
			e.mu.Lock()
			delete(e.onEngine, c.name) // the engine refused it: nothing was made
			e.mu.Unlock()
		}
		e.mu.Lock()
		ended := t.ended
		t.ended = true
		e.mu.Unlock()
		if !ended {
			e.cannotStart(t, err)
		}
		return "", false
	}
	e.mu.Lock()
	if e.closing {
		e.mu.Unlock()
		return "", false // Close removes it with the run's others
	}
	if t.ended {
		e.mu.Unlock()
		e.remove(t.ep, res.ID, c.name)
		return "", false
	}
	c.cid = res.ID
	e.byContainer[res.ID] = c
	sig := t.signal
	if sig != "" {
		delete(e.byContainer, res.ID)
		c.died = true
		t.ended = true
	}
	e.mu.Unlock()
	if sig != "" {
		e.deliver(t, signalCode(sig), t.reason, e.wall())
		e.remove(t.ep, res.ID, c.name)
		return "", false
	}
	return res.ID, true
}

// start starts container id of c, and sends it the signal a Stop or
// LoseInstance asked for meanwhile.
func (e *Executor) start(c *ctr, id string) error {
	ctx, cancel := e.engineCtx()
	_, err := c.t.ep.cli.ContainerStart(ctx, id, client.ContainerStartOptions{})
	cancel()
	if err != nil {
		return err
	}
	e.mu.Lock()
	c.started = true
	sig := c.t.signal
	e.mu.Unlock()
	if sig != "" {
		e.kill(c, id, sig)
	}
	return nil
}

// cannotStart ends a task whose container did not start.
func (e *Executor) cannotStart(t *task, err error) {
	if e.ctx.Err() != nil {
		return // the run is ending; nothing more is reported
	}
	e.mu.Lock()
	reason := t.reason
	e.mu.Unlock()
	if reason == "" {
		reason = ReasonCannotStart + oneLine(err)
	}
	e.deliver(t, -1, reason, e.wall())
}

// deliver injects the task's exit at the simulated time that corresponds
// to wall time seen: its start plus the scaled wall time since.
func (e *Executor) deliver(t *task, code int, reason string, seen time.Time) {
	at := t.startSim + time.Duration(float64(seen.Sub(t.startWall))*e.cfg.Scale)
	if at <= 0 {
		at = 1 // 0 would mean "now by the wall clock" to Inject
	}
	e.eng.Inject(at, exitEvent{t: t, code: code, reason: reason})
}

// engineTimeout bounds an engine call that the run's cancellation does not
// cut short (a create, a start, a removal): long enough for an engine on a
// loaded machine, short enough that a hung one does not hold the run.
const engineTimeout = time.Minute

// engineCtx returns the context of an engine call that must complete even
// when the run is cancelled, so that its outcome is known.
func (e *Executor) engineCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(e.ctx), engineTimeout)
}

// signalCode is the exit code of a process ended by sig: 128 + its number.
func signalCode(sig string) int {
	if sig == "SIGTERM" {
		return 143
	}
	return 137
}

// defaultStopTimeout is how long a task has to exit after SIGTERM before
// it gets SIGKILL, ECS's default (ECS_CONTAINER_STOP_TIMEOUT).
const defaultStopTimeout = 30 * time.Second

// stopWall is the wall time a container of r has between SIGTERM and
// SIGKILL: its stop timeout (the run's, else the default) in trace time,
// scaled to the wall.
func stopWall(r *sim.Run, def time.Duration, scale float64) time.Duration {
	d := r.StopTimeout
	if d <= 0 {
		d = def
	}
	return time.Duration(float64(d) / scale)
}

// kill sends sig to container cid of c until it dies. The signal is
// repeated: a process that has not installed its handlers yet, as PID 1
// of its container, ignores SIGTERM. SIGTERM turns to SIGKILL after the
// task's stop timeout.
func (e *Executor) kill(c *ctr, cid, sig string) {
	deadline := time.Now().Add(c.t.stop)
	resend := time.Now()
	for {
		if !time.Now().Before(resend) {
			_, _ = c.t.ep.cli.ContainerKill(e.ctx, cid, client.ContainerKillOptions{Signal: sig})
			resend = time.Now().Add(500 * time.Millisecond)
		}
		select {
		case <-e.ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
		e.mu.Lock()
		died := c.died
		e.mu.Unlock()
		if died {
			return
		}
		if sig == "SIGTERM" && time.Now().After(deadline) {
			sig, resend = "SIGKILL", time.Now()
		}
	}
}

// signal asks t's containers to end with sig; reason becomes its stopped
// reason. A container still starting gets the signal once started.
func (e *Executor) signal(t *task, reason, sig string) bool {
	e.mu.Lock()
	if t.reason != "" {
		e.mu.Unlock()
		return false
	}
	t.reason, t.signal = reason, sig
	var kill []*ctr
	var cids []string
	for _, c := range t.ctrs {
		if c.started && !c.died && c.cid != "" {
			kill, cids = append(kill, c), append(cids, c.cid)
		}
	}
	e.mu.Unlock()
	for i, c := range kill {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.kill(c, cids[i], sig)
		}()
	}
	return true
}

// Stop implements sim.Executor: the container gets SIGTERM (the workload
// exits with 143) and the task's exit carries reason.
func (e *Executor) Stop(r *sim.Run, reason string) error {
	t, ok := e.running[r.ID]
	if !ok {
		return fmt.Errorf("docker: stop: task %s is not running", r.ID)
	}
	if reason == "" {
		reason = sim.ReasonStoppedByUser
	}
	if !e.signal(t, reason, "SIGTERM") {
		return fmt.Errorf("docker: stop: task %s is already stopping", r.ID)
	}
	return nil
}

// LoseInstance implements sim.Executor: every container of the instance is
// killed (SIGKILL, exit 137), as when its host goes away.
func (e *Executor) LoseInstance(instance string) error {
	var lost []*task
	for _, t := range e.running {
		if t.run.Instance == instance {
			lost = append(lost, t)
		}
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i].run.ID < lost[j].run.ID })
	reason := fmt.Sprintf(sim.ReasonInstanceLost, instance)
	for _, t := range lost {
		e.signal(t, reason, "SIGKILL")
	}
	return nil
}
