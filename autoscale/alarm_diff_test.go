package autoscale

import (
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// window is the plain reference for Alarm.Datapoints' walk: the samples
// of s with from < s.Time <= to, found by two binary searches.
func (s Series) window(from, to time.Time) Series {
	lo := sort.Search(len(s), func(i int) bool { return s[i].Time.After(from) })
	hi := sort.Search(len(s), func(i int) bool { return s[i].Time.After(to) })
	return s[lo:hi]
}

// refDatapoints is Alarm.Datapoints as it was first written: one window
// per period.
func refDatapoints(a Alarm, s Series, now time.Time, fn func(v float64, ok bool)) {
	p := a.period()
	end := now
	for range a.EvaluationPeriods {
		start := end.Add(-p)
		fn(a.Statistic.reduce(s.window(start, end)))
		end = start
	}
}

type datapoint struct {
	V  float64
	OK bool
}

func collect(each func(fn func(v float64, ok bool))) []datapoint {
	var out []datapoint
	each(func(v float64, ok bool) { out = append(out, datapoint{v, ok}) })
	return out
}

// genSeries draws samples in increasing time order, with several samples
// at one time, samples on period boundaries and NaN values.
func genSeries(t *rapid.T) Series {
	n := rapid.IntRange(0, 60).Draw(t, "samples")
	var s Series
	at := t0
	for range n {
		at = at.Add(time.Duration(rapid.SampledFrom([]int{0, 1, 30, 60, 90, 300}).Draw(t, "gap")) * time.Second)
		v := rapid.OneOf(rapid.Float64Range(-10, 200), rapid.Just(math.NaN())).Draw(t, "v")
		s = append(s, Sample{Time: at, Value: v})
	}
	return s
}

func genAlarm(t *rapid.T) Alarm {
	a := Alarm{MetricName: "M", Threshold: rapid.Float64Range(0, 100).Draw(t, "threshold"),
		ComparisonOperator: rapid.SampledFrom([]ComparisonOperator{GreaterThanOrEqualToThreshold, GreaterThanThreshold,
			LessThanThreshold, LessThanOrEqualToThreshold}).Draw(t, "op"),
		EvaluationPeriods: rapid.IntRange(1, 20).Draw(t, "periods"),
		Period:            time.Duration(rapid.SampledFrom([]int{0, 10, 60, 120, 300}).Draw(t, "period")) * time.Second,
		Statistic:         rapid.SampledFrom([]Statistic{"", StatisticAverage, StatisticSum, StatisticMinimum, StatisticMaximum, StatisticSampleCount}).Draw(t, "stat"),
	}
	a.DatapointsToAlarm = rapid.IntRange(0, a.EvaluationPeriods).Draw(t, "toAlarm")
	return a
}

func genNow(t *rapid.T) time.Time {
	return t0.Add(time.Duration(rapid.IntRange(-120, 4*3600).Draw(t, "now")) * time.Second)
}

func TestPropDatapointsEqualReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, a, now := genSeries(t), genAlarm(t), genNow(t)
		want := collect(func(fn func(float64, bool)) { refDatapoints(a, s, now, fn) })
		got := collect(func(fn func(float64, bool)) { a.Datapoints(s, now, fn) })
		if diff := cmp.Diff(want, got, cmp.Comparer(sameFloat)); diff != "" {
			t.Fatalf("Datapoints(%v) at %v (-want +got):\n%s", a, now, diff)
		}
	})
}

// TestPropTrackingScanEqualReference checks the one-pass scan of a
// target-tracking policy, which stops once neither alarm can reach
// ALARM, against its alarms' states and datapoints read one alarm at a
// time, as trackingProposal first did.
func TestPropTrackingScanEqualReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, now := genSeries(t), genNow(t)
		p := &TargetTrackingPolicy{TargetValue: rapid.Float64Range(1, 100).Draw(t, "target"),
			HighDatapoints: rapid.IntRange(0, 20).Draw(t, "high"), LowDatapoints: rapid.IntRange(0, 20).Draw(t, "low"),
			Period: time.Duration(rapid.SampledFrom([]int{0, 60, 300}).Draw(t, "period")) * time.Second}
		withLow := rapid.Bool().Draw(t, "withLow")
		if rapid.Bool().Draw(t, "monotonic") {
			// Times with a monotonic clock reading take trackingScan's
			// time.Time walk; the simulator's take its wall-clock one.
			base := time.Now()
			s = slices.Clone(s)
			for i := range s {
				s[i].Time = base.Add(s[i].Time.Sub(t0))
			}
			now = base.Add(now.Sub(t0))
		}
		high, low := p.Alarms()
		refState := func(a Alarm) AlarmState {
			var tl tally
			refDatapoints(a, s, now, func(v float64, ok bool) { tl.add(a, v, ok) })
			return tl.state(a)
		}
		var wantLatest, wantPeak float64
		first, seen := true, false
		refDatapoints(high, s, now, func(v float64, ok bool) {
			if first && ok {
				wantLatest = v
			}
			first = false
		})
		refDatapoints(low, s, now, func(v float64, ok bool) {
			if ok && (!seen || v > wantPeak) {
				wantPeak, seen = v, true
			}
		})
		hiAlarm, loAlarm, latest, peak := trackingScan(high, low, withLow, s, now)
		if want := refState(high) == StateAlarm; hiAlarm != want {
			t.Fatalf("high in ALARM = %v, want %v", hiAlarm, want)
		}
		if !sameFloat(latest, wantLatest) {
			t.Fatalf("latest = %v, want %v", latest, wantLatest)
		}
		if want := withLow && refState(low) == StateAlarm; loAlarm != want {
			t.Fatalf("low in ALARM = %v, want %v", loAlarm, want)
		}
		// The peak is read only when the low alarm is in ALARM: the scan
		// stops earlier otherwise.
		if loAlarm && !sameFloat(peak, wantPeak) {
			t.Fatalf("peak = %v, want %v", peak, wantPeak)
		}
	})
}

// sameFloat is bit equality, so that NaN equals NaN and -0 differs from 0.
func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
