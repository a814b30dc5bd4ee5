package sim

import (
	"io"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/trace"
)

// eventLog writes the event log in berth's native JSON Lines format
// (package sim/trace), so that a run's log replays as a trace. The first
// write error is kept and reported at the end of the run.
type eventLog struct {
	w   io.Writer
	err error
}

func (l *eventLog) write(e *trace.Event) {
	if l.w == nil || l.err != nil {
		return
	}
	l.err = trace.WriteEvent(l.w, e)
}

func seconds(d time.Duration) float64 { return d.Seconds() }

// instance logs an instance event; instance-add carries what the instance
// offers, so that the log can rebuild the fleet.
func (l *eventLog) instance(at time.Duration, kind trace.Kind, in *placement.Instance, inf *instanceInfo, reason string) {
	if l.w == nil {
		return
	}
	e := &trace.Event{Time: seconds(at), Kind: kind, InstanceID: inf.id, Reason: reason}
	if kind == trace.KindInstanceAdd {
		e.Type, e.Zone, e.PricePerHour = inf.typ.Name, inf.zone, inf.price
		e.CPU, e.MemoryMiB, e.GPUs, e.GPUModel = in.Registered.CPU, in.Registered.MemoryMiB, len(in.Registered.GPUs), inf.typ.GPUModel
		e.Attributes = inf.attrs
	}
	l.write(e)
}

func (l *eventLog) submit(at time.Duration, t *task) {
	if l.w == nil {
		return
	}
	e := trace.TaskEvent(t.spec.Task)
	e.Time = seconds(at)
	e.Group = t.req.Group
	l.write(&e)
}

func (l *eventLog) place(at time.Duration, t *task, inf *instanceInfo) {
	if l.w != nil {
		l.write(&trace.Event{Time: seconds(at), Kind: trace.KindPlace, TaskID: t.spec.ID, InstanceID: inf.id, Wait: seconds(t.placedAt - t.submitted)})
	}
}

func (l *eventLog) unplaced(at time.Duration, t *task, reason string) {
	if l.w != nil {
		l.write(&trace.Event{Time: seconds(at), Kind: trace.KindUnplaced, TaskID: t.spec.ID, Reason: reason})
	}
}

func (l *eventLog) finish(at time.Duration, t *task, inf *instanceInfo, e *Exit) {
	if l.w != nil {
		l.write(&trace.Event{Time: seconds(at), Kind: trace.KindFinish, TaskID: t.spec.ID, InstanceID: inf.id, ExitCode: e.ExitCode, Reason: e.Reason})
	}
}
