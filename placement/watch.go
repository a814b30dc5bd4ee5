package placement

import (
	"errors"
	"slices"
)

// A Watch keeps, for one request, the first filter that removes each
// instance (ReasonNone for an instance that can take one more task of
// it), true as the cluster changes. It re-checks only the instances
// changed since it last looked, which the cluster journals, so that a
// caller retrying a request that placed nothing asks it first: when no
// instance passes, Place would place nothing and explain it exactly as
// Explain does, so it need not be called (and it draws nothing from its
// rng when it fails).
//
// A Watch reads the cluster and changes nothing in it that a result
// depends on. It must not be used from a strategy during a Place, and is
// not safe for concurrent use.
type Watch struct {
	c      *Cluster
	req    Request // the caller's, with slices shared: they must not change
	pr     prepared
	gen    uint64          // the generation reason is true at
	reason []Reason        // per instance
	n      [NumReasons]int // instances per reason
}

// Watch returns a Watch of req, an error for an invalid request.
func (c *Cluster) Watch(req *Request) (*Watch, error) {
	if req == nil {
		return nil, errors.New("placement: watch: req is nil")
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	w := &Watch{c: c, req: *req}
	// Place creates the group's id too: a group without tasks changes no
	// result.
	prepareDirect(&w.pr, &w.req, c.groupID(req.Group))
	w.rescan()
	return w, nil
}

// Same reports whether req has every field the filters read equal to the
// watched request's, so that the Watch answers for it too. Constraints
// compare by expression pointer: equal text compiled twice is a miss.
func (w *Watch) Same(req *Request) bool {
	a, x, y := &w.req, &w.req.Task, &req.Task
	return a.Group == req.Group && a.LaunchType == req.LaunchType && a.MaxPerInstance == req.MaxPerInstance &&
		x.CPU == y.CPU && x.MemoryMiB == y.MemoryMiB && x.GPUs == y.GPUs && x.GPUMilli == y.GPUMilli &&
		x.AllGPUs == y.AllGPUs && x.AWSVPC == y.AWSVPC &&
		slices.Equal(x.PortsTCP, y.PortsTCP) && slices.Equal(x.PortsUDP, y.PortsUDP) &&
		slices.Equal(x.Scalars, y.Scalars) && slices.Equal(a.Constraints, req.Constraints) &&
		slices.Equal(a.RequiredAttributes, req.RequiredAttributes) && slices.Equal(a.Zones, req.Zones)
}

// Fits reports whether some instance can take one more task of the
// request now.
func (w *Watch) Fits() bool {
	w.update()
	return w.n[ReasonNone] > 0
}

// Reason returns the first filter that removes in now (ReasonNone when it
// can take the task), as Check does.
func (w *Watch) Reason(in *Instance) Reason {
	w.update()
	return w.reason[in.idx]
}

// Reasons returns the reason of every instance, by index (Instance.Index),
// as Reason does. The slice is the watch's, good until the cluster
// changes.
func (w *Watch) Reasons() []Reason {
	w.update()
	return w.reason
}

// Explain returns what Place reports for the request when Fits is false:
// the filter that stopped the closest instance, the first in cluster
// order that got furthest, and how many instances each filter removed.
// Instances of another launch type are not candidates, as in Place.
func (w *Watch) Explain() Unplaced {
	w.update()
	var u Unplaced
	u.Removed = w.n
	u.Removed[ReasonLaunchType] = 0
	found := false
	for r, n := range u.Removed {
		if n > 0 {
			u.Reason, found = Reason(r), true
		}
	}
	if !found { // no candidate at all
		return u
	}
	i := slices.Index(w.reason, u.Reason)
	u.Closest = w.c.instances[i]
	if u.Reason == ReasonScalar {
		_, k := w.c.check(u.Closest, &w.pr)
		u.Scalar = w.req.Task.Scalars[k].Name
	}
	return u
}

// update re-checks the instances changed since the last look: those the
// journal names, or all of them when the journal no longer reaches back.
func (w *Watch) update() {
	c := w.c
	if w.gen == c.gen {
		return
	}
	changed, now, ok := c.Changes(w.gen)
	if !ok || len(changed) > len(c.instances) {
		w.rescan()
		return
	}
	for i := len(w.reason); i < len(c.instances); i++ {
		w.reason = append(w.reason, ReasonNone)
		w.n[ReasonNone]++ // counted now, re-checked below
	}
	for _, i := range changed {
		w.recheck(i)
	}
	w.gen = now
}

func (w *Watch) recheck(i int32) {
	r, _ := w.c.check(w.c.instances[i], &w.pr)
	w.n[w.reason[i]]--
	w.n[r]++
	w.reason[i] = r
}

// rescan checks every instance.
func (w *Watch) rescan() {
	c := w.c
	w.n = [NumReasons]int{}
	w.reason = slices.Grow(w.reason[:0], len(c.instances))
	for _, in := range c.instances {
		r, _ := c.check(in, &w.pr)
		w.reason = append(w.reason, r)
		w.n[r]++
	}
	w.gen = c.gen
}
