// Package scheduler reproduces Amazon ECS's service scheduler (REPLICA and
// DAEMON services, rolling deployments, the deployment circuit breaker,
// launch back-off, draining, task scale-in protection) and standalone
// RunTask, as a pure reconciler over the placement package.
//
// # Reconciliation
//
// Reconcile takes a service's specification (Service), what is observed
// (Observed: the service's live tasks, the tasks that stopped since the
// last call, and the State the previous call returned), the time and a
// seeded random source, and returns a Plan: tasks to start, already placed
// and reserved in the placement.Cluster; tasks to stop, each with ECS's
// stoppedReason; the service events ECS would emit; and the new State. The
// caller applies the plan: it starts the tasks (PENDING, then RUNNING),
// sets the stopped tasks' desiredStatus to STOPPED, releases them from the
// cluster once they have stopped, reports them once in Observed.Stopped,
// and passes Plan.State back next time. A caller that does not apply a
// plan calls Plan.Discard, which releases its starts.
//
// Reconcile DAEMON services before REPLICA services in each round
// (DaemonsFirst): that is how a daemon task is the first on a new
// instance and its resources are reserved before replica tasks.
//
// Reconcile reads instance states when it is called: the caller
// reconciles the affected services whenever an instance changes state
// (drained, deregistered, joined, failed), and, since a daemon task on a
// draining instance stops only after the other service tasks there have
// stopped (the ECS Developer Guide's daemon strategy,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html#service_scheduler_daemon),
// reconciles the DAEMON services with a task on a draining instance
// when another task stops there. The primary deployment's DesiredCount
// in Plan.State is the desired count ECS reports.
//
// # Vocabulary
//
//   - desired count: DesiredCount for REPLICA; for DAEMON the number of
//     eligible instances (ACTIVE, with the required attributes, meeting
//     every memberOf constraint).
//   - counted tasks: lastStatus RUNNING or PENDING (PROVISIONING, PENDING,
//     ACTIVATING), including those being stopped (the ECS API reference's
//     definition). maximumPercent caps them at floor(desired x max / 100).
//   - healthy: RUNNING and wanted, and, with HealthChecked or
//     LoadBalancers, Health HEALTHY; without, RUNNING for
//     NoHealthCheckDelay (40 s). minimumHealthyPercent keeps
//     ceil(desired x min / 100) healthy tasks through deployment and
//     draining stops.
//   - unhealthy: RUNNING, HealthChecked or LoadBalancers, Health
//     UNHEALTHY, and past the grace period (HealthCheckGracePeriodSeconds
//     after StartedAt).
//   - primary deployment: the newest; only it starts tasks. Tasks of other
//     deployments, and RUNNING tasks on instances that are not ACTIVE, are
//     replaced; tasks not yet RUNNING on such instances are stopped at once.
//
// # Deployment state machine
//
//	          task definition or ForceNewDeployment changes
//	(none) ─────────────────────────────────────────────► PRIMARY, IN_PROGRESS
//	                                                            │
//	   steady state: desired healthy tasks, all of it, nothing  │ failures reach the
//	   else left, nothing to start or stop                      │ circuit breaker threshold
//	                    ▼                                       ▼
//	            PRIMARY, COMPLETED                       PRIMARY, FAILED ──(no rollback)──► halts:
//	                    │                                       │                          no starts,
//	                    │ a newer deployment                    │ rollback and a            no replacement
//	                    ▼                                       ▼ COMPLETED one exists
//	            ACTIVE (until its tasks are gone,        new PRIMARY, IN_PROGRESS, running the
//	            then INACTIVE and dropped)               last COMPLETED task definition; the
//	                                                     rolled-back-to deployment's tasks are its own
//
// Circuit breaker: stage 1 counts tasks of the deployment that stop before
// RUNNING, until one of them is RUNNING; stage 2 counts tasks stopped for
// failed health checks. resetOnHealthyTask (default true) zeroes the count
// when the number of healthy tasks of the deployment rises. The threshold
// is FailureThreshold.
//
// # Load balancers
//
// A service's LoadBalancers name ELB target groups. The caller registers a
// task that reaches RUNNING as a target and reports its target health as
// the task's Health: TargetHealth gives ELB's rule (HEALTHY after
// interval x healthy threshold of passed checks, UNHEALTHY after
// interval x unhealthy threshold of failed ones, UNKNOWN before). The
// scheduler ignores UNHEALTHY for HealthCheckGracePeriodSeconds after
// StartedAt and then replaces the task, stopping it with "Task failed ELB
// health checks in (target-group <arn>)" (the first group's). A task the
// scheduler stops is deregistered: the caller keeps it RUNNING, holding
// its resources, for DeregistrationDelay (default 300 s) before it sends
// the stop. Targets are not modelled per port or per zone.
//
// # Capacity provider strategy
//
// A REPLICA service with a CapacityProviderStrategy is one service: one
// deployment, one circuit breaker count and one event stream, whose tasks
// the strategy divides among the providers, each placed only on its
// provider's instances (CapacityProviderStrategyItem.Instances). As the
// ECS API reference's CapacityProviderStrategyItem says
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html),
// the base is satisfied first and the tasks beyond it are split by
// weight; a weight-0 provider gets only its base. There is no fallback: a
// provider without capacity leaves its share unplaced (the "unable to
// place" event), and the caller's managed scaling sees those tasks as
// PROVISIONING. Scale-out gives each new task to the provider whose base
// is not met, else to the one furthest below its weighted share
// (Service.Assign; ties to the earlier provider); scale-in takes tasks
// back in the reverse order (Service.Shed), after the unready tasks,
// which go first whatever their provider. Running tasks are never moved
// between providers to restore the split.
//
// # Availability Zone rebalancing
//
// A REPLICA service with AvailabilityZoneRebalancing ENABLED (CreateService's
// default for a service that supports it) is watched once it is in steady
// state, as the ECS guide "Balancing an Amazon ECS service across
// Availability Zones" describes
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html):
// when one zone it can use (an ACTIVE instance it could run on is there)
// has more than one task more than another, it emits "is not AZ
// balanced", starts a task in the zone with the fewest tasks, waits for it
// to be healthy, stops one in the zone with the most, and repeats until
// balanced, then emits "is AZ balanced", with the guide's messages. berth
// starts first only when maximumPercent leaves room for one more task,
// and otherwise does not rebalance; a deployment or a new desired count
// interrupts it. Unsupported, and DISABLED by default: DAEMON services,
// the EXTERNAL launch type and binpack placement strategies.
//
// # Decisions where ECS is silent
//
//   - Deployment and draining stops (which old task goes first) are not
//     documented: berth stops tasks that are not yet healthy first, then
//     those on instances that are not ACTIVE, then the oldest deployment's,
//     then those on the instance with the most tasks of the service; ties
//     keep the observed order. Scale-in (desired count lowered) stops
//     unready tasks first (unhealthy in grace, not yet RUNNING, not yet
//     healthy), then lets the placement strategies choose
//     (placement.SelectStop).
//   - Unhealthy tasks are replaced first and stopped once as many healthy
//     tasks as desired remain without them; when maximumPercent leaves no
//     room, one at a time, only when no other stop is in flight, keeping
//     ceil(desired x min / 100) RUNNING.
//   - Launch back-off: 10 s after the first consecutive failure, doubling,
//     capped at MaxLaunchBackoff (15 min, the documented cap); a task that
//     reaches RUNNING or a new task definition clears it.
//   - Circuit breaker percent thresholds round up and are at least 1.
//   - A daemon task on a draining instance is the last to stop: it stops
//     once no other service task ("service:" groups) is left there.
//     Standalone tasks do not hold it back.
//   - Protected tasks are stopped neither by scale-in nor by deployments
//     nor by draining; unhealthy protected tasks are still replaced.
//   - A task whose placement is not in the cluster is ignored: the caller
//     reports it STOPPED (instance loss).
//   - Task ids are 32 hexadecimal digits and deployment ids "ecs-svc/" and
//     19 digits, drawn from the random source.
//   - Condition events (steady state, unable to place, stalled, throttled,
//     protected tasks) are suppressed while their cause persists, for at
//     most EventRepeat (6 h); action events (started, stopped, deployment
//     completed or failed, rollback) are always emitted.
//   - minimumHealthyPercent must be 0..100 and maximumPercent at least 100.
//
// # Units and errors
//
// Times are time.Time and durations time.Duration, except the API's own
// integer fields (HealthCheckGracePeriodSeconds, expiresInMinutes).
// Percents are integers 0-100 (maximumPercent may exceed 100). Errors are
// for invalid input only, one line, prefixed "scheduler:", naming the field;
// behind the prefix is a *fielderr.Error (errors.As) whose Path is the
// field.
//
// # Concurrency
//
// Reconcile and RunTask change the cluster (they place tasks); like the
// cluster, they are not safe for concurrent use on one cluster. Service
// values are read, never changed.
//
// # References
//
// The ECS behaviour reproduced here is catalogued, with the AWS page each
// rule comes from, in the repository's docs/ecs-behaviour.md, section 3 and the edge cases of 8.4.
// Comments cite its sections ("docs/ecs-behaviour.md 4.1") and numbered
// edge cases ("case 63"); a test named after a case checks that case.
//
// # Non-goals
//
// The CODE_DEPLOY and EXTERNAL controllers, blue/green, linear and canary
// strategies, load balancer traffic (package sim shares requests over
// healthy targets), CloudWatch alarm rollbacks and Fargate are not
// modelled; nor is managed scaling (package autoscale).
// Account quotas other than the launch rate (tasks per service, instances
// per cluster) are not enforced.
//
// # Launch throughput
//
// ECS meters launches with token buckets (docs/ecs-behaviour.md 3.12):
// TokenBucket is one on a virtual clock, and the constants give ECS's
// defaults (a service's 500 launches a minute, RunTask's requests,
// Fargate's account-wide launch rate). A caller that passes a service's
// bucket in Observed.Launches gets at most its tokens' worth of starts,
// across the providers of its capacity provider strategy;
// Plan.TokenAt says when to reconcile again. Without one, Reconcile starts
// as many tasks as fit, as before. The service scheduler's burst is not
// published: berth uses one minute's worth (ServiceLaunchBurst).
package scheduler
