// Package simtest holds the conformance suite every sim.Executor must pass:
// the simulated one and real ones such as the Docker executor run the same
// tests, so that a scenario gives the same accounting whichever runs it.
package simtest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
)

// Options adapt the suite to an executor.
type Options struct {
	// Scale paces the engine on the wall clock (simulated seconds per wall
	// second) for real executors; 0 runs on the virtual clock.
	Scale float64
	// Tolerance is how far from its expected simulated time an exit may be
	// reported (0 for the simulated executor: exact).
	Tolerance time.Duration
	// Instances are two instance ids the executor can run tasks on.
	Instances [2]string
}

// harness drives one executor on one engine and records the exits.
type harness struct {
	t     *testing.T
	eng   *sim.Engine
	exec  sim.Executor
	h     sim.EventHandler
	exits map[string][]*exitAt
	opts  Options
}

type exitAt struct {
	*sim.Exit
	at time.Duration
}

// call is an engine event that runs a function at a simulated time.
type call func()

func newHarness(t *testing.T, opts Options, newExec func(t *testing.T, eng *sim.Engine) sim.Executor) *harness {
	h := &harness{t: t, exits: map[string][]*exitAt{}, opts: opts}
	h.eng = sim.NewEngine(func(ev sim.Event) {
		if h.h != nil {
			if e, ok := h.h.Handle(ev); ok {
				if e != nil {
					h.record(e)
				}
				return
			}
		}
		switch ev := ev.(type) {
		case *sim.Exit:
			h.record(ev)
		case call:
			ev()
		default:
			t.Errorf("unexpected event %T", ev)
		}
	})
	h.exec = newExec(t, h.eng)
	h.h, _ = h.exec.(sim.EventHandler)
	t.Cleanup(func() {
		if err := h.exec.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func (h *harness) record(e *sim.Exit) {
	h.exits[e.Run.ID] = append(h.exits[e.Run.ID], &exitAt{e, h.eng.Now()})
}

func (h *harness) at(d time.Duration, f func()) { h.eng.Schedule(d, call(f)) }

func (h *harness) run(until time.Duration) {
	if h.opts.Scale == 0 {
		h.eng.Run(until)
		return
	}
	// A real executor's exits arrive as the engine reports them: run on
	// past the nominal end for a while, so that one that is late is judged
	// by its time (expect) rather than missed.
	until += 2*h.opts.Tolerance + time.Duration(2*h.opts.Scale*float64(time.Second))
	ctx := h.t.Context()
	if err := h.eng.RunPaced(ctx, until, h.opts.Scale, time.Now); err != nil {
		h.t.Fatalf("RunPaced: %v", err)
	}
}

func (h *harness) start(r *sim.Run) {
	r.Started = h.eng.Now()
	if err := h.exec.Start(r); err != nil {
		h.t.Errorf("Start(%s): %v", r.ID, err)
	}
}

// expect checks that run id exited exactly once, with code and a reason
// starting with reasonPrefix, at want (within the tolerance).
func (h *harness) expect(id string, code int, reasonPrefix string, want time.Duration) {
	h.t.Helper()
	got := h.exits[id]
	if len(got) != 1 {
		h.t.Errorf("task %s exited %d times, want once", id, len(got))
		return
	}
	e := got[0]
	if e.ExitCode != code || !strings.HasPrefix(e.Reason, reasonPrefix) {
		h.t.Errorf("task %s exit = (%d, %q), want (%d, %q...)", id, e.ExitCode, e.Reason, code, reasonPrefix)
	}
	if d := e.at - want; d < -h.opts.Tolerance || d > h.opts.Tolerance {
		h.t.Errorf("task %s exited at %v, want %v (tolerance %v)", id, e.at, want, h.opts.Tolerance)
	}
}

func (h *harness) noOtherExits(ids ...string) {
	h.t.Helper()
	var extra []string
	for id := range h.exits {
		known := false
		for _, k := range ids {
			known = known || k == id
		}
		if !known {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		h.t.Errorf("unexpected exits of %v", extra)
	}
}

func run(id, instance string, d time.Duration, code int) *sim.Run {
	return &sim.Run{ID: id, Group: "family:conformance", Family: "conformance", Instance: instance,
		CPU: 128, MemoryMiB: 64, Duration: d, ExitCode: code}
}

// Executor runs the conformance suite against the executor newExec builds
// for an engine.
func Executor(t *testing.T, opts Options, newExec func(t *testing.T, eng *sim.Engine) sim.Executor) {
	a, b := opts.Instances[0], opts.Instances[1]
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	t.Run("exits at the end of its duration with its code", func(t *testing.T) {
		h := newHarness(t, opts, newExec)
		h.at(0, func() {
			h.start(run("ok", a, s(2), 0))
			h.start(run("fails", b, s(3), 3))
		})
		h.at(s(1), func() { h.start(run("later", a, s(1), 0)) })
		h.run(s(6))
		h.expect("ok", 0, sim.ReasonEssentialExited, s(2))
		h.expect("fails", 3, sim.ReasonEssentialExited, s(3))
		h.expect("later", 0, sim.ReasonEssentialExited, s(2))
		h.noOtherExits("ok", "fails", "later")
	})
	t.Run("stop reports one exit", func(t *testing.T) {
		h := newHarness(t, opts, newExec)
		h.at(0, func() { h.start(run("forever", a, 0, 0)) })
		h.at(s(2), func() {
			if err := h.exec.Stop(&sim.Run{ID: "forever", Instance: a}, "Scaling activity"); err != nil {
				t.Errorf("Stop: %v", err)
			}
		})
		h.run(s(5))
		h.expect("forever", 143, "Scaling activity", s(2))
		h.noOtherExits("forever")
	})
	t.Run("losing an instance ends its tasks only", func(t *testing.T) {
		h := newHarness(t, opts, newExec)
		h.at(0, func() {
			h.start(run("a1", a, 0, 0))
			h.start(run("a2", a, s(30), 0))
			h.start(run("b1", b, s(3), 0))
		})
		h.at(s(1), func() {
			if err := h.exec.LoseInstance(a); err != nil {
				t.Errorf("LoseInstance: %v", err)
			}
		})
		h.run(s(5))
		lost := fmt.Sprintf(sim.ReasonInstanceLost, a)
		h.expect("a1", 137, lost, s(1))
		h.expect("a2", 137, lost, s(1))
		h.expect("b1", 0, sim.ReasonEssentialExited, s(3))
		h.noOtherExits("a1", "a2", "b1")
	})
	t.Run("a task over its memory is killed", func(t *testing.T) {
		h := newHarness(t, opts, newExec)
		h.at(0, func() {
			r := run("hog", a, s(20), 0)
			r.OOM = true
			h.start(r)
		})
		h.run(s(25))
		got := h.exits["hog"]
		if len(got) != 1 || got[0].ExitCode != 137 || got[0].Reason != sim.ReasonOutOfMemory {
			t.Fatalf("exits of hog = %+v, want one with 137 and %q", got, sim.ReasonOutOfMemory)
		}
		if got[0].at > s(20)+opts.Tolerance {
			t.Errorf("hog killed at %v, after its duration", got[0].at)
		}
	})
	t.Run("a task id runs once at a time", func(t *testing.T) {
		h := newHarness(t, opts, newExec)
		h.at(0, func() {
			h.start(run("dup", a, s(2), 0))
			if err := h.exec.Start(run("dup", b, s(2), 0)); err == nil {
				t.Errorf("starting a running task id again succeeded")
			}
			if err := h.exec.Stop(&sim.Run{ID: "nobody", Instance: a}, ""); err == nil {
				t.Errorf("stopping an unknown task succeeded")
			}
		})
		h.run(s(4))
		h.expect("dup", 0, sim.ReasonEssentialExited, s(2))
	})
}
