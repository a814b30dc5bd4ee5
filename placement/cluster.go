package placement

import (
	"fmt"
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
	eligible  []uint64 // bit i: instance i is ACTIVE with its agent connected
	// cpu and mem mirror each instance's remaining CPU and memory, and
	// gpu its GPU summary, so that scans read them without touching the
	// instances.
	cpu, mem []int64
	gpu      []gpuSummary
	hosting  map[int32][]uint64 // per group: bit i when instance i hosts one of its tasks
	fitSets  map[fitShape]*fitSet

	groupIDs   map[string]int32
	groupNames []string

	tasks     []taskRecord
	freeTasks []TaskID

	// Caches, each built on first use and kept true from then on.
	exprs   map[*cql.Expr]*exprBits    // static memberOf results per instance
	fields  map[string]*fieldIndex     // attribute values per instance
	spreads map[spreadKey]*spreadCount // group task counts per attribute value
	byGroup map[int32][]*spreadCount   // the spreads to update when a group changes
	subs    map[subKey]*subIndex       // binpack orders per static filter signature

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

// exprBits caches a static expression's result for each instance.
type exprBits struct {
	expr *cql.Expr
	bits []uint64
	n    int // instances evaluated
}

func (b *exprBits) has(i int32) bool { return b.bits[i>>6]&(1<<(uint(i)&63)) != 0 }

// fieldIndex numbers the values of one attribute; value 0 stands for
// "attribute absent".
type fieldIndex struct {
	name    string
	valueOf []int32 // per instance
	values  []string
	byValue map[string]int32
	size    []int      // instances per value
	bits    [][]uint64 // per value: bit i when instance i has it
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
		byGroup:  map[int32][]*spreadCount{},
		subs:     map[subKey]*subIndex{},
		hosting:  map[int32][]uint64{},
		fitSets:  map[fitShape]*fitSet{},
	}
}

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

// AddInstance adds in to the cluster, which owns it from then on. Its ARN
// must be unique; its port lists are sorted.
func (c *Cluster) AddInstance(in *Instance) error {
	if in.ARN == "" {
		return fmt.Errorf("placement: instance %d: containerInstanceArn: missing", len(c.instances))
	}
	if _, dup := c.byARN[in.ARN]; dup {
		return fmt.Errorf("placement: instance %q: added twice", in.ARN)
	}
	if len(in.Remaining.GPUs) > MaxGPUsPerInstance {
		return fmt.Errorf("placement: instance %q: %d GPUs, at most %d supported", in.ARN, len(in.Remaining.GPUs), MaxGPUsPerInstance)
	}
	for j, g := range in.Remaining.GPUs {
		if g.FreeMilli < 0 || g.FreeMilli > GPUMilliPerDevice {
			return fmt.Errorf("placement: instance %q: gpus[%d].freeMilli: %d is outside 0..%d", in.ARN, j, g.FreeMilli, GPUMilliPerDevice)
		}
	}
	if len(c.instances) == math.MaxInt32 {
		return fmt.Errorf("placement: cluster is full")
	}
	slices.Sort(in.Remaining.PortsTCP)
	in.Remaining.PortsTCP = slices.Compact(in.Remaining.PortsTCP)
	slices.Sort(in.Remaining.PortsUDP)
	in.Remaining.PortsUDP = slices.Compact(in.Remaining.PortsUDP)
	in.idx = int32(len(c.instances))
	in.groups, in.groupNames = nil, nil
	in.refresh()
	c.instances = append(c.instances, in)
	c.byARN[in.ARN] = in.idx
	c.cpu = append(c.cpu, in.Remaining.CPU)
	c.mem = append(c.mem, in.Remaining.MemoryMiB)
	c.gpu = append(c.gpu, gpuSummary{})
	c.mirrorGPU(in)
	c.refreshFits(in.idx)
	c.setEligible(in)
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
// ARN or the hosted tasks.
func (c *Cluster) Update(in *Instance, f func(*Instance)) {
	i := in.idx
	var old [Memory + 1]int64
	for r := range old {
		old[r] = remainingOf(in, Resource(r))
	}
	f(in)
	slices.Sort(in.Remaining.PortsTCP)
	slices.Sort(in.Remaining.PortsUDP)
	in.refresh()
	c.setEligible(in)
	c.cpu[i], c.mem[i] = in.Remaining.CPU, in.Remaining.MemoryMiB
	c.mirrorGPU(in)
	c.refreshFits(i)
	for e, b := range c.exprs {
		if int(i) < b.n {
			b.set(i, e.Match(in.Subject()))
		}
	}
	for _, fi := range c.fields {
		if int(i) >= len(fi.valueOf) {
			continue
		}
		was, now := fi.valueOf[i], fi.valueID(in)
		if was == now {
			continue
		}
		fi.valueOf[i] = now
		fi.size[was]--
		setBit(fi.bits[was], i, false)
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
}

// gpuSummary is what a GPU check needs of an instance.
type gpuSummary struct {
	devices, full, max int32 // devices, devices wholly free, largest free milli
}

func (c *Cluster) mirrorGPU(in *Instance) {
	c.gpu[in.idx] = gpuSummary{int32(len(in.Remaining.GPUs)), int32(in.fullGPUs), int32(in.maxGPU)}
}

// hostingBits returns the bit set of instances that host a task of group
// g, building it on first use; it covers every instance.
func (c *Cluster) hostingBits(g int32) []uint64 {
	hb := c.hosting[g]
	if n := (len(c.instances) + 63) >> 6; len(hb) < n {
		hb = append(hb, make([]uint64, n-len(hb))...)
		if _, ok := c.hosting[g]; !ok {
			for i, in := range c.instances {
				setBit(hb, int32(i), in.groupCount(g) > 0)
			}
		}
		c.hosting[g] = hb
	}
	return hb
}

func setBit(bits []uint64, i int32, v bool) {
	if v {
		bits[i>>6] |= 1 << (uint(i) & 63)
	} else {
		bits[i>>6] &^= 1 << (uint(i) & 63)
	}
}

func hasBit(bits []uint64, i int32) bool { return bits[i>>6]&(1<<(uint(i)&63)) != 0 }

func (c *Cluster) setEligible(in *Instance) {
	for len(c.eligible) <= int(in.idx>>6) {
		c.eligible = append(c.eligible, 0)
	}
	if in.eligible {
		c.eligible[in.idx>>6] |= 1 << (uint(in.idx) & 63)
	} else {
		c.eligible[in.idx>>6] &^= 1 << (uint(in.idx) & 63)
	}
}

func (b *exprBits) set(i int32, v bool) {
	if v {
		b.bits[i>>6] |= 1 << (uint(i) & 63)
	} else {
		b.bits[i>>6] &^= 1 << (uint(i) & 63)
	}
}

// staticBits returns e's cached results, evaluating it on instances added
// since the last call.
func (c *Cluster) staticBits(e *cql.Expr) *exprBits {
	b := c.exprs[e]
	if b == nil {
		if len(c.exprs) >= 256 { // many one-off expressions: start again
			clear(c.exprs)
			clear(c.subs) // they hold bits that Update no longer reaches
		}
		b = &exprBits{expr: e}
		c.exprs[e] = b
	}
	c.evalBits(b)
	return b
}

// evalBits evaluates b's expression on the instances added since.
func (c *Cluster) evalBits(b *exprBits) {
	for b.n < len(c.instances) {
		for len(b.bits) <= b.n>>6 {
			b.bits = append(b.bits, 0)
		}
		b.set(int32(b.n), b.expr.Match(c.instances[b.n].Subject()))
		b.n++
	}
}

// field returns the attribute's value index, covering every instance.
func (c *Cluster) field(name string) *fieldIndex {
	fi := c.fields[name]
	if fi == nil {
		fi = &fieldIndex{name: name, values: []string{""}, byValue: map[string]int32{}, size: []int{0}, bits: [][]uint64{nil}}
		c.fields[name] = fi
	}
	for i := len(fi.valueOf); i < len(c.instances); i++ {
		v := fi.valueID(c.instances[i])
		fi.valueOf = append(fi.valueOf, v)
		fi.addMember(v, int32(i))
	}
	return fi
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
		fi.bits = append(fi.bits, nil)
	}
	return id
}

func (fi *fieldIndex) addMember(v, i int32) {
	fi.size[v]++
	for len(fi.bits[v]) <= int(i>>6) {
		fi.bits[v] = append(fi.bits[v], 0)
	}
	setBit(fi.bits[v], i, true)
}

// spread returns the per-value counts of group g over the attribute.
func (c *Cluster) spread(g int32, fi *fieldIndex) *spreadCount {
	k := spreadKey{g, fi.name}
	sc := c.spreads[k]
	if sc == nil {
		sc = &spreadCount{group: g, field: fi}
		for i, in := range c.instances {
			if n := in.groupCount(g); n > 0 {
				sc.add(fi.valueOf[i], int32(n))
			}
		}
		c.spreads[k] = sc
		c.byGroup[g] = append(c.byGroup[g], sc)
	}
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
// instance hosts.
func (c *Cluster) GroupCount(in *Instance, group string) int {
	if g, ok := c.groupIDs[group]; ok {
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
	}
	return g
}

// addGroup changes the count of group g's tasks on in by d.
func (c *Cluster) addGroup(in *Instance, g int32, d int32) {
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
		setBit(hb, in.idx, in.groupCount(g) > 0)
	}
	in.groupNames = in.groupNames[:0]
	for _, gc := range in.groups {
		in.groupNames = append(in.groupNames, c.groupNames[gc.group])
	}
	for _, sc := range c.byGroup[g] {
		sc.field = c.field(sc.field.name)
		sc.add(sc.field.valueOf[in.idx], d)
	}
}

// setRemaining changes in's remaining cpu and memory by the deltas,
// keeping the indexes ordered.
func (c *Cluster) setRemaining(in *Instance, dcpu, dmem int64) {
	if dcpu != 0 {
		in.Remaining.CPU += dcpu
		c.cpu[in.idx] = in.Remaining.CPU
		c.subMove(in, CPU, in.Remaining.CPU-dcpu)
	}
	if dmem != 0 {
		in.Remaining.MemoryMiB += dmem
		c.mem[in.idx] = in.Remaining.MemoryMiB
		c.subMove(in, Memory, in.Remaining.MemoryMiB-dmem)
	}
}
