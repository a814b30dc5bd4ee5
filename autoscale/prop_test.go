package autoscale

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genPolicy draws a valid step or target-tracking policy on metric "M".
func genPolicy(t *rapid.T, name string) Policy {
	cooldown := time.Duration(rapid.SampledFrom([]int{-1, 0, 60, 120, 600}).Draw(t, "cooldown")) * time.Second
	if rapid.Bool().Draw(t, "tracking") {
		return Policy{PolicyName: name, TargetTracking: &TargetTrackingPolicy{
			TargetValue:                   rapid.Float64Range(1, 100).Draw(t, "target"),
			CustomizedMetricSpecification: &CustomizedMetricSpecification{MetricName: "M"},
			ScaleOutCooldown:              cooldown, ScaleInCooldown: cooldown,
			DisableScaleIn: rapid.Bool().Draw(t, "disableIn"),
			HighDatapoints: rapid.IntRange(1, 4).Draw(t, "high"),
			LowDatapoints:  rapid.IntRange(1, 6).Draw(t, "low"),
		}}
	}
	kind := rapid.SampledFrom([]AdjustmentType{ChangeInCapacity, PercentChangeInCapacity, ExactCapacity}).Draw(t, "kind")
	adj := rapid.IntRange(-100, 100).Draw(t, "adj")
	if kind == ExactCapacity {
		adj = rapid.IntRange(0, 100).Draw(t, "exact")
	}
	op, step := GreaterThanOrEqualToThreshold, StepAdjustment{MetricIntervalLowerBound: f(0), ScalingAdjustment: adj}
	if rapid.Bool().Draw(t, "below") {
		op, step = LessThanOrEqualToThreshold, StepAdjustment{MetricIntervalUpperBound: f(0), ScalingAdjustment: adj}
	}
	p := &StepScalingPolicy{AdjustmentType: kind, StepAdjustments: []StepAdjustment{step}, Cooldown: cooldown,
		Alarm: Alarm{MetricName: "M", Threshold: rapid.Float64Range(0, 100).Draw(t, "threshold"), ComparisonOperator: op,
			EvaluationPeriods: rapid.IntRange(1, 3).Draw(t, "periods")}}
	if kind == PercentChangeInCapacity {
		p.MinAdjustmentMagnitude = rapid.IntRange(0, 3).Draw(t, "minMag")
	}
	return Policy{PolicyName: name, StepScaling: p}
}

// genMetric draws a metric stream with gaps (NaN).
func genMetric(t *rapid.T, n int) []float64 {
	return rapid.SliceOfN(rapid.OneOf(rapid.Float64Range(0, 200), rapid.Just(math.NaN())), n, n).Draw(t, "metric")
}

func TestPropCapacityWithinBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lo := rapid.IntRange(0, 20).Draw(t, "min")
		s := Scaler{Target: ScalableTarget{MinCapacity: lo, MaxCapacity: lo + rapid.IntRange(0, 50).Draw(t, "span")}}
		for k := range rapid.IntRange(1, 4).Draw(t, "policies") {
			s.Policies = append(s.Policies, genPolicy(t, string(rune('a'+k))))
		}
		if rapid.Bool().Draw(t, "scheduled") {
			a := ScheduledAction{ScheduledActionName: "s", Schedule: MustParseSchedule("rate(3 minutes)", "")}
			smin := rapid.IntRange(0, 30).Draw(t, "smin")
			a.ScalableTargetAction = ScalableTargetAction{MinCapacity: &smin}
			if rapid.Bool().Draw(t, "smax") {
				smax := smin + rapid.IntRange(0, 30).Draw(t, "sspan")
				a.ScalableTargetAction.MaxCapacity = &smax
			}
			s.ScheduledActions = append(s.ScheduledActions, a)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("generated an invalid scaler: %v", err)
		}
		st := s.Start(rapid.IntRange(0, 100).Draw(t, "capacity"))
		m := genMetric(t, 40)
		for k := range m {
			st, _ = s.Evaluate(st, Input{Now: minute(k), Metrics: Metrics{"M": series(m[:k+1]...)}, Deploying: rapid.Bool().Draw(t, "deploying")})
			if st.Capacity < st.MinCapacity || st.Capacity > st.MaxCapacity {
				t.Fatalf("minute %d: capacity %d outside [%d, %d]", k, st.Capacity, st.MinCapacity, st.MaxCapacity)
			}
		}
	})
}

func TestPropTargetTrackingMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := tracking("tt", "M", rapid.Float64Range(1, 100).Draw(t, "target"), false)
		p.TargetTracking.ScaleOutCooldown = time.Duration(rapid.IntRange(-1, 600).Draw(t, "cooldown")) * time.Second
		s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 1000}, Policies: []Policy{p}}
		start := rapid.IntRange(1, 50).Draw(t, "capacity")
		a := rapid.Float64Range(0, 300).Draw(t, "a")
		b := rapid.Float64Range(a, 300).Draw(t, "b")
		n := rapid.IntRange(1, 40).Draw(t, "minutes")
		ca, _ := run(&s, s.Start(start), map[string][]float64{"M": repeat(a, n)}, false)
		cb, _ := run(&s, s.Start(start), map[string][]float64{"M": repeat(b, n)}, false)
		for k := range ca {
			if ca[k] > cb[k] {
				t.Fatalf("minute %d: metric %v gives %d, more than metric %v gives %d", k, a, ca[k], b, cb[k])
			}
		}
		if d1, d2 := p.TargetTracking.Desired(start, a), p.TargetTracking.Desired(start, b); d1 > d2 {
			t.Fatalf("Desired(%d, %v) = %d > Desired(%d, %v) = %d", start, a, d1, start, b, d2)
		}
	})
}

func TestPropCooldowns(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cd := time.Duration(rapid.IntRange(1, 10).Draw(t, "cooldownMinutes")) * time.Minute
		up := rapid.IntRange(1, 5).Draw(t, "up")
		s := Scaler{Target: ScalableTarget{MaxCapacity: 1000}, Policies: []Policy{
			changePolicy("out", 70, up, cd), changePolicy("in", 30, -rapid.IntRange(1, 5).Draw(t, "down"), cd)}}
		st := s.Start(rapid.IntRange(0, 100).Draw(t, "capacity"))
		m := genMetric(t, 60)
		var lastIn time.Time
		outStart, outBase := time.Time{}, 0
		for k := range m {
			now := minute(k)
			prev := st
			st, _ = s.Evaluate(st, Input{Now: now, Metrics: Metrics{"M": series(m[:k+1]...)}})
			switch {
			case st.Capacity < prev.Capacity:
				if !lastIn.IsZero() && now.Before(lastIn.Add(cd)) {
					t.Fatalf("minute %d: scale-in %d -> %d inside the scale-in cooldown from %v", k, prev.Capacity, st.Capacity, lastIn)
				}
				lastIn = now
			case st.Capacity > prev.Capacity:
				lastIn = time.Time{} // a scale-out ends the scale-in cooldown
				if !outStart.IsZero() && now.Before(outStart.Add(cd)) {
					if st.Capacity > outBase+up {
						t.Fatalf("minute %d: scale-out to %d in the cooldown, beyond base %d + %d", k, st.Capacity, outBase, up)
					}
				} else {
					outStart, outBase = now, prev.Capacity
				}
			}
		}
	})
}

func TestPropNoScalingOnMissingData(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100}}
		for k := range rapid.IntRange(1, 4).Draw(t, "policies") {
			s.Policies = append(s.Policies, genPolicy(t, string(rune('a'+k))))
		}
		st := s.Start(rapid.IntRange(0, 100).Draw(t, "capacity"))
		want := st.Capacity
		for k := 0; k < 30; k++ {
			var m Metrics
			if rapid.Bool().Draw(t, "nanSamples") {
				m = Metrics{"M": series(repeat(math.NaN(), k+1)...)}
			}
			var why string
			st, why = s.Evaluate(st, Input{Now: minute(k), Metrics: m})
			if st.Capacity != want {
				t.Fatalf("minute %d: capacity %d -> %d with no data (%s)", k, want, st.Capacity, why)
			}
		}
	})
}

// Next agrees with Split: task n+1 goes where Split(n+1) has one more
// than Split(n), for any strategy (several bases and weight-0 providers
// included, valid or not).
func TestPropNextAgreesWithSplit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 6).Draw(t, "providers")
		s := make(CapacityProviderStrategy, k)
		for i := range s {
			s[i] = CapacityProviderStrategyItem{CapacityProvider: string(rune('a' + i)),
				Weight: rapid.IntRange(0, 5).Draw(t, "weight"), Base: rapid.IntRange(0, 4).Draw(t, "base")}
		}
		n := rapid.IntRange(0, 60).Draw(t, "n")
		counts := s.Split(n)
		i := s.Next(counts)
		next := s.Split(n + 1)
		counts[i]++
		for j := range next {
			if next[j] != counts[j] {
				t.Fatalf("%+v: Next(Split(%d)) = %d, but Split(%d) = %v", s, n, i, n+1, next)
			}
		}
	})
}
