package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
	"pgregory.net/rapid"
)

// TestIncrementalEqualsRecomputation runs random planner scenarios one
// event at a time and checks after each that the state kept incrementally
// equals a plain recomputation: every waiting task's placement watch
// gives each instance the reason Check gives, and Fits says whether any
// instance passes; managed scaling's mirror of each instance equals the
// instance.
func TestIncrementalEqualsRecomputation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := genPlannerScenario(t)
		var log bytes.Buffer
		s, err := newSimulator(sc, scenario.Variant{}, Options{Log: &log})
		if err != nil {
			t.Fatalf("newSimulator: %v", err)
		}
		defer s.exec.Close()
		if err := s.start(); err != nil {
			t.Fatalf("start: %v", err)
		}
		until := time.Duration(sc.Duration)
		for {
			it, ok := s.eng.q.Peek()
			if !ok || time.Duration(it.At) > until || s.err != nil {
				break
			}
			s.eng.Step()
			checkWatches(t, s)
			checkMirror(t, s)
		}
		if s.err != nil {
			t.Fatalf("run: %v", s.err)
		}
	})
}

func checkWatches(t *rapid.T, s *simulator) {
	c := s.fleet.cluster
	for _, tk := range s.tasks.waiting {
		if tk.watch == nil {
			continue
		}
		w, fits := tk.watch.w, false
		for _, in := range c.Instances() {
			want, err := c.Check(in, &tk.req)
			if err != nil {
				t.Fatalf("at %v: Check(%s, task %s): %v", s.eng.Now(), in.ARN, tk.spec.ID, err)
			}
			fits = fits || want == placement.ReasonNone
			if got := w.Reason(in); got != want {
				t.Fatalf("at %v: watch of task %s: Reason(%s) = %v, want %v", s.eng.Now(), tk.spec.ID, in.ARN, got, want)
			}
		}
		if got := w.Fits(); got != fits {
			t.Fatalf("at %v: watch of task %s: Fits() = %v, want %v", s.eng.Now(), tk.spec.ID, got, fits)
		}
	}
}

func checkMirror(t *rapid.T, s *simulator) {
	if s.providers == nil {
		return
	}
	s.providers.mirrorChanges()
	for i, in := range s.fleet.cluster.Instances() {
		if got, want := s.providers.mirror[i], mirrorOf(in); got != want {
			t.Fatalf("at %v: mirror of %s = %+v, want %+v", s.eng.Now(), in.ARN, got, want)
		}
	}
}
