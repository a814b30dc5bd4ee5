package cql

import "time"

// Subject is what an expression is evaluated against: one container
// instance. placement's instance type implements it, and so does the
// snapshot reader's. Implementations must not allocate in these methods;
// evaluation calls them on the hot path of placement.
type Subject interface {
	// Attribute returns the value of the named attribute (built-in ecs.*
	// or custom) and whether the instance has it. An attribute that is
	// present without a value returns ("", true).
	Attribute(name string) (value string, ok bool)
	// TaskGroups returns the groups of the tasks the instance hosts whose
	// state counts for task:group (PENDING and RUNNING). Each group
	// appears at least once; duplicates are allowed. The caller must not
	// modify the slice.
	TaskGroups() []string
	// AgentConnected reports whether the container agent is connected.
	AgentConnected() bool
	// AgentVersion returns the agent version, such as "1.14.5", or "" when
	// unknown.
	AgentVersion() string
	// EC2InstanceID returns the EC2 instance id, such as "i-0abc1234".
	EC2InstanceID() string
	// RegisteredAt returns when the instance registered with the cluster.
	RegisteredAt() time.Time
	// RunningTasksCount returns the instance's runningTasksCount as ECS
	// reports it (tasks whose desiredStatus is RUNNING).
	RunningTasksCount() int
}
