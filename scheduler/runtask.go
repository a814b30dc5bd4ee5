package scheduler

import (
	"math/rand/v2"

	"github.com/berthsched/berth/placement"
)

// MaxRunTaskCount is the most tasks one RunTask call starts.
const MaxRunTaskCount = 10

// RunTaskInput is a standalone RunTask request.
type RunTaskInput struct {
	TaskDefinition *placement.TaskDefinition
	// Count is how many tasks to start: 0 means 1, at most MaxRunTaskCount.
	Count int
	// Group is the tasks' group; "" means "family:<family>".
	Group string
	// PlacementConstraints join the task definition's.
	PlacementConstraints []placement.Constraint
	// PlacementStrategy ranks the instances; none means random.
	PlacementStrategy []placement.Strategy
	// LaunchType is EC2 (the zero value: RunTask without a launch type or
	// a capacity provider strategy) or EXTERNAL; the task definition must
	// support it. FARGATE tasks have no container instance to place on:
	// RunTask rejects them.
	LaunchType placement.LaunchType
}

// Failure is a task RunTask could not place, as in its failures list: the
// closest instance's ARN ("" in an empty cluster) and the reason
// ("RESOURCE:MEMORY", "AGENT", ...).
type Failure struct {
	Arn    string
	Reason string
}

// RunTaskOutput is RunTask's result.
type RunTaskOutput struct {
	// Tasks are the started tasks, placed and reserved in the cluster.
	Tasks []Start
	// Failures has one entry per task that could not be placed.
	Failures []Failure
}

// RunTask places standalone tasks through the same placement path as
// services. A task that cannot be placed is a Failure, not an error; the
// error is for an invalid request.
func RunTask(in *RunTaskInput, c *placement.Cluster, rng *rand.Rand) (*RunTaskOutput, error) {
	if in.TaskDefinition == nil {
		return nil, fieldErrorf("taskDefinition", "missing")
	}
	if err := in.TaskDefinition.Validate(); err != nil {
		return nil, fieldErrorf("taskDefinition", "%w", err)
	}
	n := in.Count
	if n == 0 {
		n = 1
	}
	if n < 1 || n > MaxRunTaskCount {
		return nil, fieldErrorf("count", "%d, expected 1..%d", in.Count, MaxRunTaskCount)
	}
	if err := in.TaskDefinition.Supports(in.LaunchType); err != nil {
		return nil, fieldErrorf("", "%w", err)
	}
	req := in.TaskDefinition.Request(n, in.Group, in.PlacementConstraints, in.PlacementStrategy)
	req.LaunchType = in.LaunchType
	var res placement.Result
	if err := c.Place(req, rng, &res); err != nil {
		return nil, fieldErrorf("", "%w", err)
	}
	r := reconciler{rng: rng}
	out := &RunTaskOutput{}
	for _, p := range res.Placed {
		out.Tasks = append(out.Tasks, Start{ID: r.taskID(), TaskDefinition: in.TaskDefinition, Group: req.Group, Placement: p})
	}
	for i := range res.Unplaced {
		u := &res.Unplaced[i]
		f := Failure{Reason: u.ReasonString()}
		if u.Closest != nil {
			f.Arn = u.Closest.ARN
		}
		out.Failures = append(out.Failures, f)
	}
	return out, nil
}

// DaemonsFirst orders services so that DAEMON services come first, keeping
// the order otherwise. Reconciling them in this order gives a new
// instance's daemon tasks its resources before replica tasks.
func DaemonsFirst(services []*Service) {
	k := 0
	for i, s := range services {
		if s.strategy() == Daemon {
			copy(services[k+1:i+1], services[k:i])
			services[k] = s
			k++
		}
	}
}
