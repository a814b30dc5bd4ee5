package scheduler

import (
	"slices"
	"strings"

	"github.com/berthsched/berth/placement"
)

// eligible reports whether a DAEMON service wants a task on in: in is of
// the service's launch type, ACTIVE, has the task definition's required attributes and satisfies
// every memberOf constraint.
func eligible(in *placement.Instance, req *placement.Request) bool {
	if in.Status != placement.StatusActive || in.LaunchType() != launchTypeOf(req) {
		return false
	}
	for _, a := range req.RequiredAttributes {
		if v, ok := in.Attribute(a.Name); !ok || a.Value != "" && v != a.Value {
			return false
		}
	}
	for _, con := range req.Constraints {
		if con.Type == placement.MemberOf && !con.Expr.Match(in.Subject()) {
			return false
		}
	}
	return true
}

// launchTypeOf is the request's launch type, EC2 when it names none.
func launchTypeOf(req *placement.Request) placement.LaunchType {
	if req.LaunchType == "" {
		return placement.LaunchTypeEC2
	}
	return req.LaunchType
}

// onlyDaemonsLeft reports whether the instance hosts no PENDING or RUNNING
// service task other than daemon's: a daemon task is the last to stop on a
// draining instance. Standalone tasks (groups not "service:...") do not
// hold it back, since draining leaves them alone.
func onlyDaemonsLeft(in *placement.Instance, group string) bool {
	for _, g := range in.TaskGroups() {
		if g != group && strings.HasPrefix(g, "service:") {
			return false
		}
	}
	return true
}

// daemon reconciles a DAEMON service: one task on each eligible instance.
// Its desired count is the number of eligible instances; maximumPercent is
// 100, so a new task starts on an instance only once the old one is gone,
// and placement keeps one task per instance with distinctInstance.
func (r *reconciler) daemon() error {
	group := r.svc.Group()
	req := r.svc.request(1)
	ins := r.c.Instances()
	ok := make([]bool, len(ins))
	desired := 0
	for k, in := range ins {
		if ok[k] = eligible(in, req); ok[k] {
			desired++
		}
	}
	r.desired = desired
	lower, upper := r.svc.Bounds(desired)
	cs := r.daemonCensus(ok, group)
	if r.breaker(desired, cs.primaryHealthy, cs.primaryRunning) {
		cs = r.daemonCensus(ok, group)
	}
	p := r.primary()
	halted := p.RolloutState == Failed

	missing := 0
	for k, in := range ins {
		if ok[k] && r.c.GroupCount(in, group) == 0 {
			missing++
		}
	}
	room := upper - cs.counted
	starts := 0
	if !halted && missing > 0 {
		if r.now.Before(r.st.NextLaunch) {
			r.cond(msgThrottled(r.svc.Name))
		} else {
			starts = min(missing, max(room, 0))
		}
	}
	if err := r.placeDaemons(starts, ok, group); err != nil {
		return err
	}
	for k, i := range cs.drainNow {
		r.stop(i, cs.why[k])
	}
	budget := cs.healthy - lower
	if !halted {
		r.replaceOld(cs, budget)
	}
	if !halted && len(cs.old) > 0 && r.plan.Empty() && budget <= 0 && cs.inflight == 0 {
		r.cond(msgStalled(r.svc.Name))
	}
	if !halted && r.plan.Empty() && cs.inflight == 0 && missing == 0 && cs.waiting+len(cs.old)+len(cs.unhealthy)+len(cs.drainNow) == 0 &&
		cs.primaryHealthy == desired && len(cs.primary) == desired {
		r.complete()
	}
	return nil
}

// daemonCensus sorts a DAEMON service's tasks. drainNow holds the tasks to
// stop at once: on instances that stopped matching the constraints, on
// draining instances once no other service task is left there, and all but
// one task of an instance.
func (r *reconciler) daemonCensus(ok []bool, group string) *census {
	cs := &census{}
	p := r.primary()
	byInstance := map[int32][]int{}
	for i := range r.obs.Tasks {
		t := &r.obs.Tasks[i]
		wanted, counted := live(t)
		in := r.c.TaskInstance(t.Placement)
		if in == nil {
			continue
		}
		if counted && ok[in.Index()] {
			cs.counted++ // maximumPercent 100 is per eligible instance
		}
		if !wanted {
			cs.inflight++
			continue
		}
		if t.LastStatus == Running {
			cs.running++
			if p.owns(t.Deployment) {
				cs.primaryRunning = true
			}
		}
		k := int32(in.Index())
		if ok[k] && r.health(t) == healthy {
			cs.healthy++
		}
		switch {
		case ok[k]:
			byInstance[k] = append(byInstance[k], i)
		case in.Status == placement.StatusActive:
			cs.stopNow(i, reasonNoLongerMatches(in))
		case onlyDaemonsLeft(in, group):
			cs.stopNow(i, reasonDraining(in))
		default:
			cs.waiting++ // the last to stop on a draining instance
		}
	}
	keys := make([]int32, 0, len(byInstance))
	for k := range byInstance {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		tasks := byInstance[k]
		keep := slices.MaxFunc(tasks, func(a, b int) int { return r.daemonRank(a) - r.daemonRank(b) })
		for _, i := range tasks {
			if i != keep {
				cs.stopNow(i, r.scaling())
			}
		}
		t := &r.obs.Tasks[keep]
		switch h := r.health(t); {
		case h == unhealthy:
			cs.unhealthy = append(cs.unhealthy, keep)
			cs.old = append(cs.old, keep) // replaced like an old task: stop first, max is 100
		case !p.owns(t.Deployment):
			cs.old = append(cs.old, keep)
		default:
			cs.primary = append(cs.primary, keep)
			if h == healthy {
				cs.primaryHealthy++
			}
		}
	}
	return cs
}

// daemonRank prefers, among tasks on one instance, the primary
// deployment's, then healthy ones, then the first observed.
func (r *reconciler) daemonRank(i int) int {
	t := &r.obs.Tasks[i]
	n := 0
	if r.primary().owns(t.Deployment) {
		n += 4
	}
	if r.health(t) == healthy {
		n += 2
	}
	return n*len(r.obs.Tasks) - i
}

// placeDaemons starts n daemon tasks on eligible instances without one.
// When some cannot be placed, the event names the first such instance and
// what it lacks (placement's own closest match would be an instance that
// already has the daemon task).
func (r *reconciler) placeDaemons(n int, ok []bool, group string) error {
	if err := r.place(n); err != nil {
		return err
	}
	if len(r.res.Unplaced) == 0 || n == 0 {
		return nil
	}
	req := r.svc.requestFor(r.primary().TaskDefinition, 1)
	for k, in := range r.c.Instances() {
		if ok[k] && r.c.GroupCount(in, group) == 0 {
			reason, scalar := lacks(in, &req.Task)
			r.cond(msgUnplacedOn(r.svc.Name, in, reason, scalar))
			break
		}
	}
	return nil
}

// lacks says which of placement's filters in fails for a task needing
// req, among those a daemon's own instance can fail.
func lacks(in *placement.Instance, req *placement.Requirements) (placement.Reason, string) {
	switch {
	case !in.AgentConnected:
		return placement.ReasonAgent, ""
	case in.Remaining.CPU < req.CPU:
		return placement.ReasonCPU, ""
	case in.Remaining.MemoryMiB < req.MemoryMiB:
		return placement.ReasonMemory, ""
	}
	free := 0
	for _, g := range in.Remaining.GPUs {
		if g.FreeMilli == placement.GPUMilliPerDevice {
			free++
		}
	}
	if req.GPUs > free || req.AllGPUs && free != len(in.Remaining.GPUs) {
		return placement.ReasonGPU, ""
	}
	for _, p := range req.PortsTCP {
		if _, taken := slices.BinarySearch(in.Remaining.PortsTCP, p); taken {
			return placement.ReasonPorts, ""
		}
	}
	for _, p := range req.PortsUDP {
		if _, taken := slices.BinarySearch(in.Remaining.PortsUDP, p); taken {
			return placement.ReasonPorts, ""
		}
	}
	for _, s := range req.Scalars {
		have := 0.0
		for _, x := range in.Remaining.Scalars {
			if x.Name == s.Name {
				have = x.Value
			}
		}
		if have < s.Value {
			return placement.ReasonScalar, s.Name
		}
	}
	return placement.ReasonNone, ""
}
