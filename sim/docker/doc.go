// Package docker is the Docker executor of the simulator: it replays a
// scenario on real containers, so that a trace run on a Docker engine (or
// a fleet of them) can be compared with its simulated run. It is the only
// package of berth, with the CLI (package cli), that imports the Docker SDK
// (github.com/moby/moby/client).
//
// # Mapping
//
// An Executor implements sim.Executor and sim.EventHandler. Each
// simulated instance maps to a Docker endpoint: Config.Host for all, or
// the first of Config.Hosts whose pattern matches the instance id, so
// that one engine per instance pool makes a real fleet. A task
// (sim.Run) becomes one container of the workload image, labelled with
// the run id, instance, task, group and family (the Label constants).
// Its CPU units become CPU shares (and, with Config.CPUQuota, a CFS quota
// of the same size); its memory becomes both the hard limit and the soft
// one (ECS's memory and memoryReservation), without swap. Its static host
// ports are bound on a loopback address of its own per instance
// (127.1.0.1, 127.1.0.2...), so that instances sharing an engine do not
// collide on a port; the workload listens on them. A task without ports
// runs without a network. The engine's init (docker-init) is PID 1, so
// that the workload gets signals' default actions; an engine without it
// runs the workload as PID 1.
//
// # Instances as resource boundaries
//
// On an engine of this machine that uses the cgroupfs driver (cgroup v1,
// tested; v2, untested), the run makes a cgroup
// berth-<run id>-<pid> at the root of the hierarchy, one cgroup per
// instance in it, whose CPU quota and memory limit are the instance's
// registered CPU and memory (sim.Run.InstanceCPU, InstanceMemoryMiB), and
// one per task in its instance's, whose limits are the task-level cpu and
// memory (sim.Run.TaskCPU, TaskMemoryMiB; with Config.CPUQuota, a task
// without a task-level cpu is capped at its CPU), as the ECS agent makes
// a cgroup per task. The task's containers run in its task cgroup
// (CgroupParent), so that co-placed tasks compete for their instance as
// on a real host. Config.ScaleResources scales every instance and every
// task, limits and use alike, for a fleet larger than the machine. The
// run's cgroup gets the kernel's highest CPU weight, so that the
// machine's other processes do not pass for contention; the instances'
// quotas bound what it takes. The executor removes the task cgroups as
// tasks end and the run's at Close, and New removes those of berth
// processes of this machine that no longer exist. On a remote engine (or
// one with the systemd driver, or with Config.NoInstanceCgroups) the
// engine's host is out of reach: each container's own limits (shares,
// quota, memory) hold, but co-placed tasks share the engine's whole
// machine; Stats.Boundaries says which engines bound their instances.
//
// # Contention
//
// The workload does a fixed amount of computation per trace second of the
// CPU its task burns (sim.Run.Demand: its CPUUse, else its CPU), measured
// in units of its own work loop, which it calibrates once per run in a
// container of the run on each engine (Config.WorkRate overrides it): it ends at the
// later of its deadline and the end of its work, so that a task given
// less CPU than it asks runs longer. Stats gives, per task, the CPU it got,
// how long its own limits and its instance's quota throttled it, its peak
// memory and whether it was OOM-killed (from its cgroups and the engine),
// and per instance its CPU and memory pressure; CompareContention sets
// them beside the simulated run's times and names the stretched tasks,
// with why.
//
// A run that lists sim.Run.Containers becomes one container per
// definition, in order, labelled as above plus LabelContainer: its CPU
// units become that container's CPU shares, memory its hard limit,
// memoryReservation its soft one; static host ports are bound as above
// and dynamic ones (HostPort 0) are published with an empty host port, so
// that the engine picks them from its ephemeral range. The task ends when
// an essential container exits, with that container's code; its other
// containers are then killed and removed. A non-essential container that
// exits is removed and the task goes on. A run without Containers is one
// essential container whose memory is both limits.
//
// # The workload and its image
//
// The container runs the workload program (package workload below this
// one): a static Go binary that burns the task's CPU in a duty-cycled
// loop, touches its memory, listens on its ports, and exits at its
// deadline with the task's exit code, with 143 on SIGTERM, or grows
// past its memory limit when the run asks for an OOM. The image is made
// without a registry or a Dockerfile: the binary, built from the source
// embedded in this package with the Go toolchain (go build,
// CGO_ENABLED=0, for the engine's architecture) or read from
// Config.Workload, is packed into a tar and imported as a scratch image,
// tagged berth-workload:<hash of what it is built from>. An engine that
// has the tag never imports it again, and a process builds the binary
// once.
//
// # Time
//
// The engine runs paced (sim.Engine.RunPaced) at Config.Scale trace
// seconds per wall second. A task started at simulated time s with
// duration d is told to exit at the wall time of its Start plus d/Scale;
// its exit, read from the engine's event stream, is delivered at s plus
// the scaled wall time since its Start. A container takes a while to
// start (tenths of a second on an idle machine, seconds on a loaded one),
// so a task cannot end before its container started: the timing error of
// a task is about max(0, start latency x Scale - d). Lower scales are
// more accurate.
//
// # Faults
//
// A non-zero exit ends the task with "Essential container in task
// exited" and its code; a container the kernel killed for memory (over
// its own limit, its task's or its instance's: the engine says so, or it
// died of a SIGKILL the executor did not send under a memory limit) with
// "OutOfMemoryError: Container killed due to memory usage" and 137;
// LoseInstance kills every container of the instance (SIGKILL, 137) and
// Stop sends SIGTERM (143; SIGKILL after the task's stop timeout,
// sim.Run.StopTimeout or Config.StopTimeout, 30s by default, in trace
// time), with the reasons the simulator gives. When an essential container
// exits, the task's other containers are stopped the same way. A task stopped before its container started never
// starts, and exits with 143 or 137 at once. A container that cannot be
// created or started ends its task with ReasonCannotStart and -1. Every
// started run produces exactly one Exit.
//
// Every container of a run is removed as its task ends, and Close removes
// whatever remains (running or not) by the run's label and by the names
// it asked for. When the context given to New is done (Ctrl-C), the
// executor fails: Err reports it and the engine stops, so that the
// caller's Close cleans up. The context does not cut short a create, start
// or removal already sent (each is bounded by a minute): one cancelled on
// the client's side can still complete on the engine, after the cleanup
// looked, so Close waits for them. When an engine is gone, Close's error
// names, in its one line, every container the run may have left there.
// New removes the leftovers of crashed runs and of lost engines:
// containers labelled by a berth process of this machine that no longer
// exists; Close removes them again, for a create that a killed run had
// sent and the engine completed after the first sweep. The executor makes no networks: a task without ports runs
// without one, a task with ports on the engine's default bridge.
//
// # Concurrency
//
// Start, Stop, LoseInstance, Handle and Close are for the engine's
// goroutine, as sim.Executor requires. The executor's own goroutines
// (container launches, at most a few at once; one event watcher per
// endpoint; kills and removals) talk to the engine through
// sim.Engine.Inject only. Err and RunID are safe for concurrent use.
//
// # Errors
//
// Errors are one line, prefixed "docker: ". An engine that does not
// answer is "docker: no Docker engine answers at <endpoint>: <cause>".
// Invalid runs (an exit code outside 0-255, a memory limit below
// Docker's 6 MiB) are errors of Start; engine failures during a run
// fail the executor (Err).
//
// # Non-goals
//
// The executor does not pull images, talk to registries, or run ECS's
// agent; it needs no ssh support (forward a remote engine's socket, or
// use tcp with TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH). It is
// not deterministic: two replays of one scenario place tasks identically
// (placement runs in the simulator) but their timings differ.
package docker
