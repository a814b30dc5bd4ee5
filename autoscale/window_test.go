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
			default:
				now = now.Round(0).Add(p)
			}
			if rapid.IntRange(0, 4).Draw(t, "drop") == 0 {
				for len(s) > 0 && !s[0].Time.After(now.Add(-time.Duration(n)*p)) {
					s = s[1:]
				}
			}
			hiAlarm, loAlarm, latest, peak := w.scan(high, low, withLow, s, now)
			wHi, wLo, wLatest, wPeak := trackingScan(high, low, withLow, s, now)
			if hiAlarm != wHi || loAlarm != wLo || !sameFloat(latest, wLatest) || loAlarm && !sameFloat(peak, wPeak) {
				t.Fatalf("at %v: scan = %v %v %v %v, want %v %v %v %v", now.Sub(base), hiAlarm, loAlarm, latest, peak, wHi, wLo, wLatest, wPeak)
			}
		}
	})
}

// TestPropEvaluateWithWindows checks that Windows changes no evaluation
// of a scaler with two target-tracking policies, evaluated every minute
// over a random series.
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
				if rapid.IntRange(0, 9).Draw(t, "missing") > 0 {
					m[name] = append(m[name], Sample{Time: now, Value: rapid.Float64Range(0, 150).Draw(t, "v")})
				}
			}
			var why, wantWhy string
			plain, wantWhy = sc.Evaluate(plain, Input{Now: now, Metrics: m})
			windowed, why = sc.Evaluate(windowed, Input{Now: now, Metrics: m, Windows: &ws})
			if diff := cmp.Diff(plain, windowed); diff != "" || why != wantWhy {
				t.Fatalf("minute %d: %q, want %q; state (-want +got):\n%s", k, why, wantWhy, diff)
			}
		}
	})
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
		hi, lo, latest, peak := w.scan(high, low, true, s, step.now)
		wHi, wLo, wLatest, wPeak := trackingScan(high, low, true, s, step.now)
		if hi != wHi || lo != wLo || latest != wLatest || lo && peak != wPeak {
			t.Errorf("at %v: scan = %v %v %v %v, want %v %v %v %v", step.now.Sub(t0), hi, lo, latest, peak, wHi, wLo, wLatest, wPeak)
		}
	}
}
