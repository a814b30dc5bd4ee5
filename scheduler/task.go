package scheduler

import (
	"time"

	"github.com/berthsched/berth/placement"
)

// TaskStatus is a task's lastStatus or desiredStatus, the states of
// ECS's task lifecycle.
type TaskStatus string

// Task lifecycle states, in order. A task waiting for capacity from a
// capacity provider is PROVISIONING.
const (
	Provisioning   TaskStatus = "PROVISIONING"
	Pending        TaskStatus = "PENDING"
	Activating     TaskStatus = "ACTIVATING"
	Running        TaskStatus = "RUNNING"
	Deactivating   TaskStatus = "DEACTIVATING"
	Stopping       TaskStatus = "STOPPING"
	Deprovisioning TaskStatus = "DEPROVISIONING"
	Stopped        TaskStatus = "STOPPED"
	Deleted        TaskStatus = "DELETED"
)

// Starting reports whether s is a state before RUNNING; these count as
// PENDING toward maximumPercent.
func (s TaskStatus) Starting() bool {
	return s == Provisioning || s == Pending || s == Activating
}

// HealthStatus is a task's healthStatus.
type HealthStatus string

// Health statuses. The zero value means UNKNOWN.
const (
	HealthUnknown   HealthStatus = "UNKNOWN"
	HealthHealthy   HealthStatus = "HEALTHY"
	HealthUnhealthy HealthStatus = "UNHEALTHY"
)

// StopCode is ECS's stopCode: why a task stopped.
type StopCode string

// Stop codes. A task that stops before RUNNING with a code other than
// ServiceSchedulerInitiated or UserInitiated failed to launch.
const (
	TaskFailedToStart         StopCode = "TaskFailedToStart"
	EssentialContainerExited  StopCode = "EssentialContainerExited"
	UserInitiated             StopCode = "UserInitiated"
	ServiceSchedulerInitiated StopCode = "ServiceSchedulerInitiated"
	SpotInterruption          StopCode = "SpotInterruption"
	TerminationNotice         StopCode = "TerminationNotice"
)

// Task is one of a service's tasks as observed by the caller.
type Task struct {
	// ID is the task id (the last part of its ARN).
	ID string
	// Placement identifies the task in the placement.Cluster, which says
	// which instance hosts it.
	Placement placement.TaskID
	// Deployment is the id of the deployment that started it.
	Deployment string
	// LastStatus and DesiredStatus are as ECS reports them; the scheduler
	// sets DesiredStatus to STOPPED when it stops a task.
	LastStatus, DesiredStatus TaskStatus
	// Health is the task's healthStatus (HEALTHY only counts when the
	// service is HealthChecked).
	Health HealthStatus
	// StartedAt is when the task reached RUNNING; zero before.
	StartedAt time.Time
	// ProtectedUntil is when its scale-in protection ends (see
	// ProtectionExpiry); zero when unprotected.
	ProtectedUntil time.Time
	// StopCode says why a STOPPED task stopped.
	StopCode StopCode
}

// launchFailed reports whether a stopped task failed to reach RUNNING on
// its own (not stopped by the scheduler or a user).
func (t *Task) launchFailed() bool {
	return t.StartedAt.IsZero() && t.StopCode != ServiceSchedulerInitiated && t.StopCode != UserInitiated
}

func (t *Task) protected(now time.Time) bool { return now.Before(t.ProtectedUntil) }

// Observed is what the caller knows of a service: the state the previous
// Reconcile returned in its Plan, and the service's tasks.
type Observed struct {
	// State is the previous Plan's State; the zero value for a new service.
	State State
	// Tasks are the service's tasks that have not reached STOPPED. Each
	// must be in the cluster (placed or adopted, not yet released).
	Tasks []Task
	// Stopped are the tasks that reached STOPPED since the previous call,
	// each reported once; they feed the launch back-off and the circuit
	// breaker. They are no longer in the cluster.
	Stopped []Task
	// Launches is the service's launch rate (NewServiceLaunches for ECS's
	// quota), kept by the caller from call to call: each start takes a
	// token, and starts beyond its tokens wait for the next call
	// (Plan.TokenAt). Nil: no limit.
	Launches *TokenBucket
	// Zones, when not nil, are the availability zones in which the
	// service can run (an ACTIVE instance it is eligible for is there), as
	// the caller keeps them, for Availability Zone rebalancing; nil makes
	// Reconcile find them by scanning the cluster's instances, which a
	// caller reconciling many services over a large cluster may want to
	// do once for all of them.
	Zones []string
	// Spare, when it has room, is where the plan's deployments go when
	// they differ from State's, instead of a new array: the array of an
	// older state that neither the caller nor any state it keeps reads
	// any more. Nil: Reconcile allocates.
	Spare []Deployment
	// SpareReported is Spare for the state's Reported conditions.
	SpareReported []Event
	// Plan, when not nil, is the plan Reconcile returns, overwritten, its
	// starts, stops and events appended in the room of its earlier ones:
	// a caller done with a plan once it has applied it lends it back
	// instead of having a new one allocated, with its slices, at every
	// call. Nothing the plan held before is kept; the state it returns
	// shares nothing with the plan's slices. Nil: Reconcile allocates.
	Plan *Plan
}
