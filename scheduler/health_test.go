package scheduler

import (
	"testing"
	"time"
)

// TestHealthThresholds: health, from thresholds made once per call,
// agrees with the plain subtraction at and around both boundaries.
func TestHealthThresholds(t *testing.T) {
	now := t0.Add(time.Hour)
	offsets := []time.Duration{0, 1, -1, NoHealthCheckDelay - 1, NoHealthCheckDelay, NoHealthCheckDelay + 1,
		30*time.Second - 1, 30 * time.Second, 30*time.Second + 1, time.Hour, -time.Hour}
	for _, checked := range []bool{false, true} {
		svc := replicaService(1, taskDef("web", 1, 256, 512))
		svc.HealthChecked = checked
		svc.HealthCheckGracePeriodSeconds = 30
		r := &reconciler{svc: svc, now: now}
		r.healthThresholds()
		for _, h := range []HealthStatus{"", HealthHealthy, HealthUnhealthy} {
			for _, d := range append(offsets, now.Sub(time.Time{})) {
				task := &Task{LastStatus: Running, Health: h, StartedAt: now.Add(-d)}
				if got, want := r.health(task), plainHealth(svc, now, task); got != want {
					t.Errorf("checked=%v health(%s, started %v before now) = %d, want %d", checked, h, d, got, want)
				}
			}
		}
	}
}
