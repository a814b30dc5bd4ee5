package placement

import (
	"slices"
	"time"

	"github.com/berthsched/berth/cql"
)

// Status is a container instance's status, as ECS names it.
type Status string

// Container instance statuses. Only ACTIVE instances take new tasks. The
// zero Status is none of them: a Cluster rejects it.
const (
	StatusActive             Status = "ACTIVE"
	StatusDraining           Status = "DRAINING"
	StatusRegistering        Status = "REGISTERING"
	StatusRegistrationFailed Status = "REGISTRATION_FAILED"
	StatusDeregistering      Status = "DEREGISTERING"
	StatusInactive           Status = "INACTIVE"
)

const statusList = "ACTIVE, DRAINING, REGISTERING, REGISTRATION_FAILED, DEREGISTERING or INACTIVE"

func (s Status) valid() bool {
	switch s {
	case StatusActive, StatusDraining, StatusRegistering, StatusRegistrationFailed, StatusDeregistering, StatusInactive:
		return true
	}
	return false
}

// Attribute is a container instance attribute. An attribute without a
// value has Value "".
type Attribute struct {
	Name  string
	Value string
}

// Capacity is an amount of every resource an instance has: its registered
// resources, or what remains of them.
type Capacity struct {
	// CPU in the input's unit (ECS CPU units or millicores).
	CPU int64
	// MemoryMiB in MiB.
	MemoryMiB int64
	// GPUs lists the devices; in remaining capacity FreeMilli says how much
	// of each is free.
	GPUs []GPU
	// PortsTCP and PortsUDP are the static host ports taken: the agent's
	// reserved ports plus those bound by running tasks, as ECS reports its
	// PORTS and PORTS_UDP resources. Kept sorted.
	PortsTCP, PortsUDP []uint16
	// Scalars are named resources, one entry per name.
	Scalars []Scalar
	// ENIs are the task ENIs: how many awsvpc tasks the instance can host
	// at once (registered), or how many more (remaining). It is its own
	// field rather than a named Scalar because it is a count, not an
	// amount, ECS reports it as RESOURCE:ENI in its own place in the filter
	// order, and ECS's registeredResources do not list it: callers derive
	// it from the instance type's ENI limit (minus the primary ENI) or,
	// with ENI trunking, its branch ENIs. Zero means no awsvpc task fits.
	ENIs int
}

// Clone returns a deep copy.
func (c Capacity) Clone() Capacity {
	c.GPUs = slices.Clone(c.GPUs)
	c.PortsTCP = slices.Clone(c.PortsTCP)
	c.PortsUDP = slices.Clone(c.PortsUDP)
	c.Scalars = slices.Clone(c.Scalars)
	return c
}

func (c *Capacity) scalar(name string) float64 {
	for _, s := range c.Scalars {
		if s.Name == name {
			return s.Value
		}
	}
	return 0
}

func (c *Capacity) addScalar(name string, delta float64) {
	for i := range c.Scalars {
		if c.Scalars[i].Name == name {
			c.Scalars[i].Value += delta
			return
		}
	}
	c.Scalars = append(c.Scalars, Scalar{Name: name, Value: delta})
}

// DefaultReservedPortsTCP are the TCP host ports the ECS agent reserves on
// Linux by default (22, 2375, 2376, 51678, 51679).
var DefaultReservedPortsTCP = []uint16{22, 2375, 2376, 51678, 51679}

// Instance is a container instance. Build one with its fields, then hand
// it to a Cluster, which owns it from then on: change it only through the
// Cluster's methods, which keep the indexes true.
//
// Instance.Subject adapts it to cql.Subject.
type Instance struct {
	ARN           string
	EC2InstanceID string
	// Status is required: the zero Status is rejected by AddInstance.
	Status Status
	// AgentConnected false is a disconnected agent, as ECS reports it: the
	// instance takes no task (reason AGENT) until it reconnects. Set it for
	// an instance that should take tasks.
	AgentConnected bool
	AgentVersion   string
	RegisteredAt   time.Time
	Attributes     []Attribute
	// Registered is what the instance registered with.
	Registered Capacity
	// Remaining is what is left for new tasks.
	Remaining Capacity
	// RunningTasksCount is the count ECS reports (tasks whose desiredStatus
	// is RUNNING). The Cluster adds one per task it places and subtracts
	// one per task it releases.
	RunningTasksCount int

	owner      *Cluster // the cluster it was added to; nil before
	idx        int32
	eligible   bool         // ACTIVE with its agent connected
	external   bool         // has ExternalAttribute: an ECS Anywhere instance
	groups     []groupCount // PENDING and RUNNING tasks by group
	groupNames []string     // the groups with a positive count, for cql
	hosted     []TaskID     // the tasks it hosts, in the order they came
	ports      int          // len(PortsTCP)+len(PortsUDP)
}

type groupCount struct {
	group int32
	n     int32
}

var _ cql.Subject = subject{}

// Subject returns the instance as the subject of a CQL expression. It does
// not allocate.
func (in *Instance) Subject() cql.Subject { return subject{in} }

// Attribute returns the named attribute's value and whether the instance
// has it (cql.Subject's method).
func (in *Instance) Attribute(name string) (string, bool) {
	for i := range in.Attributes {
		if in.Attributes[i].Name == name {
			return in.Attributes[i].Value, true
		}
	}
	return "", false
}

// TaskGroups returns the groups of the PENDING and RUNNING
// tasks the instance hosts.
func (in *Instance) TaskGroups() []string { return in.groupNames }

// Index returns the instance's position in its Cluster, or -1 before it
// is added to one.
func (in *Instance) Index() int {
	if in.owner == nil {
		return -1
	}
	return int(in.idx)
}

// groupCount returns how many PENDING and RUNNING tasks of group g the
// instance hosts.
func (in *Instance) groupCount(g int32) int {
	for _, gc := range in.groups {
		if gc.group == g {
			return int(gc.n)
		}
	}
	return 0
}

// refresh recomputes the derived summaries.
func (in *Instance) refresh() {
	in.eligible = in.Status == StatusActive && in.AgentConnected
	in.ports = len(in.Remaining.PortsTCP) + len(in.Remaining.PortsUDP)
}

// LaunchType returns the launch type whose tasks the instance takes:
// EXTERNAL for an ECS Anywhere instance (it has the attribute
// ecs.capability.external, whatever its value), EC2 for any other.
func (in *Instance) LaunchType() LaunchType {
	if _, ok := in.Attribute(ExternalAttribute); ok {
		return LaunchTypeExternal
	}
	return LaunchTypeEC2
}

// subject adapts an Instance to cql.Subject without exposing methods whose
// names collide with the exported fields.
type subject struct{ *Instance }

func (s subject) AgentConnected() bool    { return s.Instance.AgentConnected }
func (s subject) AgentVersion() string    { return s.Instance.AgentVersion }
func (s subject) EC2InstanceID() string   { return s.Instance.EC2InstanceID }
func (s subject) RegisteredAt() time.Time { return s.Instance.RegisteredAt }
func (s subject) RunningTasksCount() int  { return s.Instance.RunningTasksCount }
