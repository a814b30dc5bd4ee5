package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/autoscale"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
	"github.com/berthsched/berth/sim/trace"
)

// providerState is an Auto Scaling group capacity provider through the
// run.
type providerState struct {
	spec    *scenario.CapacityProviderSpec
	asg     *autoscale.AutoScalingGroupProvider
	typ     *scenario.InstanceType
	attrs   map[string]string
	zone    int                   // next zone, round robin
	members []*placement.Instance // launched and not yet gone, in launch order
	history []float64             // CapacityProviderReservation datapoints
	last    autoscale.ProviderDecision
	buf     []autoscale.Instance // reused by manage
}

func newProviderState(spec *scenario.CapacityProviderSpec, types map[string]*scenario.InstanceType) *providerState {
	return &providerState{spec: spec, asg: spec.Provider(types), typ: types[spec.InstanceTypes[0]],
		attrs: map[string]string{scenario.ProviderAttribute: spec.Name}}
}

// instanceProvider returns the capacity provider of an instance ("" for
// the fleet's own).
func (p *planner) instanceProvider(in *placement.Instance) string {
	if p == nil || in == nil {
		return ""
	}
	v, _ := in.Attribute(scenario.ProviderAttribute)
	return v
}

// startProviders launches each group's initial instances, registered at
// the start.
func (s *simulator) startProviders() error {
	for _, ps := range s.pl.providers {
		n := ps.spec.MinSize
		if ps.spec.DesiredCapacity != nil {
			n = *ps.spec.DesiredCapacity
		}
		for range n {
			if err := s.launch(ps, placement.StatusActive); err != nil {
				return err
			}
		}
	}
	return nil
}

// launch adds one instance to the group: ACTIVE at once at the start,
// otherwise REGISTERING for the launch delay.
func (s *simulator) launch(ps *providerState, status placement.Status) error {
	zone := ps.spec.Zones[ps.zone%len(ps.spec.Zones)]
	ps.zone++
	in, err := s.fleet.add(ps.typ, zone, ps.attrs, status, "", "")
	if err != nil {
		return err
	}
	if ps.spec.Spot {
		s.fleet.info[in.Index()].price = ps.typ.PricePerHour * ps.spec.SpotPriceFactor
	}
	ps.members = append(ps.members, in)
	if status != placement.StatusActive {
		s.eng.After(time.Duration(ps.spec.LaunchDelay), registered{in})
	} else {
		s.armSpot(in)
	}
	return nil
}

// armSpot draws when a Spot instance is interrupted.
func (s *simulator) armSpot(in *placement.Instance) {
	rate := 0.0
	switch p := s.pl.instanceProvider(in); p {
	case "":
		return
	case scenario.ProviderFargateSpot:
		rate = s.pl.fargate.SpotInterruptionsPerHour
	default:
		if ps := s.pl.byProv[p]; ps != nil && ps.spec.Spot {
			rate = ps.spec.InterruptionsPerHour
		}
	}
	if rate <= 0 {
		return
	}
	d := time.Duration(s.pl.spotRNG.ExpFloat64() / rate * float64(time.Hour))
	if d < time.Duration(s.sc.Duration) {
		s.eng.After(d, spotNoticeEv{in})
	}
}

// spotNotice is the two-minute warning: the instance drains, so that its
// service tasks are replaced before it goes.
func (s *simulator) spotNotice(in *placement.Instance) {
	if in.Status != placement.StatusActive {
		return
	}
	s.fleet.cluster.Update(in, func(in *placement.Instance) { in.Status = placement.StatusDraining })
	s.log.instance(s.eng.Now(), trace.KindInstanceDrain, in, s.fleet.info[in.Index()], "spot interruption notice")
	s.pl.out.scaling(s.eng.Now(), s.pl.instanceProvider(in), "spot", 0, 0, "interruption notice for "+s.fleet.info[in.Index()].id)
	// An interrupted Fargate Spot task takes its capacity with it when it
	// exits, within the notice.
	if s.pl.instanceProvider(in) != scenario.ProviderFargateSpot || !s.fargateSpotNotice(in) {
		s.eng.After(spotNotice, spotKillEv{in})
	}
	s.changed()
}

// fargateSpotNotice interrupts the FARGATE_SPOT task on in as ECS does:
// SIGTERM at the notice, so the task is stopping from then on (its
// service starts the replacement now, within maximumPercent), and it
// exits after its stopTimeout (berth assumes it takes all of it), with
// stopCode SpotInterruption. A stopTimeout is at most the two minutes of
// the notice, so the task's exit, which releases its capacity, ends the
// interruption. It reports whether in had a task to stop.
func (s *simulator) fargateSpotNotice(in *placement.Instance) bool {
	name, _ := in.Attribute("berth.service")
	st := s.pl.byName[name]
	if st == nil {
		return false
	}
	stopping := false
	for _, sh := range st.shards {
		for _, t := range sh.tasks {
			if t.inst != in || t.t.DesiredStatus == scheduler.Stopped {
				continue
			}
			t.t.DesiredStatus = scheduler.Stopped
			t.reason, t.code = ReasonSpotInterrupted, scheduler.SpotInterruption
			s.eng.After(t.td.StopTimeoutOrDefault(), spotStopEv{t})
			s.queueReconcile(sh)
			stopping = true
		}
	}
	return stopping
}

// spotStop ends an interrupted Fargate Spot task at the end of its
// stopTimeout.
func (s *simulator) spotStop(t *svcTask) {
	if _, live := s.pl.tasks[t.run.ID]; live {
		_ = s.exec.Stop(t.run, t.reason) // an error: it already ended
	}
}

func (s *simulator) spotKill(in *placement.Instance) {
	if in.Status == placement.StatusInactive {
		return
	}
	s.instanceEvent(in, "fail")
	s.dropMember(in)
	s.changed()
}

// dropMember removes a gone instance from its group.
func (s *simulator) dropMember(in *placement.Instance) {
	ps := s.pl.byProv[s.pl.instanceProvider(in)]
	if ps == nil {
		return
	}
	for i, m := range ps.members {
		if m == in {
			ps.members = append(ps.members[:i], ps.members[i+1:]...)
			return
		}
	}
}

// provisionFargate starts Fargate capacity for one task of the shard: an
// instance of exactly the task's size that registers after the
// provisioning delay and goes away when its task stops.
func (s *simulator) provisionFargate(sh *svcShard) {
	td := &sh.svc.spec.TaskDefinition
	if cur := sh.sched.TaskDefinition; cur != nil {
		r := cur.Requirements()
		td = &scenario.TaskDefSpec{Family: cur.Family, CPU: r.CPU, MemoryMiB: r.MemoryMiB}
	}
	f := s.pl.fargate
	name := fmt.Sprintf("fargate-%dcpu-%dmb", td.CPU, td.MemoryMiB)
	typ := s.fleet.types[name]
	if typ == nil {
		price := float64(td.CPU)/1024*f.PricePerVCPUHour + float64(td.MemoryMiB)/1024*f.PricePerGBHour
		one := 1 // the task's own ENI: Fargate tasks are awsvpc
		typ = &scenario.InstanceType{Name: name, CPU: max(td.CPU, 1), MemoryMiB: td.MemoryMiB, PricePerHour: price, ENIs: &one}
		s.fleet.types[name] = typ
	}
	attrs := map[string]string{scenario.ProviderAttribute: sh.provider, "berth.service": sh.svc.spec.Name}
	in, err := s.fleet.add(typ, "fargate", attrs, placement.StatusRegistering, "", "")
	if err != nil {
		s.fail(err)
		return
	}
	if sh.provider == scenario.ProviderFargateSpot {
		s.fleet.info[in.Index()].price = typ.PricePerHour * f.SpotDiscount
	}
	sh.fargate = append(sh.fargate, in)
	s.eng.After(time.Duration(f.ProvisionDelay), registered{in})
}

// releaseFargate deregisters a Fargate task's capacity once it stopped.
func (s *simulator) releaseFargate(in *placement.Instance) {
	if in.Status == placement.StatusInactive {
		return
	}
	s.fleet.cluster.Update(in, func(in *placement.Instance) { in.Status = placement.StatusInactive })
	inf := s.fleet.info[in.Index()]
	inf.removed = s.eng.Now()
	s.log.instance(s.eng.Now(), trace.KindInstanceDeregister, in, inf, "fargate task stopped")
}

// manage runs managed scaling on every group once a minute.
func (s *simulator) manage() {
	for _, ps := range s.pl.providers {
		in := autoscale.ProviderInput{Now: s.wall(), Reservations: ps.history, Instances: ps.buf[:0]}
		for _, m := range ps.members {
			if m.Status != placement.StatusActive && m.Status != placement.StatusRegistering {
				continue
			}
			inf := s.fleet.info[m.Index()]
			in.Instances = append(in.Instances, autoscale.Instance{ID: inf.id, LaunchTime: scenario.Epoch.Add(inf.added), NonDaemonTasks: s.nonDaemonTasks(m)})
		}
		ps.buf = in.Instances
		in.Provisioning = s.provisioning(ps.spec.Name)
		d := ps.asg.Scale(in)
		ps.last = d
		ps.history = append(ps.history, d.Reservation)
		if len(ps.history) > 4*autoscale.ScaleInDatapoints {
			ps.history = append(ps.history[:0], ps.history[len(ps.history)-autoscale.ScaleInDatapoints:]...)
		}
		launch := min(d.Launch, ps.spec.MaxSize-d.N)
		if launch > 0 {
			for range launch {
				if err := s.launch(ps, placement.StatusRegistering); err != nil {
					s.fail(err)
					return
				}
			}
			s.pl.out.scaling(s.eng.Now(), ps.spec.Name, "provider", d.N, d.N+launch, d.Reason)
		}
		if len(d.Terminate) > 0 {
			s.terminate(ps, d)
		}
	}
}

// terminate removes the instances managed scale-in chose, never below the
// group's minimum.
func (s *simulator) terminate(ps *providerState, d autoscale.ProviderDecision) {
	n := min(len(d.Terminate), d.N-ps.spec.MinSize)
	if n <= 0 {
		return
	}
	done := 0
	for _, id := range d.Terminate[:n] {
		in := s.fleet.byID[id]
		if in == nil {
			continue
		}
		s.instanceEvent(in, "deregister")
		s.dropMember(in)
		done++
	}
	if done > 0 {
		s.pl.out.scaling(s.eng.Now(), ps.spec.Name, "provider", d.N, d.N-done, d.Reason)
		s.changed()
	}
}

// nonDaemonTasks counts an instance's tasks other than DAEMON service
// tasks.
func (s *simulator) nonDaemonTasks(in *placement.Instance) int {
	n := in.RunningTasksCount
	for _, st := range s.pl.svcs {
		if !st.daemon {
			break // daemons come first
		}
		n -= s.fleet.cluster.GroupCount(in, st.base.Group())
	}
	return max(n, 0)
}

// provisioning returns the sizes of the tasks waiting for the provider:
// the shards' shortfalls and the workload tasks given to it.
func (s *simulator) provisioning(provider string) []autoscale.TaskSize {
	var out []autoscale.TaskSize
	for _, st := range s.pl.svcs {
		for _, sh := range st.shards {
			if sh.provider != provider || sh.short == 0 {
				continue
			}
			r := sh.sched.TaskDefinition.Requirements()
			for range sh.short {
				out = append(out, autoscale.TaskSize{CPU: int(r.CPU), MemoryMiB: int(r.MemoryMiB), GPUs: r.GPUs})
			}
		}
	}
	for _, t := range s.tasks.waiting {
		if t.provider == provider {
			out = append(out, autoscale.TaskSize{CPU: int(t.req.Task.CPU), MemoryMiB: int(t.req.Task.MemoryMiB), GPUs: t.req.Task.GPUs})
			if len(out) >= autoscale.MaxProvisioningTasks {
				break
			}
		}
	}
	return out
}

// memberOf compiles a memberOf constraint once per expression: placement
// keeps its indexes per compiled expression, so a constraint compiled
// anew for every task would rebuild them every time.
func (p *planner) memberOf(expr string) (placement.Constraint, error) {
	if c, ok := p.cons[expr]; ok {
		return c, nil
	}
	c, err := placement.NewMemberOf(expr)
	if err != nil {
		return c, err
	}
	if p.cons == nil {
		p.cons = map[string]placement.Constraint{}
	}
	p.cons[expr] = c
	return c, nil
}

// costByProvider returns the cost of each provider's instances ("" is
// the fleet's own), rounded to cents.
func (s *simulator) costByProvider() map[string]float64 {
	out := map[string]float64{}
	end := time.Duration(s.sc.Duration)
	for _, inf := range s.fleet.info {
		until := end
		if inf.removed >= 0 {
			until = inf.removed
		}
		p := inf.attrs[scenario.ProviderAttribute]
		if p == "" {
			p = "fleet"
		}
		out[p] += (until - inf.added).Hours() * inf.price
	}
	for k, v := range out {
		out[k] = math.Round(v*100) / 100
	}
	return out
}

// spotNotice is how long before an interruption Spot gives notice.
const spotNotice = 2 * time.Minute
