package placement

import "slices"

// failure is a Place that placed nothing, remembered so that the same
// request placed again before the cluster changes is answered without
// scanning the instances: a service the fleet cannot hold asks every
// reconciliation, and an overloaded fleet has hundreds of them.
//
// The answer is exact. Whether any instance passes the filters, and what
// explain reports, depend only on the cluster's state (which c.gen counts
// every change of) and on the fields of the request that the filters
// read; strategies score only instances that passed every filter, and a
// Place that finds no candidate draws nothing from its rng.
type failure struct {
	req Request  // the filter fields, with slices of its own
	u   Unplaced // what explain reported
}

// recalled returns the failure remembered for a request with req's filter
// fields at the cluster's current generation.
func (c *Cluster) recalled(req *Request) (*failure, bool) {
	if c.failedGen != c.gen || !memorable(req) {
		return nil, false
	}
	f, ok := c.failed[req.Group]
	if !ok || !sameFilters(&f.req, req) {
		return nil, false
	}
	return f, true
}

// memorable reports whether a failure of req may be remembered: requests
// with host ports, required attributes or subnets' zones are placed anew
// each time (rare among the requests that keep failing), which keeps the
// copy and the comparison small.
func memorable(req *Request) bool {
	return len(req.Task.PortsTCP)+len(req.Task.PortsUDP)+len(req.RequiredAttributes)+len(req.Zones) == 0
}

// remember records that req placed nothing and why.
func (c *Cluster) remember(req *Request, u Unplaced) {
	if !memorable(req) {
		return
	}
	if c.failedGen != c.gen || c.failed == nil {
		if c.failed == nil {
			c.failed = map[string]*failure{}
		}
		clear(c.failed)
		c.failedGen = c.gen
	}
	f := c.failed[req.Group]
	if f == nil {
		f = &failure{}
		c.failed[req.Group] = f
	}
	f.req = Request{Group: req.Group, Task: req.Task, LaunchType: req.LaunchType, MaxPerInstance: req.MaxPerInstance,
		Constraints: append(f.req.Constraints[:0], req.Constraints...)}
	f.req.Task.Scalars = append(f.req.Task.Scalars[:0], req.Task.Scalars...)
	f.u = u
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
