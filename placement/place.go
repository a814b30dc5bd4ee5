package placement

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/berthsched/berth/cql"
)

// prepared is a request compiled against the cluster for one Place call.
type prepared struct {
	req         *Request
	external    bool   // the request's launch type is EXTERNAL
	launchFlip  uint64 // XORed with a word of c.external: the launch type's instances
	task        Task
	group       int32
	share       int
	shape       fitShape // the resources the GPU and fit checks need
	distinct    bool
	static      []*exprBits
	staticExprs []*cql.Expr
	dynamic     []*cql.Expr
	scorers     []scorer // the chain, cut at the first Random
	chooser     GPUChooser
	// simple: only CPU and memory need checking once the eligible, static
	// and hosting bits passed (no GPU, ports, scalars, required attributes
	// or dynamic expressions).
	simple bool
	// hosting is the group's hosting bits, when distinctInstance or
	// spread(instanceId) needs them.
	hosting bitset
	// fit is the fitSet of a simple request, once a scan needed it.
	fit *fitSet
	// rng breaks ties, for the scans that pick as they count.
	rng *rand.Rand
}

type scorerKind uint8

const (
	scoreBinpack scorerKind = iota
	scoreSpreadAttr
	scoreSpreadInstance
	scoreUser
)

// scorer is one strategy of the chain with what it needs resolved.
type scorer struct {
	kind   scorerKind
	res    Resource
	spread *spreadCount
	user   Strategy
}

// score returns the strategy's score for in: higher is better.
func (c *Cluster) score(s *scorer, in *Instance) float64 {
	switch s.kind {
	case scoreBinpack:
		return -float64(remainingOf(in, s.res))
	case scoreSpreadAttr:
		return -float64(s.spread.at(s.spread.field.valueOf[in.idx]))
	case scoreSpreadInstance:
		return -float64(in.groupCount(c.pr.group))
	}
	return s.user.Score(view{c}, in, &c.pr.task)
}

func (c *Cluster) prepare(req *Request) *prepared {
	pr := c.prepareFilters(req)
	pr.fit = nil // built by the first scan that can use it
	pr.scorers = pr.scorers[:0]
	pr.chooser = nil
	for _, s := range req.Strategies {
		if ch, ok := s.(GPUChooser); ok && pr.chooser == nil {
			pr.chooser = ch
		}
		if _, ok := s.(Random); ok {
			break
		}
		pr.scorers = append(pr.scorers, c.scorerOf(pr, s))
	}
	return pr
}

// scorerOf resolves strategy s of pr's chain.
func (c *Cluster) scorerOf(pr *prepared, s Strategy) scorer {
	switch s := s.(type) {
	case Binpack:
		return scorer{kind: scoreBinpack, res: s.Field}
	case Spread:
		if name := s.attribute(); name != "" {
			return scorer{kind: scoreSpreadAttr, spread: c.spread(pr.group, c.field(name))}
		}
		pr.hosting = c.hostingBits(pr.group)
		return scorer{kind: scoreSpreadInstance}
	}
	return scorer{kind: scoreUser, user: s}
}

// prepareFilters prepares what check needs of req, which is all a
// recalled failure needs (memo.go).
func (c *Cluster) prepareFilters(req *Request) *prepared {
	return c.prepareFiltersOf(req, c.groupID(req.Group))
}

// prepareFiltersOf is prepareFilters with req.Group's groupID, group.
func (c *Cluster) prepareFiltersOf(req *Request, group int32) *prepared {
	pr := &c.pr
	pr.req = req
	pr.setLaunchType(req.LaunchType)
	pr.task = Task{Group: req.Group, Requirements: req.Task}
	pr.group = group
	pr.share = req.Task.gpuShare()
	pr.shape = shapeOf(&req.Task, pr.share)
	pr.distinct = false
	pr.static = pr.static[:0]
	pr.staticExprs = pr.staticExprs[:0]
	pr.dynamic = pr.dynamic[:0]
	for _, con := range req.Constraints {
		switch {
		case con.Type == DistinctInstance:
			pr.distinct = true
		case con.Expr.Uses()&(cql.UsesTaskGroup|cql.UsesRunningTasksCount) != 0:
			pr.dynamic = append(pr.dynamic, con.Expr)
		default:
			pr.static = append(pr.static, c.staticBits(con.Expr))
			pr.staticExprs = append(pr.staticExprs, con.Expr)
		}
	}
	r := &req.Task
	pr.simple = len(pr.dynamic) == 0 && len(req.RequiredAttributes) == 0 &&
		len(r.PortsTCP)+len(r.PortsUDP) == 0 && len(r.Scalars) == 0 && req.MaxPerInstance == 0 &&
		!r.AWSVPC
	pr.hosting = nil
	if pr.distinct {
		pr.hosting = c.hostingBits(pr.group)
	}
	return pr
}

// setLaunchType sets what the filters need of the request's launch type.
func (pr *prepared) setLaunchType(l LaunchType) {
	pr.external = l.external()
	pr.launchFlip = 0
	if !pr.external {
		pr.launchFlip = ^uint64(0) // EC2: the instances not in c.external
	}
}

// check runs the filters on in, in their documented order, and returns
// the first that removes it (ReasonNone when it can take the task) with,
// for ReasonScalar, the index of the resource in the task's Scalars.
func (c *Cluster) check(in *Instance, pr *prepared) (Reason, int) {
	if in.external != pr.external {
		return ReasonLaunchType, 0
	}
	if !in.eligible {
		if in.Status != StatusActive {
			return ReasonStatus, 0
		}
		return ReasonAgent, 0
	}
	for _, a := range pr.req.RequiredAttributes {
		if v, ok := in.Attribute(a.Name); !ok || a.Value != "" && v != a.Value {
			return ReasonAttribute, 0
		}
	}
	r := &pr.task.Requirements
	if c.cpu[in.idx] < r.CPU {
		return ReasonCPU, 0
	}
	if c.mem[in.idx] < r.MemoryMiB {
		return ReasonMemory, 0
	}
	if !pr.shape.gpuFits(c.gpu[in.idx]) {
		return ReasonGPU, 0
	}
	if tcp, udp := r.hostPorts(); len(tcp)+len(udp) > 0 {
		if in.ports+len(tcp)+len(udp) > MaxReservedPorts {
			return ReasonPorts, 0
		}
		for _, p := range tcp {
			if _, taken := slices.BinarySearch(in.Remaining.PortsTCP, p); taken {
				return ReasonPorts, 0
			}
		}
		for _, p := range udp {
			if _, taken := slices.BinarySearch(in.Remaining.PortsUDP, p); taken {
				return ReasonPorts, 0
			}
		}
	}
	if r.AWSVPC && in.Remaining.ENIs < 1 {
		return ReasonENI, 0
	}
	for k, s := range r.Scalars {
		if in.Remaining.scalar(s.Name) < s.Value {
			return ReasonScalar, k
		}
	}
	if len(pr.req.Zones) > 0 && !inZones(in, pr.req.Zones) {
		return ReasonLocation, 0
	}
	if pr.distinct && in.groupCount(pr.group) > 0 {
		return ReasonDistinctInstance, 0
	}
	if m := pr.req.MaxPerInstance; m > 0 && in.groupCount(pr.group) >= m {
		return ReasonMaxPerInstance, 0
	}
	for _, b := range pr.static {
		if !b.has(in.idx) {
			return ReasonMemberOf, 0
		}
	}
	for _, e := range pr.dynamic {
		if !e.Match(in.Subject()) {
			return ReasonMemberOf, 0
		}
	}
	return ReasonNone, 0
}

// fitsAt reports whether instance i can take the task: check without the
// reason, from the cached bits and mirrors.
func (c *Cluster) fitsAt(i int32, pr *prepared) bool {
	if !c.eligible.has(i) || c.external.has(i) != pr.external {
		return false
	}
	for _, b := range pr.static {
		if !b.has(i) {
			return false
		}
	}
	return c.fitsRest(i, pr)
}

// fitsRest checks what the eligible and static bits do not cover.
func (c *Cluster) fitsRest(i int32, pr *prepared) bool {
	if pr.distinct && pr.hosting.has(i) {
		return false
	}
	if pr.simple {
		return c.fitsShape(i, &pr.shape)
	}
	r, _ := c.check(c.instances[i], pr)
	return r == ReasonNone
}

// Place places req.Count tasks, one at a time, each seeing the ones placed
// before it, and writes the outcome into res (whose slices it reuses). A
// task that cannot be placed is an outcome, recorded in res.Unplaced with
// its reason; the error is for invalid arguments only (an invalid request,
// a nil rng or res), in which case nothing is placed. rng breaks the ties
// the strategies leave; it is required even when the chain leaves none.
func (c *Cluster) Place(req *Request, rng *rand.Rand, res *Result) error {
	switch {
	case res == nil:
		return errors.New("placement: place: res is nil: pass a *Result to fill")
	case rng == nil:
		return errors.New("placement: place: rng is nil: ties are broken by a seeded *rand.Rand")
	case req == nil:
		return errors.New("placement: place: req is nil")
	}
	res.reset()
	if err := req.Validate(); err != nil {
		return err
	}
	if f, ok := c.recalled(req); ok {
		c.recalls++
		f.asked = c.gen + 1
		res.unplaced(f.u, req.Count)
		return nil
	}
	pr := c.prepare(req)
	for n := 0; n < req.Count; n++ {
		i, ok := c.choose(pr, rng)
		if !ok {
			c.unplaceable(pr, req, n == 0, res)
			break
		}
		res.Placed = append(res.Placed, c.commit(c.instances[i], pr))
	}
	return nil
}

// choose returns the instance for the next task of pr.
func (c *Cluster) choose(pr *prepared, rng *rand.Rand) (int32, bool) {
	c.ties = c.ties[:0]
	c.filters = c.filters[:0]
	pr.rng = rng
	c.picked = false
	c.rank(pr, pr.scorers, 0)
	if len(c.ties) == 0 {
		return 0, false
	}
	if c.picked { // the scan drew the tie-break already
		return c.ties[0], true
	}
	return c.ties[pickTie(len(c.ties), rng)], true
}

// valueFilter restricts candidates to instances whose value of an
// attribute is allowed.
type valueFilter struct {
	field   *fieldIndex
	allowed []bool // per value id
	values  []int32
}

// word returns word k of the set of instances the filter allows.
func (f *valueFilter) word(k int) uint64 {
	var w uint64
	for _, v := range f.values {
		w |= f.field.members[v].word(k)
	}
	return w
}

func (c *Cluster) inFilters(i int32) bool {
	for k := range c.filters {
		f := &c.filters[k]
		if !f.allowed[f.field.valueOf[i]] {
			return false
		}
	}
	return true
}

// levelEntry is a value of a spread attribute with the group's task count
// there, packed so that entries sort by count, then value, as integers:
// the count (offset to keep its sign's order) in the high half, the value
// in the low.
type levelEntry uint64

func newLevelEntry(count, value int32) levelEntry {
	return levelEntry(uint64(uint32(count)^1<<31)<<32 | uint64(uint32(value)))
}

func (e levelEntry) count() int32 { return int32(uint32(e>>32) ^ 1<<31) }
func (e levelEntry) value() int32 { return int32(uint32(e)) }

// rank appends to c.ties the candidates that tie best under chain, among
// the instances allowed by c.filters that pass the filters, in cluster
// order. It reports whether there was any.
func (c *Cluster) rank(pr *prepared, chain []scorer, depth int) bool {
	if len(chain) == 0 {
		return c.scan(pr, nil)
	}
	switch chain[0].kind {
	case scoreSpreadAttr:
		return c.rankSpread(pr, chain, depth)
	case scoreBinpack:
		return c.rankBinpack(pr, chain)
	case scoreSpreadInstance:
		// The best spread(instanceId) level is 0 tasks of the group when any
		// candidate hosts none: rank those by the rest of the chain. Only
		// when every candidate hosts some does the count matter.
		if c.scanMasked(pr, chain[1:], pr.hosting) {
			return true
		}
	}
	return c.scan(pr, chain)
}

// rankSpread visits the attribute's values by ascending count of the
// group's tasks; the first level of equal counts that holds a candidate
// decides, and the rest of the chain ranks within it. The lowest level,
// which usually decides, is found without sorting; the others are sorted
// only when it holds no candidate.
func (c *Cluster) rankSpread(pr *prepared, chain []scorer, depth int) bool {
	sc := chain[0].spread
	fi := c.field(sc.field.name)
	for len(c.levels) <= depth {
		c.levels = append(c.levels, nil)
	}
	lv := c.levels[depth][:0]
	low := levelEntry(math.MaxUint64)
	for v := range fi.values {
		if fi.size[v] > 0 {
			e := newLevelEntry(sc.at(int32(v)), int32(v))
			lv = append(lv, e)
			low = min(low, e)
		}
	}
	c.levels[depth] = lv
	if len(c.filters) < cap(c.filters) {
		c.filters = c.filters[:len(c.filters)+1] // keep the slices of the last use
	} else {
		c.filters = append(c.filters, valueFilter{})
	}
	// The filter is addressed by index: deeper levels may grow c.filters
	// and move it.
	fx := len(c.filters) - 1
	c.filters[fx].field = fi
	if cap(c.filters[fx].allowed) < len(fi.values) {
		c.filters[fx].allowed = make([]bool, len(fi.values))
	}
	c.filters[fx].allowed = c.filters[fx].allowed[:len(fi.values)]
	found := false
	if len(lv) > 0 {
		f := &c.filters[fx]
		clear(f.allowed)
		f.values = f.values[:0]
		for _, e := range lv {
			if e.count() == low.count() {
				f.allowed[e.value()] = true
				f.values = append(f.values, e.value())
			}
		}
		found = c.rank(pr, chain[1:], depth+1)
	}
	if !found {
		slices.Sort(lv)
	}
	for start := 0; start < len(lv) && !found; {
		end := start
		for end < len(lv) && lv[end].count() == lv[start].count() {
			end++
		}
		if lv[start].count() == low.count() {
			start = end // the lowest level, ranked above
			continue
		}
		f := &c.filters[fx]
		clear(f.allowed)
		f.values = f.values[:0]
		for _, e := range lv[start:end] {
			f.allowed[e.value()] = true
			f.values = append(f.values, e.value())
		}
		found = c.rank(pr, chain[1:], depth+1)
		start = end
	}
	c.filters = c.filters[:len(c.filters)-1]
	return found
}

// rankBinpack walks the instances that pass the static filters, in the
// partitions the spread levels allow, by ascending remaining amount from
// the task's need up; the least amount at which a candidate passes every
// filter decides, and the rest of the chain ranks the candidates with that
// amount, in cluster order.
//
// Each partition is walked on its own, no further than the least amount
// found so far, passing over instances (and whole blocks) short of the
// other resource without looking at them. The candidates at the winning
// amount are then gathered from the partitions that reached it, in
// cluster order. When the chain ends there and the request is simple, a
// run of more than c.tieWalk instances at that amount is not walked to
// its end: drawTie counts the candidates in the amount's bit set and
// draws among them, as the tie-break would.
func (c *Cluster) rankBinpack(pr *prepared, chain []scorer) bool {
	res := chain[0].res
	need, needP := pr.task.Requirements.MemoryMiB, pr.task.Requirements.CPU
	if res == CPU {
		need, needP = needP, need
	}
	best, found := c.leastAmount(pr, c.subIndexFor(pr, res), need, needP)
	if !found {
		return false
	}
	rest := chain[1:]
	if c.gather(pr, res, best, needP, len(rest) == 0 && pr.simple) {
		return true // drawn
	}
	if len(rest) == 0 {
		c.ties = append(c.ties, c.group...)
		return true
	}
	c.best(pr, rest, c.group)
	return true
}

// leastAmount returns the least amount at which an allowed partition of
// si has a candidate, leaving in c.cursors a cursor at the first candidate
// of each partition that has one there.
func (c *Cluster) leastAmount(pr *prepared, si *subIndex, need, needP int64) (best int64, found bool) {
	c.cursors = c.cursors[:0]
	for _, p := range si.parts {
		if !c.partAllowed(p) {
			continue
		}
		cu, ok := c.firstFit(pr, p, need, needP, found, best)
		if !ok {
			continue
		}
		if v := cu.key().v; !found || v < best {
			found, best = true, v
			c.cursors = c.cursors[:0]
		}
		c.cursors = append(c.cursors, cu)
	}
	return best, found
}

// gather puts in c.group, in cluster order, the candidates at amount best
// from the cursors leastAmount left. When draw is set (the chain ends
// with binpack and the request is simple) and the run is longer than
// c.tieWalk, it stops walking and lets drawTie choose: then c.ties holds
// the choice, c.picked is set, and gather reports true.
func (c *Cluster) gather(pr *prepared, res Resource, best, needP int64, draw bool) bool {
	c.group = c.group[:0]
	walked := 0
	if draw && len(c.filters) == 0 && c.amountSize(res, best) > c.tieWalk {
		// A long run, by the amount sets: count it at once. (Under spread
		// levels the run counted there spans every partition, so the walk
		// decides.)
		walked = c.tieWalk
	}
	for m := range c.cursors {
		cu := &c.cursors[m]
		for ok := true; ok && cu.key().v == best; ok = cu.next() {
			k := cu.key()
			if k.p >= needP && c.fitsAt(k.idx, pr) {
				c.group = append(c.group, k.idx)
			}
			if walked++; draw && walked > c.tieWalk {
				if pr.fit == nil {
					pr.fit = c.fitSetFor(pr)
				}
				if i, ok := c.drawTie(pr, res, best); ok {
					c.ties = append(c.ties[:0], i)
					c.picked = true
					return true
				}
				draw = false // unreachable: the walk found a candidate at best
			}
		}
	}
	if len(c.cursors) > 1 {
		slices.Sort(c.group) // the partitions' runs, each in cluster order
	}
	return false
}

// firstFit returns a cursor at the first candidate of partition p with at
// least need of the binpacked resource, at an amount no greater than
// bound when bounded; ok is false when there is none. needP is the task's
// need of the other resource.
func (c *Cluster) firstFit(pr *prepared, p *part, need, needP int64, bounded bool, bound int64) (cursor, bool) {
	ix := &p.ix
	b, j := ix.seek(key{v: need, idx: math.MinInt32})
	for ; b < len(ix.blocks); b, j = b+1, 0 {
		blk := ix.blocks[b]
		if bounded && blk[j].v > bound {
			break
		}
		if ix.pmax[b] < needP {
			continue // every instance of the block is short of the other resource
		}
		for ; j < len(blk); j++ {
			k := blk[j]
			if bounded && k.v > bound {
				return cursor{}, false
			}
			if k.p >= needP && c.fitsAt(k.idx, pr) {
				return cursor{p: p, b: b, j: j}, true
			}
		}
	}
	return cursor{}, false
}

// cursor walks one partition of a subIndex.
type cursor struct {
	p    *part
	b, j int
}

func (cu *cursor) key() key { return cu.p.ix.blocks[cu.b][cu.j] }

func (cu *cursor) next() bool {
	cu.j++
	if cu.j == len(cu.p.ix.blocks[cu.b]) {
		cu.b, cu.j = cu.b+1, 0
	}
	return cu.b < len(cu.p.ix.blocks)
}

// partAllowed reports whether the spread levels in force allow p's values.
func (c *Cluster) partAllowed(p *part) bool {
	for k := range c.filters {
		f := &c.filters[k]
		v := p.vals[k]
		if int(v) >= len(f.allowed) || !f.allowed[v] {
			return false
		}
	}
	return true
}

// scan considers every allowed instance: those of the innermost spread
// level when there is one, else the whole cluster.
func (c *Cluster) scan(pr *prepared, chain []scorer) bool { return c.scanMasked(pr, chain, nil) }

// scanMasked is scan over the instances whose bit in exclude is clear
// (exclude nil: all).
func (c *Cluster) scanMasked(pr *prepared, chain []scorer, exclude bitset) bool {
	var bestv [MaxStrategies]float64
	first := true
	visit := func(i int32) {
		if !c.fitsRest(i, pr) {
			return
		}
		if len(chain) == 0 {
			c.ties = append(c.ties, i)
			return
		}
		switch c.compare(chain, c.instances[i], &bestv, first) {
		case 1:
			c.ties = append(c.ties[:0], i)
		case 0:
			c.ties = append(c.ties, i)
		}
		first = false
	}
	word := func(k int) uint64 { return c.candidates(pr, k, exclude) }
	if pr.simple && pr.fit == nil && len(chain) == 0 {
		pr.fit = c.fitSetFor(pr)
	}
	if pr.fit != nil && len(chain) == 0 {
		// Every candidate fits and they all tie: count them, draw one as
		// the seeded tie-break would, and find it, without visiting each.
		n := 0
		for k := range c.eligible {
			n += bits.OnesCount64(word(k))
		}
		if n == 0 {
			return false
		}
		pick := pickTie(n, pr.rng)
		for k := range c.eligible {
			w := word(k)
			if m := bits.OnesCount64(w); pick >= m {
				pick -= m
				continue
			}
			c.ties = append(c.ties[:0], nth(k, w, pick))
			c.picked = true
			return true
		}
	}
	// Otherwise the candidates are visited in cluster order; whole words
	// of instances that cannot take the task are skipped untouched.
	for k := range c.eligible {
		for w := word(k); w != 0; w &= w - 1 {
			visit(index(k, w))
		}
	}
	return len(c.ties) > 0
}

// candidates returns word k of the candidates for pr: eligible, of the
// launch type, passing the static expressions, not in exclude (nil:
// none), inside the spread levels in force and, once pr.fit is set (a
// simple request), with the resources and outside distinctInstance. Every
// set covers every instance (the bitset invariant).
func (c *Cluster) candidates(pr *prepared, k int, exclude bitset) uint64 {
	w := c.eligible[k] & (c.external[k] ^ pr.launchFlip)
	for _, b := range pr.static {
		w &= b.bits[k]
	}
	if exclude != nil {
		w &^= exclude[k]
	}
	for f := range c.filters {
		w &= c.filters[f].word(k)
	}
	if pr.fit != nil {
		w &= pr.fit.bits[k]
		if pr.distinct {
			w &^= pr.hosting[k]
		}
	}
	return w
}

// best appends to c.ties the candidates of cands that tie best under chain.
func (c *Cluster) best(pr *prepared, chain []scorer, cands []int32) {
	var bestv [MaxStrategies]float64
	for k, i := range cands {
		switch c.compare(chain, c.instances[i], &bestv, k == 0) {
		case 1:
			c.ties = append(c.ties[:0], i)
		case 0:
			c.ties = append(c.ties, i)
		}
	}
}

// compare scores in under chain against *best: 1 when in is better (and
// becomes *best), 0 on a tie, -1 when worse. The first candidate is
// always better.
func (c *Cluster) compare(chain []scorer, in *Instance, best *[MaxStrategies]float64, first bool) int {
	for k := range chain {
		s := c.score(&chain[k], in)
		if first || s > best[k] {
			best[k] = s
			for k++; k < len(chain); k++ {
				best[k] = c.score(&chain[k], in)
			}
			return 1
		}
		if s < best[k] {
			return -1
		}
	}
	return 0
}

// commit places the task of pr on in.
func (c *Cluster) commit(in *Instance, pr *prepared) Placement {
	r := &pr.task.Requirements
	var gpus DeviceSet
	if r.AllGPUs || r.GPUs > 0 {
		if pr.chooser != nil {
			gpus = pr.chooser.ChooseGPUs(view{c}, in, &pr.task)
		} else {
			gpus = defaultGPUs(in, r, pr.share)
		}
	}
	id := c.newTask(taskRecord{inst: in.idx, group: pr.group, req: *r, gpus: gpus, share: pr.share, running: true})
	in.hosted = append(in.hosted, id)
	c.reserve(in, &c.tasks[id], +1)
	return Placement{Task: id, Instance: in, GPUs: gpus}
}

func (c *Cluster) newTask(t taskRecord) TaskID {
	if n := len(c.freeTasks); n > 0 {
		id := c.freeTasks[n-1]
		c.freeTasks = c.freeTasks[:n-1]
		c.tasks[id] = t
		c.taskInst[id], c.taskGroup[id] = t.inst, t.group
		return id
	}
	c.tasks = append(c.tasks, t)
	c.taskInst, c.taskGroup = append(c.taskInst, t.inst), append(c.taskGroup, t.group)
	return TaskID(len(c.tasks) - 1)
}

// defaultGPUs picks devices for a task: the lowest-numbered whole free
// devices, or for a share the device with the least free milli that fits.
func defaultGPUs(in *Instance, r *Requirements, share int) DeviceSet {
	var set DeviceSet
	gs := in.Remaining.GPUs
	switch {
	case r.AllGPUs:
		for k := range gs {
			set |= 1 << uint(k)
		}
	case share >= GPUMilliPerDevice:
		for k := 0; k < len(gs) && set.Len() < r.GPUs; k++ {
			if gs[k].FreeMilli >= GPUMilliPerDevice {
				set |= 1 << uint(k)
			}
		}
	default:
		best := -1
		for k, g := range gs {
			if g.FreeMilli >= share && (best < 0 || g.FreeMilli < gs[best].FreeMilli) {
				best = k
			}
		}
		if best >= 0 {
			set = 1 << uint(best)
		}
	}
	return set
}

// reserve takes (sign +1) or gives back (sign -1) what task t holds on in.
func (c *Cluster) reserve(in *Instance, t *taskRecord, sign int) {
	c.touch(in.idx)
	r := &t.req
	c.setRemaining(in, -int64(sign)*r.CPU, -int64(sign)*r.MemoryMiB)
	if t.gpus != 0 {
		for k := range in.Remaining.GPUs {
			if t.gpus.Has(k) {
				take := t.share
				if r.AllGPUs {
					take = GPUMilliPerDevice
				}
				in.Remaining.GPUs[k].FreeMilli -= sign * take
			}
		}
	}
	tcp, udp := r.hostPorts()
	for _, p := range tcp {
		in.Remaining.PortsTCP = togglePort(in.Remaining.PortsTCP, p, sign)
	}
	for _, p := range udp {
		in.Remaining.PortsUDP = togglePort(in.Remaining.PortsUDP, p, sign)
	}
	if r.AWSVPC {
		in.Remaining.ENIs -= sign
	}
	for _, s := range r.Scalars {
		in.Remaining.addScalar(s.Name, -float64(sign)*s.Value)
	}
	in.refresh()
	c.gpu[in.idx] = gpuOf(in)
	c.refreshFits(in.idx)
	c.addGroup(in, t.group, int32(sign))
	if t.running {
		in.RunningTasksCount += sign
	}
}

// inZones reports whether in's availability zone is one of zones (an
// awsvpc task's subnets' zones). An instance without the attribute is in
// none.
func inZones(in *Instance, zones []string) bool {
	z, ok := in.Attribute("ecs.availability-zone")
	return ok && slices.Contains(zones, z)
}

func togglePort(ports []uint16, p uint16, sign int) []uint16 {
	j, found := slices.BinarySearch(ports, p)
	switch {
	case sign > 0 && !found:
		return slices.Insert(ports, j, p)
	case sign < 0 && found:
		return slices.Delete(ports, j, j+1)
	}
	return ports
}

// Release frees what the task holds and forgets it. Releasing an unknown
// or already released task is an error.
func (c *Cluster) Release(id TaskID) error {
	if id < 0 || int(id) >= len(c.tasks) || c.tasks[id].inst < 0 {
		return fmt.Errorf("placement: release: task %d is not in the cluster", id)
	}
	t := &c.tasks[id]
	in := c.instances[t.inst]
	c.reserve(in, t, -1)
	k := slices.Index(in.hosted, id)
	in.hosted = slices.Delete(in.hosted, k, k+1)
	t.inst = -1
	c.taskInst[id] = -1
	t.req = Requirements{}
	c.freeTasks = append(c.freeTasks, id)
	return nil
}

// TaskInstance returns the instance that hosts the task, or nil.
func (c *Cluster) TaskInstance(id TaskID) *Instance {
	if id < 0 || int(id) >= len(c.taskInst) || c.taskInst[id] < 0 {
		return nil
	}
	return c.instances[c.taskInst[id]]
}

// TaskActive reports whether the task is in the cluster (TaskInstance is
// not nil) and whether its instance is ACTIVE, from a bit the cluster
// keeps per instance: a scheduler that walks a service's tasks at every
// reconciliation need not load each instance to read its status.
func (c *Cluster) TaskActive(id TaskID) (found, active bool) {
	if id < 0 || int(id) >= len(c.taskInst) || c.taskInst[id] < 0 {
		return false, false
	}
	return true, c.active.has(c.taskInst[id])
}

// AttributeValues is the cluster's index of one attribute's values per
// instance, for a caller that reads the attribute of many tasks'
// instances (a scheduler counting a service's tasks per zone at every
// reconciliation): a value is a small integer, read from one array, that
// the caller can compare without comparing strings. The cluster keeps
// the index up to date as instances are added and updated; a value's
// number never changes. Its methods are valid while the cluster is.
type AttributeValues struct {
	c  *Cluster
	fi *fieldIndex
}

// AttributeValues returns the index of attribute name's values, built on
// the first call for that name.
func (c *Cluster) AttributeValues(name string) AttributeValues {
	return AttributeValues{c: c, fi: c.field(name)}
}

// OfTask returns the number of the attribute's value on the task's
// instance: 0 when the instance does not have the attribute or the task
// is not in the cluster.
func (a AttributeValues) OfTask(id TaskID) int32 {
	c := a.c
	if id < 0 || int(id) >= len(c.taskInst) || c.taskInst[id] < 0 {
		return 0
	}
	return a.fi.valueOf[c.taskInst[id]]
}

// Value returns the value numbered v (not 0) by OfTask.
func (a AttributeValues) Value(v int32) string { return a.fi.values[v] }

// HostedTask is a task already on an instance, for Adopt.
type HostedTask struct {
	Group        string
	Requirements Requirements
	// GPUs are the devices it holds (of the instance's GPU list).
	GPUs DeviceSet
	// Reserved says the instance's Remaining and RunningTasksCount already
	// account for the task, as in an ECS snapshot, where
	// remainingResources is authoritative. Otherwise Adopt takes the
	// task's resources from the instance as Place would.
	Reserved bool
}

// Adopt records a task the instance already hosts, so that it counts for
// its group (task:group, distinctInstance, spread) and can be released.
func (c *Cluster) Adopt(in *Instance, h HostedTask) (TaskID, error) {
	if !c.owns(in) {
		return 0, fieldErrorf("", "adopt: the instance is not in the cluster")
	}
	if h.Group == "" {
		return 0, fieldErrorf("", "adopt: group: missing")
	}
	if err := h.Requirements.validate(); err != nil {
		return 0, err
	}
	if h.GPUs.Len() > len(in.Remaining.GPUs) || h.GPUs>>uint(len(in.Remaining.GPUs)) != 0 {
		return 0, fieldErrorf("", "adopt: gpus: device set names a device the instance lacks")
	}
	t := taskRecord{inst: in.idx, group: c.groupID(h.Group), req: h.Requirements, gpus: h.GPUs, share: h.Requirements.gpuShare(), running: true}
	id := c.newTask(t)
	in.hosted = append(in.hosted, id)
	if h.Reserved {
		c.touch(in.idx) // its group counts change
		c.addGroup(in, t.group, +1)
		return id, nil
	}
	c.reserve(in, &c.tasks[id], +1)
	return id, nil
}

// unplaceable records in res that the remaining tasks of req cannot be
// placed, after placing none (first) or some of them, remembering a
// failure that placed none.
func (c *Cluster) unplaceable(pr *prepared, req *Request, first bool, res *Result) {
	var f *failure
	if first {
		f = c.failureFor(req)
	}
	var reasons *[]byte
	if f != nil {
		reasons = &f.reasons
		if f.cls = c.classOf(req); f.cls != nil {
			reasons = &f.cls.reasons
		}
	}
	u := c.explain(pr, reasons)
	if f != nil {
		c.remember(f, req, u)
	} else if first {
		c.forgetAsked(req.Group)
	}
	res.unplaced(u, req.Count-len(res.Placed))
}

// explain runs every instance through the filters for an unplaceable task,
// and keeps each instance's reason in reasons when it is not nil.
func (c *Cluster) explain(pr *prepared, reasons *[]byte) Unplaced {
	var u Unplaced
	closest, scalar := -1, 0
	if reasons != nil {
		*reasons = slices.Grow((*reasons)[:0], len(c.instances))
	}
	for i, in := range c.instances {
		r, k := c.check(in, pr)
		if reasons != nil {
			*reasons = append(*reasons, byte(r))
		}
		if r == ReasonLaunchType {
			continue // not a candidate: ECS does not report it
		}
		u.Removed[r]++
		if r > u.Reason || closest < 0 {
			u.Reason, closest, scalar = r, i, k
		}
	}
	if closest >= 0 {
		u.Closest = c.instances[closest]
	}
	if u.Reason == ReasonScalar {
		u.Scalar = pr.task.Requirements.Scalars[scalar].Name
	}
	return u
}

// Check runs the filters of req on one instance and returns the first
// that removes it, or ReasonNone when the instance can take one more task
// of req. It changes nothing, and may be called from a strategy (through
// its View) in the middle of a Place: it prepares req into its own state
// and evaluates memberOf expressions directly, without the caches.
func (c *Cluster) Check(in *Instance, req *Request) (Reason, error) {
	switch {
	case req == nil:
		return ReasonNone, errors.New("placement: check: req is nil")
	case !c.owns(in):
		return ReasonNone, errors.New("placement: check: the instance is not in the cluster")
	}
	if err := req.Validate(); err != nil {
		return ReasonNone, err
	}
	group := int32(-1)
	if g, ok := c.groupIDs[req.Group]; ok {
		group = g
	}
	var pr prepared
	prepareDirect(&pr, req, group)
	r, _ := c.check(in, &pr)
	return r, nil
}

// prepareDirect prepares req into pr for check without the cluster's
// caches: memberOf expressions are evaluated directly, so that pr stays
// good while the caches are cleared and rebuilt (Check during a Place, a
// long-lived Watch). pr.req is req.
func prepareDirect(pr *prepared, req *Request, group int32) {
	*pr = prepared{req: req, task: Task{Group: req.Group, Requirements: req.Task}, group: group}
	pr.setLaunchType(req.LaunchType)
	pr.share = req.Task.gpuShare()
	pr.shape = shapeOf(&req.Task, pr.share)
	for _, con := range req.Constraints {
		if con.Type == DistinctInstance {
			pr.distinct = true
		} else {
			pr.dynamic = append(pr.dynamic, con.Expr)
		}
	}
}
