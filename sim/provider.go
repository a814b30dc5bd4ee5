package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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
	types   []*scenario.InstanceType // the overrides, in priority order
	attrs   map[string]string
	zone    int                   // next zone, round robin
	members []*placement.Instance // launched and not yet gone, in launch order
	// launched holds each member's id and launch time, as managed scaling
	// reads them, so that manage does not rebuild them every minute.
	launched []autoscale.Instance
	idx      []int32   // each member's instance index
	history  []float64 // CapacityProviderReservation datapoints
	last     autoscale.ProviderDecision
	buf      []autoscale.Instance  // reused by runningSome
	gone     []*placement.Instance // reused by terminate
	waiting  []autoscale.SizeCount // reused by waiting
	// onDemand and spot count the members by purchase option, for the
	// mixed instances policy.
	onDemand, spot int
	// uncounted and busy count the members, as the mirror has them, that
	// managed scaling does not count (neither ACTIVE nor REGISTERING) and
	// that it counts with a task: kept as the mirror changes, so that
	// running need not walk the members every minute, nor Scale count
	// the busy ones. Under selfCheck running compares them with the walk.
	uncounted, busy int
}

// providers is the run's capacity: Auto Scaling group capacity providers
// with managed scaling, Fargate and Fargate Spot, and Spot interruptions.
// It launches and terminates instances through the fleet, and tells the
// services when capacity changed.
type providers struct {
	*core
	fleet      *fleet
	standalone *standalone
	services   *services
	provs      []*providerState
	byName     map[string]*providerState
	fargate    *scenario.FargateSpec
	spotRNG    *rand.Rand
	// offFargate is the memberOf that keeps tasks off Fargate capacity,
	// when the scenario has any.
	offFargate *placement.Constraint
	out        *plannerOutput
	provBuf    []autoscale.TaskSize // reused by selfCheck's listing
	// waits counts the services' waiting tasks per provider and size,
	// brought up to date from the fleet's recount list.
	waits map[string][]autoscale.SizeCount
	// mirror holds, per instance index, what managed scaling reads of
	// the instance, kept true from the cluster's journal (mirrored: up to
	// that generation), so that running reads a compact slice instead of
	// every member instance each minute.
	mirror   []scaleMirror
	mirrored uint64
	// member holds, per instance index, the group (1 + its index in
	// provs; 0: none) and the position in it of a member, so that a
	// change of the mirror reaches the member's counts and launched.
	member []memberAt
	// dropping marks, by instance index, the instances dropMembers
	// removes; all false between calls.
	dropping []bool
}

// memberAt is where an instance is a member: provs[prov-1].members[k].
type memberAt struct {
	prov, k int32
}

// scaleMirror is an instance as managed scaling counts it.
type scaleMirror struct {
	counted bool  // ACTIVE or REGISTERING
	tasks   int32 // RunningTasksCount
}

func newProviderState(spec *scenario.CapacityProviderSpec, types map[string]*scenario.InstanceType) *providerState {
	ps := &providerState{spec: spec, asg: spec.Provider(types), attrs: map[string]string{scenario.ProviderAttribute: spec.Name}}
	for _, name := range spec.InstanceTypes {
		ps.types = append(ps.types, types[name])
	}
	return ps
}

// instanceProvider returns the capacity provider of an instance ("" for
// the fleet's own).
func (pv *providers) instanceProvider(in *placement.Instance) string {
	if pv == nil || in == nil {
		return ""
	}
	v, _ := in.Attribute(scenario.ProviderAttribute)
	return v
}

// startProviders launches each group's initial instances, registered at
// the start, beyond the fleet's explicit instances it already has.
func (pv *providers) startProviders() error {
	pv.adoptMembers()
	for _, ps := range pv.provs {
		n := ps.spec.MinSize
		if ps.spec.DesiredCapacity != nil {
			n = *ps.spec.DesiredCapacity
		}
		for range n - len(ps.members) {
			if err := pv.launch(ps, placement.StatusActive); err != nil {
				return err
			}
		}
	}
	return nil
}

// launch adds one instance to the group: ACTIVE at once at the start,
// otherwise REGISTERING for the launch delay. Its type and purchase
// option follow the group's mixed instances policy; without one it is
// the first type, Spot when the group is.
func (pv *providers) launch(ps *providerState, status placement.Status) error {
	zone := ps.spec.Zones[ps.zone%len(ps.spec.Zones)]
	ps.zone++
	override, spot := 0, ps.spec.Spot
	if ps.spec.MixedInstancesPolicy != nil {
		override, spot = ps.asg.NextLaunch(ps.onDemand, ps.spot)
	}
	typ := ps.types[override]
	in, err := pv.fleet.add(typ, zone, ps.attrs, status, "", "")
	if err != nil {
		return err
	}
	inf := pv.fleet.info[in.Index()]
	inf.spot = spot
	if spot {
		ps.spot++
		inf.price = typ.PricePerHour * ps.spec.SpotPriceFactor
		inf.spotRate, inf.noSpotDrain = ps.spec.InterruptionsPerHour, !scenario.SpotDraining(ps.spec.SpotInstanceDraining)
	} else {
		ps.onDemand++
	}
	pv.join(ps, in, inf)
	if status != placement.StatusActive {
		pv.eng.After(time.Duration(ps.spec.LaunchDelay), registered{in})
	} else {
		pv.armSpot(in)
	}
	return nil
}

// join makes in, registered with inf, a member of the group ps.
func (pv *providers) join(ps *providerState, in *placement.Instance, inf *instanceInfo) {
	i := in.Index()
	if len(pv.member) <= i {
		// All the fleet's room at once: it grows an instance at a time.
		pv.member = slices.Grow(pv.member, max(len(pv.fleet.info), i+1)-len(pv.member))
		pv.member = pv.member[:cap(pv.member)]
	}
	pv.member[i] = memberAt{prov: int32(pv.provIndex(ps)) + 1, k: int32(len(ps.members))}
	ps.members = append(ps.members, in)
	ps.launched = append(ps.launched, autoscale.Instance{ID: inf.id, LaunchTime: pv.sc.StartTime().Add(inf.added)})
	ps.idx = append(ps.idx, int32(i))
	if i < len(pv.mirror) {
		ps.count(pv.mirror[i], 1)
		ps.launched[len(ps.launched)-1].NonDaemonTasks = max(int(pv.mirror[i].tasks), 0)
	}
}

// provIndex returns the index of ps in provs.
func (pv *providers) provIndex(ps *providerState) int {
	for j, p := range pv.provs {
		if p == ps {
			return j
		}
	}
	panic("sim: capacity provider " + ps.spec.Name + " is not in provs")
}

// count adds a member, as the mirror has it, n times (1 or -1) to the
// group's counts.
func (ps *providerState) count(m scaleMirror, n int) {
	switch {
	case !m.counted:
		ps.uncounted += n
	case m.tasks > 0:
		ps.busy += n
	}
}

// armSpotPools draws the interruptions of the fleet's Spot pools'
// instances, registered at the start.
func (pv *providers) armSpotPools() {
	for _, in := range pv.fleet.cluster.Instances() {
		if pv.fleet.info[in.Index()].spotRate > 0 {
			pv.armSpot(in)
		}
	}
}

// armSpot draws when a Spot instance (of a group, a pool or
// FARGATE_SPOT) is interrupted.
func (pv *providers) armSpot(in *placement.Instance) {
	rate := pv.fleet.info[in.Index()].spotRate
	if pv.instanceProvider(in) == scenario.ProviderFargateSpot {
		rate = pv.fargate.SpotInterruptionsPerHour
	}
	if rate <= 0 {
		return
	}
	d := time.Duration(pv.spotRNG.ExpFloat64() / rate * float64(time.Hour))
	if d < time.Duration(pv.sc.Duration) {
		pv.eng.After(d, spotNoticeEv{in})
	}
}

// spotNotice is the two-minute warning: the instance drains, so that its
// service tasks are replaced before it goes. Without Spot instance
// draining nothing changes until the instance fails two minutes later,
// taking its tasks with it.
func (pv *providers) spotNotice(in *placement.Instance) {
	inf := pv.fleet.info[in.Index()]
	if in.Status != placement.StatusActive || inf.interrupted {
		return
	}
	inf.interrupted = true
	if inf.noSpotDrain && pv.instanceProvider(in) != scenario.ProviderFargateSpot {
		pv.out.scaling(pv.eng.Now(), pv.instanceProvider(in), "spot", 0, 0, "interruption notice for "+inf.id+" (Spot instance draining off)")
		pv.eng.After(spotNotice, spotKillEv{in})
		return
	}
	pv.fleet.cluster.SetStatus(in, placement.StatusDraining)
	pv.log.instance(pv.eng.Now(), trace.KindInstanceDrain, in, inf, "spot interruption notice")
	pv.out.scaling(pv.eng.Now(), pv.instanceProvider(in), "spot", 0, 0, "interruption notice for "+inf.id)
	// An interrupted Fargate Spot task takes its capacity with it when it
	// exits, within the notice.
	if pv.instanceProvider(in) != scenario.ProviderFargateSpot || !pv.fargateSpotNotice(in) {
		pv.eng.After(spotNotice, spotKillEv{in})
	}
	pv.services.changed()
}

// fargateSpotNotice interrupts the FARGATE_SPOT task on in as ECS does:
// SIGTERM at the notice, so the task is stopping from then on (its
// service starts the replacement now, within maximumPercent), and it
// exits after its stopTimeout (berth assumes it takes all of it), with
// stopCode SpotInterruption. A stopTimeout is at most the two minutes of
// the notice, so the task's exit, which releases its capacity, ends the
// interruption. It reports whether in had a task to stop.
func (pv *providers) fargateSpotNotice(in *placement.Instance) bool {
	name, _ := in.Attribute("berth.service")
	st := pv.services.byName[name]
	if st == nil {
		return false
	}
	stopping := false
	for _, t := range st.tasks {
		if t.inst != in || t.t.DesiredStatus == scheduler.Stopped {
			continue
		}
		t.t.DesiredStatus = scheduler.Stopped
		st.taskGen++
		t.reason, t.code = ReasonSpotInterrupted, scheduler.SpotInterruption
		pv.services.after(t.td.StopTimeoutOrDefault(), t, spotStopEv{t})
		pv.services.queueReconcile(st)
		stopping = true
	}
	return stopping
}

// spotStop ends an interrupted Fargate Spot task at the end of its
// stopTimeout.
func (pv *providers) spotStop(t *svcTask) {
	if _, live := pv.services.byRun[t.run.ID]; live {
		_ = pv.exec.Stop(t.run, t.reason) // an error: it already ended
	}
}

func (pv *providers) spotKill(in *placement.Instance) {
	if in.Status == placement.StatusInactive {
		return
	}
	pv.fleet.instanceEvent(in, "fail")
	pv.dropMember(in)
	pv.services.changed()
}

// dropMember removes a gone instance from its group.
func (pv *providers) dropMember(in *placement.Instance) {
	if ps := pv.byName[pv.instanceProvider(in)]; ps != nil {
		pv.dropMembers(ps, []*placement.Instance{in})
	}
}

// dropMembers removes gone instances, members of ps, from it in one pass
// over the members: a scale-in removes up to half of them at once, and
// removing them one by one shifted the rest once for each.
func (pv *providers) dropMembers(ps *providerState, gone []*placement.Instance) {
	if len(gone) == 0 {
		return
	}
	if len(pv.dropping) < len(pv.member) {
		pv.dropping = make([]bool, len(pv.member))
	}
	for _, in := range gone {
		i := in.Index()
		if i >= len(pv.member) || pv.member[i].prov == 0 || pv.provs[pv.member[i].prov-1] != ps {
			continue // not a member: only members are marked, and the walk clears every mark
		}
		pv.dropping[i] = true
		pv.member[i] = memberAt{}
		if i < len(pv.mirror) {
			ps.count(pv.mirror[i], -1)
		}
	}
	k := 0
	for i, m := range ps.members {
		if pv.dropping[m.Index()] {
			pv.dropping[m.Index()] = false
			if pv.fleet.info[m.Index()].spot {
				ps.spot--
			} else {
				ps.onDemand--
			}
			continue
		}
		ps.members[k], ps.launched[k], ps.idx[k] = m, ps.launched[i], ps.idx[i]
		pv.member[m.Index()].k = int32(k)
		k++
	}
	clear(ps.members[k:])
	clear(ps.launched[k:])
	ps.members, ps.launched, ps.idx = ps.members[:k], ps.launched[:k], ps.idx[:k]
}

// provisionFargate starts Fargate capacity for one task of the service
// on its provider pr: an instance of exactly the task's size that
// registers after the provisioning delay and goes away when its task
// stops.
func (pv *providers) provisionFargate(st *svcState, pr *svcProvider) {
	if in := pv.fargateInstance(st, pr, placement.StatusRegistering); in != nil {
		pv.eng.After(time.Duration(pv.fargate.ProvisionDelay), registered{in})
	}
}

// fargateInstance adds Fargate capacity for one task of the service on
// its provider pr, with status (ACTIVE for a task running at the start).
func (pv *providers) fargateInstance(st *svcState, pr *svcProvider, status placement.Status) *placement.Instance {
	td := &st.spec.TaskDefinition
	if cur := st.sched.TaskDefinition; cur != nil {
		r := cur.Requirements()
		td = &scenario.TaskDefSpec{Family: cur.Family, CPU: r.CPU, MemoryMiB: r.MemoryMiB}
	}
	f := pv.fargate
	name := fmt.Sprintf("fargate-%dcpu-%dmb", td.CPU, td.MemoryMiB)
	typ := pv.fleet.types[name]
	if typ == nil {
		price := float64(td.CPU)/1024*f.PricePerVCPUHour + float64(td.MemoryMiB)/1024*f.PricePerGBHour
		one := 1 // the task's own ENI: Fargate tasks are awsvpc
		typ = &scenario.InstanceType{Name: name, CPU: max(td.CPU, 1), MemoryMiB: td.MemoryMiB, PricePerHour: price, ENIs: &one}
		pv.fleet.types[name] = typ
	}
	attrs := map[string]string{scenario.ProviderAttribute: pr.name, "berth.service": st.spec.Name}
	in, err := pv.fleet.add(typ, "fargate", attrs, status, "", "")
	if err != nil {
		pv.fail(err)
		return nil
	}
	if pr.name == scenario.ProviderFargateSpot {
		pv.fleet.info[in.Index()].price = typ.PricePerHour * f.SpotDiscount
	}
	pr.fargate = append(pr.fargate, in)
	return in
}

// releaseFargate deregisters a Fargate task's capacity once it stopped.
func (pv *providers) releaseFargate(in *placement.Instance) {
	if in.Status == placement.StatusInactive {
		return
	}
	pv.fleet.cluster.SetStatus(in, placement.StatusInactive)
	inf := pv.fleet.info[in.Index()]
	inf.removed = pv.eng.Now()
	pv.log.instance(pv.eng.Now(), trace.KindInstanceDeregister, in, inf, "fargate task stopped")
}

// manage runs managed scaling on every group once a minute.
func (pv *providers) manage() {
	for _, ps := range pv.provs {
		in := autoscale.ProviderInput{Now: pv.wall(), Reservations: ps.history}
		in.Instances, in.Busy = pv.running(ps)
		in.Counted = in.Busy >= 0
		in.Waiting, _ = pv.waiting(ps)
		d := ps.asg.Scale(in)
		ps.last = d
		ps.history = append(ps.history, d.Reservation)
		if len(ps.history) > 4*autoscale.ScaleInDatapoints {
			ps.history = append(ps.history[:0], ps.history[len(ps.history)-autoscale.ScaleInDatapoints:]...)
		}
		launch := min(d.Launch, ps.spec.MaxSize-d.N)
		if launch > 0 {
			for range launch {
				if err := pv.launch(ps, placement.StatusRegistering); err != nil {
					pv.fail(err)
					return
				}
			}
			pv.out.scaling(pv.eng.Now(), ps.spec.Name, "provider", d.N, d.N+launch, d.Reason)
		}
		if len(d.Terminate) > 0 {
			pv.terminate(ps, d)
		}
	}
}

// running returns the group's ACTIVE and REGISTERING members as managed
// scaling reads them, and how many of them have a task (-1: not
// counted). When that is every member (the usual case), it is launched
// itself, kept up to date with the mirror: no copy, and no walk.
func (pv *providers) running(ps *providerState) ([]autoscale.Instance, int) {
	if len(pv.services.svcs) > 0 && pv.services.svcs[0].daemon {
		return pv.runningSome(ps), -1 // daemon tasks do not count: no mirror
	}
	pv.mirrorChanges()
	out, busy := ps.launched, ps.busy
	if ps.uncounted > 0 {
		out, busy = pv.runningSome(ps), -1
	}
	if selfCheck {
		pv.checkRunning(ps, out, busy)
	}
	return out, busy
}

// checkRunning fails the run unless running's answer out and busy (-1:
// not counted) are the plain walk's over the members.
func (pv *providers) checkRunning(ps *providerState, out []autoscale.Instance, busy int) {
	want := pv.walkRunning(ps, nil)
	wantBusy := 0
	for _, i := range want {
		if i.NonDaemonTasks > 0 {
			wantBusy++
		}
	}
	if !slices.Equal(out, want) || busy >= 0 && busy != wantBusy {
		pv.fail(fmt.Errorf("sim: provider %s: running %d instances (%d busy), want %d (%d busy)", ps.spec.Name, len(out), busy, len(want), wantBusy))
	}
}

// mirrorChanges brings the mirror up to date with the instances changed
// since it was last, all of them when the journal does not reach back.
func (pv *providers) mirrorChanges() {
	c := pv.fleet.cluster
	all := c.Instances()
	changed, now, ok := c.Changes(pv.mirrored)
	if !ok || len(changed) > len(all) {
		pv.mirror, changed = pv.mirror[:0], nil
		for _, ps := range pv.provs {
			ps.uncounted, ps.busy = 0, 0
		}
	}
	for len(pv.mirror) < len(all) {
		i := len(pv.mirror)
		pv.mirror = append(pv.mirror, mirrorOf(all[i]))
		pv.remirrored(i, scaleMirror{}, false)
	}
	for _, i := range changed {
		was := pv.mirror[i]
		pv.mirror[i] = mirrorOf(all[i])
		pv.remirrored(int(i), was, true)
	}
	pv.mirrored = now
}

// remirrored brings the member counts and launched up to date with the
// mirror of instance i, which was was when counted.
func (pv *providers) remirrored(i int, was scaleMirror, counted bool) {
	if i >= len(pv.member) || pv.member[i].prov == 0 {
		return
	}
	at := pv.member[i]
	ps, m := pv.provs[at.prov-1], pv.mirror[i]
	if counted {
		ps.count(was, -1)
	}
	ps.count(m, 1)
	ps.launched[at.k].NonDaemonTasks = max(int(m.tasks), 0)
}

func mirrorOf(in *placement.Instance) scaleMirror {
	return scaleMirror{
		counted: in.Status == placement.StatusActive || in.Status == placement.StatusRegistering,
		tasks:   int32(in.RunningTasksCount),
	}
}

// runningSome is running when some members are draining: a copy of the
// others, into a reused slice.
func (pv *providers) runningSome(ps *providerState) []autoscale.Instance {
	ps.buf = pv.walkRunning(ps, ps.buf[:0])
	return ps.buf
}

// walkRunning appends to out the group's ACTIVE and REGISTERING members
// with their non-daemon task counts, walking every member: the plain
// answer of running.
func (pv *providers) walkRunning(ps *providerState, out []autoscale.Instance) []autoscale.Instance {
	for k, m := range ps.members {
		if m.Status != placement.StatusActive && m.Status != placement.StatusRegistering {
			continue
		}
		i := ps.launched[k]
		i.NonDaemonTasks = pv.nonDaemonTasks(m)
		out = append(out, i)
	}
	return out
}

// terminate removes the instances managed scale-in chose, never below the
// group's minimum.
func (pv *providers) terminate(ps *providerState, d autoscale.ProviderDecision) {
	n := min(len(d.Terminate), d.N-ps.spec.MinSize)
	if n <= 0 {
		return
	}
	gone := ps.gone[:0]
	for _, id := range d.Terminate[:n] {
		in := pv.fleet.byID[id]
		if in == nil {
			continue
		}
		pv.fleet.instanceEvent(in, "deregister")
		gone = append(gone, in)
	}
	pv.dropMembers(ps, gone)
	clear(gone)
	ps.gone = gone[:0]
	done := len(gone)
	if done > 0 {
		pv.out.scaling(pv.eng.Now(), ps.spec.Name, "provider", d.N, d.N-done, d.Reason)
		pv.services.changed()
	}
}

// nonDaemonTasks counts an instance's tasks other than DAEMON service
// tasks.
func (pv *providers) nonDaemonTasks(in *placement.Instance) int {
	n := in.RunningTasksCount
	for _, st := range pv.services.svcs {
		if !st.daemon {
			break // daemons come first
		}
		n -= pv.fleet.cluster.GroupCount(in, st.base.Group())
	}
	return max(n, 0)
}

// waiting returns the tasks waiting for the group ps, counted by size
// (each size once), and how many they are: the services' shortfalls on
// it and the workload tasks given to it. The services' come from waits,
// kept per size as their shortfalls change, so they are counted by size
// rather than listed service by service: managed scaling only counts
// them by size (autoscale.InstancesNeededBySize), and an overloaded fleet
// has thousands of waiting tasks of a few sizes, every minute. Under
// selfCheck the run fails unless the plain listing (provisioning) holds
// as many of each size. The slice is reused by the next call.
func (pv *providers) waiting(ps *providerState) ([]autoscale.SizeCount, int) {
	pv.recount()
	out, total := ps.waiting[:0], 0
	for _, c := range pv.waits[ps.spec.Name] {
		if c.N > 0 {
			out = append(out, c)
			total += c.N
		}
	}
	// The workload tasks as standaloneWaiting lists them: after the
	// services', up to MaxProvisioningTasks (at least one).
	for _, t := range pv.standalone.waiting {
		if t.provider != ps.spec.Name {
			continue
		}
		out = addCount(out, autoscale.TaskSize{CPU: int(t.req.Task.CPU), MemoryMiB: int(t.req.Task.MemoryMiB), GPUs: t.req.Task.GPUs}, 1)
		total++
		if total >= autoscale.MaxProvisioningTasks {
			break
		}
	}
	ps.waiting = out
	if selfCheck {
		pv.provBuf = pv.provisioning(ps.spec.Name, pv.provBuf[:0])
		if !sameSizes(out, pv.provBuf) || total != len(pv.provBuf) {
			pv.fail(fmt.Errorf("sim: provider %s: %d tasks waiting by size, %d listed by service", ps.spec.Name, total, len(pv.provBuf)))
		}
	}
	return out, total
}

// recount brings waits up to date with the services on the fleet's
// recount list.
func (pv *providers) recount() {
	if pv.waits == nil {
		pv.waits = map[string][]autoscale.SizeCount{}
	}
	for _, st := range pv.fleet.recount {
		st.recount = false
		for _, pr := range st.providers {
			if pr.counted > 0 {
				pv.addWaits(pr.name, pr.countedAs, -pr.counted)
			}
			pr.counted = pr.short
			if pr.short > 0 {
				r := st.sched.TaskDefinition.Requirements()
				pr.countedAs = autoscale.TaskSize{CPU: int(r.CPU), MemoryMiB: int(r.MemoryMiB), GPUs: r.GPUs}
				pv.addWaits(pr.name, pr.countedAs, pr.short)
			}
		}
	}
	clear(pv.fleet.recount)
	pv.fleet.recount = pv.fleet.recount[:0]
}

// addWaits adds n (may be negative) tasks of size to the provider's count.
func (pv *providers) addWaits(provider string, size autoscale.TaskSize, n int) {
	pv.waits[provider] = addCount(pv.waits[provider], size, n)
}

// addCount adds n (may be negative) tasks of size to counts, which holds
// each size once.
func addCount(counts []autoscale.SizeCount, size autoscale.TaskSize, n int) []autoscale.SizeCount {
	for i := range counts {
		if counts[i].Size == size {
			counts[i].N += n
			return counts
		}
	}
	return append(counts, autoscale.SizeCount{Size: size, N: n})
}

// sameSizes reports whether counts, each size once, hold as many tasks
// of each size as list.
func sameSizes(counts []autoscale.SizeCount, list []autoscale.TaskSize) bool {
	count := map[autoscale.TaskSize]int{}
	for _, c := range counts {
		if _, twice := count[c.Size]; twice {
			return false // managed scaling reads each size once
		}
		count[c.Size] = c.N
	}
	for _, t := range list {
		count[t]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// waitingTasks is how many tasks wait for the group ps.
func (pv *providers) waitingTasks(ps *providerState) int {
	_, n := pv.waiting(ps)
	return n
}

// provisioning is waiting listed plainly, service by service, appended to
// out: what selfCheck compares waiting with.
func (pv *providers) provisioning(provider string, out []autoscale.TaskSize) []autoscale.TaskSize {
	for _, st := range pv.services.svcs {
		for _, pr := range st.providers {
			if pr.name != provider || pr.short == 0 {
				continue
			}
			r := st.sched.TaskDefinition.Requirements()
			for range pr.short {
				out = append(out, autoscale.TaskSize{CPU: int(r.CPU), MemoryMiB: int(r.MemoryMiB), GPUs: r.GPUs})
			}
		}
	}
	return pv.standaloneWaiting(provider, out)
}

// standaloneWaiting appends the workload tasks waiting for the provider
// to out, the services' already in it, up to MaxProvisioningTasks.
func (pv *providers) standaloneWaiting(provider string, out []autoscale.TaskSize) []autoscale.TaskSize {
	for _, t := range pv.standalone.waiting {
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
func (f *fleet) memberOf(expr string) (placement.Constraint, error) {
	if c, ok := f.cons[expr]; ok {
		return c, nil
	}
	c, err := placement.NewMemberOf(expr)
	if err != nil {
		return c, err
	}
	if f.cons == nil {
		f.cons = map[string]placement.Constraint{}
	}
	f.cons[expr] = c
	return c, nil
}

// costByProvider returns the cost of each provider's instances ("" is
// the fleet's own), rounded to cents.
func (pv *providers) costByProvider() map[string]float64 {
	out := map[string]float64{}
	end := time.Duration(pv.sc.Duration)
	for _, inf := range pv.fleet.info {
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
