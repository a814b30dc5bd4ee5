package scheduler

import (
	"math"
	"time"
)

// ECS's default launch throughput quotas (docs/ecs-behaviour.md 3.12).
// Each is a token bucket: Burst tokens at most, refilled at a sustained
// rate; a launch (or, for RunTask, a request) takes one token.
const (
	// ServiceLaunchesPerMinute is the rate of tasks launched by a service,
	// on EC2 or External instances and on Fargate alike (the service
	// quotas "Rate of tasks launched by a service ..."). ECS publishes no
	// burst: berth lets a service launch one minute's worth at once
	// (ServiceLaunchBurst).
	ServiceLaunchesPerMinute = 500
	ServiceLaunchBurst       = ServiceLaunchesPerMinute

	// RunTaskBurst and RunTaskPerSecond are RunTask's request throttle
	// (the ECS API reference's request throttling table); each call
	// starts at most MaxRunTaskCount tasks.
	RunTaskBurst     = 100
	RunTaskPerSecond = 40

	// FargateBurst and FargatePerSecond are Fargate's account-wide task
	// launch rate for on-demand tasks, FargateSpotBurst and
	// FargateSpotPerSecond for Fargate Spot tasks (the Fargate throttling
	// quotas).
	FargateBurst         = 100
	FargatePerSecond     = 20
	FargateSpotBurst     = 100
	FargateSpotPerSecond = 20
)

// TokenBucket is a token bucket on a virtual clock: it holds at most a
// burst of tokens and gains one every interval, and each launch takes one.
// The time comes in as an argument; the bucket never reads a clock. Times
// passed to one bucket must not go backwards.
//
// The state is one instant, when the bucket is full again (the generic
// cell rate algorithm), so that taking and refilling are exact integer
// arithmetic on nanoseconds: no drift, whatever the rate.
//
// The zero value has no tokens and never refills; a TokenBucket is a
// value, not safe for concurrent use.
type TokenBucket struct {
	burst int
	every time.Duration // one token per every; 0: the bucket never runs out
	full  time.Time     // when the bucket is full again; before now: full
}

// NewTokenBucket returns a full bucket of burst tokens gaining perSecond
// tokens a second. The interval between tokens is rounded to the
// nanosecond, and to at least one; perSecond is clamped to [1e-3, 1e9]
// and burst to at least 1. A perSecond of +Inf never runs out.
func NewTokenBucket(burst int, perSecond float64) TokenBucket {
	b := TokenBucket{burst: max(burst, 1)}
	if math.IsInf(perSecond, 1) {
		return b
	}
	perSecond = min(max(perSecond, 1e-3), 1e9)
	b.every = max(time.Duration(math.Round(float64(time.Second)/perSecond)), 1)
	return b
}

// Burst returns the bucket's capacity.
func (b *TokenBucket) Burst() int { return b.burst }

// Interval returns the time between two tokens (0: unlimited).
func (b *TokenBucket) Interval() time.Duration { return b.every }

// Tokens returns the whole tokens in the bucket at now.
func (b *TokenBucket) Tokens(now time.Time) int {
	switch {
	case b.burst == 0:
		return 0
	case b.every == 0:
		return math.MaxInt
	}
	if !b.full.After(now) {
		return b.burst
	}
	// Missing tokens, rounded up: a token part refilled is not there.
	missing := (b.full.Sub(now) + b.every - 1) / b.every
	return b.burst - int(min(missing, time.Duration(b.burst)))
}

// Take takes up to n tokens at now and returns how many it took.
func (b *TokenBucket) Take(now time.Time, n int) int {
	n = min(max(n, 0), b.Tokens(now))
	if n == 0 || b.every == 0 {
		return n
	}
	if b.full.Before(now) {
		b.full = now
	}
	b.full = b.full.Add(time.Duration(n) * b.every)
	return n
}

// Next returns when the bucket next holds a token: now when it holds one,
// otherwise the instant the next one arrives. A zero bucket never gets
// one: Next returns the zero time.
func (b *TokenBucket) Next(now time.Time) time.Time {
	if b.Tokens(now) > 0 {
		return now
	}
	if b.burst == 0 {
		return time.Time{}
	}
	// One token is there once full - now <= (burst-1) x every.
	return b.full.Add(-time.Duration(b.burst-1) * b.every)
}

// NewServiceLaunches returns a full bucket for a service's launches at
// ECS's default rate: ServiceLaunchBurst, then ServiceLaunchesPerMinute.
func NewServiceLaunches() TokenBucket {
	return NewTokenBucket(ServiceLaunchBurst, ServiceLaunchesPerMinute/60.0)
}

// launchable caps n starts at the launch tokens the service has; it
// reports whether the cap held starts back.
func (r *reconciler) launchable(n int) (int, bool) {
	b := r.obs.Launches
	if b == nil {
		return n, false
	}
	have := b.Tokens(r.now)
	return min(n, have), n > have
}

// launched takes a token per placed start and, when the rate held starts
// back and the bucket is empty, tells the caller when the next token comes.
func (r *reconciler) launched(placed int, throttled bool) {
	b := r.obs.Launches
	if b == nil {
		return
	}
	b.Take(r.now, placed)
	if throttled && b.Tokens(r.now) == 0 {
		r.plan.TokenAt = b.Next(r.now)
	}
}
