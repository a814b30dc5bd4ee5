package autoscale

import "testing"

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
