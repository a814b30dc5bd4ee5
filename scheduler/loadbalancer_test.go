package scheduler

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const tgArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"

// ELB's rule: a registered target is healthy after HealthyThresholdCount
// consecutive passed checks HealthCheckIntervalSeconds apart, unhealthy
// after UnhealthyThresholdCount failed ones; UNKNOWN ("initial") before.
func TestTargetHealth(t *testing.T) {
	tg := func(interval, healthy, unhealthy int) *TargetGroup {
		return &TargetGroup{TargetGroupArn: tgArn, HealthCheckIntervalSeconds: interval, HealthyThresholdCount: healthy, UnhealthyThresholdCount: unhealthy}
	}
	for _, tc := range []struct {
		name   string
		groups []*TargetGroup
		since  time.Duration
		passes bool
		want   HealthStatus
	}{
		// interval 10 s x healthy threshold 3: healthy 30 s after RUNNING.
		{"passing, 29s", []*TargetGroup{tg(10, 3, 2)}, 29 * time.Second, true, HealthUnknown},
		{"passing, 30s", []*TargetGroup{tg(10, 3, 2)}, 30 * time.Second, true, HealthHealthy},
		// Defaults 30 s x 5: healthy after 150 s.
		{"defaults, 149s", []*TargetGroup{{}}, 149 * time.Second, true, HealthUnknown},
		{"defaults, 150s", []*TargetGroup{{}}, 150 * time.Second, true, HealthHealthy},
		// interval 10 s x unhealthy threshold 2: unhealthy 20 s after RUNNING.
		{"failing, 19s", []*TargetGroup{tg(10, 3, 2)}, 19 * time.Second, false, HealthUnknown},
		{"failing, 20s", []*TargetGroup{tg(10, 3, 2)}, 20 * time.Second, false, HealthUnhealthy},
		// Two groups: healthy once healthy in both (max(30, 60) = 60 s),
		// unhealthy once unhealthy in one (min(20, 40) = 20 s).
		{"two groups passing, 59s", []*TargetGroup{tg(10, 3, 2), tg(20, 3, 2)}, 59 * time.Second, true, HealthUnknown},
		{"two groups passing, 60s", []*TargetGroup{tg(10, 3, 2), tg(20, 3, 2)}, 60 * time.Second, true, HealthHealthy},
		{"two groups failing, 20s", []*TargetGroup{tg(20, 3, 2), tg(10, 3, 2)}, 20 * time.Second, false, HealthUnhealthy},
		{"no group", nil, time.Hour, true, HealthUnknown},
	} {
		if got := TargetHealth(tc.groups, t0, t0.Add(tc.since), tc.passes); got != tc.want {
			t.Errorf("%s: TargetHealth(since %v, passes %v) = %s, want %s", tc.name, tc.since, tc.passes, got, tc.want)
		}
	}
}

// deregistration_delay.timeout_seconds defaults to 300; a service drains
// for its longest group's delay.
func TestDeregistrationDelay(t *testing.T) {
	zero, sixty := 0, 60
	for _, tc := range []struct {
		name   string
		groups []*TargetGroup
		want   time.Duration
	}{
		{"default", []*TargetGroup{{}}, 300 * time.Second},
		{"zero", []*TargetGroup{{DeregistrationDelaySeconds: &zero}}, 0},
		{"longest of two", []*TargetGroup{{DeregistrationDelaySeconds: &sixty}, {DeregistrationDelaySeconds: &zero}}, 60 * time.Second},
		{"none", nil, 0},
	} {
		if got := DeregistrationDelay(tc.groups); got != tc.want {
			t.Errorf("%s: DeregistrationDelay = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTargetGroupValidate(t *testing.T) {
	neg, big := -1, 3601
	for _, tc := range []struct {
		name string
		tg   TargetGroup
		want string
	}{
		{"defaults", TargetGroup{}, ""},
		{"interval 4", TargetGroup{HealthCheckIntervalSeconds: 4}, "scheduler: healthCheckIntervalSeconds: 4, expected 5..300 (0 means the default)"},
		{"healthy 11", TargetGroup{HealthyThresholdCount: 11}, "scheduler: healthyThresholdCount: 11, expected 2..10 (0 means the default)"},
		{"unhealthy 1", TargetGroup{UnhealthyThresholdCount: 1}, "scheduler: unhealthyThresholdCount: 1, expected 2..10 (0 means the default)"},
		{"delay -1", TargetGroup{DeregistrationDelaySeconds: &neg}, "scheduler: deregistrationDelayTimeoutSeconds: -1, expected 0..3600"},
		{"delay 3601", TargetGroup{DeregistrationDelaySeconds: &big}, "scheduler: deregistrationDelayTimeoutSeconds: 3601, expected 0..3600"},
	} {
		got := ""
		if err := tc.tg.Validate(); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: Validate() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A service with loadBalancers is health checked: its tasks count only
// once their target is HEALTHY (not 40 s after RUNNING), and an UNHEALTHY
// target is ignored for healthCheckGracePeriodSeconds after RUNNING, then
// replaced first and stopped with ECS's ELB reason once the replacement
// is healthy (docs/ecs-behaviour.md 3.3, 3.4).
func TestReconcileLoadBalancer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		health HealthStatus
		grace  int64
		since  time.Duration // after RUNNING
		// wantStarts are replacements started; wantSteady says the
		// service reached a steady state.
		wantStarts int
		wantSteady bool
	}{
		// UNKNOWN ("initial") 60 s after RUNNING: not healthy, though
		// the 40-second rule of services without health checks would
		// count it.
		{name: "initial target is not healthy", health: HealthUnknown, since: time.Minute},
		{name: "healthy target counts", health: HealthHealthy, since: time.Minute, wantSteady: true},
		// Grace 120 s: an UNHEALTHY target 60 s after RUNNING is ignored.
		{name: "unhealthy inside grace", health: HealthUnhealthy, grace: 120, since: time.Minute},
		// 120 s >= grace 120 s: both tasks are replaced (max 200% leaves room).
		{name: "unhealthy past grace", health: HealthUnhealthy, grace: 120, since: 2 * time.Minute, wantStarts: 2},
		{name: "unhealthy without grace", health: HealthUnhealthy, since: time.Second, wantStarts: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := replicaService(2, taskDef("web", 1, 256, 512))
			svc.LoadBalancers = []LoadBalancer{{TargetGroupArn: tgArn, ContainerName: "app", ContainerPort: 80}}
			svc.HealthCheckGracePeriodSeconds = tc.grace
			d := newDriver(t, svc, newCluster(t, 3, 4096, 8192))
			d.reconcile()
			d.step(10 * time.Second) // RUNNING at t0+10s
			d.now = d.now.Add(tc.since)
			for i := range d.obs.Tasks {
				d.obs.Tasks[i].Health = tc.health
			}
			p := d.reconcile()
			got := struct {
				Starts int
				Steady bool
			}{len(p.Starts), hasMessage(p, "steady state")}
			want := struct {
				Starts int
				Steady bool
			}{tc.wantStarts, tc.wantSteady}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Reconcile (-want +got):\n%s", diff)
			}
		})
	}
}

// The unhealthy task stops once its replacement's target is healthy,
// with the reason ECS gives for a failed target health check.
func TestReconcileLoadBalancerStopReason(t *testing.T) {
	svc := replicaService(1, taskDef("web", 1, 256, 512))
	svc.LoadBalancers = []LoadBalancer{{TargetGroupArn: tgArn, ContainerName: "app", ContainerPort: 80}}
	d := newDriver(t, svc, newCluster(t, 2, 4096, 8192))
	d.reconcile()
	d.step(10 * time.Second)
	d.obs.Tasks[0].Health = HealthUnhealthy
	if p := d.reconcile(); len(p.Starts) != 1 || len(p.Stops) != 0 {
		t.Fatalf("unhealthy task: %d starts, %d stops, want a replacement first and no stop", len(p.Starts), len(p.Stops))
	}
	d.step(10 * time.Second)
	d.obs.Tasks[1].Health = HealthHealthy
	p := d.reconcile()
	var got []string
	for _, s := range p.Stops {
		got = append(got, s.Reason)
	}
	want := []string{"Task failed ELB health checks in (target-group " + tgArn + ")"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stop reasons (-want +got):\n%s", diff)
	}
}

func TestServiceValidateLoadBalancers(t *testing.T) {
	lb := LoadBalancer{TargetGroupArn: tgArn, ContainerName: "app", ContainerPort: 80}
	for _, tc := range []struct {
		name string
		lbs  []LoadBalancer
		want string
	}{
		{"one", []LoadBalancer{lb}, ""},
		{"six", []LoadBalancer{lb, lb, lb, lb, lb, lb}, "scheduler: loadBalancers: 6 target groups, expected at most 5"},
		{"no target group", []LoadBalancer{{ContainerPort: 80}}, "scheduler: loadBalancers[0].targetGroupArn: missing"},
		{"port 0", []LoadBalancer{{TargetGroupArn: tgArn}}, "scheduler: loadBalancers[0].containerPort: 0, expected 1..65535"},
	} {
		svc := replicaService(1, taskDef("web", 1, 256, 512))
		svc.LoadBalancers = tc.lbs
		got := ""
		if err := svc.Validate(); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: Validate() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
