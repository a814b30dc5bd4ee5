package docker

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// TaskStats is what one task used on Docker, read from its task cgroup
// when it ended. Times are wall times.
type TaskStats struct {
	Task, Instance string
	// Cores is the CPU it asked to burn (its demand, scaled), in cores.
	Cores float64
	// Ran is how long its essential container ran, from its start to its
	// exit as the engine reports them: its run without the container's
	// start latency; 0 when unknown.
	Ran time.Duration
	// CPUTime is the CPU its containers used.
	CPUTime time.Duration
	// Throttled is how long its own CPU limit (a task-level cpu, or
	// Config.CPUQuota) held it back.
	Throttled time.Duration
	// InstanceThrottled is how long its instance's CPU limit held the
	// instance's tasks back while it ran, summed over the machine's CPUs
	// (the kernel's throttled time); InstancePeriods and
	// InstanceThrottledPeriods count the instance's CFS periods in that
	// time, and those in which its quota ran out.
	InstanceThrottled                         time.Duration
	InstancePeriods, InstanceThrottledPeriods int64
	// PeakMemoryMiB is the most memory its containers held at once.
	PeakMemoryMiB int64
	// OOMKilled: the kernel killed its essential container for memory.
	OOMKilled bool
}

// InstanceStats is what one instance's cgroup used over the run, and its
// limits (wall times; CPU in cores).
type InstanceStats struct {
	Instance string
	// CPU is its quota in cores, MemoryMiB its memory limit: its
	// registered resources, scaled.
	CPU       float64
	MemoryMiB int64
	CPUTime   time.Duration
	// Periods and ThrottledPeriods count the CFS periods (100ms) in which
	// its tasks ran, and those in which they had used up its quota.
	Periods, ThrottledPeriods int64
	Throttled                 time.Duration
	PeakMemoryMiB             int64
	OOMKills                  int64
}

// Stats is what a run used on Docker: complete once the executor is
// closed.
type Stats struct {
	// Boundaries says, per engine, whether instances were bounded by
	// cgroups there and, if not, why not.
	Boundaries []string
	// ScaleResources is the factor instances and tasks were scaled by;
	// TimeScale the trace seconds per wall second.
	ScaleResources, TimeScale float64
	// WorkRates are the work units per core-second of each engine's
	// machine (in the order of Boundaries), tasks' computation's measure.
	WorkRates []float64
	Tasks     []TaskStats     // by task id
	Instances []InstanceStats // by instance id
}

// Stats returns what the run used so far; after Close, all of it.
func (e *Executor) Stats() *Stats {
	s := &Stats{ScaleResources: e.cfg.ScaleResources, TimeScale: e.cfg.Scale}
	urls := make([]string, 0, len(e.eps))
	for u := range e.eps {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		s.Boundaries = append(s.Boundaries, e.eps[u].boundary)
		s.WorkRates = append(s.WorkRates, e.eps[u].rate)
	}
	e.mu.Lock()
	for _, ts := range e.stats {
		s.Tasks = append(s.Tasks, *ts)
	}
	s.Instances = append(s.Instances, e.instStats...)
	e.mu.Unlock()
	sort.Slice(s.Tasks, func(i, j int) bool { return s.Tasks[i].Task < s.Tasks[j].Task })
	sort.Slice(s.Instances, func(i, j int) bool { return s.Instances[i].Instance < s.Instances[j].Instance })
	return s
}

// boundaryProblem says why instance cgroups cannot be made for an engine
// at endpoint, whose host is named engineHost, from a client on host
// local; "" when they can. Instance cgroups are written into the engine
// host's cgroup file system, so they need the engine on this machine,
// with the cgroupfs driver.
func boundaryProblem(endpoint, engineHost, local, driver, version string) string {
	switch {
	case !strings.HasPrefix(endpoint, "unix://"):
		return "the engine is remote, its host's cgroups out of reach"
	case engineHost != local:
		return fmt.Sprintf("the engine runs on host %q, not on this one (%q)", engineHost, local)
	case driver != "cgroupfs":
		return fmt.Sprintf("cgroup driver %q, instance cgroups need cgroupfs", driver)
	case version != "" && version != "1" && version != "2":
		return fmt.Sprintf("cgroup version %q, expected 1 or 2", version)
	}
	return ""
}

// bound sets up the instance cgroups of endpoint ep (named name): the
// run's cgroup, after removing those of runs whose process is gone; or
// says why instances are not bounded there.
func (e *Executor) bound(ep *endpoint, name string) error {
	const each = "each container's own limits hold, co-placed tasks share the engine's machine"
	if e.cfg.NoInstanceCgroups {
		ep.boundary = fmt.Sprintf("%s: instances not bounded (instance cgroups off): %s", name, each)
		return nil
	}
	res, err := ep.cli.Info(e.ctx, client.InfoOptions{})
	if err != nil {
		return fmt.Errorf("docker: %s: engine info: %s", name, oneLine(err))
	}
	info := res.Info
	if why := boundaryProblem(name, info.Name, e.hostname, info.CgroupDriver, info.CgroupVersion); why != "" {
		ep.boundary = fmt.Sprintf("%s: instances not bounded (%s): %s", name, why, each)
		return nil
	}
	g := &cgroups{root: e.cfg.CgroupRoot, v2: info.CgroupVersion == "2", run: runCgroup(e.runID, os.Getpid())}
	hint := " (instance cgroups need root on the engine's host; or turn them off)"
	if err := g.leftovers(); err != nil {
		return fmt.Errorf("%s%s", err, hint)
	}
	// The run's cgroup outweighs the machine's other processes, so that
	// their load does not pass for contention between instances; the
	// instances' quotas bound what the run takes.
	if err := g.create(g.run, cgroupLimits{Top: true}); err != nil {
		_ = g.remove(g.run)
		return fmt.Errorf("%s%s", err, hint)
	}
	ep.cg = g
	v := "1"
	if g.v2 {
		v = "2 (untested)"
	}
	ep.boundary = fmt.Sprintf("%s: instances bounded by cgroups (v%s, %s/%s)", name, v, g.root, g.run)
	return nil
}

// taskCgroup makes t's task cgroup, and its instance's the first time,
// when its endpoint bounds instances.
func (e *Executor) taskCgroup(t *task) error {
	g := t.ep.cg
	if g == nil {
		return nil
	}
	r := t.run
	in := g.instance(r.Instance)
	if _, ok := t.ep.instances[r.Instance]; !ok {
		l := instanceLimits(r, e.cfg.ScaleResources)
		if err := g.create(in, l); err != nil {
			return err
		}
		t.ep.instances[r.Instance] = l
	}
	p := g.task(r)
	if err := g.create(p, taskLimits(r, e.cfg.ScaleResources, e.cfg.CPUQuota)); err != nil {
		return err
	}
	t.cgroup = p
	t.inStart, _ = g.stat(in)
	return nil
}

// taskEnded records what t used, once its containers are gone, and
// removes its task cgroup.
func (e *Executor) taskEnded(t *task, oom bool, ran time.Duration) {
	e.mu.Lock()
	if t.counted {
		e.mu.Unlock()
		return
	}
	t.counted = true
	e.mu.Unlock()
	st := &TaskStats{Task: t.run.ID, Instance: t.run.Instance, OOMKilled: oom, Ran: ran,
		Cores: float64(t.run.Demand()) / 1024 * e.cfg.ScaleResources}
	if g := t.ep.cg; g != nil && t.cgroup != "" {
		if s, err := g.stat(t.cgroup); err == nil {
			st.CPUTime, st.Throttled, st.PeakMemoryMiB = s.CPUTime, s.Throttled, s.PeakMemory>>20
		}
		if s, err := g.stat(g.instance(t.run.Instance)); err == nil {
			st.InstanceThrottled = max(0, s.Throttled-t.inStart.Throttled)
			st.InstancePeriods = max(0, s.Periods-t.inStart.Periods)
			st.InstanceThrottledPeriods = max(0, s.ThrottledPeriods-t.inStart.ThrottledPeriods)
		}
		_ = g.remove(t.cgroup) // else Close removes it with the run's
	}
	e.mu.Lock()
	e.stats[t.run.ID] = st
	e.mu.Unlock()
}

// closeCgroups records the instances' use and removes the run's cgroups
// on ep, once its containers are gone.
func (e *Executor) closeCgroups(ep *endpoint) error {
	g := ep.cg
	if g == nil {
		return nil
	}
	ids := make([]string, 0, len(ep.instances))
	for id := range ep.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s, err := g.stat(g.instance(id))
		if err != nil {
			continue
		}
		l := ep.instances[id]
		e.mu.Lock()
		e.instStats = append(e.instStats, InstanceStats{Instance: id, CPU: l.Quota.Seconds() / cfsPeriod.Seconds(),
			MemoryMiB: l.MemoryBytes >> 20, CPUTime: s.CPUTime, Periods: s.Periods, ThrottledPeriods: s.ThrottledPeriods,
			Throttled: s.Throttled, PeakMemoryMiB: s.PeakMemory >> 20, OOMKills: s.OOMKills})
		e.mu.Unlock()
	}
	return g.remove(g.run)
}
