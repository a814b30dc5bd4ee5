// Package scenario is what a berth simulation is asked to do: the scenario
// document (a fleet, a workload, services, capacity providers, scheduled
// tasks and the placement variants to compare), read strictly from JSON
// (ReadScenario), checked and completed with ECS's defaults (Validate),
// and the sweep parameters that vary it (ParseSweep, SweepParam.Apply).
// Package sim runs a Scenario; this package imports nothing of the run.
//
// # Conventions
//
// The spec types (the *Spec structs, Fleet, Workload, Mix...) are plain
// structs whose JSON names are the scenario's keys, ECS's own where ECS
// has the concept (desiredCount, placementConstraints, memberOf). A zero
// value means the documented default; Validate fills the defaults in
// place, so a Scenario is validated once, before a run, and read-only
// afterwards (runs in parallel share it). Units: CPU in CPU units (1024
// per vCPU), memory in MiB, durations as Go duration strings ("90s",
// "24h") in JSON and time.Duration in Go. docs/scenario.md documents every
// key.
//
// The methods that convert a spec into the library's own types
// (TaskDefSpec.TaskDefinition, ServiceSpec.SchedulerService,
// ScalingSpec.Scaler, CapacityProviderSpec.Provider, Variant.Compile)
// are what the simulator runs; they are exported so that a program can
// run a scenario's pieces through placement, scheduler and autoscale
// itself.
//
// # ECS documents
//
// Where a scenario holds an ECS document, ECS's own JSON is accepted as
// the AWS CLI prints it: a task definition (RegisterTaskDefinition input,
// describe-task-definition output, or an ARN or family:revision naming an
// entry of the top-level taskDefinitions), a service (CreateService
// input or describe-services element, recognised by serviceName), and a
// mix entry's containers. ReadScenario rewrites them into the spec's form
// before the strict decoding: package ecsjson reads a task definition
// (TaskDefSpec.ECS returns what it read, and TaskDefinition returns it),
// ECS's service keys map to ServiceSpec's. berth's own keys (a task
// definition's startDelay, crash, failsTargetHealthChecks, duration; a
// service's usage, scaling) stand beside ECS's. ECS's fields that berth
// does not model are accepted and listed (Scenario.NotModelled); any
// other key is an unknown field. A scenario without ECS documents reads
// exactly as before.
//
// # Starting from a running cluster
//
// A scenario may name its instances one by one (Fleet.Instances,
// InstanceSpec) and its services' tasks running at the start
// (ServiceSpec.Tasks, InitialTaskSpec), give the wall-clock time of
// simulated time 0 (Scenario.Start) and replay measured use
// (UsageSpec.Series): package ecsimport writes such scenarios from a dump
// of a real ECS cluster.
//
// # Errors
//
// Every error is one line that names the document, the key path
// ("services[2].taskDefinition.cpu"), the value and what was expected:
// "sim: " around a *fielderr.Error, built where the error is found, that
// carries the file, the path and, for an error in the JSON itself (a
// syntax error, an unknown or duplicate key, a value of the wrong type),
// the line and column. An error of placement, scheduler or autoscale
// about a field keeps its cause: errors.As(err, &cqlErr) finds the
// *cql.Error of a malformed memberOf expression. docs/scenario.md shows
// how a Go caller inspects them.
//
// # Limits
//
// Validate rejects, before anything is allocated, what no real plan asks
// for but would exhaust memory or time: more than MaxInstances instances
// in a run, more than MaxSamples samples or MaxReconciles
// reconciliations, a generator expected to submit more than
// MaxGeneratedTasks tasks, a service of more than MaxServiceTasks tasks
// (MaxTotalServiceTasks together), a price above MaxPricePerHour. Traces
// are streamed by the run, so their length is not limited.
package scenario
