package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/sim/scenario"
)

// twoProviders is a fleet of nothing but two capacity providers of two
// m5.xlarge each, without managed scaling.
const twoProviders = `"fleet": {"instanceTypes": [{"name": "m5.xlarge", "cpu": 4096, "memory": 15000, "pricePerHour": 0.192}]},
  "capacityProviders": [
    {"name": "a", "instanceTypes": ["m5.xlarge"], "zones": ["z1"], "minSize": 2, "maxSize": 2},
    {"name": "b", "instanceTypes": ["m5.xlarge"], "zones": ["z1"], "minSize": 2, "maxSize": 2}]`

// A revision that crashes, deployed to a service over two capacity
// providers, is one deployment with one circuit breaker count, as ECS
// has it. Desired 4 split 1:1 is 2 tasks on each provider. The
// threshold is BOUNDED_PERCENT 50% x 4 = 2, clamped to the minimum 3.
// maximumPercent 200 lets all 4 new tasks start at once (8 counted);
// all 4 crash before RUNNING, so the breaker sees 4 >= 3 failures and
// fails the deployment once: 4 failed launches, one "deployment failed"
// and one rollback, after which 4 tasks of revision 1 run, 2 on each
// provider. (Reconciled as one shard per provider, each shard had
// desired 2 and threshold 3: 2 failures, a second launch of 2, and 8
// failed launches with two fail/rollback pairs.)
func TestPlannerStrategyOneDeployment(t *testing.T) {
	r, _ := runPlanner(t, `{"name": "cb", "seed": 1, "duration": "1h", `+twoProviders+`,
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 4,
    "capacityProviderStrategy": [{"capacityProvider": "a", "weight": 1}, {"capacityProvider": "b", "weight": 1}],
    "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}}],
  "serviceEvents": [{"at": "10m", "service": "web", "taskDefinition": {"family": "web", "revision": 2, "cpu": 512, "memory": 1024, "crash": true}}]}`)
	failed, rollbacks := 0, 0
	for _, e := range r.ServiceEvents {
		switch {
		case strings.HasSuffix(e.Message, "deployment failed: tasks failed to start."):
			failed++
		case strings.Contains(e.Message, "rolling back to deployment"):
			rollbacks++
		}
	}
	if failed != 1 || rollbacks != 1 {
		t.Errorf("%d deployment failures and %d rollbacks, want 1 and 1", failed, rollbacks)
	}
	s := serviceSummary(t, r, "web")
	if s.FailedLaunches != 4 || s.Running != 4 {
		t.Errorf("web: %d failed launches and %d running, want 4 and 4", s.FailedLaunches, s.Running)
	}
}

// Scale-out and scale-in follow the strategy: base 1 on a, then a:b
// 1:2. Desired 7 is the base plus 6 by 1:2, so a 1+2 = 3 and b 4. Desired
// 4 at 20m is the base plus 3 by 1:2, a 1+1 = 2 and b 2: one task stops
// on a and two on b.
func TestPlannerStrategySplit(t *testing.T) {
	src := `{"name": "split", "seed": 1, "duration": "%s", ` + twoProviders + `,
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 512, "memory": 1024}, "desiredCount": 7,
    "capacityProviderStrategy": [{"capacityProvider": "a", "base": 1, "weight": 1}, {"capacityProvider": "b", "weight": 2}]}],
  "serviceEvents": [{"at": "20m", "service": "web", "desiredCount": 4}]}`
	for _, tc := range []struct {
		until string
		want  map[string]int
	}{
		{"15m", map[string]int{"a": 3, "b": 4}},
		{"40m", map[string]int{"a": 2, "b": 2}},
	} {
		s := runSimulator(t, fmt.Sprintf(src, tc.until))
		got := map[string]int{}
		for _, tk := range s.services.byName["web"].tasks {
			got[s.providers.instanceProvider(tk.inst)]++
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("at %s: web's tasks per provider (-want +got):\n%s", tc.until, diff)
		}
	}
}

// runSimulator runs a scenario to its end and returns the simulator, for
// tests that look at its state.
func runSimulator(t *testing.T, src string) *simulator {
	t.Helper()
	sc, err := scenario.ReadScenario(strings.NewReader(src), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSimulator(sc, scenario.Variant{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.exec.Close()
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	s.eng.Run(time.Duration(sc.Duration))
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s
}
