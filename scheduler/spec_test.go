package scheduler

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/placement"
)

// Tests for the edge cases of docs/ecs-behaviour.md 8.4 (cases 47-62) and the
// worked examples of its section 3.2.

func TestValidate(t *testing.T) {
	td := taskDef("web", 1, 256, 512)
	tests := []struct {
		name string
		svc  Service
		want string // "" for valid
	}{
		{"replica ok", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(2)}, ""},
		{"daemon without desired count", Service{Name: "agent", SchedulingStrategy: Daemon, TaskDefinition: td}, ""},
		{"case 47: desiredCount missing for REPLICA", Service{Name: "web", TaskDefinition: td}, "scheduler: desiredCount: missing for REPLICA"},
		{"negative desired", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(-1)}, "scheduler: desiredCount: -1, expected 0 or more"},
		{"daemon maximumPercent 150", Service{Name: "agent", SchedulingStrategy: Daemon, TaskDefinition: td,
			DeploymentConfiguration: DeploymentConfiguration{MaximumPercent: intp(150)}}, "scheduler: maximumPercent: 150, DAEMON services require 100"},
		{"daemon maximumPercent 100", Service{Name: "agent", SchedulingStrategy: Daemon, TaskDefinition: td,
			DeploymentConfiguration: DeploymentConfiguration{MaximumPercent: intp(100)}}, ""},
		{"minimumHealthyPercent 101", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1),
			DeploymentConfiguration: DeploymentConfiguration{MinimumHealthyPercent: intp(101)}}, "scheduler: minimumHealthyPercent: 101, expected 0..100"},
		{"minimumHealthyPercent -1", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1),
			DeploymentConfiguration: DeploymentConfiguration{MinimumHealthyPercent: intp(-1)}}, "scheduler: minimumHealthyPercent: -1, expected 0..100"},
		{"maximumPercent 99", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1),
			DeploymentConfiguration: DeploymentConfiguration{MaximumPercent: intp(99)}}, "scheduler: maximumPercent: 99, expected 100 or more"},
		{"case 57: grace 2147483647", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1), HealthCheckGracePeriodSeconds: 2147483647}, ""},
		{"case 57: grace 2147483648", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1), HealthCheckGracePeriodSeconds: 2147483648},
			"scheduler: healthCheckGracePeriodSeconds: 2147483648, expected 0..2147483647"},
		{"grace negative", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1), HealthCheckGracePeriodSeconds: -1},
			"scheduler: healthCheckGracePeriodSeconds: -1, expected 0..2147483647"},
		{"name", Service{Name: "web app", TaskDefinition: td, DesiredCount: intp(1)}, `scheduler: serviceName: "web app" has ' ', expected letters, digits, _ and -`},
		{"no task definition", Service{Name: "web", DesiredCount: intp(1)}, "scheduler: taskDefinition: missing"},
		{"strategy", Service{Name: "web", SchedulingStrategy: "BATCH", TaskDefinition: td, DesiredCount: intp(1)}, `scheduler: schedulingStrategy: "BATCH", expected REPLICA or DAEMON`},
		{"daemon with strategy", Service{Name: "agent", SchedulingStrategy: Daemon, TaskDefinition: td,
			PlacementStrategy: []placement.Strategy{placement.Random{}}}, "scheduler: placementStrategy: 1 strategies, DAEMON services take none"},
		{"threshold type", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1), DeploymentConfiguration: DeploymentConfiguration{
			CircuitBreaker: &CircuitBreaker{Enable: true, Threshold: &ThresholdConfiguration{Type: "PERCENT"}}}},
			`scheduler: deploymentCircuitBreaker.thresholdConfiguration.type: "PERCENT", expected COUNT, BOUNDED_PERCENT or UNBOUNDED_PERCENT`},
		{"too many strategies", Service{Name: "web", TaskDefinition: td, DesiredCount: intp(1), PlacementStrategy: []placement.Strategy{
			placement.Random{}, placement.Random{}, placement.Random{}, placement.Random{}, placement.Random{}, placement.Random{}}},
			"scheduler: placement: placementStrategy: 6 strategies, at most 5 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.svc.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	// Case 47: REPLICA 100/200, DAEMON 0/100; case 57: grace 0 by default.
	tests := []struct {
		name             string
		strategy         SchedulingStrategy
		wantMin, wantMax int
	}{
		{"default is REPLICA", "", 100, 200},
		{"REPLICA", Replica, 100, 200},
		{"DAEMON", Daemon, 0, 100},
	}
	for _, tt := range tests {
		s := Service{SchedulingStrategy: tt.strategy}
		if lo, hi := s.Percents(); lo != tt.wantMin || hi != tt.wantMax {
			t.Errorf("%s: Percents() = %d, %d, want %d, %d", tt.name, lo, hi, tt.wantMin, tt.wantMax)
		}
	}
	if s := (Service{}); s.HealthCheckGracePeriodSeconds != 0 {
		t.Errorf("grace period default = %d, want 0", s.HealthCheckGracePeriodSeconds)
	}
}

func TestBounds(t *testing.T) {
	// The worked examples of docs/ecs-behaviour.md 3.2 (cases 48-51).
	tests := []struct {
		name                string
		desired, minP, maxP int
		lower, upper        int
	}{
		{"case 48: min 50, desired 4: may stop 2 first", 4, 50, 200, 2, 8},
		{"case 49: min 75, desired 2: ceil(1.5)=2", 2, 75, 200, 2, 4},
		{"case 50: max 125, desired 3: floor(3.75)=3", 3, 100, 125, 3, 3},
		{"case 51: max 200, desired 4: up to 8", 4, 100, 200, 4, 8},
		{"desired 0", 0, 100, 200, 0, 0},
	}
	for _, tt := range tests {
		s := Service{DeploymentConfiguration: DeploymentConfiguration{MinimumHealthyPercent: &tt.minP, MaximumPercent: &tt.maxP}}
		if lo, hi := s.Bounds(tt.desired); lo != tt.lower || hi != tt.upper {
			t.Errorf("%s: Bounds(%d) = %d, %d, want %d, %d", tt.name, tt.desired, lo, hi, tt.lower, tt.upper)
		}
	}
}

// deployed returns a driver whose service runs desired settled tasks of
// revision 1 and has just been updated to revision 2.
func deployed(t *testing.T, desired, minP, maxP int) *driver {
	t.Helper()
	svc := replicaService(desired, taskDef("web", 1, 256, 512))
	svc.DeploymentConfiguration = DeploymentConfiguration{MinimumHealthyPercent: intp(minP), MaximumPercent: intp(maxP)}
	d := newDriver(t, svc, newCluster(t, 6, 4096, 8192))
	d.settle()
	if got := d.count(1, Running); got != desired {
		t.Fatalf("setup: %d tasks RUNNING, want %d", got, desired)
	}
	if p := d.obs.State.Primary(); p.RolloutState != Completed {
		t.Fatalf("setup: first deployment %s, want COMPLETED", p.RolloutState)
	}
	svc.TaskDefinition = taskDef("web", 2, 256, 512)
	return d
}

func TestRollingWorkedExamples(t *testing.T) {
	tests := []struct {
		name                string
		desired, minP, maxP int
		starts, stops       int
		stalled             bool
	}{
		{"case 48: min 50 max 100, desired 4: stop 2 old first", 4, 50, 100, 0, 2, false},
		{"case 48: min 50 max 200, desired 4: start 4 and stop 2", 4, 50, 200, 4, 2, false},
		{"case 49: min 75 max 200, desired 2: start 2, stop none", 2, 75, 200, 2, 0, false},
		{"case 49: min 75 max 100, desired 2: stuck", 2, 75, 100, 0, 0, true},
		{"case 50: min 100 max 125, desired 3: stuck", 3, 100, 125, 0, 0, true},
		{"case 51: min 100 max 200, desired 4: start 4 more (8 total)", 4, 100, 200, 4, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployed(t, tt.desired, tt.minP, tt.maxP)
			p := d.reconcile()
			if len(p.Starts) != tt.starts || len(p.Stops) != tt.stops {
				t.Errorf("plan starts %d, stops %d; want %d, %d", len(p.Starts), len(p.Stops), tt.starts, tt.stops)
			}
			stalled := hasMessage(p, "was unable to stop or start tasks during a deployment because of the service deployment configuration")
			if stalled != tt.stalled {
				t.Errorf("stalled event = %v, want %v; events %q", stalled, tt.stalled, messages(p))
			}
			if running := d.count(0, Running) + d.count(0, Pending); running > tt.desired*tt.maxP/100 {
				t.Errorf("%d tasks RUNNING+PENDING, above maximumPercent", running)
			}
			if tt.stalled {
				return
			}
			d.run(30, 15*time.Second)
			if got := d.count(2, Running); got != tt.desired {
				t.Errorf("after the deployment: %d tasks of revision 2 RUNNING, want %d", got, tt.desired)
			}
			if got := d.count(1, Running) + d.count(1, Pending); got != 0 {
				t.Errorf("after the deployment: %d tasks of revision 1 left", got)
			}
			if p := d.obs.State.Primary(); p.RolloutState != Completed || len(d.obs.State.Deployments) != 1 {
				t.Errorf("deployments after: %+v", d.obs.State.Deployments)
			}
		})
	}
}

func TestFortySecondRule(t *testing.T) {
	// Case 52: without a health check a task counts as healthy 40 s after
	// it reaches RUNNING, so min 100 keeps the old task until then.
	d := deployed(t, 1, 100, 200)
	d.pendFor = 0
	p := d.reconcile()
	if len(p.Starts) != 1 {
		t.Fatalf("starts = %d, want 1", len(p.Starts))
	}
	d.step(time.Second)
	var running time.Time
	for _, t := range d.obs.Tasks {
		if t.ID == p.Starts[0].ID {
			running = t.StartedAt
		}
	}
	for _, tc := range []struct {
		at    time.Duration
		stops int
	}{{39 * time.Second, 0}, {40 * time.Second, 1}} {
		d.now = running.Add(tc.at)
		p := d.reconcile()
		if len(p.Stops) != tc.stops {
			t.Errorf("%v after RUNNING: %d stops, want %d", tc.at, len(p.Stops), tc.stops)
		}
	}
}

func TestFailureThreshold(t *testing.T) {
	// Case 53.
	tests := []struct {
		name    string
		cfg     *ThresholdConfiguration
		desired int
		want    int
	}{
		{"desired 1", nil, 1, 3},
		{"desired 25", nil, 25, 13},
		{"desired 400", nil, 400, 200},
		{"desired 800", nil, 800, 200},
		{"unbounded 800", &ThresholdConfiguration{Type: UnboundedPercent}, 800, 400},
		{"count 7", &ThresholdConfiguration{Type: Count, Value: intp(7)}, 800, 7},
		{"bounded 10% of 100", &ThresholdConfiguration{Value: intp(10)}, 100, 10},
	}
	for _, tt := range tests {
		cb := CircuitBreaker{Enable: true, Threshold: tt.cfg}
		if got := cb.FailureThreshold(tt.desired); got != tt.want {
			t.Errorf("%s: FailureThreshold(%d) = %d, want %d", tt.name, tt.desired, got, tt.want)
		}
	}
}

func TestCircuitBreakerRollback(t *testing.T) {
	// Case 54: tasks that never reach RUNNING count as failures; at the
	// threshold (3 for desired 4) the deployment FAILED and a rollback to
	// the last COMPLETED deployment begins.
	d := deployed(t, 4, 100, 200)
	d.svc.DeploymentConfiguration.CircuitBreaker = &CircuitBreaker{Enable: true, Rollback: true}
	first := d.obs.State.Primary().ID
	d.failLaunch[2] = true
	var failedAt *Plan
	for range 40 {
		p := d.reconcile()
		if hasMessage(p, "deployment failed") {
			failedAt = p
			break
		}
		d.step(15 * time.Minute)
	}
	if failedAt == nil {
		t.Fatalf("the deployment never failed; deployments %+v", d.obs.State.Deployments)
	}
	failedID := ""
	for _, dep := range d.plans[len(d.plans)-2].State.Deployments {
		if dep.TaskDefinition.Revision == 2 {
			failedID = dep.ID
		}
	}
	want := []string{
		"(service web) (deployment " + failedID + ") deployment failed: tasks failed to start.",
		"(service web) rolling back to deployment " + first + ".",
	}
	for _, w := range want {
		if !hasMessage(failedAt, w) {
			t.Errorf("events %q lack %q", messages(failedAt), w)
		}
	}
	// The old tasks are the rollback deployment's own: nothing is replaced.
	rb := failedAt.State.Deployments[0]
	if rb.TaskDefinition.Revision != 1 || rb.RollbackTo != first || rb.Spec != "web:2" {
		t.Errorf("rollback deployment = %+v", rb)
	}
	if len(failedAt.Stops) != 0 {
		t.Errorf("rollback stopped %+v", failedAt.Stops)
	}
	d.run(20, time.Minute)
	if got := d.count(1, Running); got != 4 {
		t.Errorf("after rollback: %d revision 1 tasks RUNNING, want 4", got)
	}
	if p := d.obs.State.Primary(); p.RolloutState != Completed || p.TaskDefinition.Revision != 1 {
		t.Errorf("after rollback: primary %+v", p)
	}
	// The service's spec still names revision 2: the rollback must not
	// start it again.
	p := d.reconcile()
	if !p.Empty() {
		t.Errorf("after rollback the spec redeployed: %+v", p)
	}
}

func TestCircuitBreakerNoRollback(t *testing.T) {
	// A FAILED deployment launches no new tasks.
	d := deployed(t, 2, 100, 200)
	d.svc.DeploymentConfiguration.CircuitBreaker = &CircuitBreaker{Enable: true, Threshold: &ThresholdConfiguration{Type: Count, Value: intp(2)}}
	d.failLaunch[2] = true
	for range 20 {
		d.reconcile()
		d.step(15 * time.Minute)
	}
	p := d.reconcile()
	if st := d.obs.State.Primary(); st.RolloutState != Failed {
		t.Fatalf("primary %s, want FAILED", st.RolloutState)
	}
	if len(p.Starts) != 0 {
		t.Errorf("a FAILED deployment started %d tasks", len(p.Starts))
	}
	if got := d.count(1, Running); got != 2 {
		t.Errorf("old tasks RUNNING = %d, want 2 (left alone)", got)
	}
}

func TestResetOnHealthyTask(t *testing.T) {
	for _, reset := range []bool{true, false} {
		cb := &CircuitBreaker{Enable: true, ResetOnHealthyTask: &reset}
		svc := replicaService(4, taskDef("web", 1, 256, 512))
		svc.DeploymentConfiguration.CircuitBreaker = cb
		r := &reconciler{svc: svc, now: t0, plan: &Plan{}}
		r.st = &r.plan.State
		r.st.Deployments = []Deployment{{ID: "ecs-svc/1", Status: DeploymentPrimary, RolloutState: InProgress, FailedTasks: 2, Healthy: 1}}
		r.breaker(4, 2, true)
		want := 2
		if reset {
			want = 0
		}
		if got := r.primary().FailedTasks; got != want {
			t.Errorf("resetOnHealthyTask=%v: FailedTasks = %d, want %d", reset, got, want)
		}
	}
}

func TestLaunchBackoff(t *testing.T) {
	// Case 55: the delays grow and never pass 15 minutes.
	prev := time.Duration(0)
	for n := 0; n <= 40; n++ {
		got := LaunchBackoff(n)
		if got < prev || got > MaxLaunchBackoff {
			t.Errorf("LaunchBackoff(%d) = %v after %v", n, got, prev)
		}
		prev = got
	}
	if LaunchBackoff(40) != MaxLaunchBackoff {
		t.Errorf("LaunchBackoff(40) = %v, want the cap", LaunchBackoff(40))
	}
}

func TestThrottle(t *testing.T) {
	// Case 55: tasks that go PENDING -> STOPPED delay the next attempt, the
	// event is emitted, a new task definition ends the throttle at once.
	svc := replicaService(2, taskDef("web", 1, 256, 512))
	d := newDriver(t, svc, newCluster(t, 3, 4096, 8192))
	d.failLaunch[1] = true
	throttled := false
	for range 12 {
		p := d.reconcile()
		if hasMessage(p, "(service web) is unable to consistently start tasks successfully.") {
			throttled = true
			if len(p.Starts) != 0 {
				t.Errorf("throttled plan starts %d tasks", len(p.Starts))
			}
		}
		d.step(20 * time.Second)
	}
	if !throttled {
		t.Fatal("no throttle event")
	}
	if !d.now.Before(d.obs.State.NextLaunch) {
		t.Fatalf("NextLaunch %v is not after now %v", d.obs.State.NextLaunch, d.now)
	}
	if wait := d.obs.State.NextLaunch.Sub(d.now); wait > MaxLaunchBackoff {
		t.Errorf("back-off %v beyond 15 minutes", wait)
	}
	svc.TaskDefinition = taskDef("web", 2, 256, 512)
	p := d.reconcile()
	if len(p.Starts) != 2 {
		t.Errorf("after a new task definition: %d starts, want 2 at once", len(p.Starts))
	}
}

func TestNoThrottleAfterRunning(t *testing.T) {
	// Case 55: tasks that reach RUNNING and then exit do not throttle.
	svc := replicaService(2, taskDef("web", 1, 256, 512))
	d := newDriver(t, svc, newCluster(t, 3, 4096, 8192))
	for range 6 {
		d.run(2, 15*time.Second)
		for i := range d.obs.Tasks {
			if d.obs.Tasks[i].LastStatus == Running {
				d.obs.Tasks[i].DesiredStatus = Stopped // exits on its own
				d.obs.Tasks[i].StopCode = EssentialContainerExited
			}
		}
		d.step(time.Second)
	}
	if n := d.obs.State.LaunchFailures; n != 0 {
		t.Errorf("LaunchFailures = %d, want 0", n)
	}
	p := d.reconcile()
	if hasMessage(p, "unable to consistently start") {
		t.Errorf("throttled: %q", messages(p))
	}
}

func healthChecked(t *testing.T, desired, minP, maxP int) *driver {
	t.Helper()
	svc := replicaService(desired, taskDef("web", 1, 256, 512))
	svc.HealthChecked = true
	svc.DeploymentConfiguration = DeploymentConfiguration{MinimumHealthyPercent: intp(minP), MaximumPercent: intp(maxP)}
	d := newDriver(t, svc, newCluster(t, 6, 4096, 8192))
	d.settle()
	if got := d.count(1, Running); got != desired {
		t.Fatalf("setup: %d RUNNING", got)
	}
	return d
}

func TestUnhealthyReplacedFirst(t *testing.T) {
	// Case 56, max 200: a replacement starts first; the unhealthy task
	// stops once the replacement is healthy.
	d := healthChecked(t, 4, 100, 200)
	sick := d.obs.Tasks[0].ID
	d.obs.Tasks[0].Health = HealthUnhealthy
	p := d.reconcile()
	if len(p.Starts) != 1 || len(p.Stops) != 0 {
		t.Fatalf("plan starts %d, stops %d; want 1, 0", len(p.Starts), len(p.Stops))
	}
	d.obs.Tasks[0].Health = HealthUnhealthy
	d.step(5 * time.Second) // replacement still PENDING
	d.obs.Tasks[0].Health = HealthUnhealthy
	if p := d.reconcile(); len(p.Stops) != 0 {
		t.Errorf("stopped before the replacement was healthy: %+v", p.Stops)
	}
	d.step(10 * time.Second) // replacement RUNNING and HEALTHY
	d.obs.Tasks[0].Health = HealthUnhealthy
	p = d.reconcile()
	want := []Stop{{ID: sick, Placement: d.obs.Tasks[0].Placement, Reason: "Task failed container health checks"}}
	if diff := cmp.Diff(want, p.Stops); diff != "" {
		t.Errorf("stops (-want +got):\n%s", diff)
	}
}

func TestUnhealthyOneAtATime(t *testing.T) {
	// Case 56, max 100 min 50: unhealthy tasks stop one at a time, keeping
	// at least 2 RUNNING.
	d := healthChecked(t, 4, 50, 100)
	for i := range d.obs.Tasks {
		d.unhealthy[1] = true
		d.obs.Tasks[i].Health = HealthUnhealthy
	}
	for range 20 {
		p := d.reconcile()
		if len(p.Stops) > 1 {
			t.Fatalf("stopped %d unhealthy tasks at once", len(p.Stops))
		}
		if n := d.count(0, Running); n < 2 {
			t.Fatalf("%d tasks RUNNING, want at least 2", n)
		}
		d.step(15 * time.Second)
	}
}

func TestGracePeriod(t *testing.T) {
	// docs/ecs-behaviour.md 3.4: UNHEALTHY results are ignored during the grace period.
	d := healthChecked(t, 2, 100, 200)
	d.svc.HealthCheckGracePeriodSeconds = 120
	for i := range d.obs.Tasks {
		d.obs.Tasks[i].StartedAt = d.now.Add(-time.Minute)
		d.obs.Tasks[i].Health = HealthUnhealthy
	}
	if p := d.reconcile(); !p.Empty() {
		t.Errorf("inside the grace period: plan %+v", p)
	}
	d.now = d.now.Add(2 * time.Minute)
	if p := d.reconcile(); len(p.Starts) != 2 {
		t.Errorf("after the grace period: %d starts, want 2 replacements", len(p.Starts))
	}
}

func daemonService(td *placement.TaskDefinition) *Service {
	return &Service{Name: "agent", SchedulingStrategy: Daemon, TaskDefinition: td}
}

func daemonTasksOn(d *driver, arnWant string) int {
	n := 0
	for _, t := range d.obs.Tasks {
		if t.DesiredStatus != Stopped && d.c.TaskInstance(t.Placement).ARN == arnWant {
			n++
		}
	}
	return n
}

func TestDaemon(t *testing.T) {
	// Case 58.
	con, err := placement.NewMemberOf("attribute:ecs.instance-type == m5.large")
	if err != nil {
		t.Fatal(err)
	}
	svc := daemonService(taskDef("agent", 1, 128, 128))
	svc.PlacementConstraints = []placement.Constraint{con}
	c := newCluster(t, 3, 2048, 4096)
	d := newDriver(t, svc, c)
	d.settle()
	for i := range 3 {
		if n := daemonTasksOn(d, arn(i)); n != 1 {
			t.Errorf("instance %d: %d daemon tasks, want 1", i, n)
		}
	}

	t.Run("new instance", func(t *testing.T) {
		if err := c.AddInstance(newInstance(3, 2048, 4096)); err != nil {
			t.Fatal(err)
		}
		p := d.reconcile()
		if len(p.Starts) != 1 || p.Starts[0].Placement.Instance.ARN != arn(3) {
			t.Fatalf("starts %+v, want one on the new instance", p.Starts)
		}
		d.settle()
	})
	t.Run("draining", func(t *testing.T) {
		c.Update(c.Instance(arn(0)), func(in *placement.Instance) { in.Status = placement.StatusDraining })
		p := d.reconcile()
		if len(p.Stops) != 1 || !strings.Contains(p.Stops[0].Reason, "is being drained") {
			t.Fatalf("stops %+v, want the draining instance's task", p.Stops)
		}
		d.settle()
		if n := daemonTasksOn(d, arn(0)); n != 0 {
			t.Errorf("%d daemon tasks on the draining instance", n)
		}
	})
	t.Run("no longer matches", func(t *testing.T) {
		c.Update(c.Instance(arn(1)), func(in *placement.Instance) { in.Attributes[1].Value = "c5.large" })
		p := d.reconcile()
		if len(p.Stops) != 1 || !strings.Contains(p.Stops[0].Reason, "no longer satisfies") {
			t.Fatalf("stops %+v, want the task on the changed instance", p.Stops)
		}
		d.settle()
		if n := daemonTasksOn(d, arn(1)); n != 0 {
			t.Errorf("%d daemon tasks on the instance that stopped matching", n)
		}
		if p := d.reconcile(); !p.Empty() {
			t.Errorf("converged daemon plans %+v", p)
		}
	})
}

func TestDaemonLastToStop(t *testing.T) {
	// A daemon task on a draining instance waits for the service tasks.
	c := newCluster(t, 1, 4096, 8192)
	d := newDriver(t, daemonService(taskDef("agent", 1, 128, 128)), c)
	d.settle()
	other, err := c.Adopt(c.Instance(arn(0)), placement.HostedTask{Group: "service:web", Requirements: placement.Requirements{CPU: 256, MemoryMiB: 256}})
	if err != nil {
		t.Fatal(err)
	}
	c.Update(c.Instance(arn(0)), func(in *placement.Instance) { in.Status = placement.StatusDraining })
	if p := d.reconcile(); len(p.Stops) != 0 {
		t.Errorf("daemon stopped before the service task: %+v", p.Stops)
	}
	if err := c.Release(other); err != nil {
		t.Fatal(err)
	}
	if p := d.reconcile(); len(p.Stops) != 1 {
		t.Errorf("daemon not stopped once alone: %+v", p.Stops)
	}
}

func TestDaemonFirst(t *testing.T) {
	// Case 59: a daemon and a replica service compete for the last 512 MiB
	// of a new instance; reconciled in DaemonsFirst order, the daemon wins.
	c := newCluster(t, 0, 0, 0)
	daemon := daemonService(taskDef("agent", 1, 128, 512))
	replica := replicaService(1, taskDef("web", 1, 128, 512))
	services := []*Service{replica, daemon}
	DaemonsFirst(services)
	if services[0] != daemon {
		t.Fatal("DaemonsFirst did not put the daemon first")
	}
	if err := c.AddInstance(newInstance(0, 1024, 512)); err != nil {
		t.Fatal(err)
	}
	rng := newDriver(t, daemon, c).rng
	var plans []*Plan
	for _, s := range services {
		p, err := Reconcile(s, &Observed{}, t0, c, rng)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	if len(plans[0].Starts) != 1 || len(plans[1].Starts) != 0 {
		t.Errorf("daemon starts %d, replica starts %d; want 1, 0", len(plans[0].Starts), len(plans[1].Starts))
	}
	want := "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ci-0) has insufficient memory available."
	if got := messages(plans[1]); len(got) != 1 || got[0] != want {
		t.Errorf("replica events = %q, want %q", got, want)
	}
}

func TestDraining(t *testing.T) {
	// Case 60: 2 RUNNING and 1 PENDING service tasks and 1 standalone task
	// on an instance set to DRAINING.
	c := newCluster(t, 3, 4096, 8192)
	svc := replicaService(3, taskDef("web", 1, 256, 512))
	svc.DeploymentConfiguration = DeploymentConfiguration{MinimumHealthyPercent: intp(50), MaximumPercent: intp(200)}
	d := newDriver(t, svc, c)
	d.settle()
	// Put all three on instance 0: move them by hand.
	var tasks []Task
	for i, t0 := range d.obs.Tasks {
		if err := c.Release(t0.Placement); err != nil {
			t.Fatal(err)
		}
		id, err := c.Adopt(c.Instance(arn(0)), placement.HostedTask{Group: "service:web", Requirements: placement.Requirements{CPU: 256, MemoryMiB: 512}})
		if err != nil {
			t.Fatal(err)
		}
		t0.Placement = id
		if i == 2 {
			t0.LastStatus, t0.StartedAt = Pending, time.Time{}
		}
		tasks = append(tasks, t0)
	}
	d.obs.Tasks = tasks
	standalone, err := c.Adopt(c.Instance(arn(0)), placement.HostedTask{Group: "family:batch", Requirements: placement.Requirements{CPU: 256, MemoryMiB: 512}})
	if err != nil {
		t.Fatal(err)
	}
	c.Update(c.Instance(arn(0)), func(in *placement.Instance) { in.Status = placement.StatusDraining })
	p := d.reconcile()
	stopped := map[string]bool{}
	for _, s := range p.Stops {
		stopped[s.ID] = true
		if s.Reason != "Container instance ci-0 is being drained" {
			t.Errorf("stop reason %q", s.Reason)
		}
	}
	if !stopped[tasks[2].ID] {
		t.Errorf("the PENDING task was not stopped at once: %+v", p.Stops)
	}
	// min 50 of 3 is ceil(1.5) = 2 healthy: no RUNNING task may stop yet.
	if len(p.Stops) != 1 {
		t.Errorf("%d stops, want 1 (the PENDING one; min 50 keeps both RUNNING)", len(p.Stops))
	}
	if len(p.Starts) != 3 {
		t.Errorf("%d starts, want 3 replacements", len(p.Starts))
	}
	for _, s := range p.Starts {
		if s.Placement.Instance.ARN == arn(0) {
			t.Errorf("replacement placed on the draining instance")
		}
	}
	d.run(20, 15*time.Second)
	if n := daemonTasksOn(d, arn(0)); n != 0 {
		t.Errorf("%d service tasks left on the draining instance", n)
	}
	if c.TaskInstance(standalone) == nil {
		t.Errorf("the standalone task was stopped")
	}
	if c.Instance(arn(0)).Status != placement.StatusDraining {
		t.Errorf("instance status %s, want DRAINING", c.Instance(arn(0)).Status)
	}
	if got := d.count(0, Running); got != 3 {
		t.Errorf("%d RUNNING after draining, want 3", got)
	}
}

func TestUpdateContainerInstancesState(t *testing.T) {
	// Case 61.
	c := newCluster(t, 12, 1024, 1024)
	c.Update(c.Instance(arn(11)), func(in *placement.Instance) { in.Status = placement.StatusRegistering })
	var eleven []string
	for i := range 11 {
		eleven = append(eleven, arn(i))
	}
	tests := []struct {
		name   string
		arns   []string
		status placement.Status
		want   string
	}{
		{"registering", []string{arn(11)}, placement.StatusDraining,
			`scheduler: containerInstances: "` + arn(11) + `" is REGISTERING, only ACTIVE and DRAINING instances can change state`},
		{"eleven", eleven, placement.StatusDraining, "scheduler: containerInstances: 11 instances, at most 10 per call"},
		{"unknown", []string{"nope"}, placement.StatusDraining, `scheduler: containerInstances: "nope" is not in the cluster`},
		{"status", []string{arn(0)}, placement.StatusInactive, `scheduler: status: "INACTIVE", expected ACTIVE or DRAINING`},
		{"ok", []string{arn(0), arn(1)}, placement.StatusDraining, ""},
	}
	for _, tt := range tests {
		err := UpdateContainerInstancesState(c, tt.arns, tt.status)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
		}
	}
	if c.Instance(arn(0)).Status != placement.StatusDraining || c.Instance(arn(2)).Status != placement.StatusActive {
		t.Errorf("statuses after: %s %s", c.Instance(arn(0)).Status, c.Instance(arn(2)).Status)
	}
}

func TestProtectionExpiry(t *testing.T) {
	// Case 62: expiresInMinutes 1..2880, default 120.
	tests := []struct {
		name string
		min  *int
		want time.Duration
		err  string
	}{
		{"unset", nil, 120 * time.Minute, ""},
		{"1", intp(1), time.Minute, ""},
		{"2880", intp(2880), 48 * time.Hour, ""},
		{"0", intp(0), 0, "scheduler: expiresInMinutes: 0, expected 1..2880"},
		{"2881", intp(2881), 0, "scheduler: expiresInMinutes: 2881, expected 1..2880"},
	}
	for _, tt := range tests {
		got, err := ProtectionExpiry(t0, tt.min)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tt.err || err == nil && got.Sub(t0) != tt.want {
			t.Errorf("%s: ProtectionExpiry = %v, %q; want %v, %q", tt.name, got.Sub(t0), gotErr, tt.want, tt.err)
		}
	}
}

func TestScaleInProtection(t *testing.T) {
	// Case 62: desired 4 -> 2 with 3 protected tasks: only the unprotected
	// task stops, and the event is emitted.
	svc := replicaService(4, taskDef("web", 1, 256, 512))
	d := newDriver(t, svc, newCluster(t, 4, 4096, 8192))
	d.settle()
	until, _ := ProtectionExpiry(d.now, nil)
	for i := range 3 {
		d.obs.Tasks[i].ProtectedUntil = until
	}
	*svc.DesiredCount = 2
	p := d.reconcile()
	if len(p.Stops) != 1 || p.Stops[0].ID != d.obs.Tasks[3].ID {
		t.Errorf("stops %+v, want only the unprotected task", p.Stops)
	}
	id := d.obs.State.Primary().ID
	want := "(service web) was unable to reach steady state because task set (" + id + ") was unable to scale in. Reason: The number of protected tasks are more than the desired count of tasks."
	if !hasMessage(p, want) {
		t.Errorf("events %q lack %q", messages(p), want)
	}
	// Protection ends: scale-in proceeds.
	d.step(time.Second)
	d.now = until
	if p := d.reconcile(); len(p.Stops) != 1 {
		t.Errorf("after protection: %d stops, want 1", len(p.Stops))
	}
}

func TestEvents(t *testing.T) {
	svc := replicaService(2, taskDef("web", 1, 256, 512))
	d := newDriver(t, svc, newCluster(t, 2, 4096, 8192))
	p := d.reconcile()
	want := "(service web) has started 2 tasks: (task " + p.Starts[0].ID + ") (task " + p.Starts[1].ID + ")."
	if got := messages(p); len(got) != 1 || got[0] != want {
		t.Errorf("events %q, want [%q]", got, want)
	}
	d.step(time.Minute)
	p = d.reconcile()
	id := d.obs.State.Primary().ID
	if !regexp.MustCompile(`^ecs-svc/[1-9][0-9]{18}$`).MatchString(id) || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(d.obs.Tasks[0].ID) {
		t.Errorf("deployment id %q, task id %q", id, d.obs.Tasks[0].ID)
	}
	wantSteady := []string{"(service web) (deployment " + id + ") deployment completed.", "(service web) has reached a steady state."}
	if diff := cmp.Diff(wantSteady, messages(p)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// A repeat is suppressed for 6 hours while the cause persists.
	d.now = d.now.Add(time.Hour)
	if p := d.reconcile(); len(p.Events) != 0 || !p.Empty() {
		t.Errorf("converged reconcile: %+v", p)
	}
	d.now = d.now.Add(EventRepeat)
	if got := messages(d.reconcile()); len(got) != 1 || got[0] != wantSteady[1] {
		t.Errorf("after 6 hours: %q", got)
	}
	// Scale-in: the stop reason names the deployment.
	*svc.DesiredCount = 1
	p = d.reconcile()
	if len(p.Stops) != 1 || p.Stops[0].Reason != "Scaling activity initiated by (deployment "+id+")" {
		t.Errorf("scale-in stops %+v", p.Stops)
	}
	if want := "(service web) has stopped 1 running tasks: (task " + p.Stops[0].ID + ")."; !hasMessage(p, want) {
		t.Errorf("events %q lack %q", messages(p), want)
	}
}

func TestUnableToPlace(t *testing.T) {
	tests := []struct {
		name string
		c    func(*testing.T) *placement.Cluster
		want string
	}{
		{"empty cluster", func(t *testing.T) *placement.Cluster { return newCluster(t, 0, 0, 0) },
			"(service web) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster."},
		{"memory", func(t *testing.T) *placement.Cluster { return newCluster(t, 1, 4096, 256) },
			"(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ci-0) has insufficient memory available."},
		{"cpu", func(t *testing.T) *placement.Cluster { return newCluster(t, 1, 128, 4096) },
			"(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ci-0) has insufficient CPU units available."},
		{"agent", func(t *testing.T) *placement.Cluster {
			c := newCluster(t, 1, 4096, 4096)
			c.Update(c.Instance(arn(0)), func(in *placement.Instance) { in.AgentConnected = false })
			return c
		}, `(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ci-0) encountered error "AGENT".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, replicaService(1, taskDef("web", 1, 256, 512)), tt.c(t))
			p := d.reconcile()
			if got := messages(p); len(got) != 1 || got[0] != tt.want {
				t.Errorf("events %q, want [%q]", got, tt.want)
			}
			// Suppressed while the cause persists.
			if p := d.reconcile(); len(p.Events) != 0 {
				t.Errorf("repeated: %q", messages(p))
			}
		})
	}
}

func TestDistinctInstanceService(t *testing.T) {
	// Case 32 through a service: desired 4, 3 eligible instances.
	svc := replicaService(4, taskDef("web", 1, 256, 512))
	svc.PlacementConstraints = []placement.Constraint{{Type: placement.DistinctInstance}}
	d := newDriver(t, svc, newCluster(t, 3, 4096, 8192))
	p := d.reconcile()
	if len(p.Starts) != 3 || !hasMessage(p, "was unable to place a task") {
		t.Errorf("starts %d, events %q", len(p.Starts), messages(p))
	}
}

func TestRunTask(t *testing.T) {
	td := taskDef("web", 3, 256, 512)
	td.Containers[0].PortMappings = []placement.PortMapping{{ContainerPort: 80, HostPort: 80}}
	c := newCluster(t, 2, 4096, 8192)
	rng := newDriver(t, nil, c).rng
	out, err := RunTask(&RunTaskInput{TaskDefinition: td, Count: 3}, c, rng)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 2 || out.Tasks[0].Group != "family:web" {
		t.Errorf("tasks %+v, want 2 in group family:web", out.Tasks)
	}
	if diff := cmp.Diff([]Failure{{Arn: out.Failures[0].Arn, Reason: "RESOURCE:PORTS"}}, out.Failures); diff != "" || out.Failures[0].Arn == "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if _, err := RunTask(&RunTaskInput{TaskDefinition: td, Count: 11}, c, rng); err == nil || err.Error() != "scheduler: count: 11, expected 1..10" {
		t.Errorf("count 11: %v", err)
	}
	out, err = RunTask(&RunTaskInput{TaskDefinition: taskDef("batch", 1, 1, 1), Group: "nightly"}, c, rng)
	if err != nil || len(out.Tasks) != 1 || out.Tasks[0].Group != "nightly" {
		t.Errorf("count 0 means 1 in the given group: %+v, %v", out, err)
	}
}

func TestDiscard(t *testing.T) {
	c := newCluster(t, 2, 4096, 8192)
	p, err := Reconcile(replicaService(3, taskDef("web", 1, 256, 512)), &Observed{}, t0, c, newDriver(t, nil, c).rng)
	if err != nil {
		t.Fatal(err)
	}
	before := c.Instance(arn(0)).Remaining.MemoryMiB + c.Instance(arn(1)).Remaining.MemoryMiB
	if err := p.Discard(c); err != nil {
		t.Fatal(err)
	}
	after := c.Instance(arn(0)).Remaining.MemoryMiB + c.Instance(arn(1)).Remaining.MemoryMiB
	if after-before != 3*512 {
		t.Errorf("Discard freed %d MiB, want %d", after-before, 3*512)
	}
}

func TestTaskStatus(t *testing.T) {
	// docs/ecs-behaviour.md 3.11: the states before RUNNING count as PENDING.
	for _, s := range []TaskStatus{Provisioning, Pending, Activating, Running, Deactivating, Stopping, Deprovisioning, Stopped, Deleted} {
		want := s == Provisioning || s == Pending || s == Activating
		if s.Starting() != want {
			t.Errorf("%s.Starting() = %v", s, !want)
		}
	}
}

func TestThrottleEndsWhenATaskRuns(t *testing.T) {
	// Case 55: once a task reaches RUNNING after the last failure, the
	// back-off is cleared (countStopped skips its walk only when there
	// is no back-off to clear).
	svc := replicaService(2, taskDef("web", 1, 256, 512))
	d := newDriver(t, svc, newCluster(t, 3, 4096, 8192))
	d.failLaunch[1] = true
	for range 3 {
		d.reconcile()
		d.step(20 * time.Second)
	}
	if d.obs.State.LaunchFailures == 0 || d.obs.State.NextLaunch.IsZero() {
		t.Fatalf("after failed launches: LaunchFailures %d, NextLaunch %v, want a back-off", d.obs.State.LaunchFailures, d.obs.State.NextLaunch)
	}
	d.failLaunch[1] = false
	for range 60 {
		d.reconcile()
		d.step(20 * time.Second)
		if d.count(1, Running) > 0 {
			break
		}
	}
	if d.count(1, Running) == 0 {
		t.Fatal("no task reached RUNNING")
	}
	d.reconcile()
	if st := d.obs.State; st.LaunchFailures != 0 || !st.NextLaunch.IsZero() {
		t.Errorf("after a task ran: LaunchFailures %d, NextLaunch %v, want none", st.LaunchFailures, st.NextLaunch)
	}
}
