package placement

import (
	"math"
	"slices"

	"github.com/berthsched/berth/cql"
)

// TaskID identifies a task placed on (or adopted by) a Cluster.
type TaskID int32

// Cluster is a set of container instances and the tasks they host, with
// the indexes that make placement fast. Build one with NewCluster and
// AddInstance; place tasks with Place, free them with Release.
//
// A Cluster is not safe for concurrent use. Its results are exactly those
// of the plain definition in the package documentation (scan every
// instance, filter, order by the strategy chain, break remaining ties with
// the seeded source); the indexes only avoid looking at instances that
// cannot win.
type Cluster struct {
	instances []*Instance
	byARN     map[string]int32
	eligible  bitset // bit i: instance i is ACTIVE with its agent connected
	active    bitset // bit i: instance i is ACTIVE (TaskActive)
	external  bitset // bit i: instance i is an ECS Anywhere (EXTERNAL) instance
	// cpu and mem mirror each instance's remaining CPU and memory, and
	// gpu its GPU summary, so that scans read them without touching the
	// instances.
	cpu, mem []int64
	gpu      []gpuSummary
	hosting  map[int32]bitset // per group: bit i when instance i hosts one of its tasks
	fitSets  map[fitShape]*fitSet

	groupIDs   map[string]int32
	groupNames []string
	// groupTasks[g] is how many PENDING and RUNNING tasks group g has on
	// all instances: the caches by group skip their scan of every instance
	// when it is 0, as it is when a service places its first task.
	groupTasks []int32

	tasks     []taskRecord
	freeTasks []TaskID
	// taskInst[id] and taskGroup[id] are tasks[id].inst and .group:
	// TaskInstance, which a scheduler calls for every task of a service on
	// every reconciliation, and the scale-in scores of spread read four
	// bytes a task here instead of a cache line of the record.
	taskInst, taskGroup []int32

	// Caches, each built on first use and kept true from then on, for
	// every instance: AddInstance extends each of them.
	exprs   map[*cql.Expr]*exprBits    // static memberOf results per instance
	fields  map[string]*fieldIndex     // attribute values per instance
	spreads map[spreadKey]*spreadCount // group task counts per attribute value
	byGroup [][]*spreadCount           // by group id: the spreads to update when a group changes
	subs    map[subKey]*subIndex       // binpack orders per static filter signature
	// subList and fitList hold the values of subs and fitSets, for the
	// loops that every change of remaining resources runs: ranging over a
	// slice costs less than over a map.
	subList []*subIndex
	fitList []*fitSet
	// amountIx holds, per resource, the instances at each remaining
	// amount, once a binpack tie needed it.
	amountIx [Memory + 1]*amountIndex
	// tieWalk is how many instances at the winning amount binpack walks
	// before it counts and draws in amountIx instead: walking a short run
	// is cheaper than a pass over bit set words. Tests lower it so that
	// small clusters take both paths.
	tieWalk int
	draws   int // ties drawTie decided, for tests to see it was reached
	recalls int // failures recalled (memo.go), for tests likewise

	// gen counts the changes of the instances and their tasks, and
	// journal[k] is the instance changed at generation journalGen+k+1: a
	// remembered failure (memo.go) and a Watch (watch.go) are brought up
	// to date by checking again only those. It keeps the last changes
	// only: anything older is placed or checked anew.
	gen        uint64
	journal    []int32
	journalGen uint64
	// updates counts the calls to Update, the only way an instance's
	// status changes once it is added (Updates); deactivations those that
	// took an instance out of ACTIVE (Deactivations).
	updates, deactivations uint64
	// seen marks the instances a catch-up checked already (catchUp), as
	// seenMark: the journal lists an instance once per change.
	seen       []uint32
	seenMark   uint32
	journalMax int                  // trim past this many entries; 0: defaultJournal
	failed     map[string]*failure  // per group
	spare      []*failure           // dropped failures, for reuse
	classes    map[failKey]*failure // shared catch-ups of failures, by filters (memo.go)

	pr      prepared
	ties    []int32 // candidates tied so far, in cluster order
	group   []int32 // scratch for binpack's first tie group
	cursors []cursor
	picked  bool // the scan chose among the ties itself
	filters []valueFilter
	levels  [][]levelEntry // per spread depth
}

type taskRecord struct {
	inst    int32 // -1 when the id is free
	group   int32
	req     Requirements
	gpus    DeviceSet
	share   int
	running bool // counted in the instance's RunningTasksCount
}

// task returns the task as strategies see it.
func (c *Cluster) task(t *taskRecord) Task {
	return Task{Group: c.groupNames[t.group], Requirements: t.req}
}

// exprBits caches a static expression's result for each instance.
type exprBits struct {
	expr *cql.Expr
	bits bitset
}

func (b *exprBits) has(i int32) bool { return b.bits.has(i) }

// fieldIndex numbers the values of one attribute; value 0 stands for
// "attribute absent".
type fieldIndex struct {
	name    string
	valueOf []int32 // per instance
	values  []string
	byValue map[string]int32
	size    []int     // instances per value
	members []members // per value: the instances that have it
}

type spreadKey struct {
	group int32
	field string
}

// spreadCount holds how many PENDING and RUNNING tasks of one group the
// instances with each value of one attribute host.
type spreadCount struct {
	group  int32
	field  *fieldIndex
	counts []int32 // per value id
}

func (s *spreadCount) at(v int32) int32 {
	if int(v) < len(s.counts) {
		return s.counts[v]
	}
	return 0
}

func (s *spreadCount) add(v int32, d int32) {
	for int(v) >= len(s.counts) {
		s.counts = append(s.counts, 0)
	}
	s.counts[v] += d
}

// NewCluster returns an empty cluster.
func NewCluster() *Cluster {
	return &Cluster{
		byARN:    map[string]int32{},
		groupIDs: map[string]int32{},
		exprs:    map[*cql.Expr]*exprBits{},
		fields:   map[string]*fieldIndex{},
		spreads:  map[spreadKey]*spreadCount{},
		subs:     map[subKey]*subIndex{},
		hosting:  map[int32]bitset{},
		fitSets:  map[fitShape]*fitSet{},
		tieWalk:  defaultTieWalk,
	}
}

// defaultTieWalk is Cluster.tieWalk: past a few words' worth of tied
// instances, counting them by popcount is cheaper than visiting each.
const defaultTieWalk = 256

// Instances returns the instances in the order they were added. The slice
// is the cluster's: do not modify it.
func (c *Cluster) Instances() []*Instance { return c.instances }

// Instance returns the instance with the given ARN, or nil.
func (c *Cluster) Instance(arn string) *Instance {
	if i, ok := c.byARN[arn]; ok {
		return c.instances[i]
	}
	return nil
}

// owns reports whether in is one of c's instances.
func (c *Cluster) owns(in *Instance) bool { return in != nil && in.owner == c }

// AddInstance adds in to the cluster, which owns it from then on. Its ARN
// must be unique and its Status one of ECS's; its port lists are sorted.
// An instance belongs to one cluster: add a copy to another. On error
// nothing changes.
func (c *Cluster) AddInstance(in *Instance) error {
	if in == nil {
		return fieldErrorf("", "add instance: instance is nil")
	}
	if in.owner != nil {
		return fieldErrorf("", "add instance %q: already in a cluster", in.ARN)
	}
	if in.ARN == "" {
		return fieldErrorf("", "instance %d: containerInstanceArn: missing", len(c.instances))
	}
	if _, dup := c.byARN[in.ARN]; dup {
		return fieldErrorf("", "instance %q: added twice", in.ARN)
	}
	if err := in.validate(); err != nil {
		return err
	}
	if len(c.instances) == math.MaxInt32 {
		return fieldErrorf("", "cluster is full")
	}
	slices.Sort(in.Remaining.PortsTCP)
	in.Remaining.PortsTCP = slices.Compact(in.Remaining.PortsTCP)
	slices.Sort(in.Remaining.PortsUDP)
	in.Remaining.PortsUDP = slices.Compact(in.Remaining.PortsUDP)
	in.idx, in.owner = int32(len(c.instances)), c
	in.groups, in.groupNames, in.hosted = nil, nil, nil
	in.refresh()
	in.external = in.LaunchType().external()
	c.instances = append(c.instances, in)
	c.byARN[in.ARN] = in.idx
	c.cpu = append(c.cpu, in.Remaining.CPU)
	c.mem = append(c.mem, in.Remaining.MemoryMiB)
	c.gpu = append(c.gpu, gpuOf(in))
	c.cover(in)
	c.touch(in.idx)
	return nil
}

// defaultJournal is the least Cluster.journalMax: below a few thousand
// entries trimming would happen often for nothing.
const defaultJournal = 4096

// Changes returns the indexes of the instances changed (placed on,
// released from, updated, added, adopted on) since generation since, one
// entry per change, and the current generation. ok is false when the
// journal no longer reaches back that far: then any instance may have
// changed. The slice is the cluster's, good until its next change.
func (c *Cluster) Changes(since uint64) (idx []int32, now uint64, ok bool) {
	if since < c.journalGen || since > c.gen {
		return nil, c.gen, false
	}
	return c.journal[since-c.journalGen:], c.gen, true
}

// touch records a change of instance i: a new generation, journaled.
func (c *Cluster) touch(i int32) {
	c.gen++
	c.journal = append(c.journal, i)
	limit := c.journalMax
	if limit == 0 {
		// A Watch that is behind by more changes than there are instances
		// checks them all anyway: twice that is enough to keep.
		limit = max(defaultJournal, 2*len(c.instances))
	}
	if len(c.journal) > limit {
		drop := len(c.journal) / 2
		c.journal = c.journal[:copy(c.journal, c.journal[drop:])]
		c.journalGen += uint64(drop)
	}
}

// cover extends every per-instance cache to the instance just added, so
// that the bitset invariant holds: the bit sets grow (a new word every 64
// instances) and the new instance's bits and entries are set.
func (c *Cluster) cover(in *Instance) {
	n, i := len(c.instances), in.idx
	newWord := wordsFor(n) > wordsFor(n-1)
	c.eligible.grow(n)
	c.eligible.set(i, in.eligible)
	c.active.grow(n)
	c.active.set(i, in.Status == StatusActive)
	c.external.grow(n)
	c.external.set(i, in.external)
	if newWord {
		for g, hb := range c.hosting { // the new instance hosts nothing yet
			hb.grow(n)
			c.hosting[g] = hb
		}
	}
	c.refreshFits(i)
	for e, b := range c.exprs {
		b.bits.grow(n)
		b.bits.set(i, e.Match(in.Subject()))
	}
	for _, fi := range c.fields {
		fi.add(in)
	}
	for _, si := range c.subList {
		si.member = append(si.member, nil)
		c.subInsert(si, in)
	}
	for r, ai := range c.amountIx {
		if ai != nil {
			ai.add(remainingOf(in, Resource(r)), i)
		}
	}
}

// validate checks what AddInstance and Update require of an instance.
func (in *Instance) validate() error {
	if !in.Status.valid() {
		return fieldErrorf("", "instance %q: status %q: expected one of %s", in.ARN, in.Status, statusList)
	}
	if len(in.Remaining.GPUs) > MaxGPUsPerInstance {
		return fieldErrorf("", "instance %q: %d GPUs, at most %d supported", in.ARN, len(in.Remaining.GPUs), MaxGPUsPerInstance)
	}
	for j, g := range in.Remaining.GPUs {
		if g.FreeMilli < 0 || g.FreeMilli > GPUMilliPerDevice {
			return fieldErrorf("", "instance %q: gpus[%d].freeMilli: %d is outside 0..%d", in.ARN, j, g.FreeMilli, GPUMilliPerDevice)
		}
	}
	if in.Remaining.ENIs < 0 {
		return fieldErrorf("", "instance %q: remaining enis: %d is negative", in.ARN, in.Remaining.ENIs)
	}
	return nil
}

func remainingOf(in *Instance, r Resource) int64 {
	if r == CPU {
		return in.Remaining.CPU
	}
	return in.Remaining.MemoryMiB
}

// Update applies f to in and brings the cluster's indexes up to date with
// whatever f changed: status, agent, attributes, remaining resources. Use
// it for changes that do not come from placing or releasing tasks
// (draining, a disconnected agent, PutAttributes). f must not change the
// ARN or the hosted tasks. It is an error for in not to be the cluster's,
// and for f to leave it with a changed ARN, an unknown status or GPUs out
// of range; then in is restored as it was and nothing changes.
func (c *Cluster) Update(in *Instance, f func(*Instance)) error {
	return c.update(in, f, true)
}

// SetStatus is Update with a function that sets in's status to s: what
// draining, deregistering and registering an instance change. It does not
// copy the instance's attributes and capacity to restore them on an
// error, as Update must for any f: setting the status leaves them as
// they are.
func (c *Cluster) SetStatus(in *Instance, s Status) error {
	return c.update(in, func(in *Instance) { in.Status = s }, false)
}

// update is Update; deep copies in's slices to restore them, which an f
// that changes no slice of in does not need.
func (c *Cluster) update(in *Instance, f func(*Instance), deep bool) error {
	if !c.owns(in) {
		return fieldErrorf("", "update: the instance is not in the cluster")
	}
	c.updates++
	i := in.idx
	var old [Memory + 1]int64
	for r := range old {
		old[r] = remainingOf(in, Resource(r))
	}
	saved := *in
	if deep {
		saved.Attributes = slices.Clone(in.Attributes)
		saved.Registered, saved.Remaining = in.Registered.Clone(), in.Remaining.Clone()
	}
	c.touch(i) // even when f fails: it may have changed what it restores
	f(in)
	err := in.validate()
	if err == nil && in.ARN != saved.ARN {
		err = fieldErrorf("", "update %q: the ARN changed to %q", saved.ARN, in.ARN)
	}
	if err != nil {
		*in = saved
		return err
	}
	if saved.Status == StatusActive && in.Status != StatusActive {
		c.deactivations++
	}
	slices.Sort(in.Remaining.PortsTCP)
	slices.Sort(in.Remaining.PortsUDP)
	in.refresh()
	c.eligible.set(i, in.eligible)
	c.active.set(i, in.Status == StatusActive)
	in.external = in.LaunchType().external()
	c.external.set(i, in.external)
	c.cpu[i], c.mem[i] = in.Remaining.CPU, in.Remaining.MemoryMiB
	c.moveAmounts(i, old[CPU], old[Memory])
	c.gpu[i] = gpuOf(in)
	c.refreshFits(i)
	for e, b := range c.exprs {
		b.bits.set(i, e.Match(in.Subject()))
	}
	for _, fi := range c.fields {
		was, now := fi.valueOf[i], fi.valueID(in)
		if was == now {
			continue
		}
		fi.valueOf[i] = now
		fi.size[was]--
		fi.members[was].remove(i)
		fi.addMember(now, i)
		for _, sc := range c.spreads {
			if sc.field == fi {
				n := int32(in.groupCount(sc.group))
				sc.add(was, -n)
				sc.add(now, n)
			}
		}
	}
	c.subRefile(in, old)
	return nil
}

// hostingBits returns the bit set of instances that host a task of group
// g, building it on first use. Once built, AddInstance grows it and
// addGroup keeps it true.
func (c *Cluster) hostingBits(g int32) bitset {
	hb, ok := c.hosting[g]
	if !ok {
		hb = make(bitset, wordsFor(len(c.instances)))
		if c.groupTasks[g] > 0 { // else no instance hosts one
			for i, in := range c.instances {
				hb.set(int32(i), in.groupCount(g) > 0)
			}
		}
		c.hosting[g] = hb
	}
	return hb
}

// staticBits returns e's cached results, evaluating it on every instance
// on first use.
func (c *Cluster) staticBits(e *cql.Expr) *exprBits {
	b := c.exprs[e]
	if b == nil {
		if len(c.exprs) >= 256 { // many one-off expressions: start again
			clear(c.exprs)
			c.clearSubs() // they hold bits that AddInstance and Update no longer reach
		}
		b = &exprBits{expr: e, bits: make(bitset, wordsFor(len(c.instances)))}
		for i, in := range c.instances {
			b.bits.set(int32(i), e.Match(in.Subject()))
		}
		c.exprs[e] = b
	}
	return b
}

// field returns the attribute's value index, building it on first use.
func (c *Cluster) field(name string) *fieldIndex {
	fi := c.fields[name]
	if fi == nil {
		fi = &fieldIndex{name: name, values: []string{""}, byValue: map[string]int32{}, size: []int{0}, members: []members{{}}}
		for _, in := range c.instances {
			fi.add(in)
		}
		c.fields[name] = fi
	}
	return fi
}

// add indexes in, the cluster's newest instance.
func (fi *fieldIndex) add(in *Instance) {
	v := fi.valueID(in)
	fi.valueOf = append(fi.valueOf, v)
	fi.addMember(v, in.idx)
}

func (fi *fieldIndex) valueID(in *Instance) int32 {
	val, ok := in.Attribute(fi.name)
	if !ok {
		return 0
	}
	id, ok := fi.byValue[val]
	if !ok {
		id = int32(len(fi.values))
		fi.values = append(fi.values, val)
		fi.byValue[val] = id
		fi.size = append(fi.size, 0)
		fi.members = append(fi.members, members{})
	}
	return id
}

func (fi *fieldIndex) addMember(v, i int32) {
	fi.size[v]++
	fi.members[v].add(i)
}

// spread returns the per-value counts of group g over the attribute. It
// finds them among the group's few spreads (a field has one index, so
// its pointer names it): placement and scale-in ask for every candidate,
// and hashing the attribute's name for a map was most of the cost.
func (c *Cluster) spread(g int32, fi *fieldIndex) *spreadCount {
	for _, sc := range c.spreadsOf(g) {
		if sc.field == fi {
			return sc
		}
	}
	sc := &spreadCount{group: g, field: fi}
	if c.groupTasks[g] > 0 { // else every count is 0
		for i, in := range c.instances {
			if n := in.groupCount(g); n > 0 {
				sc.add(fi.valueOf[i], int32(n))
			}
		}
	}
	c.spreads[spreadKey{g, fi.name}] = sc
	for int(g) >= len(c.byGroup) {
		c.byGroup = append(c.byGroup, nil)
	}
	c.byGroup[g] = append(c.byGroup[g], sc)
	return sc
}

// spreadCount returns how many tasks of the group the instances sharing
// in's value of s.Field host (in itself for instanceId).
func (c *Cluster) spreadCount(s Spread, in *Instance, group string) int {
	g, ok := c.groupIDs[group]
	if !ok {
		return 0
	}
	name := s.attribute()
	if name == "" {
		return in.groupCount(g)
	}
	fi := c.field(name)
	return int(c.spread(g, fi).at(fi.valueOf[in.idx]))
}

// GroupCount returns how many PENDING and RUNNING tasks of group the
// instance hosts; 0 for an instance that is not the cluster's.
func (c *Cluster) GroupCount(in *Instance, group string) int {
	if g, ok := c.groupIDs[group]; ok && c.owns(in) {
		return in.groupCount(g)
	}
	return 0
}

func (c *Cluster) groupID(name string) int32 {
	g, ok := c.groupIDs[name]
	if !ok {
		g = int32(len(c.groupNames))
		c.groupIDs[name] = g
		c.groupNames = append(c.groupNames, name)
		c.groupTasks = append(c.groupTasks, 0)
	}
	return g
}

// addGroup changes the count of group g's tasks on in by d.
func (c *Cluster) addGroup(in *Instance, g int32, d int32) {
	c.groupTasks[g] += d
	found := false
	for k := range in.groups {
		if in.groups[k].group == g {
			in.groups[k].n += d
			found = true
			if in.groups[k].n == 0 {
				in.groups = slices.Delete(in.groups, k, k+1)
			}
			break
		}
	}
	if !found && d > 0 {
		in.groups = append(in.groups, groupCount{g, d})
	}
	if hb, ok := c.hosting[g]; ok {
		hb.set(in.idx, in.groupCount(g) > 0)
	}
	in.groupNames = in.groupNames[:0]
	for _, gc := range in.groups {
		in.groupNames = append(in.groupNames, c.groupNames[gc.group])
	}
	for _, sc := range c.spreadsOf(g) {
		sc.add(sc.field.valueOf[in.idx], d)
	}
}

// spreadsOf returns the spreads of group g made so far.
func (c *Cluster) spreadsOf(g int32) []*spreadCount {
	if int(g) < len(c.byGroup) {
		return c.byGroup[g]
	}
	return nil
}

// setRemaining changes in's remaining cpu and memory by the deltas,
// keeping the indexes ordered.
func (c *Cluster) setRemaining(in *Instance, dcpu, dmem int64) {
	if dcpu == 0 && dmem == 0 {
		return
	}
	i := in.idx
	oldCPU, oldMem := c.cpu[i], c.mem[i]
	in.Remaining.CPU += dcpu
	in.Remaining.MemoryMiB += dmem
	c.cpu[i], c.mem[i] = in.Remaining.CPU, in.Remaining.MemoryMiB
	c.subMove(i, oldCPU, oldMem)
	c.moveAmounts(i, oldCPU, oldMem)
}
