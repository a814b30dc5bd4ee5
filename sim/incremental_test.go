package sim

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/berthsched/berth/placement"
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
		stepRun(t, sc, &log, func(s *simulator) {
			checkWatches(t, s)
			checkMirror(t, s)
		})
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

// TestSameShapeKeys: requests sameShape calls equal have equal shape keys,
// so that shapeOf's shortcut numbers them as the key would.
func TestSameShapeKeys(t *testing.T) {
	memberOf, err := placement.NewMemberOf("attribute:a == b")
	if err != nil {
		t.Fatal(err)
	}
	cons := []placement.Constraint{{Type: placement.DistinctInstance}, memberOf}
	rapid.Check(t, func(t *rapid.T) {
		gen := func(label string) (*placement.Request, []string) {
			r := &placement.Request{Group: rapid.SampledFrom([]string{"g", "g|x"}).Draw(t, label+"group")}
			r.Task.CPU = rapid.SampledFrom([]int64{0, 1}).Draw(t, label+"cpu")
			r.Task.GPUs = rapid.IntRange(0, 1).Draw(t, label+"gpus")
			r.Task.GPUMilli = rapid.SampledFrom([]int{0, 500, 1000}).Draw(t, label+"milli")
			r.Task.AWSVPC = rapid.Bool().Draw(t, label+"awsvpc")
			if rapid.Bool().Draw(t, label+"port") {
				r.Task.PortsTCP = []uint16{80}
			}
			if rapid.Bool().Draw(t, label+"scalar") {
				r.Task.Scalars = []placement.Scalar{{Name: "disk", Value: rapid.SampledFrom([]float64{0, math.Copysign(0, -1), 1}).Draw(t, label+"disk")}}
			}
			for range rapid.IntRange(0, 2).Draw(t, label+"ncons") {
				r.Constraints = append(r.Constraints, rapid.SampledFrom(cons).Draw(t, label+"con"))
			}
			var models []string
			if rapid.Bool().Draw(t, label+"models") {
				models = []string{"T4"}
			}
			return r, models
		}
		a, ma := gen("a")
		b, mb := gen("b")
		if rapid.Bool().Draw(t, "alike") { // mostly equal requests, a field or none apart
			c := *a
			switch rapid.IntRange(0, 3).Draw(t, "apart") {
			case 1:
				c.Task.CPU++
			case 2: // equal amounts that print apart
				a.Task.Scalars = []placement.Scalar{{Name: "disk", Value: 0}}
				c.Task.Scalars = []placement.Scalar{{Name: "disk", Value: math.Copysign(0, -1)}}
			case 3:
				c.Group += "|x"
			}
			b, mb = &c, ma
		}
		if sameShape(a, b) && slices.Equal(ma, mb) && shapeKey(a, ma) != shapeKey(b, mb) {
			t.Fatalf("sameShape(%+v, %+v) but keys %q, %q", a, b, shapeKey(a, ma), shapeKey(b, mb))
		}
	})
}
