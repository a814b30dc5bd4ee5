// Package sim is berth's deterministic fleet simulator: it replays a
// workload (a synthetic generator or a real trace) on a fleet of container
// instances through ECS placement (package placement), once per placement
// variant, and reports how each did.
//
// # Engine
//
// Engine is a single-threaded discrete-event loop over a queue ordered by
// (time, sequence), so events due at the same time run in the order they
// were scheduled. It runs on a virtual clock (Run) or paced by a scaled
// wall clock (RunPaced); other goroutines add events with Inject.
//
// # Components
//
// One run is a small core (the scenario, the engine, the executor, the
// event log, the placement source and the run's first error) and
// components beside it, each with its own state, the way SimPy processes
// or Kubernetes controllers stand beside each other: the fleet (the
// placement cluster and what is known of each instance), the standalone
// tasks (the workload's and the scheduled tasks', waiting and retried in
// arrival order), the services (reconciled by package scheduler, with
// their target groups and scaling), the capacity providers (Auto Scaling
// groups with managed scaling, Fargate, Spot) and the metrics collector.
// A component holds the core and the siblings it calls, never the whole
// run; the run routes each event to the component that owns it.
//
// # Executors
//
// Tasks run through an Executor: Start and Stop a task, lose an instance;
// every exit comes back as an *Exit event. The simulated executor ends each
// task on the virtual clock at the end of its duration. With the scenario's
// contention switch on, the Contended executor does instead: tasks on an
// instance whose running tasks burn more CPU than it registered (Run.Demand:
// a trace's cpuUse, else the reservation) slow down in proportion. Real executors
// (sim/docker) run containers; every executor passes the conformance suite
// in sim/simtest.
//
// # Model
//
// A scenario.Scenario (package sim/scenario; JSON, docs/scenario.md) names a fleet (instance types, pools
// per availability zone, fleet events: add, fail, drain, deregister), a
// workload and the placement variants to compare. Each task is a RunTask of
// count 1 in its group ("family:<name>" by default) with the variant's
// strategies and constraints plus its own (GPU models become a memberOf on
// the "gpu-model" attribute). A task that cannot be placed waits and is
// retried, in arrival order, whenever capacity frees (scenario.Scenario.Retry);
// tasks end at the end of their duration, when stopped, or when their
// instance is lost (standalone tasks are not replaced). A draining instance
// takes no new tasks and keeps its standalone ones, as in ECS.
//
// # Services, scaling and capacity (the capacity planner)
//
// A scenario may also hold ECS services (REPLICA and DAEMON), reconciled
// by package scheduler whenever something changes and every
// scenario.Scenario.ReconcileEvery while they are not steady; service events that
// update them (new revisions, desired counts, constraints); a usage model
// from which the simulator publishes, once a minute, the metrics ECS
// publishes (ECSServiceAverageCPUUtilization and ...MemoryUtilization,
// ALBRequestCountPerTarget, and RequestCount for services with
// loadBalancers); ELB target groups (targets registered when RUNNING,
// healthy after interval x healthy threshold, deregistered and draining
// for the deregistration delay before they stop; package scheduler's
// TargetGroup); Application Auto Scaling (package autoscale's
// Scaler) evaluated every minute on them; Auto Scaling group capacity
// providers with managed scaling (CapacityProviderReservation, launch
// delays, warm-up, managed termination protection); FARGATE and
// FARGATE_SPOT; Spot interruptions with their two-minute notice; and
// scheduled tasks (RunTask on cron or rate schedules). Simulated time 0 is
// the scenario's start (scenario.Scenario.StartTime, Epoch by default). Where the packages below lack something the simulator works
// around it: a capacity provider's instances are those with its name in
// the attribute berth.capacity-provider (package scheduler reconciles a
// service with a strategy as one service, each provider's tasks kept on
// its instances by a memberOf), a service's missing tasks are
// PROVISIONING on the providers its strategy gives them to, for managed
// scaling, and each Fargate task runs on
// capacity of exactly its size, with one task ENI. A Fargate service is
// checked at load for what ECS rejects (placement constraints and
// strategies, task definition constraints, GPUs, network modes other
// than awsvpc; a Fargate definition without networkMode is awsvpc). A
// FARGATE_SPOT interruption stops the task at the notice (SIGTERM; it
// exits after its stopTimeout) and its service replaces it then. See
// docs/planner.md.
//
// Launches are metered by ECS's throughput quotas (scenario.Quotas, the
// buckets of package scheduler): each service's launch rate, which
// package scheduler takes from as it starts tasks; the account's Fargate
// launch rate, taken as Fargate capacity is provisioned; and RunTask's
// request rate, taken by standalone tasks in calls of up to 10 of one
// family arriving together. A launch that finds no token waits for an
// event at the instant the next one arrives.
//
// Sweep runs a scenario once per combination of parameter values
// (scenario.SweepParam), in parallel; it refuses more than
// scenario.MaxSweepRuns runs (ErrTooManyRuns). The scenario's own limits
// are checked when it is read (scenario.Scenario.Validate).
//
// # Packages
//
// The simulator is three packages whose imports point one way:
// sim/scenario holds what a run is asked to do (the spec types, reading,
// validation, defaults, sweep parameters) and imports nothing of the run;
// sim (this package) runs it and holds the results (Result, Comparison,
// SweepResult); sim/report turns results into tables, CSV, JSON and
// plots, and is the only one that imports a plotting library, so a
// program that embeds the simulator does not link one.
//
// # Determinism
//
// The same scenario and seed give a byte-identical event log and summary.
// Placement ties are broken by a source seeded from scenario.Scenario.Seed, and the
// workload generator has its own; nothing reads the wall clock except
// RunPaced. Variants of a comparison run in parallel and share nothing.
//
// # Results
//
// A Result holds a Summary (tasks placed and never placed by reason,
// time-to-place percentiles, utilization per resource, instance-hours and
// cost, stranded capacity, unallocated GPU share) and a time series;
// package sim/report prints a Comparison as a table, CSV, JSON and a PNG
// plot. The event
// log is berth's native JSON Lines trace format (package sim/trace).
//
// Units: CPU in the input's unit (CPU units for scenarios; a trace's own,
// such as openb's millicores), memory in MiB, times in simulated time from
// the start.
package sim
