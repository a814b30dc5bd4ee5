package scheduler

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestTokenBucket(t *testing.T) {
	type step struct {
		at   time.Duration // after t0
		take int
		// got is how many Take returned, left the tokens after it, next
		// what Next says after it (as an offset from t0).
		got, left int
		next      time.Duration
	}
	tests := []struct {
		name      string
		burst     int
		perSecond float64
		steps     []step
	}{
		{"burst then the rate", 100, 20, []step{
			{0, 150, 100, 0, 50 * time.Millisecond},
			{40 * time.Millisecond, 1, 0, 0, 50 * time.Millisecond},
			{50 * time.Millisecond, 5, 1, 0, 100 * time.Millisecond},
			{time.Second, 100, 19, 0, 1050 * time.Millisecond},
		}},
		{"refill stops at the burst", 10, 40, []step{
			{0, 10, 10, 0, 25 * time.Millisecond},
			{time.Hour, 0, 0, 10, time.Hour},
			{time.Hour, 11, 10, 0, time.Hour + 25*time.Millisecond},
		}},
		{"a part refilled is no token", 1, 1, []step{
			{0, 1, 1, 0, time.Second},
			{999 * time.Millisecond, 1, 0, 0, time.Second},
			{time.Second, 1, 1, 0, 2 * time.Second},
		}},
		{"the service scheduler's 500 a minute", ServiceLaunchBurst, ServiceLaunchesPerMinute / 60.0, []step{
			{0, 2000, 500, 0, 120 * time.Millisecond},
			{time.Minute, 2000, 500, 0, time.Minute + 120*time.Millisecond},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewTokenBucket(tt.burst, tt.perSecond)
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				got := b.Take(now, s.take)
				left := b.Tokens(now)
				next := b.Next(now).Sub(t0)
				if got != s.got || left != s.left || next != s.next {
					t.Errorf("step %d: Take(+%v, %d) = %d, then Tokens %d, Next +%v; want %d, %d, +%v",
						i, s.at, s.take, got, left, next, s.got, s.left, s.next)
				}
			}
		})
	}
}

func TestTokenBucketEdges(t *testing.T) {
	var zero TokenBucket
	if got := zero.Take(t0, 5); got != 0 {
		t.Errorf("zero bucket: Take(5) = %d, want 0", got)
	}
	if got := zero.Next(t0); !got.IsZero() {
		t.Errorf("zero bucket: Next = %v, want the zero time", got)
	}
	inf := NewTokenBucket(1, math.Inf(1))
	if got := inf.Take(t0, 1_000_000); got != 1_000_000 {
		t.Errorf("unlimited bucket: Take(1e6) = %d, want 1e6", got)
	}
	if got := inf.Next(t0); !got.Equal(t0) {
		t.Errorf("unlimited bucket: Next = %v, want now", got)
	}
	b := NewTokenBucket(0, 1)
	if got := b.Burst(); got != 1 {
		t.Errorf("NewTokenBucket(0, 1).Burst() = %d, want 1 (at least one)", got)
	}
}

// TestTokenBucketProperty: in any window of a run of takes, the bucket
// never gives more than burst + window / interval tokens (the rate times
// the elapsed time, plus the burst), and a token is there when Next says.
func TestTokenBucketProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		burst := rapid.IntRange(1, 50).Draw(t, "burst")
		perSecond := rapid.Float64Range(0.01, 1000).Draw(t, "perSecond")
		b := NewTokenBucket(burst, perSecond)
		type take struct {
			at time.Time
			n  int
		}
		var log []take
		now := t0
		for range rapid.IntRange(1, 60).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.Int64Range(0, int64(3*time.Second)).Draw(t, "gap")))
			if rapid.Bool().Draw(t, "wait for a token") {
				next := b.Next(now)
				if next.Before(now) {
					t.Fatalf("Next(%v) = %v, before now", now, next)
				}
				now = next
				if b.Tokens(now) < 1 {
					t.Fatalf("no token at Next %v", now)
				}
			}
			got := b.Take(now, rapid.IntRange(0, 2*burst).Draw(t, "n"))
			log = append(log, take{now, got})
		}
		for i := range log {
			sum := 0
			for j := i; j < len(log); j++ {
				sum += log[j].n
				window := log[j].at.Sub(log[i].at)
				if limit := burst + int(window/b.Interval()); sum > limit {
					t.Fatalf("%d tokens in %v, more than burst %d + window / %v = %d", sum, window, burst, b.Interval(), limit)
				}
			}
		}
	})
}

// TestReconcileLaunchRate: a service scaled from 0 to 2,000 on ample
// capacity starts the burst at once and then waits for tokens; each plan
// says when the next comes. With ServiceLaunchBurst 500 and 500 a minute
// (a token every 120 ms), the k-th task starts at max(0, k-500) x 120 ms:
// the 2,000th at 1,500 x 120 ms = 180 s.
func TestReconcileLaunchRate(t *testing.T) {
	c := newCluster(t, 100, 1<<20, 1<<22)
	svc := replicaService(2000, taskDef("web", 1, 1, 1))
	rng := rand.New(rand.NewPCG(1, 2))
	b := NewServiceLaunches()
	obs := Observed{Launches: &b}
	now := t0
	var started []time.Duration
	for range 5000 {
		plan, err := Reconcile(svc, &obs, now, c, rng)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range plan.Starts {
			started = append(started, now.Sub(t0))
			obs.Tasks = append(obs.Tasks, s.Task())
		}
		obs.State = plan.State
		if plan.TokenAt.IsZero() {
			break
		}
		if !plan.TokenAt.After(now) {
			t.Fatalf("at %v: TokenAt %v is not after now", now, plan.TokenAt)
		}
		now = plan.TokenAt
	}
	if len(started) != 2000 {
		t.Fatalf("started %d tasks, want 2000", len(started))
	}
	want := map[int]time.Duration{1: 0, 500: 0, 501: 120 * time.Millisecond, 2000: 180 * time.Second}
	got := map[int]time.Duration{}
	for k := range want {
		got[k] = started[k-1]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("start time of the k-th task (-want +got):\n%s", diff)
	}

	// Without a bucket, everything starts at once, as before.
	c = newCluster(t, 100, 1<<20, 1<<22)
	plan, err := Reconcile(svc, &Observed{}, t0, c, rng)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Starts) != 2000 || !plan.TokenAt.IsZero() {
		t.Errorf("without Launches: %d starts, TokenAt %v; want 2000 and zero", len(plan.Starts), plan.TokenAt)
	}
}
