package sim

import (
	"context"
	"sync"
	"time"

	"github.com/berthsched/berth/internal/eventq"
)

// Engine is a single-threaded discrete-event loop. Events are values
// scheduled at a simulated time (a duration from the start); the engine
// pops them in (time, sequence) order, so events due at the same time run
// in the order they were scheduled, and hands each to its handler.
//
// The same engine runs on a virtual clock (Run: as fast as it can) or paced
// by the wall clock scaled by a factor (RunPaced). Other goroutines, such
// as an executor watching real containers, add events with Inject, which
// is safe for concurrent use; everything else is for the engine's
// goroutine only.
type Engine struct {
	now     time.Duration
	q       eventq.Queue[Event]
	handle  func(Event)
	stopped bool

	mu     sync.Mutex
	inbox  []injected
	wake   chan struct{}
	paceAt func() time.Duration // the simulated time the wall clock says it is, when paced
}

// Event is anything the engine schedules. The simulator's events are
// typed values; the engine only orders them.
type Event any

type injected struct {
	at time.Duration
	ev Event
}

// NewEngine returns an engine that hands each event to handle.
func NewEngine(handle func(Event)) *Engine {
	return &Engine{handle: handle, wake: make(chan struct{}, 1)}
}

// Now returns the simulated time of the event being handled (or of the
// last one handled).
func (e *Engine) Now() time.Duration { return e.now }

// Schedule queues ev at simulated time at; a time in the past is taken as
// now.
func (e *Engine) Schedule(at time.Duration, ev Event) {
	if at < e.now {
		at = e.now
	}
	e.q.Push(int64(at), ev)
}

// After queues ev d after now.
func (e *Engine) After(d time.Duration, ev Event) { e.Schedule(e.now+d, ev) }

// AfterLane is After for events queued again and again the same delay
// after now, such as a periodic tick: they come due in the order they
// were queued, and the queue keeps them in its lane (eventq.PushLane)
// instead of its heap. The order of events is After's.
func (e *Engine) AfterLane(d time.Duration, ev Event) {
	at := e.now + d
	if at < e.now {
		at = e.now
	}
	e.q.PushLane(int64(at), ev)
}

// Inject queues ev from any goroutine. at is the simulated time it
// happened; when paced, a zero at means "now by the wall clock". Injected
// events join the queue before the engine's next step, in the order
// injected.
func (e *Engine) Inject(at time.Duration, ev Event) {
	e.mu.Lock()
	if at == 0 && e.paceAt != nil {
		at = e.paceAt()
	}
	e.inbox = append(e.inbox, injected{at, ev})
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *Engine) drainInbox() {
	e.mu.Lock()
	in := e.inbox
	e.inbox = nil
	e.mu.Unlock()
	for _, it := range in {
		e.Schedule(it.at, it.ev)
	}
}

// Len returns the number of events queued.
func (e *Engine) Len() int { return e.q.Len() }

// Stop makes Run and RunPaced return after the current event.
func (e *Engine) Stop() { e.stopped = true }

// Step handles the next event and reports whether there was one.
func (e *Engine) Step() bool {
	e.drainInbox()
	it, ok := e.q.Pop()
	if !ok {
		return false
	}
	e.now = time.Duration(it.At)
	e.handle(it.V)
	return true
}

// Run handles events in order until the queue is empty, the next event is
// due after until, or Stop is called. The clock is left at until when the
// queue ran dry or reached it.
func (e *Engine) Run(until time.Duration) {
	e.stopped = false
	for !e.stopped {
		e.drainInbox()
		it, ok := e.q.Peek()
		if !ok || time.Duration(it.At) > until {
			if e.now < until {
				e.now = until
			}
			return
		}
		e.Step()
	}
}

// RunPaced is Run paced by the wall clock: simulated time advances scale
// seconds per wall second from the call, and an event runs when the wall
// clock reaches it. Events injected meanwhile are handled at their time.
// It returns when until is reached, on Stop, or when ctx is done (with
// ctx's error).
func (e *Engine) RunPaced(ctx context.Context, until time.Duration, scale float64, wall func() time.Time) error {
	start, from := wall(), e.now
	simNow := func() time.Duration {
		return from + time.Duration(float64(wall().Sub(start))*scale)
	}
	e.mu.Lock()
	e.paceAt = simNow
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.paceAt = nil
		e.mu.Unlock()
	}()
	e.stopped = false
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for !e.stopped {
		e.drainInbox()
		next := until
		if it, ok := e.q.Peek(); ok && time.Duration(it.At) < until {
			next = time.Duration(it.At)
		}
		if wait := time.Duration(float64(next-simNow()) / scale); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-e.wake:
				continue // something was injected: look again
			case <-timer.C:
			}
		}
		if next == until {
			if it, ok := e.q.Peek(); !ok || time.Duration(it.At) > until {
				e.now = until
				return nil
			}
		}
		e.Step()
	}
	return nil
}
