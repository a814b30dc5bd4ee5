package placement

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/berthsched/berth/cql"
)

// This file is the plain definition of placement, written to be obviously
// right rather than fast: for each task, run every instance through the
// filters, score every survivor with every strategy, keep those that tie
// best (lexicographically, in cluster order), and let the seeded source pick
// among them. It reads nothing from the cluster's caches and counts: group
// counts come from the task records, GPU fit from the device list, ports by
// linear search. The fast path must give the same results, draw for draw.

// refGroupCount counts the tasks of group on instance i from the records.
func refGroupCount(c *Cluster, i int32, group string) int {
	n := 0
	for _, t := range c.tasks {
		if t.inst == i && c.groupNames[t.group] == group {
			n++
		}
	}
	return n
}

// refSubject is an instance whose task groups are read from the records.
type refSubject struct {
	c  *Cluster
	in *Instance
}

func (s refSubject) Attribute(name string) (string, bool) { return s.in.Attribute(name) }
func (s refSubject) TaskGroups() []string {
	var gs []string
	for _, t := range s.c.tasks {
		if t.inst == s.in.idx {
			gs = append(gs, s.c.groupNames[t.group])
		}
	}
	return gs
}
func (s refSubject) AgentConnected() bool    { return s.in.AgentConnected }
func (s refSubject) AgentVersion() string    { return s.in.AgentVersion }
func (s refSubject) EC2InstanceID() string   { return s.in.EC2InstanceID }
func (s refSubject) RegisteredAt() time.Time { return s.in.RegisteredAt }
func (s refSubject) RunningTasksCount() int  { return s.in.RunningTasksCount }

var _ cql.Subject = refSubject{}

func refCheck(c *Cluster, in *Instance, req *Request) (Reason, int) {
	return checkWith(in, req, func() int { return refGroupCount(c, in.idx, req.Group) }, refSubject{c, in})
}

// checkWith runs the filters in their documented order, plainly: hosted
// counts the instance's tasks of the request's group, subject evaluates
// memberOf expressions.
func checkWith(in *Instance, req *Request, hosted func() int, subject cql.Subject) (Reason, int) {
	// An instance of another launch type is not a candidate: EXTERNAL
	// tasks run only on instances with ecs.capability.external, EC2 tasks
	// (the default) only on the others.
	_, external := in.Attribute("ecs.capability.external")
	if external != (req.LaunchType == LaunchTypeExternal) {
		return ReasonLaunchType, 0
	}
	if in.Status != StatusActive {
		return ReasonStatus, 0
	}
	if !in.AgentConnected {
		return ReasonAgent, 0
	}
	for _, a := range req.RequiredAttributes {
		v, ok := in.Attribute(a.Name)
		if !ok || (a.Value != "" && v != a.Value) {
			return ReasonAttribute, 0
		}
	}
	r := req.Task
	if in.Remaining.CPU < r.CPU {
		return ReasonCPU, 0
	}
	if in.Remaining.MemoryMiB < r.MemoryMiB {
		return ReasonMemory, 0
	}
	full, most := 0, 0
	for _, g := range in.Remaining.GPUs {
		if g.FreeMilli == GPUMilliPerDevice {
			full++
		}
		most = max(most, g.FreeMilli)
	}
	share := r.GPUMilli
	if share == 0 {
		share = GPUMilliPerDevice
	}
	switch {
	case r.AllGPUs && (len(in.Remaining.GPUs) == 0 || full < len(in.Remaining.GPUs)):
		return ReasonGPU, 0
	case !r.AllGPUs && r.GPUs > 0 && share == GPUMilliPerDevice && full < r.GPUs:
		return ReasonGPU, 0
	case !r.AllGPUs && r.GPUs > 0 && share < GPUMilliPerDevice && most < share:
		return ReasonGPU, 0
	}
	// An awsvpc task's ports live on its own ENI: they reserve nothing on
	// the instance.
	if n := len(r.PortsTCP) + len(r.PortsUDP); n > 0 && !r.AWSVPC {
		if len(in.Remaining.PortsTCP)+len(in.Remaining.PortsUDP)+n > MaxReservedPorts {
			return ReasonPorts, 0
		}
		for _, p := range r.PortsTCP {
			if slices.Contains(in.Remaining.PortsTCP, p) {
				return ReasonPorts, 0
			}
		}
		for _, p := range r.PortsUDP {
			if slices.Contains(in.Remaining.PortsUDP, p) {
				return ReasonPorts, 0
			}
		}
	}
	if r.AWSVPC && in.Remaining.ENIs == 0 {
		return ReasonENI, 0
	}
	for k, s := range r.Scalars {
		have := 0.0
		for _, t := range in.Remaining.Scalars {
			if t.Name == s.Name {
				have = t.Value
			}
		}
		if have < s.Value {
			return ReasonScalar, k
		}
	}
	if len(req.Zones) > 0 {
		zone, ok := in.Attribute("ecs.availability-zone")
		if !ok || !slices.Contains(req.Zones, zone) {
			return ReasonLocation, 0
		}
	}
	for _, con := range req.Constraints {
		if con.Type == DistinctInstance && hosted() > 0 {
			return ReasonDistinctInstance, 0
		}
	}
	if req.MaxPerInstance > 0 && hosted() >= req.MaxPerInstance {
		return ReasonMaxPerInstance, 0
	}
	for _, con := range req.Constraints {
		if con.Type == MemberOf && !con.Expr.Match(subject) {
			return ReasonMemberOf, 0
		}
	}
	return ReasonNone, 0
}

// refScore is a strategy's score for in, computed from scratch.
func refScore(c *Cluster, s Strategy, in *Instance, req *Request) float64 {
	switch s := s.(type) {
	case Binpack:
		if s.Field == CPU {
			return -float64(in.Remaining.CPU)
		}
		return -float64(in.Remaining.MemoryMiB)
	case Spread:
		if s.Field == "instanceId" || s.Field == "host" {
			return -float64(refGroupCount(c, in.idx, req.Group))
		}
		name := s.Field[len("attribute:"):]
		mine, have := in.Attribute(name)
		n := 0
		for _, t := range c.tasks {
			if t.inst < 0 || c.groupNames[t.group] != req.Group {
				continue
			}
			if v, ok := c.instances[t.inst].Attribute(name); ok == have && v == mine {
				n++
			}
		}
		return -float64(n)
	}
	return s.Score(c.View(), in, &Task{Group: req.Group, Requirements: req.Task})
}

// refPlace is Place by the plain definition.
func refPlace(c *Cluster, req *Request, rng *rand.Rand, res *Result) error {
	res.reset()
	if err := req.Validate(); err != nil {
		return err
	}
	chain := req.Strategies
	for k, s := range chain {
		if _, ok := s.(Random); ok {
			chain = chain[:k]
			break
		}
	}
	for n := 0; n < req.Count; n++ {
		var ties []*Instance
		var best []float64
		for _, in := range c.instances {
			if r, _ := refCheck(c, in, req); r != ReasonNone {
				continue
			}
			v := make([]float64, len(chain))
			for k, s := range chain {
				v[k] = refScore(c, s, in, req)
			}
			switch {
			case best == nil || slices.Compare(v, best) > 0:
				best, ties = v, []*Instance{in}
			case slices.Compare(v, best) == 0:
				ties = append(ties, in)
			}
		}
		if len(ties) == 0 {
			u := refExplain(c, req)
			for ; n < req.Count; n++ {
				res.Unplaced = append(res.Unplaced, u)
			}
			break
		}
		in := ties[pickTie(len(ties), rng)]
		pr := c.prepare(req) // only to commit: the same bookkeeping as Place
		res.Placed = append(res.Placed, c.commit(in, pr))
	}
	return nil
}

func refExplain(c *Cluster, req *Request) Unplaced {
	var u Unplaced
	for _, in := range c.instances {
		r, k := refCheck(c, in, req)
		if r == ReasonLaunchType {
			continue // not a candidate: neither counted nor closest
		}
		u.Removed[r]++
		if u.Closest == nil || r > u.Reason {
			u.Reason, u.Closest = r, in
			u.Scalar = ""
			if r == ReasonScalar {
				u.Scalar = req.Task.Scalars[k].Name
			}
		}
	}
	return u
}
