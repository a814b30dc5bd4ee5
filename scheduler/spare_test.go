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
	run := func(lend bool) (states [][]Deployment, used int) {
		td := taskDef("web", 1, 256, 512)
		d := newDriver(t, replicaService(4, td), newCluster(t, 4, 2048, 4096))
		var older []Deployment
		for k := range 60 {
			if k%9 == 0 {
				d.svc = replicaService(2+k%7, td)
			}
			prev := d.obs.State.Deployments
			if lend {
				d.obs.Spare = older
			}
			p := d.reconcile()
			now := p.State.Deployments
			if len(now) > 0 && cap(older) > 0 && &now[0] == &older[:1][0] {
				used++
			}
			states = append(states, slices.Clone(now))
			if len(now) == 0 || len(prev) == 0 || &now[0] != &prev[0] {
				older = prev // no state the test keeps reads it
			}
			d.step(5 * time.Second)
		}
		return states, used
	}
	want, _ := run(false)
	got, used := run(true)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deployments with a spare (-without +with):\n%s", diff)
	}
	if used == 0 {
		t.Errorf("no plan put its deployments in the spare")
	}
}

// TestReconcileSpareReported is TestReconcileSpare for the state's
// conditions: a service that alternately fits its cluster and does not
// (steady state, unable to place), once allocating every changed list
// and once lending Observed.SpareReported the list of the state before
// the last.
func TestReconcileSpareReported(t *testing.T) {
	run := func(lend bool) (states [][]Event, used int) {
		td := taskDef("web", 1, 1024, 1024)
		d := newDriver(t, replicaService(2, td), newCluster(t, 2, 2048, 4096))
		var older []Event
		for k := range 80 {
			if k%6 == 0 {
				d.svc = replicaService(2+3*(k/6%2), td) // 2 fit, 5 do not
			}
			prev := d.obs.State.Reported
			if lend {
				d.obs.SpareReported = older
			}
			p := d.reconcile()
			now := p.State.Reported
			if len(now) > 0 && cap(older) > 0 && &now[0] == &older[:1][0] {
				used++
			}
			states = append(states, slices.Clone(now))
			if len(now) == 0 || len(prev) == 0 || &now[0] != &prev[0] {
				older = prev // no state the test keeps reads it
			}
			d.step(EventRepeat / 4)
		}
		return states, used
	}
	want, _ := run(false)
	got, used := run(true)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conditions with a spare (-without +with):\n%s", diff)
	}
	if used == 0 {
		t.Errorf("no plan put its conditions in the spare")
	}
}
