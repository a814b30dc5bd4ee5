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
	if c.failedGen != c.gen {
		return nil, false
	}
	f, ok := c.failed[req.Group]
	if !ok || !sameFilters(&f.req, req) {
		return nil, false
	}
	return f, true
}

// remember records that req placed nothing and why.
func (c *Cluster) remember(req *Request, u Unplaced) {
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
	f.req = Request{
		Group:              req.Group,
		Task:               req.Task,
		RequiredAttributes: slices.Clone(req.RequiredAttributes),
		Constraints:        slices.Clone(req.Constraints),
		LaunchType:         req.LaunchType,
		Zones:              slices.Clone(req.Zones),
		MaxPerInstance:     req.MaxPerInstance,
	}
	f.req.Task.PortsTCP = slices.Clone(req.Task.PortsTCP)
	f.req.Task.PortsUDP = slices.Clone(req.Task.PortsUDP)
	f.req.Task.Scalars = slices.Clone(req.Task.Scalars)
	f.u = u
}

// sameFilters reports whether every field the filters read is equal in a
// and b. Constraints compare by expression pointer (a compiled cql.Expr
// is immutable): equal text compiled twice is a miss, never a wrong hit.
func sameFilters(a, b *Request) bool {
	x, y := &a.Task, &b.Task
	return a.Group == b.Group && a.LaunchType == b.LaunchType && a.MaxPerInstance == b.MaxPerInstance &&
		x.CPU == y.CPU && x.MemoryMiB == y.MemoryMiB && x.GPUs == y.GPUs && x.GPUMilli == y.GPUMilli &&
		x.AllGPUs == y.AllGPUs && x.DynamicPorts == y.DynamicPorts && x.AWSVPC == y.AWSVPC &&
		slices.Equal(x.PortsTCP, y.PortsTCP) && slices.Equal(x.PortsUDP, y.PortsUDP) &&
		slices.Equal(x.Scalars, y.Scalars) &&
		slices.Equal(a.RequiredAttributes, b.RequiredAttributes) &&
		slices.Equal(a.Constraints, b.Constraints) && slices.Equal(a.Zones, b.Zones)
}
