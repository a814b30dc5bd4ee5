package sim

import (
	"slices"
	"time"

	"github.com/berthsched/berth/scheduler"
	"github.com/berthsched/berth/sim/scenario"
)

// quotas is the run's account-wide launch throughput (docs/scenario.md
// "quotas"): RunTask's request bucket, shared by the standalone tasks, and
// Fargate's launch buckets, shared by the Fargate services. Each service's
// own launch rate is its svcState.launches, which package scheduler takes
// from. A launch that finds no token waits: an event at the instant the
// next token arrives wakes it, so nothing polls.
type quotas struct {
	runTask scheduler.TokenBucket
	// The RunTask call being filled: tasks of one family submitted at one
	// instant share a call of up to scheduler.MaxRunTaskCount tasks.
	callAt             time.Duration
	callGroup, callApp string
	callLeft           int
	// queued are the standalone tasks waiting for a RunTask token, in
	// arrival order; runTaskWake says a runTaskTokenEv is queued.
	queued      []queuedTask
	runTaskWake bool

	fargate [2]fargateQuota // FARGATE, FARGATE_SPOT
}

type queuedTask struct {
	spec item
	at   time.Duration // when it arrived
}

// fargateQuota is one of the account's Fargate launch buckets with the
// services that wait for its next token.
type fargateQuota struct {
	bucket  scheduler.TokenBucket
	waiting []*svcState
	wake    bool // a fargateTokenEv is queued
}

// Quota events: the next token of a bucket has arrived.
type (
	runTaskTokenEv struct{}
	fargateTokenEv struct{ spot bool }
	serviceTokenEv struct{ st *svcState }
)

func newQuotas(q *scenario.Quotas) *quotas {
	return &quotas{
		runTask: q.RunTask().TokenBucket(),
		fargate: [2]fargateQuota{{bucket: q.Fargate(false).TokenBucket()}, {bucket: q.Fargate(true).TokenBucket()}},
	}
}

// admit reports whether a standalone task arriving now may be submitted:
// it joins the RunTask call of its family made at this instant while that
// has room, or makes a new call with a request token. Otherwise it waits,
// behind any task already waiting, for the next token.
func (s *standalone) admit(spec item) bool {
	q := s.quota
	if len(q.queued) == 0 && q.call(s.core, spec) {
		return true
	}
	q.queued = append(q.queued, queuedTask{spec, s.eng.Now()})
	s.wakeRunTask()
	return false
}

// call places the task in a RunTask call made now, if it can.
func (q *quotas) call(c *core, spec item) bool {
	now := c.eng.Now()
	if q.callLeft > 0 && q.callAt == now && q.callGroup == spec.Group && q.callApp == spec.App {
		q.callLeft--
		return true
	}
	if q.runTask.Take(c.wall(), 1) == 0 {
		return false
	}
	q.callAt, q.callGroup, q.callApp, q.callLeft = now, spec.Group, spec.App, scheduler.MaxRunTaskCount-1
	return true
}

func (s *standalone) wakeRunTask() {
	q := s.quota
	if q.runTaskWake {
		return
	}
	q.runTaskWake = true
	s.eng.Schedule(q.runTask.Next(s.wall()).Sub(s.sc.StartTime()), runTaskTokenEv{})
}

// runTaskToken submits the waiting tasks the RunTask bucket now allows,
// in arrival order, and waits again for the rest.
func (s *standalone) runTaskToken() {
	q := s.quota
	q.runTaskWake = false
	k := 0
	for ; k < len(q.queued) && q.call(s.core, q.queued[k].spec); k++ {
		s.submitAt(q.queued[k].spec, q.queued[k].at)
	}
	clear(q.queued[:k])
	q.queued = q.queued[k:]
	if len(q.queued) > 0 {
		s.wakeRunTask()
	}
}

// fargateToken takes the account's Fargate launch token for one task of
// the service on provider pr; without one the service waits for the next.
func (pv *providers) fargateToken(st *svcState, pr *svcProvider) bool {
	spot := pr.name == scenario.ProviderFargateSpot
	f := &pv.quota.fargate[b2i(spot)]
	if f.bucket.Take(pv.wall(), 1) == 1 {
		return true
	}
	if !slices.Contains(f.waiting, st) {
		f.waiting = append(f.waiting, st)
	}
	if !f.wake {
		f.wake = true
		pv.eng.Schedule(f.bucket.Next(pv.wall()).Sub(pv.sc.StartTime()), fargateTokenEv{spot})
	}
	return false
}

// fargateTokenArrived reconciles the services that waited for a Fargate
// token: their shortfall provisions what the bucket now allows.
func (sv *services) fargateTokenArrived(spot bool) {
	f := &sv.quota.fargate[b2i(spot)]
	f.wake = false
	for _, st := range f.waiting {
		sv.queueReconcile(st)
	}
	clear(f.waiting)
	f.waiting = f.waiting[:0]
}

// serviceTokenAt wakes the service when its next launch token arrives,
// when the launch rate held its starts back.
func (sv *services) serviceTokenAt(st *svcState, at time.Time) {
	if at.IsZero() || st.tokenWake {
		return
	}
	st.tokenWake = true
	sv.eng.Schedule(at.Sub(sv.sc.StartTime()), serviceTokenEv{st})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
