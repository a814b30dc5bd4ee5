package sim

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestEngineOrder(t *testing.T) {
	var got []string
	var eng *Engine
	eng = NewEngine(func(ev Event) {
		s := ev.(string)
		got = append(got, s)
		if s == "b" { // an event scheduled now runs after those already due now
			eng.After(0, "b-child")
		}
	})
	eng.Schedule(2*time.Second, "c")
	eng.Schedule(time.Second, "a")
	eng.Schedule(time.Second, "b")
	eng.Schedule(time.Second, "b2")
	eng.Schedule(5*time.Second, "late")
	eng.Run(3 * time.Second)
	if want := []string{"a", "b", "b2", "b-child", "c"}; !slices.Equal(got, want) {
		t.Errorf("handled %v, want %v", got, want)
	}
	if eng.Now() != 3*time.Second || eng.Len() != 1 {
		t.Errorf("Now = %v, Len = %d; want 3s and 1 event left", eng.Now(), eng.Len())
	}
	eng.Schedule(time.Second, "past") // before now: runs now
	if !eng.Step() || got[len(got)-1] != "past" || eng.Now() != 3*time.Second {
		t.Errorf("an event scheduled in the past did not run now: %v at %v", got, eng.Now())
	}
}

func TestEngineStop(t *testing.T) {
	n := 0
	var eng *Engine
	eng = NewEngine(func(Event) {
		n++
		if n == 2 {
			eng.Stop()
		}
	})
	for i := range 5 {
		eng.Schedule(time.Duration(i), i)
	}
	eng.Run(time.Hour)
	if n != 2 {
		t.Errorf("handled %d events after Stop at the second, want 2", n)
	}
}

func TestEngineInjectFromGoroutines(t *testing.T) {
	var got []int
	eng := NewEngine(func(ev Event) { got = append(got, ev.(int)) })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 100 {
				eng.Inject(time.Duration(k)*time.Second, g*1000+k)
			}
		}()
	}
	wg.Wait()
	eng.Run(time.Hour)
	if len(got) != 800 {
		t.Fatalf("handled %d injected events, want 800", len(got))
	}
	// Per goroutine, injection order is kept (the times increase).
	last := map[int]int{}
	for _, v := range got {
		g, k := v/1000, v%1000
		if prev, ok := last[g]; ok && k < prev {
			t.Fatalf("goroutine %d: event %d handled after %d", g, k, prev)
		}
		last[g] = k
	}
}

// TestEngineRunPaced checks the scaled wall clock in a synctest bubble,
// where time is virtual and the test does not sleep.
func TestEngineRunPaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type hit struct {
			ev   string
			sim  time.Duration
			wall time.Duration
		}
		var hits []hit
		start := time.Now()
		var eng *Engine
		eng = NewEngine(func(ev Event) {
			hits = append(hits, hit{ev.(string), eng.Now(), time.Since(start)})
		})
		eng.Schedule(10*time.Second, "ten")
		eng.Schedule(60*time.Second, "sixty")
		go func() {
			time.Sleep(2 * time.Second) // wall: simulated 20s at scale 10
			eng.Inject(0, "injected")
		}()
		if err := eng.RunPaced(context.Background(), 100*time.Second, 10, time.Now); err != nil {
			t.Fatal(err)
		}
		want := []hit{{"ten", 10 * time.Second, time.Second}, {"injected", 20 * time.Second, 2 * time.Second}, {"sixty", 60 * time.Second, 6 * time.Second}}
		if !slices.Equal(hits, want) {
			t.Errorf("paced run handled %+v, want %+v", hits, want)
		}
		if eng.Now() != 100*time.Second || time.Since(start) != 10*time.Second {
			t.Errorf("ended at sim %v, wall %v; want 100s and 10s", eng.Now(), time.Since(start))
		}
	})
}

func TestEngineRunPacedCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng := NewEngine(func(Event) {})
		eng.Schedule(time.Hour, "never")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := eng.RunPaced(ctx, 2*time.Hour, 1, time.Now); err != context.DeadlineExceeded {
			t.Errorf("RunPaced after cancel = %v, want context.DeadlineExceeded", err)
		}
	})
}

// BenchmarkEngine measures the bare queue and dispatch: a steady state of
// 10,000 pending events where each handled event schedules another.
func BenchmarkEngine(b *testing.B) {
	type tick struct{ n int }
	ev := &tick{}
	var eng *Engine
	handled := 0
	eng = NewEngine(func(e Event) {
		handled++
		eng.After(time.Duration(1+handled%997)*time.Millisecond, e)
	})
	for i := range 10000 {
		eng.Schedule(time.Duration(i)*time.Millisecond, ev)
	}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		eng.Step()
	}
	if handled == 0 {
		b.Fatal("no event handled")
	}
	b.ReportMetric(float64(handled)/time.Since(start).Seconds(), "events/s")
}
