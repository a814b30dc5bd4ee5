// Package shard divides berth's independent runs (a sweep's
// configurations and replicate seeds, a research bench's workload, policy
// and seed jobs) among the tasks of an array job, so that a run too big for
// one machine can be spread over the engines its users already have: Slurm
// job arrays, Kubernetes Indexed Jobs and AWS Batch array jobs.
//
// A shard is named K/N: task K (from 0) of N. Parse reads that form, and
// FromEnv reads K and N from an array engine's environment for
// `--shard auto`. Assign gives every task in a list exactly one shard: it
// depends only on the list (the tasks' order and expected costs) and on N,
// never on the machine it runs on, so every shard of one array job computes
// the same partition on its own.
package shard
