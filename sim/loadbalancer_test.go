package sim

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/scheduler"
)

// lbScenario is a service of 2 tasks (RUNNING 10 s after start) behind
// the target group web: interval 10 s, healthy threshold 3, unhealthy
// threshold 2, with the given deregistration delay (null: ELB's 300 s),
// grace period and service events.
func lbScenario(delay string, grace int, events string) string {
	return `{"name": "lb", "seed": 1, "duration": "10m", ` + fleet10 + `,
  "targetGroups": [{"name": "web", "healthCheckIntervalSeconds": 10, "healthyThresholdCount": 3, "unhealthyThresholdCount": 2,
    "deregistrationDelayTimeoutSeconds": ` + delay + `}],
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 2,
    "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef", "containerName": "app", "containerPort": 80}],
    "healthCheckGracePeriodSeconds": ` + fmt.Sprint(grace) + `}],
  "serviceEvents": [` + events + `]}`
}

var taskIDs = regexp.MustCompile(` \(task [0-9a-f]+\)`)

// serviceTimeline returns the service events as "time: message" without
// task ids, dropping the updates and deployment completions, up to 450 s.
func serviceTimeline(r *Result) []string {
	var out []string
	for _, e := range r.ServiceEvents {
		if e.Time.Seconds() > 450 {
			break
		}
		m := taskIDs.ReplaceAllString(e.Message, "")
		if strings.Contains(m, "was updated") || strings.Contains(m, "deployment completed") {
			continue
		}
		out = append(out, fmt.Sprintf("%gs: %s", e.Time.Seconds(), strings.TrimPrefix(m, "(service web) ")))
	}
	return out
}

func TestPlannerLoadBalancer(t *testing.T) {
	const rev2Failing = `{"at": "5m", "service": "web", "taskDefinition": {"family": "web", "revision": 2, "cpu": 512, "memory": 1024, "failsTargetHealthChecks": true}}`
	for _, tc := range []struct {
		name, src string
		want      []string
	}{{
		// interval 10 s x healthy threshold 3: healthy 30 s after
		// RUNNING (10 s), so steady at 40 s, not at the 40-second rule's 50 s.
		name: "healthy after interval x healthy threshold",
		src:  lbScenario("60", 0, ""),
		want: []string{"0s: has started 2 tasks:.", "40s: has reached a steady state."},
	}, {
		// Scale-in at 120 s: the stopped task is deregistered and drains
		// 60 s, so it stops (and the service is steady) at 180 s.
		name: "deregistration delay before the stop",
		src:  lbScenario("60", 0, `{"at": "2m", "service": "web", "desiredCount": 1}`),
		want: []string{"0s: has started 2 tasks:.", "40s: has reached a steady state.",
			"120s: has stopped 1 running tasks:.", "180s: has reached a steady state."},
	}, {
		// deregistration_delay.timeout_seconds defaults to 300 s: steady at 420 s.
		name: "default deregistration delay",
		src:  lbScenario("null", 0, `{"at": "2m", "service": "web", "desiredCount": 1}`),
		want: []string{"0s: has started 2 tasks:.", "40s: has reached a steady state.",
			"120s: has stopped 1 running tasks:.", "420s: has reached a steady state."},
	}, {
		// Revision 2 fails its health checks: started at 300 s, RUNNING
		// at 310 s, unhealthy at 310 + 10 x 2 = 330 s and stopped then
		// (the 2 healthy revision 1 tasks keep the desired count; delay 0)
		// and replaced; each replacement fails 30 s after its start.
		name: "failed target health checks are replaced",
		src:  lbScenario("0", 0, rev2Failing),
		want: []string{"0s: has started 2 tasks:.", "40s: has reached a steady state.",
			"300s: has started 2 tasks:.", "330s: has stopped 2 running tasks:.", "330s: has started 2 tasks:.",
			"360s: has stopped 2 running tasks:.", "360s: has started 2 tasks:.",
			"390s: has stopped 2 running tasks:.", "390s: has started 2 tasks:.",
			"420s: has stopped 2 running tasks:.", "420s: has started 2 tasks:.",
			"450s: has stopped 2 running tasks:.", "450s: has started 2 tasks:."},
	}, {
		// healthCheckGracePeriodSeconds 60 holds the verdict: unhealthy
		// at 330 s, but stopped and replaced only at 310 + 60 = 370 s,
		// and the replacements at 380 + 60 = 440 s.
		name: "grace period holds the verdict",
		src:  lbScenario("0", 60, rev2Failing),
		want: []string{"0s: has started 2 tasks:.", "40s: has reached a steady state.",
			"300s: has started 2 tasks:.", "370s: has stopped 2 running tasks:.", "370s: has started 2 tasks:.",
			"440s: has stopped 2 running tasks:.", "440s: has started 2 tasks:."},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := runPlanner(t, tc.src)
			if diff := cmp.Diff(tc.want, serviceTimeline(r)); diff != "" {
				t.Errorf("service events (-want +got):\n%s", diff)
			}
		})
	}
}

// Requests go to healthy targets only: ALBRequestCountPerTarget is the
// target group's RequestCount over its healthy targets. Without
// loadBalancers the implicit target group has every RUNNING task.
func TestTargetMetrics(t *testing.T) {
	task := func(status scheduler.TaskStatus, h scheduler.HealthStatus, registered, draining bool) *svcTask {
		return &svcTask{t: scheduler.Task{LastStatus: status, Health: h}, run: &Run{CPU: 512, MemoryMiB: 1024}, registered: registered, draining: draining}
	}
	healthy := task(scheduler.Running, scheduler.HealthHealthy, true, false)
	initial := task(scheduler.Running, scheduler.HealthUnknown, true, false)
	draining := task(scheduler.Running, scheduler.HealthHealthy, true, true)
	pending := task(scheduler.Pending, scheduler.HealthUnknown, false, false)
	for _, tc := range []struct {
		name  string
		tasks []*svcTask
		lb    bool
		want  [2]float64 // RequestCount, ALBRequestCountPerTarget
		ok    bool
	}{
		// 10 requests/s = 600 a minute shared by 2 healthy targets of 3
		// registered (the draining one gets none): 300 each.
		{"2 healthy of 3", []*svcTask{healthy, healthy, initial, draining, pending}, true, [2]float64{600, 300}, true},
		// None healthy yet: the load balancer fails open over the 2 registered.
		{"none healthy", []*svcTask{initial, initial, pending}, true, [2]float64{600, 300}, true},
		{"no target", []*svcTask{pending}, true, [2]float64{600, 0}, false},
		// No loadBalancers: every RUNNING task is a target, 600 / 4 = 150.
		{"implicit target group", []*svcTask{healthy, healthy, initial, draining, pending}, false, [2]float64{600, 150}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &svcState{usage: newModel(&scenario.UsageSpec{RequestsPerSecond: 10}, nil, nil)}
			st.tasks = tc.tasks
			for _, t := range tc.tasks {
				if t.t.LastStatus == scheduler.Running {
					st.running.add(t, 1) // as the run keeps it
				}
			}
			var got [2]float64
			var ok bool
			if tc.lb {
				st.groups = []*scheduler.TargetGroup{{}}
				got[0], got[1], ok = st.targetMetrics(0)
			} else {
				_, _, got[1], ok = st.serviceMetrics(0)
				got[0] = 600
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || ok != tc.ok {
				t.Errorf("metrics ok %v, want %v; (-want +got):\n%s", ok, tc.ok, diff)
			}
		})
	}
}

func TestReadScenarioLoadBalancerErrors(t *testing.T) {
	doc := func(tg, lb string) string {
		return `{"name": "x", "duration": "1h", ` + fleet10 + `, "targetGroups": [` + tg + `],
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 1, "loadBalancers": [` + lb + `]}]}`
	}
	svc := func(lb string) string { return doc(`{"name": "web"}`, lb) }
	tgs := func(tg string) string { return doc(tg, `{"targetGroupArn": "web", "containerPort": 80}`) }
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown target group", svc(`{"targetGroupArn": "api", "containerPort": 80}`),
			`sim: test.json: services[0].loadBalancers[0].targetGroupArn: "api" is not one of targetGroups`},
		{"unknown container", svc(`{"targetGroupArn": "web", "containerName": "nginx", "containerPort": 80}`),
			`sim: test.json: services[0].loadBalancers[0].containerName: "nginx", expected app (a scenario task definition has one container, app)`},
		{"no port", svc(`{"targetGroupArn": "web"}`),
			`sim: test.json: services[0]: loadBalancers[0].containerPort: 0, expected 1..65535`},
		{"bad threshold", tgs(`{"name": "web", "healthyThresholdCount": 1}`),
			`sim: test.json: targetGroups[0].healthyThresholdCount: 1, expected 2..10 (0 means the default)`},
		{"bad delay", tgs(`{"name": "web", "deregistrationDelayTimeoutSeconds": 4000}`),
			`sim: test.json: targetGroups[0].deregistrationDelayTimeoutSeconds: 4000, expected 0..3600`},
		{"twice", tgs(`{"name": "web"}, {"name": "web"}`),
			`sim: test.json: targetGroups[1].name: "web" is defined twice`},
		{"no name", tgs(`{}`),
			`sim: test.json: targetGroups[0].name: missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(tc.src), "test.json")
			if err == nil || err.Error() != tc.want {
				t.Errorf("ReadScenario error = %v, want %q", err, tc.want)
			}
		})
	}
}
