package scheduler

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReconcileLentPlan reconciles a service whose desired count goes up
// and down (starts, stops, events), once with a new plan at every call
// and once lending Observed.Plan the plan of the call before (as a caller
// that applies each plan before the next call does), and wants the same
// plans at every call, the lent one returned.
func TestReconcileLentPlan(t *testing.T) {
	// view is what a plan says, copied out of it: a lent plan is
	// overwritten by the next call.
	type view struct {
		Starts, Stops, Events []string
		Deployments           []Deployment
		Reported              []Event
		TokenAt               time.Time
	}
	run := func(lend bool) (views []view, reused int) {
		td := taskDef("web", 1, 256, 512)
		d := newDriver(t, replicaService(4, td), newCluster(t, 4, 2048, 4096))
		var lent Plan
		for k := range 60 {
			if k%7 == 0 {
				d.svc = replicaService(1+(k*5)%11, td)
			}
			if lend {
				d.obs.Plan = &lent
			}
			p := d.reconcile()
			if lend && p == &lent {
				reused++
			}
			var v view
			for _, s := range p.Starts {
				v.Starts = append(v.Starts, fmt.Sprintf("%s %s %s %s", s.ID, s.Deployment, s.Group, s.Placement.Instance.ARN))
			}
			for _, s := range p.Stops {
				v.Stops = append(v.Stops, s.ID+" "+s.Reason)
			}
			v.Events = messages(p)
			v.Deployments = append(v.Deployments, p.State.Deployments...)
			v.Reported = append(v.Reported, p.State.Reported...)
			v.TokenAt = p.TokenAt
			views = append(views, v)
			d.step(5 * time.Second)
		}
		return views, reused
	}
	want, _ := run(false)
	got, reused := run(true)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plans with a lent plan (-without +with):\n%s", diff)
	}
	if reused != len(got) {
		t.Errorf("%d of %d calls returned the lent plan", reused, len(got))
	}
	starts, stops := 0, 0
	for _, v := range want {
		starts += len(v.Starts)
		stops += len(v.Stops)
	}
	if starts == 0 || stops == 0 {
		t.Errorf("%d starts, %d stops: the service did not scale both ways", starts, stops)
	}
}
