package scheduler

import (
	"strconv"
	"strings"

	"github.com/berthsched/berth/placement"
)

// The service event messages and stoppedReasons, in ECS's words where the
// Developer Guide gives them (its page "Amazon ECS service event messages").

func svcPrefix(name string) string { return "(service " + name + ")" }

func msgSteady(name string) string { return string(appendSteady(nil, name)) }

// appendSteady appends msgSteady(name) to b: a steady service raises it
// every reconciliation, and it is emitted only every EventRepeat.
func appendSteady(b []byte, name string) []byte {
	b = append(b, "(service "...)
	b = append(b, name...)
	return append(b, ") has reached a steady state."...)
}

// msgTaskList is the "has started/stopped n tasks" event of the n tasks
// whose ids id gives, built in one allocation of its exact size: a
// scaling service raises one every few minutes.
func msgTaskList(name, verb, noun string, n int, id func(i int) string) string {
	count := strconv.Itoa(n)
	size := len("(service ") + len(name) + len(") has ") + len(verb) + 1 + len(count) + 1 + len(noun) + len(":") + len(".")
	for i := range n {
		size += len(" (task ") + len(id(i)) + len(")")
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString("(service ")
	b.WriteString(name)
	b.WriteString(") has ")
	b.WriteString(verb)
	b.WriteByte(' ')
	b.WriteString(count)
	b.WriteByte(' ')
	b.WriteString(noun)
	b.WriteByte(':')
	for i := range n {
		b.WriteString(" (task ")
		b.WriteString(id(i))
		b.WriteByte(')')
	}
	b.WriteByte('.')
	return b.String()
}

// msgUnplaced is the "unable to place a task" event for u: the closest
// instance and what it lacked, when the reason has words for it.
func msgUnplaced(name string, u *placement.Unplaced) string {
	return string(appendUnplaced(nil, name, u))
}

// appendUnplaced appends msgUnplaced(name, u) to b: a service the fleet
// cannot hold raises it every reconciliation.
func appendUnplaced(b []byte, name string, u *placement.Unplaced) []byte {
	b = append(b, "(service "...)
	b = append(b, name...)
	b = append(b, ") was unable to place a task because no container instance met all of its requirements."...)
	if u.Closest == nil {
		return append(b, " Reason: No Container Instances were found in your cluster."...)
	}
	return appendClosest(b, u.Closest, u.Reason, u.Scalar)
}

// msgUnplacedOn is the "unable to place a task" event naming in as the
// closest instance.
func msgUnplacedOn(name string, in *placement.Instance, r placement.Reason, scalar string) string {
	return svcPrefix(name) + " was unable to place a task because no container instance met all of its requirements." + closestText(in, r, scalar)
}

func closestText(in *placement.Instance, r placement.Reason, scalar string) string {
	return string(appendClosest(nil, in, r, scalar))
}

func appendClosest(b []byte, in *placement.Instance, r placement.Reason, scalar string) []byte {
	var what string
	switch r {
	case placement.ReasonCPU:
		what = "has insufficient CPU units available."
	case placement.ReasonMemory:
		what = "has insufficient memory available."
	case placement.ReasonGPU:
		what = "has insufficient GPU resources available."
	case placement.ReasonPorts:
		what = "is already using a port required by your task."
	case placement.ReasonAgent:
		what = `encountered error "AGENT".`
	case placement.ReasonAttribute:
		what = "is missing an attribute required by your task."
	case placement.ReasonScalar:
		b = append(b, " The closest matching (container-instance "...)
		b = append(b, instanceID(in.ARN)...)
		b = append(b, ") has insufficient "...)
		b = append(b, scalar...)
		return append(b, " available."...)
	default:
		return b
	}
	b = append(b, " The closest matching (container-instance "...)
	b = append(b, instanceID(in.ARN)...)
	b = append(b, ") "...)
	return append(b, what...)
}

// instanceID is the id part of a container instance ARN.
func instanceID(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func msgStalled(name string) string {
	return svcPrefix(name) + " was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
}

func msgThrottled(name string) string {
	return svcPrefix(name) + " is unable to consistently start tasks successfully."
}

func msgProtected(name, deployment string) string {
	return svcPrefix(name) + " was unable to reach steady state because task set (" + deployment + ") was unable to scale in. Reason: The number of protected tasks are more than the desired count of tasks."
}

func msgDeployment(name, id, what string) string {
	return svcPrefix(name) + " (deployment " + id + ") " + what
}

func msgRollback(name, to string) string {
	return svcPrefix(name) + " rolling back to deployment " + to + "."
}

// Stopped reasons.
func reasonScaling(deployment string) string {
	return "Scaling activity initiated by (deployment " + deployment + ")"
}

func reasonDraining(in *placement.Instance) string {
	return "Container instance " + instanceID(in.ARN) + " is being drained"
}

func reasonNoLongerMatches(in *placement.Instance) string {
	return "Container instance " + instanceID(in.ARN) + " no longer satisfies the service's placement constraints"
}

const (
	reasonUnhealthy   = "Task failed container health checks"
	reasonCBFailed    = "ECS deployment circuit breaker: tasks failed to start."
	reasonCBUnhealthy = "ECS deployment circuit breaker: tasks failed health checks."
	reasonRollbackPfx = "ECS deployment circuit breaker: rolling back to deploymentId "
)

// unhealthyReason is the stoppedReason of a task replaced for failing its
// health checks: with a load balancer, ECS names the (first) target group.
func (r *reconciler) unhealthyReason() string {
	if len(r.svc.LoadBalancers) > 0 {
		return "Task failed ELB health checks in (target-group " + r.svc.LoadBalancers[0].TargetGroupArn + ")"
	}
	return reasonUnhealthy
}
