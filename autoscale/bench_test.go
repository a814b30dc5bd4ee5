package autoscale

import (
	"fmt"
	"math"
	"testing"
)

func BenchmarkScalerEvaluate(b *testing.B) {
	s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100},
		Policies: []Policy{workedOut(0), workedIn(0), tracking("tt", "CPU", 50, false)}}
	vals := make([]float64, 60)
	for k := range vals {
		vals[k] = float64(30 + k%40)
	}
	vals[59] = 75 // the step policy fires: the benchmark measures a scaling evaluation
	m := Metrics{"CPU": series(vals...)}
	in := Input{Now: minute(59), Metrics: m}
	st := s.Start(10)
	if _, why := s.Evaluate(st, in); why == "" {
		b.Fatal("setup: the evaluation changed nothing")
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s.Evaluate(st, in)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "evaluations/s")
}

func BenchmarkCronNext(b *testing.B) {
	s := MustParseSchedule("cron(0/5 8-17 ? * MON-FRI *)", "America/New_York")
	at := t0
	b.ReportAllocs()
	for b.Loop() {
		at, _ = s.Next(at, t0)
	}
}

// daySeries is a day of one-minute datapoints following a daily curve,
// as the simulator records them for a service.
func daySeries() Series {
	s := make(Series, 24*60)
	for k := range s {
		s[k] = Sample{Time: minute(k + 1), Value: 60 + 30*math.Sin(float64(k)*2*math.Pi/(24*60))}
	}
	return s
}

func BenchmarkAlarmDatapoints(b *testing.B) {
	s := daySeries()
	for _, periods := range []int{3, 15} {
		b.Run(fmt.Sprintf("periods=%d", periods), func(b *testing.B) {
			a := Alarm{MetricName: "CPU", Threshold: 60, ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: periods}
			present := 0
			a.Datapoints(s, minute(24*60), func(_ float64, ok bool) {
				if ok {
					present++
				}
			})
			if present != periods {
				b.Fatalf("setup: %d datapoints present, want %d", present, periods)
			}
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				a.Datapoints(s, minute(60+k%(23*60)), func(float64, bool) {})
				k++
			}
		})
	}
}

// BenchmarkScalerEvaluateDay evaluates a target-tracking policy at every
// minute of a day of datapoints, as the simulator does for one service,
// with its alarm windows carried from minute to minute (Windows) or
// walked again every minute.
func BenchmarkScalerEvaluateDay(b *testing.B) {
	s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100},
		Policies: []Policy{tracking("tt", "CPU", 60, false)}}
	m := Metrics{"CPU": daySeries()}
	day := func(ws *Windows) int {
		st, changes := s.Start(10), 0
		for k := range 24 * 60 {
			var why string
			if st, why = s.Evaluate(st, Input{Now: minute(k + 1), Metrics: m, Windows: ws}); why != "" {
				changes++
			}
		}
		return changes
	}
	for _, windows := range []bool{false, true} {
		b.Run(fmt.Sprintf("windows=%v", windows), func(b *testing.B) {
			var ws *Windows
			if windows {
				ws = new(Windows)
			}
			if day(ws) == 0 {
				b.Fatal("setup: a day of evaluations changed nothing")
			}
			b.ReportAllocs()
			for b.Loop() {
				day(ws)
			}
			b.ReportMetric(float64(24*60*b.N)/b.Elapsed().Seconds(), "evaluations/s")
		})
	}
}

// BenchmarkScalerEvaluateMinutes evaluates a target-tracking policy as
// the simulator does for one service: a sample appended each minute at
// the evaluation time, old ones dropped, Windows carried, no reasons.
func BenchmarkScalerEvaluateMinutes(b *testing.B) {
	s := Scaler{Target: ScalableTarget{MinCapacity: 2, MaxCapacity: 60},
		Policies: []Policy{{PolicyName: "tt", TargetTracking: &TargetTrackingPolicy{TargetValue: 60,
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: ECSServiceAverageCPUUtilization}}}}}
	name := string(ECSServiceAverageCPUUtilization)
	const keep = DefaultLowDatapoints + 5
	day := func() int {
		m, ws := Metrics{}, new(Windows)
		st, changes := s.Start(20), 0
		ser := make(Series, 0, 2*keep+1)
		for k := range 24 * 60 {
			now := minute(k + 1)
			// The load follows a daily cycle; the utilization is the load
			// over the capacity.
			load := 20 * 60 * (1 + 0.6*math.Cos(2*math.Pi*float64(k)/(24*60)))
			if len(ser) >= 2*keep {
				ser = append(ser[:0], ser[len(ser)-keep:]...)
			}
			ser = append(ser, Sample{Time: now, Value: load / float64(st.Capacity)})
			m[name] = ser
			c := st.Capacity
			st, _ = s.Evaluate(st, Input{Now: now, Metrics: m, Windows: ws, NoReason: true})
			if st.Capacity != c {
				changes++
			}
		}
		return changes
	}
	if day() == 0 {
		b.Fatal("setup: a day of evaluations changed nothing")
	}
	b.ReportAllocs()
	for b.Loop() {
		day()
	}
	b.ReportMetric(float64(24*60*b.N)/b.Elapsed().Seconds(), "evaluations/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(24*60*b.N), "ns/evaluation")
}
