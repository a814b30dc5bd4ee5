package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stopped reasons, as ECS writes a task's stoppedReason.
const (
	ReasonEssentialExited = "Essential container in task exited"
	ReasonOutOfMemory     = "OutOfMemoryError: Container killed due to memory usage"
	ReasonInstanceLost    = "Host EC2 (instance %s) terminated."
	ReasonStoppedByUser   = "Task stopped by user"
	ReasonSpotInterrupted = "Your Spot Task was interrupted."
)

// isLost reports whether a stopped reason says the task's instance went
// away.
func isLost(reason string) bool { return strings.HasPrefix(reason, "Host EC2 (instance ") }

// Run is one task started on an instance: what an executor runs.
type Run struct {
	// ID is the task's id, unique in the simulation (the task ARN's last
	// part).
	ID string
	// Group and Family label the task.
	Group, Family string
	// Instance is the id of the instance it runs on (its ARN).
	Instance string
	// CPU in CPU units (1024 per vCPU) and MemoryMiB reserved; the
	// executor turns them into limits.
	CPU       int64
	MemoryMiB int64
	// CPUUse is the CPU, in CPU units, the task burns when it can (a
	// trace's cpuUse); 0 means CPU. Above CPU it overcommits the
	// instance: CPU units are shares, not caps.
	CPUUse int64
	// InstanceCPU and InstanceMemoryMiB are what the task's instance
	// registered: the bounds it shares with the tasks co-placed with it.
	InstanceCPU, InstanceMemoryMiB int64
	// TaskCPU and TaskMemoryMiB are a task definition's task-level cpu and
	// memory when it lists containers: hard limits of the whole task, as
	// the ECS agent sets them (0: none).
	TaskCPU, TaskMemoryMiB int64
	// StopTimeout is how long the task's containers have to exit after
	// SIGTERM before SIGKILL (the definition's stopTimeout); 0 means the
	// executor's default (ECS's: 30s).
	StopTimeout time.Duration
	// Ports are the static host ports the task binds.
	Ports []uint16
	// Duration is how long it runs; 0 means until stopped.
	Duration time.Duration
	// ExitCode is the code it exits with at the end of Duration.
	ExitCode int
	// OOM asks the workload to exceed its memory limit (fault scenarios).
	OOM bool
	// Started is when it started, in simulated time.
	Started time.Duration
	// Containers are the task's containers, as its task definition lists
	// them. Empty means one essential container with the task's CPU,
	// MemoryMiB (as hard limit) and Ports. The simulated executor ignores
	// them: a task ends at its Duration either way.
	Containers []Container
}

// Container is one container of a run, from its container definition.
// The task ends when an essential container exits; a non-essential one
// exiting leaves the others running.
type Container struct {
	// Name is the container's name, unique in the task.
	Name string
	// CPU in CPU units (1024 per vCPU): the container's CPU shares.
	CPU int64
	// MemoryMiB is the hard limit (ECS's memory), 0 for none;
	// MemoryReservationMiB the soft one (memoryReservation), 0 for none.
	MemoryMiB, MemoryReservationMiB int64
	// Essential: the task stops when this container exits.
	Essential bool
	// Ports are the container's port mappings (bridge mode).
	Ports []PortMapping
	// Duration and ExitCode are a non-essential container's: it exits
	// after Duration with ExitCode, or runs until the task stops when
	// Duration is 0. Essential containers must leave them 0: they run for
	// the task's Duration and exit with its ExitCode, so that every
	// executor ends the task at the same time.
	Duration time.Duration
	ExitCode int
}

// PortMapping maps a container port to a host port.
type PortMapping struct {
	ContainerPort uint16
	// HostPort 0 is dynamic: the engine picks it from its ephemeral range.
	HostPort uint16
	// Protocol is "tcp" (or "", the same) or "udp".
	Protocol string
}

// Exit reports that a run ended: it is the event an executor delivers
// through the engine, at the simulated time the task stopped.
type Exit struct {
	Run      *Run
	ExitCode int
	// Reason is ECS's stoppedReason.
	Reason string
}

// Executor starts and stops tasks on instances, and reports every exit
// back as an *Exit event through the engine it was built with: the
// simulated executor on the virtual clock, a real one (Docker) as the
// containers stop. Every started run produces exactly one Exit.
//
// The simulator calls an executor from the engine's goroutine only.
type Executor interface {
	// Start starts the run. An error means it did not start (and no Exit
	// follows).
	Start(r *Run) error
	// Stop stops a running task; its Exit (with ReasonStoppedByUser or the
	// reason given) follows.
	Stop(r *Run, reason string) error
	// LoseInstance kills every run on the instance, as when its host
	// terminates; their Exits carry ReasonInstanceLost.
	LoseInstance(instance string) error
	// Close ends the executor, stopping whatever still runs. No Exit is
	// reported after Close.
	Close() error
}

// EventHandler is implemented by executors that schedule events of their
// own on the engine (the simulated one does). The simulator offers every
// event to Handle first: ok reports that the event was the executor's, and
// a non-nil Exit is a task that ended.
type EventHandler interface {
	Handle(ev Event) (exit *Exit, ok bool)
}

// Simulated is the executor of a simulated run: each task exits on the
// virtual clock at the end of its duration with its exit code.
type Simulated struct {
	eng     *Engine
	running map[string]*simRun
	// onInstance holds the running runs of each instance, so that losing
	// one costs its runs, not the fleet's. An instance's entry stays once
	// made: a run's end finds its place through the run, without hashing
	// the instance's ARN and id (a planner day starts and ends thousands).
	onInstance map[string]*instanceRuns
}

type simRun struct {
	run  *Run
	done bool
	// on is its instance's runs, and at its index there while it runs.
	on *instanceRuns
	at int
}

// instanceRuns are the runs on one instance, in no particular order.
type instanceRuns struct{ runs []*simRun }

// add puts sr among the runs.
func (o *instanceRuns) add(sr *simRun) {
	sr.on, sr.at = o, len(o.runs)
	o.runs = append(o.runs, sr)
}

// remove takes sr out, moving the last run to its place.
func (o *instanceRuns) remove(sr *simRun) {
	last := o.runs[len(o.runs)-1]
	o.runs[sr.at], last.at = last, sr.at
	o.runs[len(o.runs)-1] = nil
	o.runs = o.runs[:len(o.runs)-1]
	sr.on = nil
}

// simExit is the event that ends a simulated run at its natural end.
type simExit struct{ r *simRun }

// NewSimulated returns the simulated executor for eng. The simulator hands
// it the events it scheduled (see Handle).
func NewSimulated(eng *Engine) *Simulated {
	return &Simulated{eng: eng, running: map[string]*simRun{}, onInstance: map[string]*instanceRuns{}}
}

// Start implements Executor.
func (s *Simulated) Start(r *Run) error {
	if _, dup := s.running[r.ID]; dup {
		return fmt.Errorf("sim: task %s is already running", r.ID)
	}
	sr := &simRun{run: r}
	s.running[r.ID] = sr
	on := s.onInstance[r.Instance]
	if on == nil {
		on = new(instanceRuns)
		s.onInstance[r.Instance] = on
	}
	on.add(sr)
	switch {
	case r.OOM:
		// The workload grows past its limit at once; the kernel's OOM killer
		// ends it within a second (or its duration, if shorter).
		d := time.Second
		if r.Duration > 0 && r.Duration < d {
			d = r.Duration
		}
		s.eng.After(d, simExit{sr})
	case r.Duration > 0:
		s.eng.After(r.Duration, simExit{sr})
	}
	return nil
}

// Handle turns the executor's own events into Exits; it reports whether ev
// was one of them. The simulator calls it first for every event.
func (s *Simulated) Handle(ev Event) (*Exit, bool) {
	se, ok := ev.(simExit)
	if !ok {
		return nil, false
	}
	if se.r.done {
		return nil, true // stopped before its natural end
	}
	if se.r.run.OOM {
		return s.finish(se.r, 137, ReasonOutOfMemory), true
	}
	return s.finish(se.r, se.r.run.ExitCode, ReasonEssentialExited), true
}

func (s *Simulated) finish(sr *simRun, code int, reason string) *Exit {
	sr.done = true
	delete(s.running, sr.run.ID)
	if sr.on != nil {
		sr.on.remove(sr)
	}
	return &Exit{Run: sr.run, ExitCode: code, Reason: reason}
}

// Stop implements Executor: the Exit is scheduled now.
func (s *Simulated) Stop(r *Run, reason string) error {
	sr, ok := s.running[r.ID]
	if !ok {
		return fmt.Errorf("sim: stop: task %s is not running", r.ID)
	}
	if reason == "" {
		reason = ReasonStoppedByUser
	}
	s.eng.After(0, s.finish(sr, 143, reason))
	return nil
}

// LoseInstance implements Executor.
func (s *Simulated) LoseInstance(instance string) error {
	var lost []*simRun
	if on := s.onInstance[instance]; on != nil {
		lost = slices.Clone(on.runs)
	}
	// Deterministic order: by start, then id.
	sortRuns(lost)
	for _, sr := range lost {
		s.eng.After(0, s.finish(sr, 137, fmt.Sprintf(ReasonInstanceLost, instance)))
	}
	return nil
}

// Close implements Executor.
func (s *Simulated) Close() error {
	clear(s.running)
	clear(s.onInstance)
	return nil
}
