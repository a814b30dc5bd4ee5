package scenario

import (
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/scheduler"
)

// Quotas are ECS's launch throughput quotas, each a token bucket (burst,
// then a sustained rate; docs/scenario.md "quotas"). A zero field means
// ECS's default, given by package scheduler's constants; a nil *Quotas
// means every default.
type Quotas struct {
	// ServiceLaunchesPerMinute is the rate at which the service scheduler
	// launches one service's tasks (default 500), and ServiceLaunchBurst
	// how many it may launch at once (default: one minute's worth; ECS
	// publishes no burst).
	ServiceLaunchesPerMinute float64 `json:"serviceLaunchesPerMinute,omitempty"`
	ServiceLaunchBurst       int     `json:"serviceLaunchBurst,omitempty"`
	// RunTaskBurst and RunTaskPerSecond throttle standalone RunTask
	// requests, each of at most 10 tasks (default 100 and 40).
	RunTaskBurst     int     `json:"runTaskBurst,omitempty"`
	RunTaskPerSecond float64 `json:"runTaskPerSecond,omitempty"`
	// FargateBurst and FargatePerSecond are the account's launch rate of
	// FARGATE tasks, FargateSpotBurst and FargateSpotPerSecond of
	// FARGATE_SPOT tasks (default 100 and 20 each).
	FargateBurst         int     `json:"fargateBurst,omitempty"`
	FargatePerSecond     float64 `json:"fargatePerSecond,omitempty"`
	FargateSpotBurst     int     `json:"fargateSpotBurst,omitempty"`
	FargateSpotPerSecond float64 `json:"fargateSpotPerSecond,omitempty"`
}

// Bounds of a quota: a burst of at most MaxQuotaBurst, a rate of
// MinQuotaPerSecond to MaxQuotaPerSecond (per minute: 60 times them).
const (
	MaxQuotaBurst     = 1_000_000
	MinQuotaPerSecond = 1e-3
	MaxQuotaPerSecond = 1e9
)

// Bucket is one quota with its defaults applied.
type Bucket struct {
	Burst     int
	PerSecond float64
}

// TokenBucket returns a full bucket of the quota.
func (b Bucket) TokenBucket() scheduler.TokenBucket {
	return scheduler.NewTokenBucket(b.Burst, b.PerSecond)
}

// ServiceLaunches returns a service's launch rate.
func (q *Quotas) ServiceLaunches() Bucket {
	rate := float64(scheduler.ServiceLaunchesPerMinute)
	if q != nil && q.ServiceLaunchesPerMinute > 0 {
		rate = q.ServiceLaunchesPerMinute
	}
	burst := int(min(max(rate, 1), MaxQuotaBurst)) // one minute's worth
	if q != nil && q.ServiceLaunchBurst > 0 {
		burst = q.ServiceLaunchBurst
	}
	return Bucket{burst, rate / 60}
}

// RunTask returns RunTask's request rate.
func (q *Quotas) RunTask() Bucket {
	b := Bucket{scheduler.RunTaskBurst, scheduler.RunTaskPerSecond}
	if q != nil {
		b = b.or(q.RunTaskBurst, q.RunTaskPerSecond)
	}
	return b
}

// Fargate returns the account's FARGATE (spot false) or FARGATE_SPOT
// launch rate.
func (q *Quotas) Fargate(spot bool) Bucket {
	if spot {
		b := Bucket{scheduler.FargateSpotBurst, scheduler.FargateSpotPerSecond}
		if q != nil {
			b = b.or(q.FargateSpotBurst, q.FargateSpotPerSecond)
		}
		return b
	}
	b := Bucket{scheduler.FargateBurst, scheduler.FargatePerSecond}
	if q != nil {
		b = b.or(q.FargateBurst, q.FargatePerSecond)
	}
	return b
}

func (b Bucket) or(burst int, perSecond float64) Bucket {
	if burst > 0 {
		b.Burst = burst
	}
	if perSecond > 0 {
		b.PerSecond = perSecond
	}
	return b
}

// validate checks each quota: 0 (the default) or within the bounds.
func (q *Quotas) validate() error {
	if q == nil {
		return nil
	}
	bursts := []struct {
		name string
		v    int
	}{
		{"serviceLaunchBurst", q.ServiceLaunchBurst},
		{"runTaskBurst", q.RunTaskBurst},
		{"fargateBurst", q.FargateBurst},
		{"fargateSpotBurst", q.FargateSpotBurst},
	}
	for _, b := range bursts {
		if b.v < 0 || b.v > MaxQuotaBurst {
			return fielderr.Errorf("quotas."+b.name, "%d, expected 0 (ECS's default) or 1..%d", b.v, MaxQuotaBurst)
		}
	}
	rates := []struct {
		name  string
		v     float64
		scale float64 // per second: 1, per minute: 60
	}{
		{"serviceLaunchesPerMinute", q.ServiceLaunchesPerMinute, 60},
		{"runTaskPerSecond", q.RunTaskPerSecond, 1},
		{"fargatePerSecond", q.FargatePerSecond, 1},
		{"fargateSpotPerSecond", q.FargateSpotPerSecond, 1},
	}
	for _, r := range rates {
		lo, hi := MinQuotaPerSecond*r.scale, MaxQuotaPerSecond*r.scale
		if r.v != 0 && !(r.v >= lo && r.v <= hi) { // NaN fails too
			return fielderr.Errorf("quotas."+r.name, "%g, expected 0 (ECS's default) or %g..%g", r.v, lo, hi)
		}
	}
	return nil
}
