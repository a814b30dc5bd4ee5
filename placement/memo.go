package placement

import (
	"bytes"
	"slices"

	"github.com/berthsched/berth/cql"
)

// failure is a Place that placed nothing, remembered so that the same
// request placed again is answered without scanning the instances: a
// service the fleet cannot hold asks every reconciliation, and an
// overloaded fleet has hundreds of them.
//
// The answer is exact, and stays so while the cluster changes. What check
// reports for an instance depends only on that instance (its status,
// attributes, resources and the tasks of each group it hosts) and on the
// fields of the request that the filters read; strategies score only
// instances that passed every filter, and a Place that finds no candidate
// draws nothing from its rng. So a change to one instance changes only its
// own reason: a recall checks again just the instances changed since the
// failure's generation (c.Changes). If one of them now takes the task, the
// request is placed anew; otherwise Removed, Reason and Closest follow
// from the reasons kept per instance. Placing again at every change would
// cost a scan of the whole cluster per failing service each time another
// service's task starts or stops.
type failure struct {
	req     Request  // the filter fields, with slices of its own
	gen     uint64   // the generation reasons and u are of
	reasons []byte   // per instance, the Reason check gave
	u       Unplaced // what explain reported
	current bool     // reasons and u hold at gen (not if a recall found a fit)
	// asked is one more than the generation at which this failure
	// answered its group's latest failed Place (0: it did not, a request
	// of the group that is not remembered failed since): FailsAgain
	// answers only for that Place.
	asked uint64
	gid   int32 // req.Group's groupID, so that a catch-up looks up nothing
	// cls, when not nil, keeps the reasons in f's place: f's request
	// reads nothing of its group, and cls is the failure shared by every
	// such request with the same filters (classOf).
	cls *failure
}

// failKey is the filter fields of a request whose filters read nothing of
// its group: every field sameFilters compares but the group, for a
// request without scalars and with at most two constraints.
type failKey struct {
	launch                  LaunchType
	cpu, mem                int64
	gpus, gpuMilli, dynamic int
	allGPUs, awsvpc         bool
	constraints             [2]Constraint
}

// classOf returns the failure shared by the failures of requests with
// req's filters, or nil when req's filters read its group (distinctInstance,
// maxPerInstance, a memberOf on task:group or runningTasksCount) or
// its key would not hold them. What check reports for such a request
// depends on the instance alone: in an overloaded fleet hundreds of
// services of a few task sizes fail the same way, and each catching up
// on every change by itself costs a check per change per service.
func (c *Cluster) classOf(req *Request) *failure {
	t := &req.Task
	if req.MaxPerInstance > 0 || len(t.Scalars) > 0 || len(req.Constraints) > 2 {
		return nil
	}
	k := failKey{launch: req.LaunchType, cpu: t.CPU, mem: t.MemoryMiB, gpus: t.GPUs, gpuMilli: t.GPUMilli,
		dynamic: t.DynamicPorts, allGPUs: t.AllGPUs, awsvpc: t.AWSVPC}
	for i, con := range req.Constraints {
		if con.Type == DistinctInstance || con.Expr.Uses()&(cql.UsesTaskGroup|cql.UsesRunningTasksCount) != 0 {
			return nil
		}
		k.constraints[i] = con
	}
	cl := c.classes[k]
	if cl == nil {
		if c.classes == nil {
			c.classes = map[failKey]*failure{}
		}
		cl = &failure{}
		c.classes[k] = cl
	}
	return cl
}

// catchUpOf is catchUp for f, through its class when it has one: the
// class's reasons are every instance's as of its generation, as f's own
// would be, so f's answer follows from them. A class that cannot be
// caught up (stale, or an instance fits) leaves f no longer current.
func (c *Cluster) catchUpOf(f *failure, req *Request) bool {
	cl := f.cls
	if cl == nil {
		return c.catchUp(f, req)
	}
	if !cl.current || cl.gen < c.journalGen || cl.gen != c.gen && !c.catchUp(cl, &cl.req) {
		f.current = false
		return false
	}
	f.u, f.gen = cl.u, c.gen
	return true
}

// dropStale forgets the failures older than the change journal, which can
// only be placed anew, keeping their buffers for the next.
func (c *Cluster) dropStale() {
	for g, f := range c.failed {
		if f.gen < c.journalGen || !f.current {
			c.spare = append(c.spare, f)
			delete(c.failed, g)
		}
	}
	// A class is not taken back: failures may still point at it, and
	// find it stale or not current.
	for k, cl := range c.classes {
		if cl.gen < c.journalGen || !cl.current {
			delete(c.classes, k)
		}
	}
}

// recalled returns the failure remembered for a request with req's filter
// fields, brought up to the cluster's current generation, or false when
// there is none or the request may fit now.
func (c *Cluster) recalled(req *Request) (*failure, bool) {
	if !memorable(req) {
		return nil, false
	}
	f, ok := c.failed[req.Group]
	if !ok || !f.current || f.gen < c.journalGen || !sameFilters(&f.req, req) {
		return nil, false
	}
	if f.gen != c.gen && !c.catchUpOf(f, req) {
		return nil, false
	}
	return f, true
}

// catchUp checks again the instances changed since f.gen and updates f.
// It reports false, leaving f no longer current, when one of them can
// take the task.
func (c *Cluster) catchUp(f *failure, req *Request) bool {
	pr := c.prepareFiltersOf(req, f.gid)
	changed, _, _ := c.Changes(f.gen) // recalled checked that it reaches f.gen
	mark := c.nextMark()
	for _, i := range changed {
		// An instance changed several times is checked once: check reads
		// it as it is now, and a second check would set the same reason.
		if c.seen[i] == mark {
			continue
		}
		c.seen[i] = mark
		r, _ := c.check(c.instances[i], pr)
		if r == ReasonNone {
			f.current = false
			return false
		}
		for int(i) >= len(f.reasons) { // added since: not counted yet
			f.reasons = append(f.reasons, byte(ReasonLaunchType))
		}
		if old := Reason(f.reasons[i]); old != ReasonLaunchType {
			f.u.Removed[old]--
		}
		if r != ReasonLaunchType {
			f.u.Removed[r]++
		}
		f.reasons[i] = byte(r)
	}
	f.gen = c.gen
	c.summarize(f, pr)
	return true
}

// nextMark returns a fresh mark for seen, sized to the instances.
func (c *Cluster) nextMark() uint32 {
	if len(c.seen) < len(c.instances) {
		c.seen = append(c.seen, make([]uint32, len(c.instances)-len(c.seen))...)
	}
	c.seenMark++
	if c.seenMark == 0 { // wrapped: old marks could match again
		clear(c.seen)
		c.seenMark = 1
	}
	return c.seenMark
}

// summarize sets f.u's Reason, Closest and Scalar from its Removed and
// reasons as explain does: the closest instance is the first with the
// latest reason, launch type mismatches aside.
func (c *Cluster) summarize(f *failure, pr *prepared) {
	u := &f.u
	u.Reason, u.Closest, u.Scalar = ReasonNone, nil, ""
	for r := NumReasons - 1; r > ReasonLaunchType; r-- {
		if u.Removed[r] > 0 {
			u.Reason = r
			break
		}
	}
	if u.Reason == ReasonNone {
		return
	}
	u.Closest = c.instances[bytes.IndexByte(f.reasons, byte(u.Reason))]
	if u.Reason == ReasonScalar {
		_, k := c.check(u.Closest, pr)
		u.Scalar = pr.task.Requirements.Scalars[k].Name
	}
}

// memorable reports whether a failure of req may be remembered: requests
// with host ports, required attributes or subnets' zones are placed anew
// each time (rare among the requests that keep failing), which keeps the
// copy and the comparison small.
func memorable(req *Request) bool {
	return len(req.Task.PortsTCP)+len(req.Task.PortsUDP)+len(req.RequiredAttributes)+len(req.Zones) == 0
}

// maxFailuresBytes bounds the reasons the remembered failures keep.
const maxFailuresBytes = 64 << 20

// failureFor returns the failure to fill for req's group, or nil when
// req's failures are not remembered.
func (c *Cluster) failureFor(req *Request) *failure {
	if !memorable(req) {
		return nil
	}
	if c.failed == nil {
		c.failed = map[string]*failure{}
	}
	f := c.failed[req.Group]
	if f != nil {
		return f
	}
	if (len(c.failed)+len(c.classes)+1)*len(c.instances) > maxFailuresBytes {
		c.dropStale()
		if (len(c.failed)+len(c.classes)+1)*len(c.instances) > maxFailuresBytes {
			return nil
		}
	}
	if n := len(c.spare); n > 0 {
		f, c.spare = c.spare[n-1], c.spare[:n-1]
	} else {
		f = &failure{}
	}
	c.failed[req.Group] = f
	return f
}

// remember records that req placed nothing, with the reasons explain
// left in f.
func (c *Cluster) remember(f *failure, req *Request, u Unplaced) {
	f.req = Request{Group: req.Group, Task: req.Task, LaunchType: req.LaunchType, MaxPerInstance: req.MaxPerInstance,
		Constraints: append(f.req.Constraints[:0], req.Constraints...)}
	f.req.Task.Scalars = append(f.req.Task.Scalars[:0], req.Task.Scalars...)
	f.u, f.gen, f.current, f.gid = u, c.gen, true, c.groupID(req.Group)
	f.asked = c.gen + 1
	if cl := f.cls; cl != nil { // its reasons are explain's, of now
		cl.req = Request{Group: req.Group, Task: req.Task, LaunchType: req.LaunchType,
			Constraints: append(cl.req.Constraints[:0], req.Constraints...)}
		cl.u, cl.gen, cl.current, cl.gid = u, c.gen, true, f.gid
	}
}

// forgetAsked records that a request of group that is not remembered
// failed: the group's remembered failure, of another request, no longer
// answers for its latest failed Place.
func (c *Cluster) forgetAsked(group string) {
	if f := c.failed[group]; f != nil {
		f.asked = 0
	}
}

// sameFilters reports whether every field the filters read is equal in a
// and b, of which a is memorable. Constraints compare by expression
// pointer (a compiled cql.Expr is immutable): equal text compiled twice
// is a miss, never a wrong hit.
func sameFilters(a, b *Request) bool {
	x, y := &a.Task, &b.Task
	return a.Group == b.Group && a.LaunchType == b.LaunchType && a.MaxPerInstance == b.MaxPerInstance &&
		x.CPU == y.CPU && x.MemoryMiB == y.MemoryMiB && x.GPUs == y.GPUs && x.GPUMilli == y.GPUMilli &&
		x.AllGPUs == y.AllGPUs && x.DynamicPorts == y.DynamicPorts && x.AWSVPC == y.AWSVPC &&
		slices.Equal(x.Scalars, y.Scalars) && slices.Equal(a.Constraints, b.Constraints)
}

// Generation returns how many changes the cluster's instances and their
// tasks have seen: a caller that remembers a failed Place with it can ask
// FailsAgain later instead of placing again.
func (c *Cluster) Generation() uint64 { return c.gen }

// FailsAgain reports whether placing again the request whose Place last
// failed for group, at generation gen, would fail with the same Unplaced
// reason, closest instance and scalar, without drawing: true when nothing
// changed since, otherwise as the remembered failure, brought up to date
// as Place would (catchUp), says. It is false when the failure is not
// remembered at gen (the request was not memorable, or placed since).
// It answers for the group's latest failed Place only: after a request
// of the group that is not remembered fails, it is false until a
// remembered one fails again. A caller that skips reconciliations of a
// service the fleet cannot hold asks this instead of Place, and learns
// when the answer could differ; a true answer counts as placing again now.
func (c *Cluster) FailsAgain(group string, gen uint64) bool {
	return c.FailsAgainOf(Failure{}, group, gen)
}

// Failure is a handle on the failure remembered for a group, for
// FailsAgainOf: a caller asking about the same failure again and again
// keeps it to spare a lookup by the group's name.
type Failure struct{ f *failure }

// Failed returns the handle on the failure remembered for group, empty
// when there is none.
func (c *Cluster) Failed(group string) Failure { return Failure{c.failed[group]} }

// Group returns the group of the failure h is a handle on ("" for an
// empty handle): a caller that asks FailsAgainOf with this string rather
// than an equal one of its own spares a comparison of the bytes.
func (h Failure) Group() string {
	if h.f == nil {
		return ""
	}
	return h.f.req.Group
}

// FailsAgainOf is FailsAgain, looking the failure up only when h is not
// it. A failure current at gen no older than the journal, of group, is
// the one kept for group: one that is dropped is stale or not current,
// and is filled for another group only once taken back.
func (c *Cluster) FailsAgainOf(h Failure, group string, gen uint64) bool {
	if gen == c.gen {
		return true
	}
	f := h.f
	if f == nil || f.req.Group != group || !f.current || f.gen != gen || f.asked != gen+1 {
		f = c.failed[group]
	}
	if f == nil || !f.current || f.gen != gen || f.asked != gen+1 || gen < c.journalGen {
		return false
	}
	was := f.u
	if !c.catchUpOf(f, &f.req) {
		return false
	}
	if f.u.Reason != was.Reason || f.u.Closest != was.Closest || f.u.Scalar != was.Scalar {
		return false
	}
	f.asked = c.gen + 1 // as if placed again now, as the caller takes it
	return true
}

// Updates returns how many times Update was called: while it stays the
// same, no instance's status changed, so a caller that found its tasks on
// ACTIVE instances need not look again while its tasks stay the same.
func (c *Cluster) Updates() uint64 { return c.updates }

// Deactivations returns how many times Update took an instance out of
// ACTIVE: while it stays the same, every task found on an ACTIVE instance
// is on one still, however many instances registered meanwhile.
func (c *Cluster) Deactivations() uint64 { return c.deactivations }
