package docker

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/moby/moby/client"
)

func (e *Executor) subscribe(ep *endpoint, since string) client.EventsResult {
	return ep.cli.Events(e.ctx, client.EventsListOptions{Since: since, Filters: make(client.Filters).
		Add("type", "container").Add("event", "die").Add("label", LabelRun+"="+e.runID)})
}

// watch reads the endpoint's die events until the run ends. A broken
// stream is reopened from the last event seen, and the run's exited
// containers are checked for exits the gap may have hidden; an engine that
// stays away fails the run.
func (e *Executor) watch(ep *endpoint, sub client.EventsResult, since string) {
	defer e.wg.Done()
	failures := 0
	for {
		select {
		case m := <-sub.Messages:
			failures = 0
			since = fmt.Sprintf("%d.%09d", m.TimeNano/1e9, m.TimeNano%1e9)
			code, _ := strconv.Atoi(m.Actor.Attributes["exitCode"])
			e.died(ep, m.Actor.ID, code, e.wall())
		case err := <-sub.Err:
			if e.ctx.Err() != nil {
				return
			}
			failures++
			if failures > 5 {
				e.fail(fmt.Errorf("docker: %s: event stream: %s", ep.cli.DaemonHost(), oneLine(err)))
				return
			}
			select {
			case <-e.ctx.Done():
				return
			case <-time.After(time.Duration(failures) * 200 * time.Millisecond):
			}
			sub = e.subscribe(ep, since)
			e.reconcile(ep)
		}
	}
}

// reconcile reports the run's containers that exited while the event
// stream was down.
func (e *Executor) reconcile(ep *endpoint) {
	list, err := ep.cli.ContainerList(e.ctx, client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelRun+"="+e.runID).Add("status", "exited")})
	if err != nil {
		return // the next failure of the stream reports it
	}
	for _, c := range list.Items {
		e.died(ep, c.ID, -1, e.wall())
	}
}

// died handles the death of container cid, seen at wall time seen. The
// death of an essential container ends its task, and the task's other
// containers are stopped; a non-essential one is only removed.
func (e *Executor) died(ep *endpoint, cid string, code int, seen time.Time) {
	e.mu.Lock()
	c := e.byContainer[cid]
	if c == nil || c.died {
		e.mu.Unlock()
		return
	}
	c.died = true
	delete(e.byContainer, cid)
	t := c.t
	ends := c.essential && !t.ended
	if ends {
		t.ended = true
	}
	reason := t.reason
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if ends {
			oom := false
			var ran time.Duration
			if res, err := ep.cli.ContainerInspect(e.ctx, cid, client.ContainerInspectOptions{}); err == nil && res.Container.State != nil {
				st := res.Container.State
				code, oom = st.ExitCode, st.OOMKilled
				ran = span(st.StartedAt, st.FinishedAt)
			}
			if code == 137 && !oom && reason == "" && (c.hc.Memory > 0 || t.cgroup != "") {
				// SIGKILL that no one here sent, under a memory limit: the
				// kernel's OOM killer. The engine's flag misses some of
				// these kills (cgroup v1, with an init as PID 1: the event
				// can come after the exit).
				oom = true
			}
			oom = oom && code == 137
			switch {
			case reason != "":
			case oom:
				reason = sim.ReasonOutOfMemory
			default:
				reason = sim.ReasonEssentialExited
			}
			e.deliver(t, code, reason, seen)
			e.stopOthers(t)
			e.remove(ep, cid, c.name)
			e.taskEnded(t, oom, ran)
			return
		}
		e.remove(ep, cid, c.name)
	}()
}

// span is the time from start to end, RFC 3339 times as the engine
// reports a container's; 0 when either is missing or malformed.
func span(start, end string) time.Duration {
	a, err1 := time.Parse(time.RFC3339Nano, start)
	b, err2 := time.Parse(time.RFC3339Nano, end)
	if err1 != nil || err2 != nil || a.IsZero() || b.Before(a) {
		return 0
	}
	return b.Sub(a)
}

// stopOthers stops the containers of t that are still there, once t has
// ended, as ECS stops them: SIGTERM, SIGKILL after the task's stop
// timeout; then removes them. A container created later sees t.ended
// and removes itself.
func (e *Executor) stopOthers(t *task) {
	e.mu.Lock()
	var stop []*ctr
	var ids []string
	var started []bool
	for _, c := range t.ctrs {
		if c.cid != "" && !c.died {
			stop, ids, started = append(stop, c), append(ids, c.cid), append(started, c.started)
		}
	}
	e.mu.Unlock()
	var wg sync.WaitGroup
	for i, c := range stop {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if started[i] {
				e.kill(c, ids[i], "SIGTERM")
			}
			e.mu.Lock()
			c.died = true
			delete(e.byContainer, ids[i])
			e.mu.Unlock()
			e.remove(t.ep, ids[i], c.name)
		}()
	}
	wg.Wait()
}
