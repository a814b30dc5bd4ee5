package autoscale

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// genTrackingAlarms draws a high and a low alarm as a target-tracking
// policy's come: one period and statistic, any operators, thresholds,
// window lengths and DatapointsToAlarm.
func genTrackingAlarms(t *rapid.T) (high, low Alarm) {
	high, low = genAlarm(t), genAlarm(t)
	low.Period, low.Statistic, low.MetricName = high.Period, high.Statistic, high.MetricName
	return high, low
}

// genSamples draws samples after prev, in time order: several at one
// time, some on the next period's end, some beyond it, NaN values.
func genSamples(t *rapid.T, prev time.Time, p time.Duration) Series {
	n := rapid.IntRange(0, 3).Draw(t, "samples")
	var s Series
	at := prev
	for range n {
		at = at.Add(rapid.SampledFrom([]time.Duration{0, time.Nanosecond, time.Second, p / 2, p}).Draw(t, "gap"))
		if !at.After(prev) {
			at = prev.Add(time.Nanosecond)
		}
		v := rapid.OneOf(rapid.Float64Range(-10, 200), rapid.Just(math.NaN()), rapid.Just(math.Inf(1))).Draw(t, "v")
		s = append(s, Sample{Time: at, Value: v})
	}
	return s
}

// TestPropWindowsEqualScan runs a series of evaluations, mostly one
// period apart, some not, with samples appended after each (a few at the
// time just evaluated) and old ones dropped, and checks every one against
// trackingScan's plain walk.
func TestPropWindowsEqualScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		high, low := genTrackingAlarms(t)
		withLow := rapid.Bool().Draw(t, "withLow")
		p := high.period()
		n := max(high.EvaluationPeriods, low.EvaluationPeriods)
		base := time.Now() // with a monotonic reading, which some times keep
		var s Series
		var w trackWindow
		now := base.Round(0)
		for range rapid.IntRange(1, 60).Draw(t, "evaluations") {
			if (len(s) == 0 || !s[len(s)-1].Time.After(now)) && rapid.IntRange(0, 9).Draw(t, "late") == 0 {
				s = append(s, Sample{Time: now, Value: 1000}) // at the time evaluated: noticed
			}
			from := now // samples come in time order (Series)
			if len(s) > 0 && s[len(s)-1].Time.After(from) {
				from = s[len(s)-1].Time
			}
			s = append(s, genSamples(t, from, p)...)
			switch rapid.IntRange(0, 9).Draw(t, "next") {
			case 0:
				now = now.Add(time.Duration(rapid.IntRange(0, 4*n).Draw(t, "jump")) * p / 2)
			case 1:
				now = base.Add(now.Sub(base) + p) // a monotonic reading
			case 2:
				now = now.Round(0).Add(p + rapid.SampledFrom([]time.Duration{-1, 1}).Draw(t, "nearly")) // not one period on
			default:
				now = now.Round(0).Add(p)
			}
			if rapid.IntRange(0, 4).Draw(t, "drop") == 0 {
				for len(s) > 0 && !s[0].Time.After(now.Add(-time.Duration(n)*p)) {
					s = s[1:]
				}
			}
			hiAlarm, loAlarm, latest := w.scan(&high, &low, withLow, s, now)
			var peak float64
			if loAlarm {
				peak = w.peak()
			}
			wHi, wLo, wLatest, wPeak := trackingScan(high, low, withLow, s, now)
			if hiAlarm != wHi || loAlarm != wLo || !sameFloat(latest, wLatest) || loAlarm && !sameFloat(peak, wPeak) {
				t.Fatalf("at %v: scan = %v %v %v %v, want %v %v %v %v", now.Sub(base), hiAlarm, loAlarm, latest, peak, wHi, wLo, wLatest, wPeak)
			}
		}
	})
}

// TestPropEvaluateWithWindows checks that Windows changes no evaluation
// of a scaler with two target-tracking policies, evaluated every minute
// over a random series, some during a deployment, with the policies now
// and then changed in place (the alarms Windows keeps must follow); the
// evaluations with Windows are by Evaluate or EvaluateInPlace, reading
// Metrics or the same samples as a Source.
func TestPropEvaluateWithWindows(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pol := func(name, metric string) Policy {
			return Policy{PolicyName: name, TargetTracking: &TargetTrackingPolicy{TargetValue: rapid.Float64Range(1, 100).Draw(t, "target"),
				CustomizedMetricSpecification: &CustomizedMetricSpecification{MetricName: metric},
				HighDatapoints:                rapid.IntRange(0, 5).Draw(t, "high"), LowDatapoints: rapid.IntRange(0, 20).Draw(t, "low"),
				DisableScaleIn: rapid.Bool().Draw(t, "disableScaleIn")}}
		}
		sc := &Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 50},
			Policies: []Policy{pol("a", "A"), pol("b", "B")}}
		if err := sc.Validate(); err != nil {
			t.Fatal(err)
		}
		plain, windowed := sc.Start(5), sc.Start(5)
		var ws Windows
		m := Metrics{}
		for k := range rapid.IntRange(1, 120).Draw(t, "minutes") {
			now := minute(k)
			for _, name := range []string{"A", "B"} {
				if rapid.IntRange(0, 3).Draw(t, "two") == 0 {
					// Two samples in the period: its statistic decides the datapoint.
					m[name] = append(m[name], Sample{Time: now.Add(-30 * time.Second), Value: rapid.Float64Range(0, 150).Draw(t, "v0")})
				}
				if rapid.IntRange(0, 9).Draw(t, "missing") > 0 {
					m[name] = append(m[name], Sample{Time: now, Value: rapid.Float64Range(0, 150).Draw(t, "v")})
				}
			}
			if rapid.IntRange(0, 19).Draw(t, "change") == 0 {
				alterPolicy(t, sc.Policies[rapid.IntRange(0, 1).Draw(t, "policy")].TargetTracking)
			}
			deploying := rapid.IntRange(0, 9).Draw(t, "deploying") == 0
			var why, wantWhy string
			plain, wantWhy = sc.Evaluate(plain, Input{Now: now, Metrics: m, Deploying: deploying})
			in := Input{Now: now, Metrics: m, Windows: &ws, Deploying: deploying}
			if rapid.Bool().Draw(t, "source") {
				in.Metrics, in.Source = nil, m
			}
			if rapid.Bool().Draw(t, "inPlace") {
				why = sc.EvaluateInPlace(&windowed, &in)
				if !in.Now.Equal(now) || in.Windows != &ws || in.Deploying != deploying || in.Metrics == nil && in.Source == nil {
					t.Fatalf("minute %d: EvaluateInPlace changed its input: %+v", k, in)
				}
			} else {
				windowed, why = sc.Evaluate(windowed, in)
			}
			if diff := cmp.Diff(plain, windowed); diff != "" || why != wantWhy {
				t.Fatalf("minute %d: %q, want %q; state (-want +got):\n%s", k, why, wantWhy, diff)
			}
		}
	})
}

// alterPolicy changes one field of p in place, its metric's name and
// statistic through the pointer it holds.
func alterPolicy(t *rapid.T, p *TargetTrackingPolicy) {
	switch rapid.IntRange(0, 5).Draw(t, "field") {
	case 0:
		p.TargetValue = rapid.Float64Range(1, 100).Draw(t, "newTarget")
	case 1:
		p.HighDatapoints = rapid.IntRange(0, 5).Draw(t, "newHigh")
	case 2:
		p.LowDatapoints = rapid.IntRange(0, 20).Draw(t, "newLow")
	case 3:
		p.DisableScaleIn = !p.DisableScaleIn
	case 4:
		p.CustomizedMetricSpecification.MetricName = rapid.SampledFrom([]string{"A", "B"}).Draw(t, "newMetric")
	default:
		p.CustomizedMetricSpecification.Statistic = rapid.SampledFrom([]Statistic{"", StatisticMaximum, StatisticSum}).Draw(t, "newStatistic")
	}
}

// TestSourceBeforeMetrics checks that an evaluation reads Input.Source
// when given, not Metrics, with and without Windows, for both kinds of
// policy.
func TestSourceBeforeMetrics(t *testing.T) {
	high, low := series(repeat(90, 20)...), series(repeat(10, 20)...)
	for _, tt := range []struct {
		name    string
		policy  Policy
		windows bool
	}{
		{"target tracking", tracking("tt", "CPU", 50, false), false},
		{"target tracking with windows", tracking("tt", "CPU", 50, false), true},
		{"step", workedOut(0), false},
	} {
		s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{tt.policy}}
		in := Input{Now: minute(19), Metrics: Metrics{"CPU": low}, Source: Metrics{"CPU": high}}
		if tt.windows {
			in.Windows = new(Windows)
		}
		want, wantWhy := s.Evaluate(s.Start(10), Input{Now: in.Now, Metrics: Metrics{"CPU": high}})
		got, why := s.Evaluate(s.Start(10), in)
		if diff := cmp.Diff(want, got); diff != "" || why != wantWhy {
			t.Errorf("%s: Evaluate with Source = %q, want %q; state (-want +got):\n%s", tt.name, why, wantWhy, diff)
		}
		if got.Capacity <= 10 {
			t.Errorf("%s: capacity %d after a high metric, want a scale-out from 10", tt.name, got.Capacity)
		}
	}
}

// TestWindowsNoticeARepeatedSample appends, at the time last evaluated, a
// sample equal to the one already there: the older period's average
// changes (1, 1000 → 1, 1000, 1000), and the next evaluation, one period
// on, must see it, though the newest sample up to that time looks the
// same as before.
func TestWindowsNoticeARepeatedSample(t *testing.T) {
	high := Alarm{MetricName: "M", Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold, EvaluationPeriods: 1, Period: time.Minute}
	low := high // in ALARM at the second evaluation: its peak is read
	low.ComparisonOperator, low.Threshold, low.EvaluationPeriods = LessThanThreshold, 2000, 2
	at := t0.Add(time.Minute)
	s := Series{{Time: t0.Add(time.Nanosecond), Value: 1}, {Time: at, Value: 1000}}
	var w trackWindow
	for _, step := range []struct {
		now    time.Time
		append Series
	}{
		{now: at},
		{now: at.Add(time.Minute), append: Series{{Time: at, Value: 1000}, {Time: at.Add(time.Second), Value: 5}}},
	} {
		s = append(s, step.append...)
		hi, lo, latest := w.scan(&high, &low, true, s, step.now)
		var peak float64
		if lo {
			peak = w.peak()
		}
		wHi, wLo, wLatest, wPeak := trackingScan(high, low, true, s, step.now)
		if hi != wHi || lo != wLo || latest != wLatest || lo && peak != wPeak {
			t.Errorf("at %v: scan = %v %v %v %v, want %v %v %v %v", step.now.Sub(t0), hi, lo, latest, peak, wHi, wLo, wLatest, wPeak)
		}
	}
}
