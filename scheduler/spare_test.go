package scheduler

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReconcileSpare reconciles a service whose desired count changes,
// once allocating every changed deployment list and once lending
// Observed.Spare the list of the state before the last (as a caller that
// keeps one state does), and wants the same deployments at every call,
// the spare used.
func TestReconcileSpare(t *testing.T) {
	td := taskDef("web", 1, 256, 512)
	checkSpare(t, "deployments", 60, 5*time.Second,
		func() *driver { return newDriver(t, replicaService(4, td), newCluster(t, 4, 2048, 4096)) },
		func(d *driver, k int) {
			if k%9 == 0 {
				d.svc = replicaService(2+k%7, td)
			}
		},
		func(s *State) []Deployment { return s.Deployments },
		func(o *Observed, spare []Deployment) { o.Spare = spare })
}

// TestReconcileSpareReported is TestReconcileSpare for the state's
// conditions: a service that alternately fits its cluster and does not
// (steady state, unable to place), once allocating every changed list
// and once lending Observed.SpareReported the list of the state before
// the last.
func TestReconcileSpareReported(t *testing.T) {
	td := taskDef("web", 1, 1024, 1024)
	checkSpare(t, "conditions", 80, EventRepeat/4,
		func() *driver { return newDriver(t, replicaService(2, td), newCluster(t, 2, 2048, 4096)) },
		func(d *driver, k int) {
			if k%6 == 0 {
				d.svc = replicaService(2+3*(k/6%2), td) // 2 fit, 5 do not
			}
		},
		func(s *State) []Event { return s.Reported },
		func(o *Observed, spare []Event) { o.SpareReported = spare })
}

// checkSpare runs a fresh driver for steps reconciliations (change may
// alter the service before each), once allocating every changed list of
// the state (list) and once lending the list of the state before the last
// (lend), and wants the same lists at every call and the lent room used.
func checkSpare[T any](t *testing.T, what string, steps int, every time.Duration, newD func() *driver,
	change func(d *driver, k int), list func(*State) []T, lend func(*Observed, []T)) {
	t.Helper()
	run := func(lending bool) (states [][]T, used int) {
		d := newD()
		var older []T
		for k := range steps {
			change(d, k)
			prev := list(&d.obs.State)
			if lending {
				lend(&d.obs, older)
			}
			p := d.reconcile()
			now := list(&p.State)
			if len(now) > 0 && cap(older) > 0 && &now[0] == &older[:1][0] {
				used++
			}
			states = append(states, slices.Clone(now))
			if len(now) == 0 || len(prev) == 0 || &now[0] != &prev[0] {
				older = prev // no state the test keeps reads it
			}
			d.step(every)
		}
		return states, used
	}
	want, _ := run(false)
	got, used := run(true)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s with a spare (-without +with):\n%s", what, diff)
	}
	if used == 0 {
		t.Errorf("no plan put its %s in the spare", what)
	}
}
