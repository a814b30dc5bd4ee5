package autoscale

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// TestPropNoReasonSameState: an evaluation with NoReason returns the
// state the same evaluation without it returns, and no reason.
func TestPropNoReasonSameState(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := Scaler{Target: ScalableTarget{MinCapacity: rapid.IntRange(0, 5).Draw(t, "min"), MaxCapacity: 100}}
		for k := range rapid.IntRange(1, 3).Draw(t, "policies") {
			s.Policies = append(s.Policies, genPolicy(t, fmt.Sprint("p", k)))
		}
		st := s.Start(rapid.IntRange(0, 50).Draw(t, "capacity"))
		m := genMetric(t, 40)
		for k := range m {
			in := Input{Now: minute(k), Metrics: Metrics{"M": series(m[:k+1]...)}}
			want, _ := s.Evaluate(st, in)
			in.NoReason = true
			got, why := s.Evaluate(st, in)
			if got != want || why != "" {
				t.Fatalf("minute %d: with NoReason %+v %q, want %+v \"\"", k, got, why, want)
			}
			st = got
		}
	})
}

// TestNoReasonAllocatesNothing: a target-tracking scale-out formats its
// reason, and without one allocates nothing.
func TestNoReasonAllocatesNothing(t *testing.T) {
	s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{tracking("cpu", "M", 50, false)}}
	st := s.Start(10)
	in := Input{Now: minute(5), Metrics: Metrics{"M": series(repeat(90, 6)...)}}
	got, why := s.Evaluate(st, in)
	if got.Capacity <= st.Capacity || why == "" {
		t.Fatalf("Evaluate = %+v %q, want a scale-out from %d with its reason", got, why, st.Capacity)
	}
	in.NoReason = true
	if n := testing.AllocsPerRun(100, func() { s.Evaluate(st, in) }); n != 0 {
		t.Errorf("Evaluate with NoReason allocated %v times a call, want 0", n)
	}
}
