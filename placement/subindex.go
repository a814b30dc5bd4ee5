package placement

import "github.com/berthsched/berth/cql"

// A subIndex orders, by remaining cpu or memory, the instances that pass a
// request's static filters (ACTIVE, agent connected, every static memberOf
// expression), with one ordered set per combination of values of the
// spread fields that precede binpack in the chain. Binpack then walks only
// instances that can pass those filters, in the spread level's partitions.
//
// subIndexes are built on first use for a signature and kept up to date on
// every change of remaining resources, status, agent or attributes.

const maxSubIndexes = 16

// subKey is the signature of a subIndex.
type subKey struct {
	res     Resource
	nexprs  uint8
	exprs   [MaxConstraints]*cql.Expr
	nfields uint8
	fields  [MaxStrategies]string
}

type partKey [MaxStrategies]int32

type part struct {
	vals partKey
	ix   sortedIndex
}

type subIndex struct {
	key    subKey
	bits   []*exprBits
	fields []*fieldIndex
	parts  []*part
	byVals map[partKey]*part
	member []*part // per instance: the part holding it, nil when filtered out
}

// subIndexFor returns the subIndex for the request's static filters,
// partitioned by the fields of the spread filters in force.
func (c *Cluster) subIndexFor(pr *prepared, res Resource) *subIndex {
	var k subKey
	k.res = res
	for _, e := range pr.staticExprs {
		k.exprs[k.nexprs] = e
		k.nexprs++
	}
	for _, f := range c.filters {
		k.fields[k.nfields] = f.field.name
		k.nfields++
	}
	si := c.subs[k]
	if si == nil {
		if len(c.subs) >= maxSubIndexes {
			c.clearSubs()
		}
		si = &subIndex{key: k, byVals: map[partKey]*part{}}
		for _, e := range pr.staticExprs {
			si.bits = append(si.bits, c.staticBits(e))
		}
		for _, f := range c.filters {
			si.fields = append(si.fields, f.field)
		}
		si.member = make([]*part, len(c.instances))
		for _, in := range c.instances {
			c.subInsert(si, in)
		}
		c.subs[k] = si
		c.subList = append(c.subList, si)
	}
	return si
}

// clearSubs forgets every subIndex.
func (c *Cluster) clearSubs() {
	clear(c.subs)
	clear(c.subList)
	c.subList = c.subList[:0]
}

// subPart returns the part in that should be in, or nil.
func (c *Cluster) subPart(si *subIndex, in *Instance) *part {
	if in.Status != StatusActive || !in.AgentConnected {
		return nil
	}
	for _, b := range si.bits {
		if !b.has(in.idx) {
			return nil
		}
	}
	var vals partKey
	for k, fi := range si.fields {
		vals[k] = fi.valueOf[in.idx]
	}
	p := si.byVals[vals]
	if p == nil {
		p = &part{vals: vals}
		si.byVals[vals] = p
		si.parts = append(si.parts, p)
	}
	return p
}

func (c *Cluster) subInsert(si *subIndex, in *Instance) {
	p := c.subPart(si, in)
	si.member[in.idx] = p
	if p != nil {
		p.ix.insert(c.keyOf(si.key.res, in.idx))
	}
}

// keyOf returns instance i's key in an index of r: its remaining r, and of
// the other resource.
func (c *Cluster) keyOf(r Resource, i int32) key {
	if r == CPU {
		return key{v: c.cpu[i], p: c.mem[i], idx: i}
	}
	return key{v: c.mem[i], p: c.cpu[i], idx: i}
}

func (c *Cluster) subRemove(si *subIndex, in *Instance, remaining int64) {
	if p := si.member[in.idx]; p != nil {
		p.ix.delete(key{v: remaining, idx: in.idx})
		si.member[in.idx] = nil
	}
}

// subMove updates the subIndexes for a change of instance i's remaining
// CPU and memory from oldCPU and oldMem; membership is unchanged. An index
// of one resource moves the key when its amount changed and otherwise
// updates the other resource's amount the key carries.
func (c *Cluster) subMove(i int32, oldCPU, oldMem int64) {
	for _, si := range c.subList {
		p := si.member[i]
		if p == nil {
			continue
		}
		k, old := c.keyOf(si.key.res, i), oldMem
		if si.key.res == CPU {
			old = oldCPU
		}
		if old == k.v {
			p.ix.setP(k)
			continue
		}
		p.ix.delete(key{v: old, idx: i})
		p.ix.insert(k)
	}
}

// subRefile re-files in after a change of status, agent or attributes
// (and possibly of remaining resources, from the given old values).
func (c *Cluster) subRefile(in *Instance, old [Memory + 1]int64) {
	for _, si := range c.subList {
		c.subRemove(si, in, old[si.key.res])
		c.subInsert(si, in)
	}
}
