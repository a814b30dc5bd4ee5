package scheduler

import (
	"time"

	"github.com/berthsched/berth/placement"
)

// DeploymentStatus is a deployment's status.
type DeploymentStatus string

// Deployment statuses: the newest deployment is PRIMARY; older ones that
// still have tasks are ACTIVE; the rest are INACTIVE and dropped.
const (
	DeploymentPrimary  DeploymentStatus = "PRIMARY"
	DeploymentActive   DeploymentStatus = "ACTIVE"
	DeploymentInactive DeploymentStatus = "INACTIVE"
)

// RolloutState is a deployment's rolloutState.
type RolloutState string

// Rollout states: IN_PROGRESS until steady state (COMPLETED) or until the
// circuit breaker trips (FAILED).
const (
	InProgress RolloutState = "IN_PROGRESS"
	Completed  RolloutState = "COMPLETED"
	Failed     RolloutState = "FAILED"
)

// Deployment is one of a service's deployments.
type Deployment struct {
	// ID is "ecs-svc/" and 19 digits.
	ID     string
	Status DeploymentStatus
	// TaskDefinition is what its tasks run.
	TaskDefinition *placement.TaskDefinition
	// Spec is the service's task definition ("family:revision") and
	// ForceNewDeployment when the deployment began. A rollback keeps the
	// failed deployment's Spec so that it is not deployed again.
	Spec       string
	Generation int
	// RollbackTo is, for a rollback, the deployment rolled back to, whose
	// tasks count as this deployment's.
	RollbackTo         string
	RolloutState       RolloutState
	RolloutStateReason string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// DesiredCount, PendingCount and RunningCount are as of the last
	// Reconcile; they are the primary deployment's, and DesiredCount is
	// the service's desired count (for DAEMON, its eligible instances: an
	// instance set DRAINING leaves it at once). Older deployments keep the
	// desired count they last had.
	DesiredCount, PendingCount, RunningCount int
	// FailedTasks is the circuit breaker's failure count.
	FailedTasks int
	// RunningSeen: a task of the deployment has reached RUNNING, which ends
	// the circuit breaker's first stage.
	RunningSeen bool
	// Healthy is how many of its tasks were healthy at the last Reconcile
	// (a rise means a task became healthy: resetOnHealthyTask).
	Healthy int
}

// owns reports whether a task of deployment id belongs to d.
func (d *Deployment) owns(id string) bool {
	return id == d.ID || d.RollbackTo != "" && id == d.RollbackTo
}

// State is what Reconcile carries from one call to the next: the caller
// stores Plan.State and passes it back as Observed.State. The zero value is
// a service that has never been reconciled.
type State struct {
	// Deployments are the PRIMARY deployment first, then the ACTIVE ones,
	// newest first.
	Deployments []Deployment
	// LastCompleted is the most recent deployment that reached COMPLETED,
	// the target of a circuit breaker rollback.
	LastCompleted *Deployment
	// LaunchFailures counts consecutive tasks that stopped before RUNNING;
	// NextLaunch is when starting tasks may resume (launch back-off).
	LaunchFailures int
	LastFailure    time.Time
	NextLaunch     time.Time
	// Rebalance is the Availability Zone rebalancing under way (its
	// started event was emitted, its completed event is due); nil when
	// none.
	Rebalance *Rebalance
	// Reported are the condition events (steady state, unable to place,
	// stalled, throttled, protected) emitted and still in force, so that a
	// repeat is suppressed until its cause goes away or EventRepeat passes.
	Reported []Event

	// valid is the service the last call validated; shared by the states
	// that follow, never written through. validCount is the desired count
	// it was validated with (intOr(DesiredCount)), which a scaling changes
	// without changing valid.
	valid      *checked
	validCount int
}

// Rebalance is an Availability Zone rebalancing under way.
type Rebalance struct {
	// Task is the task it started and waits to be healthy before it stops
	// one in the zone From, on the capacity provider Provider (an index in
	// the strategy, with one); "" between steps.
	Task, From string
	Provider   int
}

// EventRepeat is how long a repeated service event is suppressed while its
// cause persists.
const EventRepeat = 6 * time.Hour

// cloneInto returns a copy of s that a plan may change without touching
// s, its deployments copied into buf[:0] (Reconcile's scratch; finish
// gives the plan a slice of its own). Reported is left empty, with no
// room, as finish replaces it with the call's conditions: the copy would
// never be read, and appending to the empty slice can never write into
// s's array. LastCompleted is shared: a plan replaces the pointer and
// never writes through it.
func (s State) cloneInto(buf []Deployment) State {
	s.Deployments = append(buf[:0], s.Deployments...)
	s.Reported = s.Reported[:0:0]
	if s.Rebalance != nil {
		rb := *s.Rebalance
		s.Rebalance = &rb
	}
	return s
}

// Primary returns the PRIMARY deployment, or nil before the first
// Reconcile.
func (s *State) Primary() *Deployment {
	if len(s.Deployments) == 0 {
		return nil
	}
	return &s.Deployments[0]
}

// Start is a task the plan starts. Its placement is already reserved in the
// cluster.
type Start struct {
	// ID is the new task's id (32 hexadecimal digits).
	ID string
	// Deployment is the deployment it belongs to.
	Deployment     string
	TaskDefinition *placement.TaskDefinition
	Group          string
	Placement      placement.Placement
}

// Task returns the task as the caller should observe it once started:
// PENDING, desired RUNNING.
func (s *Start) Task() Task {
	return Task{ID: s.ID, Placement: s.Placement.Task, Deployment: s.Deployment, LastStatus: Pending, DesiredStatus: Running}
}

// Stop is a task the plan stops. The caller sets its desiredStatus to
// STOPPED and releases it from the cluster once it has stopped.
type Stop struct {
	ID        string
	Placement placement.TaskID
	// Reason is the task's stoppedReason.
	Reason string
}

// Event is a service event message.
type Event struct {
	At      time.Time
	Message string
}

// Plan is the outcome of one Reconcile: what to start and stop, the events
// ECS would emit, and the state to pass to the next call.
//
// The starts are already placed and reserved in the cluster; a caller that
// does not apply a plan must call Discard, which releases them.
type Plan struct {
	Starts []Start
	Stops  []Stop
	Events []Event
	State  State
	// TokenAt is, when the launch rate (Observed.Launches) held starts
	// back, the time its next token arrives: the caller reconciles again
	// then. Zero otherwise.
	TokenAt time.Time
	// actions counts the action events among Events (started, stopped,
	// deployment, rebalancing); the others are conditions, which
	// State.Reported holds (Settled).
	actions int
}

// Empty reports whether the plan starts and stops nothing.
func (p *Plan) Empty() bool { return len(p.Starts) == 0 && len(p.Stops) == 0 }

// Settled reports whether reconciling again would change nothing: the
// plan p, returned by a Reconcile given the state from that drew nothing
// from its rng, starts and stops nothing, holds back no start (TokenAt)
// and emits no action event, and its state is from but for its condition
// events (Reported) and the deployments' counts (DesiredCount,
// PendingCount, RunningCount). Then a Reconcile given p.State instead,
// with the same service, tasks, zones, cluster, launch rate and time and
// no task stopped since, returns an empty plan without events and a
// state equal to p.State, and draws nothing: most of a caller's
// reconciliations after a change only raise a condition (steady state)
// or count the tasks again, and the one after them need not run.
//
// Why: Reconcile reads the counts of the state it is given nowhere (finish
// writes them from the tasks), and Reported only where it raises a
// condition, to suppress a repeat; so the second call takes the first's
// path, and raises the same conditions in the same order, each now in
// Reported, raised at the same time or still in force: suppressed, with
// Reported again what the first call made it. The tasks the first call
// saw STOPPED (Observed.Stopped) are not seen again: they only count
// launch failures (LaunchFailures, LastFailure, NextLaunch) and the
// circuit breaker's failures (a deployment's FailedTasks), a difference
// Settled sees unless the call undid it, which changes what it sees too
// (a failure forgotten on a healthy task changes Healthy, a rollback the
// deployments).
func (p *Plan) Settled(from *State) bool {
	if !p.Empty() || p.actions > 0 || !p.TokenAt.IsZero() {
		return false
	}
	a, b := from, &p.State
	if a.LastCompleted != b.LastCompleted || a.LaunchFailures != b.LaunchFailures || a.LastFailure != b.LastFailure ||
		a.NextLaunch != b.NextLaunch || (a.Rebalance == nil) != (b.Rebalance == nil) || a.Rebalance != nil && *a.Rebalance != *b.Rebalance ||
		len(a.Deployments) != len(b.Deployments) {
		return false
	}
	for i := range a.Deployments {
		d, e := a.Deployments[i], &b.Deployments[i]
		d.DesiredCount, d.PendingCount, d.RunningCount = e.DesiredCount, e.PendingCount, e.RunningCount
		if d != *e {
			return false
		}
	}
	return true
}

// Discard releases the plan's starts from the cluster.
func (p *Plan) Discard(c *placement.Cluster) error {
	for _, s := range p.Starts {
		if err := c.Release(s.Placement.Task); err != nil {
			return err
		}
	}
	p.Starts = nil
	return nil
}
