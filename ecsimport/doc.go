// Package ecsimport reads a dump of a running ECS cluster, the JSON the
// AWS CLI prints (--output json), into a scenario that package sim runs
// as it is: berth import ecs is its command, and docs/import.md the
// walk from the AWS CLI commands to a what-if sweep.
//
// # Documents
//
// Read takes every file whose name ends in .json in a directory
// (an fs.FS) and recognises each by its top-level keys (Recognise,
// Kind): describe-container-instances, describe-tasks, describe-services,
// describe-task-definition, describe-capacity-providers,
// describe-auto-scaling-groups, the Application Auto Scaling
// describe-scalable-targets, describe-scaling-policies and
// describe-scheduled-actions, CloudWatch describe-alarms, and
// get-metric-data outputs with the MetricDataQueries inputs they came
// from, joined by query Id. Files of one kind are merged. Container
// instances and task definitions are read by package ecsjson; services
// and task definitions go into the scenario as ECS's own documents, for
// package scenario to read and to list what it does not model.
//
// # The scenario
//
// At simulated time 0 (the metrics' StartTime, the scenario's start) the
// scenario is the dumped cluster: its instances (scenario.InstanceSpec),
// its services' RUNNING tasks on the same instances
// (scenario.InitialTaskSpec), the same desired counts, the capacity
// providers with their groups, the scaling policies and scheduled
// actions. Each service's usage replays its metrics minute by minute
// (scenario.UsageSeries): utilization times what its tasks running at the
// dump reserve, and the load balancer's requests; Options.LoadFactor is
// the factor of its usage step. Prices come only from Options.Prices
// (ReadPrices reads a CSV). What was read, assumed and not modelled is in
// the Result and in the scenario's import key.
//
// # Errors and limits
//
// Every error is one line, "ecsimport: FILE:LINE:COL: PATH: MESSAGE"
// with the unknown parts left out: a .json file that is no document the
// package knows, a service whose task definition is not in the dump, a
// metric of a service or target group the dump lacks, files of two
// clusters, a JSON syntax error. A file may be up to 64 MiB, a dump
// 100,000 files. The same dump and options give byte-identical output;
// Read reads nothing but fsys and keeps no state.
package ecsimport
