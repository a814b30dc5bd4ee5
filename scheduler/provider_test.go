package scheduler

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/berthsched/berth/placement"
)

// zoneStrategy is a capacity provider strategy whose providers are the
// test cluster's zones: provider "a" has the instances of us-east-1a, and
// so on.
func zoneStrategy(tb testing.TB, items ...CapacityProviderStrategyItem) []CapacityProviderStrategyItem {
	tb.Helper()
	for i := range items {
		con, err := placement.NewMemberOf("attribute:ecs.availability-zone == us-east-1" + items[i].CapacityProvider)
		if err != nil {
			tb.Fatal(err)
		}
		items[i].Instances = con
	}
	return items
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		items []CapacityProviderStrategyItem
		n     int
		want  []int
	}{
		{"weights 1 and 4: one task on a for every four on b", []CapacityProviderStrategyItem{{CapacityProvider: "a", Weight: 1}, {CapacityProvider: "b", Weight: 4}}, 10, []int{2, 8}},
		{"base 2 first, then 1:1", []CapacityProviderStrategyItem{{CapacityProvider: "a", Weight: 1, Base: 2}, {CapacityProvider: "b", Weight: 1}}, 10, []int{6, 4}},
		{"odd count 1:1, tie to the first", []CapacityProviderStrategyItem{{CapacityProvider: "a", Weight: 1}, {CapacityProvider: "b", Weight: 1}}, 3, []int{2, 1}},
		{"fewer tasks than the base", []CapacityProviderStrategyItem{{CapacityProvider: "a", Weight: 1, Base: 5}, {CapacityProvider: "b", Weight: 1}}, 3, []int{3, 0}},
		{"base on a weight-0 provider", []CapacityProviderStrategyItem{{CapacityProvider: "a", Base: 2}, {CapacityProvider: "b", Weight: 1}}, 5, []int{2, 3}},
		{"weight 0 gets nothing", []CapacityProviderStrategyItem{{CapacityProvider: "a"}, {CapacityProvider: "b", Weight: 3}}, 4, []int{0, 4}},
		{"base on the second provider", []CapacityProviderStrategyItem{{CapacityProvider: "a", Weight: 1}, {CapacityProvider: "b", Weight: 1, Base: 3}}, 5, []int{1, 4}},
	}
	for _, tt := range tests {
		svc := &Service{CapacityProviderStrategy: tt.items}
		if diff := cmp.Diff(tt.want, svc.Split(tt.n)); diff != "" {
			t.Errorf("%s: Split(%d) (-want +got):\n%s", tt.name, tt.n, diff)
		}
	}
}

// genStrategy draws a valid strategy over the providers a, b and c.
func genStrategy(t *rapid.T) []CapacityProviderStrategyItem {
	n := rapid.IntRange(1, 3).Draw(t, "providers")
	items := make([]CapacityProviderStrategyItem, n)
	for i := range items {
		items[i] = CapacityProviderStrategyItem{CapacityProvider: string(rune('a' + i)), Weight: rapid.IntRange(0, 4).Draw(t, "weight")}
	}
	if n > 1 {
		items[rapid.IntRange(0, n-1).Draw(t, "weighted")].Weight = rapid.IntRange(1, 4).Draw(t, "w")
	}
	if rapid.Bool().Draw(t, "hasBase") {
		items[rapid.IntRange(0, n-1).Draw(t, "baseItem")].Base = rapid.IntRange(1, 5).Draw(t, "base")
	}
	return items
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func add(a, b []int, sign int) []int {
	out := make([]int, len(a))
	for i := range a {
		out[i] = a[i] + sign*b[i]
	}
	return out
}

// TestPropSplitScaleOutIn: scaling out from the split of n by m (Assign)
// gives the split of n+m, scaling in by m (Shed) the split of n-m; the
// base is met first and kept last; every provider's count stays within
// what it had and what it gets.
func TestPropSplitScaleOutIn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		svc := &Service{CapacityProviderStrategy: genStrategy(t)}
		n := rapid.IntRange(0, 60).Draw(t, "n")
		m := rapid.IntRange(0, 60).Draw(t, "m")
		split := svc.Split(n)
		if sum(split) != n {
			t.Fatalf("Split(%d) = %v, sums to %d", n, split, sum(split))
		}
		for i, it := range svc.CapacityProviderStrategy {
			if split[i] < min(it.Base, n) {
				t.Fatalf("Split(%d) = %v: provider %s below its base %d", n, split, it.CapacityProvider, it.Base)
			}
			if it.Weight == 0 && len(svc.CapacityProviderStrategy) > 1 && split[i] > it.Base {
				t.Fatalf("Split(%d) = %v: weight-0 provider %s has more than its base", n, split, it.CapacityProvider)
			}
		}
		if got, want := add(split, svc.Assign(split, m), 1), svc.Split(n+m); !cmp.Equal(got, want) {
			t.Fatalf("Split(%d) %v + Assign(%d) = %v, want Split(%d) = %v", n, split, m, got, n+m, want)
		}
		shed := svc.Shed(split, m)
		for i := range shed {
			if shed[i] > split[i] {
				t.Fatalf("Shed(%v, %d) = %v takes more than provider %d has", split, m, shed, i)
			}
		}
		if got, want := add(split, shed, -1), svc.Split(max(n-m, 0)); !cmp.Equal(got, want) {
			t.Fatalf("Split(%d) %v - Shed(%d) = %v, want Split(%d) = %v", n, split, m, got, max(n-m, 0), want)
		}
	})
}

// providerCounts counts the wanted tasks on each zone provider a, b, c.
func (d *driver) providerCounts() []int {
	out := make([]int, len(d.svc.CapacityProviderStrategy))
	for _, tk := range d.obs.Tasks {
		if tk.DesiredStatus == Stopped {
			continue
		}
		if k := d.svc.providerOf(d.c.TaskInstance(tk.Placement)); k >= 0 {
			out[k]++
		}
	}
	return out
}

// TestReconcileStrategy: one service over two providers. Scale-out puts
// the base first, then splits by weight; scale-in sheds from the
// providers above their share; the base stays.
func TestReconcileStrategy(t *testing.T) {
	c := newCluster(t, 6, 4096, 8192) // zones a, b, c, a, b, c
	svc := replicaService(9, taskDef("web", 1, 256, 512))
	svc.CapacityProviderStrategy = zoneStrategy(t,
		CapacityProviderStrategyItem{CapacityProvider: "a", Weight: 1, Base: 1},
		CapacityProviderStrategyItem{CapacityProvider: "b", Weight: 3})
	d := newDriver(t, svc, c)
	d.settle()
	// 9 tasks: the base, 1 on a; the other 8 by 1:3, 2 on a and 6 on b.
	if diff := cmp.Diff([]int{3, 6}, d.providerCounts()); diff != "" {
		t.Fatalf("desired 9: tasks per provider (-want +got):\n%s", diff)
	}
	// 5 tasks: the base, then 4 by 1:3, so a 1+1 and b 3; 4 stop, 1 on a
	// and 3 on b.
	*svc.DesiredCount = 5
	d.settle()
	if diff := cmp.Diff([]int{2, 3}, d.providerCounts()); diff != "" {
		t.Fatalf("desired 5: tasks per provider (-want +got):\n%s", diff)
	}
	if n := d.count(0, Running); n != 5 {
		t.Fatalf("desired 5: %d RUNNING, want 5", n)
	}
}

// TestReconcileStrategyNoFallback: a provider without capacity leaves its
// share unplaced (an event), and the other provider does not take it.
func TestReconcileStrategyNoFallback(t *testing.T) {
	c := newCluster(t, 2, 4096, 8192) // zones a and b; nothing in c
	svc := replicaService(4, taskDef("web", 1, 256, 512))
	svc.CapacityProviderStrategy = zoneStrategy(t,
		CapacityProviderStrategyItem{CapacityProvider: "a", Weight: 1},
		CapacityProviderStrategyItem{CapacityProvider: "c", Weight: 1})
	d := newDriver(t, svc, c)
	p := d.reconcile()
	if diff := cmp.Diff([]int{2, 0}, d.providerCounts()); diff != "" {
		t.Errorf("tasks per provider (-want +got):\n%s", diff)
	}
	if !hasMessage(p, "was unable to place a task") {
		t.Errorf("events %q, want an unable-to-place event", messages(p))
	}
}

// TestReconcileStrategyOneBreaker: a revision that never starts, over two
// providers, fails one deployment after the circuit breaker's threshold
// of failures across both providers. Desired 4 gives BOUNDED_PERCENT 50%
// x 4 = 2, clamped to 3: the third failed launch, wherever it ran, fails
// the deployment, and one rollback follows.
func TestReconcileStrategyOneBreaker(t *testing.T) {
	c := newCluster(t, 3, 4096, 8192)
	svc := replicaService(4, taskDef("web", 1, 256, 512))
	svc.CapacityProviderStrategy = zoneStrategy(t,
		CapacityProviderStrategyItem{CapacityProvider: "a", Weight: 1},
		CapacityProviderStrategyItem{CapacityProvider: "b", Weight: 1})
	svc.DeploymentConfiguration.CircuitBreaker = &CircuitBreaker{Enable: true, Rollback: true}
	d := newDriver(t, svc, c)
	d.settle()
	svc.TaskDefinition = taskDef("web", 2, 256, 512)
	d.failLaunch[2] = true
	var failed, rollbacks int
	for range 40 {
		p := d.reconcile()
		for _, m := range messages(p) {
			switch {
			case hasSuffix(m, "deployment failed: tasks failed to start."):
				failed++
			case hasSuffix(m, "rolling back to deployment "+d.plans[0].State.Primary().ID+"."):
				rollbacks++
			}
		}
		d.step(time.Minute)
	}
	if failed != 1 || rollbacks != 1 {
		t.Errorf("%d deployment failures and %d rollbacks, want 1 and 1", failed, rollbacks)
	}
	if n := d.count(1, Running); n != 4 {
		t.Errorf("after the rollback: %d RUNNING tasks of revision 1, want 4", n)
	}
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// TestPropReplicaStrategy: with a capacity provider strategy a service
// never exceeds maximumPercent (checkedReconcile), converges to the
// desired count, and its tasks sit only on the strategy's providers.
func TestPropReplicaStrategy(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, false)
		items := genStrategy(t)
		for i := range items {
			con, err := placement.NewMemberOf("attribute:ecs.availability-zone == us-east-1" + items[i].CapacityProvider)
			if err != nil {
				t.Fatal(err)
			}
			items[i].Instances = con
		}
		w.svc.CapacityProviderStrategy = items
		for range rapid.IntRange(0, 40).Draw(t, "events") {
			w.event(t)
		}
		for range 3 { // room on every provider: quiesce adds desired+1 instances over the zones
			if err := w.c.AddInstance(newInstance(w.next, 4096, 8192)); err != nil {
				t.Fatal(err)
			}
			w.next++
		}
		w.quiesce(t)
		desired := *w.svc.DesiredCount
		if got := w.count(w.rev, Running); got != desired {
			t.Fatalf("converged to %d RUNNING tasks of revision %d, want desiredCount %d", got, w.rev, desired)
		}
		// ECS does not move running tasks between providers to restore the
		// split (a lost task is replaced where the split lacks one, but a
		// scale-in in between may leave another provider ahead), so the
		// counts need not be Split(desired); but no task runs off the
		// strategy's providers, and a weight-0 provider never holds more
		// than its base.
		counts := w.providerCounts()
		if sum(counts) != desired {
			t.Fatalf("tasks per provider %v, sum %d, want every one of the %d tasks on a provider of the strategy", counts, sum(counts), desired)
		}
		for i, it := range items {
			if len(items) > 1 && it.Weight == 0 && counts[i] > it.Base {
				t.Fatalf("tasks per provider %v: weight-0 provider %s holds more than its base %d", counts, it.CapacityProvider, it.Base)
			}
		}
	})
}
