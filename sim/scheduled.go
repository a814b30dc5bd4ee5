package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/trace"
)

// scheduledState is one EventBridge rule through the run.
// scheduledTasks is the scenario's scheduled tasks: RunTask on cron or
// rate schedules, submitted as standalone tasks when each rule fires.
type scheduledTasks struct {
	*core
	standalone *standalone
	rules      []scheduledState
}

type scheduledState struct {
	// req, attrs and containers are set for a task definition that lists
	// its containers (nil containers otherwise).
	req        placement.Requirements
	attrs      []placement.Attribute
	containers []Container
	spec       *scenario.ScheduledTaskSpec
	sched      autoscale.Schedule
	anchor     time.Time
	cons       []placement.Constraint
	n          int
}

// newScheduled parses the rules and queues each one's first run. A rate()
// rule first fires one interval after the start, a cron() rule at its
// first matching minute.
func (sd *scheduledTasks) newScheduled() error {
	for i := range sd.sc.ScheduledTasks {
		spec := &sd.sc.ScheduledTasks[i]
		path := fmt.Sprintf("scheduledTasks[%d]", i)
		sched, err := autoscale.ParseSchedule(spec.Schedule, spec.Timezone)
		if err != nil {
			return fmt.Errorf("sim: %w", fielderr.Nest(path+".schedule", err))
		}
		start := sd.sc.StartTime()
		st := scheduledState{spec: spec, sched: sched, anchor: start}
		if next, ok := sched.Next(start, start); ok && next.After(start) {
			// rate(): one interval after the start.
			st.anchor = next
		}
		cons, err := scenario.CompileConstraints(append(append([]scenario.ConstraintSpec(nil), spec.TaskDefinition.Constraints...), spec.Constraints...), path+".constraints")
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		st.cons = cons
		if td := &spec.TaskDefinition; len(td.Containers) > 0 {
			// A definition that lists its containers reserves what they
			// ask for and requires what ECS derives from them, as a
			// workload mix entry with containers does.
			pd, err := td.TaskDefinition(path + ".taskDefinition")
			if err != nil {
				return fmt.Errorf("sim: %w", err)
			}
			st.req, st.attrs, st.containers = pd.Requirements(), pd.DerivedAttributes(), runContainers(td.Containers)
		}
		sd.rules = append(sd.rules, st)
	}
	return nil
}

// startScheduled queues every rule's first occurrence.
func (sd *scheduledTasks) startScheduled() {
	for i := range sd.rules {
		sd.queueScheduled(i, sd.sc.StartTime().Add(-time.Nanosecond))
	}
}

func (sd *scheduledTasks) queueScheduled(i int, after time.Time) {
	st := &sd.rules[i]
	t, ok := st.sched.Next(after, st.anchor)
	if !ok {
		return
	}
	at := t.Sub(sd.sc.StartTime())
	if at > time.Duration(sd.sc.Duration) {
		return
	}
	sd.eng.Schedule(at, scheduledRun{i})
}

// runScheduled submits the rule's tasks as RunTask would, then queues the
// next occurrence.
func (sd *scheduledTasks) runScheduled(i int) {
	st := &sd.rules[i]
	td := &st.spec.TaskDefinition
	count := max(st.spec.Count, 1)
	rng := rand.New(rand.NewPCG(sd.sc.Seed^uint64(i+1)<<32, uint64(st.n)))
	for range count {
		st.n++
		t := trace.Task{
			ID:        st.spec.Name + "-" + strconv.Itoa(st.n),
			Submit:    sd.eng.Now(),
			HasTimes:  true,
			CPU:       td.CPU,
			MemoryMiB: td.MemoryMiB,
			GPUs:      td.GPUs,
			App:       td.Family,
		}
		if td.GPUs > 0 {
			t.GPUMilli = 1000
		}
		if td.Duration != nil {
			t.Duration = td.Duration.Draw(rng)
		}
		if td.Crash {
			t.ExitCode = 1
		}
		it := item{Task: t, ports: td.HostPorts, cons: st.cons}
		if st.containers != nil {
			it.Task.CPU, it.Task.MemoryMiB = st.req.CPU, st.req.MemoryMiB
			it.ports, it.udp, it.dynamic, it.containers, it.attrs = st.req.PortsTCP, st.req.PortsUDP, st.req.DynamicPorts, st.containers, st.attrs
		}
		sd.standalone.submit(it)
	}
	sd.queueScheduled(i, sd.wall())
}
