package sim

import (
	"slices"
	"time"
)

// ServiceEventRecord is a service event message (ECS's wording) at a
// simulated time.
type ServiceEventRecord struct {
	Time    time.Duration
	Service string
	Message string
}

// ScalingActivity is a change of a service's desired count (Application
// Auto Scaling), of a capacity provider's group (managed scaling) or a
// Spot notice, with its cause.
type ScalingActivity struct {
	Time time.Duration
	// Target is the service or capacity provider; Kind is service,
	// provider or spot.
	Target, Kind string
	From, To     int
	Cause        string
}

// ServicePoint is a service's timeline sample.
type ServicePoint struct {
	Time    time.Duration
	Service string
	Desired int
	Running int
	// Pending counts PENDING and PROVISIONING tasks.
	Pending int
	// CPU and Memory are ECSServiceAverageCPUUtilization and
	// ECSServiceAverageMemoryUtilization, percent.
	CPU, Memory float64
}

// ProviderPoint is a capacity provider's timeline sample.
type ProviderPoint struct {
	Time     time.Duration
	Provider string
	// Instances are ACTIVE or DRAINING, Launching REGISTERING.
	Instances, Launching int
	// Reservation is CapacityProviderReservation, percent.
	Reservation  float64
	Provisioning int
}

// ServiceSummary is a service's figures for the run.
type ServiceSummary struct {
	Name    string `json:"name"`
	Desired int    `json:"desiredAtEnd"`
	Running int    `json:"runningAtEnd"`
	Started int    `json:"tasksStarted"`
	Stopped int    `json:"tasksStopped"`
	// FailedLaunches stopped before RUNNING; Lost went with their instance.
	FailedLaunches int `json:"failedLaunches"`
	Lost           int `json:"lost"`
	// BelowDesiredPercent is the share of the run during which fewer of
	// its tasks ran than desired, sampled every simulated minute, percent.
	BelowDesiredPercent float64 `json:"belowDesiredPercent"`
	// TimeToStart is from the task being missing (PROVISIONING with a
	// capacity provider) to its start, seconds.
	TimeToStart Percentiles `json:"timeToStartSeconds"`
	// Rollout is the primary deployment's state at the end.
	Rollout string `json:"rolloutState"`
}

// plannerOutput collects what the planner reports during a run; off
// (Options.SummaryOnly) keeps nothing.
type plannerOutput struct {
	off       bool
	events    records[ServiceEventRecord]
	scales    records[ScalingActivity]
	services  []ServicePoint
	providers []ProviderPoint
}

func (o *plannerOutput) event(at time.Duration, service, msg string) {
	if o.off {
		return
	}
	o.events.add(ServiceEventRecord{at, service, msg})
}

func (o *plannerOutput) scaling(at time.Duration, target, kind string, from, to int, cause string) {
	if o.off {
		return
	}
	o.scales.add(ScalingActivity{at, target, kind, from, to, cause})
}

// records collects a run's records, of a number not known in advance, in
// chunks that are never copied as they fill, and makes them one slice at
// the end (all). Appending to one slice copies it at every growth (by a
// quarter, once it is large): over a day of a large plan, about four times
// the records' size allocated, against twice here.
type records[T any] struct {
	full [][]T // filled chunks
	cur  []T   // the chunk filling
	n    int   // records in all chunks
}

// maxChunk bounds a chunk's records, so that the room left unused in the
// last one stays small.
const maxChunk = 4096

func (r *records[T]) add(v T) {
	if len(r.cur) == cap(r.cur) {
		if r.cur != nil {
			r.full = append(r.full, r.cur)
		}
		r.cur = make([]T, 0, min(max(64, r.n), maxChunk))
	}
	r.cur = append(r.cur, v)
	r.n++
}

// all returns the records in the order added: the only chunk, or a copy
// of all of them; nil when there are none.
func (r *records[T]) all() []T {
	if len(r.full) == 0 {
		return r.cur
	}
	out := make([]T, 0, r.n)
	for _, c := range r.full {
		out = append(out, c...)
	}
	return append(out, r.cur...)
}

// finishPlanner fills the result's planner parts.
func (s *simulator) finishPlanner(r *Result) {
	if s.services == nil {
		return
	}
	out := s.services.out
	r.ServiceEvents, r.Scaling, r.Services, r.Providers = out.events.all(), out.scales.all(), out.services, out.providers
	if len(s.providers.provs) > 0 || len(s.services.svcs) > 0 {
		r.Summary.CostByProvider = s.providers.costByProvider()
	}
	for _, st := range s.services.svcs {
		run, _ := st.counts()
		w := slices.Clone(st.waits)
		slices.Sort(w)
		ss := ServiceSummary{Name: st.spec.Name, Desired: st.desired(), Running: run, Started: st.started, Stopped: st.stoppedN,
			FailedLaunches: st.failedLaunch, Lost: st.lost, TimeToStart: Percentiles{quantile(0.5, w), quantile(0.95, w), quantile(0.99, w)},
			BelowDesiredPercent: round2(percent(float64(st.belowMinutes), float64(s.services.minutes)))}
		if d := st.state.Primary(); d != nil {
			ss.Rollout = string(d.RolloutState)
		}
		r.Summary.Services = append(r.Summary.Services, ss)
	}
}

// HasPlanner reports whether the run had services or capacity providers.
func (r *Result) HasPlanner() bool { return len(r.Services) > 0 || len(r.Providers) > 0 }
