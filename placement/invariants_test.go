package placement

import (
	"fmt"
	"math/bits"
	"slices"
)

// checkInvariants recomputes, plainly, everything the cluster keeps
// incrementally (mirrors, bit sets, value indexes, spread counts, binpack
// orders, group counts, hosted tasks) and returns the first disagreement.
// Every per-instance bit set must cover every instance and hold no bit
// past the last one.
func checkInvariants(c *Cluster) error {
	n := len(c.instances)
	words := wordsFor(n)
	covers := func(name string, b bitset) error {
		if len(b) < words {
			return fmt.Errorf("%s: %d words for %d instances", name, len(b), n)
		}
		for i := n; i < len(b)*64; i++ {
			if b.has(int32(i)) {
				return fmt.Errorf("%s: bit %d set past the last instance %d", name, i, n-1)
			}
		}
		return nil
	}
	if len(c.subList) != len(c.subs) || len(c.fitList) != len(c.fitSets) {
		return fmt.Errorf("lists: %d binpack indexes for %d, %d fit sets for %d", len(c.subList), len(c.subs), len(c.fitList), len(c.fitSets))
	}
	for _, si := range c.subList {
		if c.subs[si.key] != si {
			return fmt.Errorf("binpack index %+v listed but not kept", si.key.res)
		}
	}
	for _, fs := range c.fitList {
		if c.fitSets[fs.shape] != fs {
			return fmt.Errorf("fit set %+v listed but not kept", fs.shape)
		}
	}
	if len(c.cpu) != n || len(c.mem) != n || len(c.gpu) != n {
		return fmt.Errorf("mirrors: %d/%d/%d entries for %d instances", len(c.cpu), len(c.mem), len(c.gpu), n)
	}
	if err := covers("eligible", c.eligible); err != nil {
		return err
	}
	if err := covers("external", c.external); err != nil {
		return err
	}
	if err := covers("active", c.active); err != nil {
		return err
	}
	for g, hb := range c.hosting {
		if err := covers("hosting "+c.groupNames[g], hb); err != nil {
			return err
		}
	}
	for _, fs := range c.fitList {
		if err := covers(fmt.Sprintf("fit set %+v", fs.shape), fs.bits); err != nil {
			return err
		}
	}
	for e, b := range c.exprs {
		if err := covers("memberOf "+e.String(), b.bits); err != nil {
			return err
		}
	}
	for name, fi := range c.fields {
		if len(fi.valueOf) != n {
			return fmt.Errorf("field %s: %d values for %d instances", name, len(fi.valueOf), n)
		}
		for v := range fi.values {
			m := &fi.members[v]
			for k := m.first; k < m.first+len(m.bits); k++ {
				for w := m.word(k); w != 0; w &= w - 1 {
					if i := index(k, w); int(i) >= n || fi.valueOf[i] != int32(v) {
						return fmt.Errorf("field %s value %d: instance %d is a member, with value %d", name, v, i, fi.valueOf[min(int(i), n-1)])
					}
				}
			}
		}
	}
	for i, in := range c.instances {
		idx := int32(i)
		if in.owner != c || in.Index() != i {
			return fmt.Errorf("instance %s: index %d, owner ok %v, at %d", in.ARN, in.Index(), in.owner == c, i)
		}
		if g := gpuOf(in); c.gpu[i] != g {
			return fmt.Errorf("instance %s: GPU mirror %+v, devices say %+v", in.ARN, c.gpu[i], g)
		}
		if c.cpu[i] != in.Remaining.CPU || c.mem[i] != in.Remaining.MemoryMiB {
			return fmt.Errorf("instance %s: mirrors cpu %d mem %d, instance %d %d", in.ARN, c.cpu[i], c.mem[i], in.Remaining.CPU, in.Remaining.MemoryMiB)
		}
		if in.Remaining.ENIs < 0 {
			return fmt.Errorf("instance %s: %d remaining ENIs", in.ARN, in.Remaining.ENIs)
		}
		if want := in.Status == StatusActive && in.AgentConnected; c.eligible.has(idx) != want {
			return fmt.Errorf("instance %s: eligible bit %v, want %v", in.ARN, !want, want)
		}
		if want := in.Status == StatusActive; c.active.has(idx) != want {
			return fmt.Errorf("instance %s: active bit %v, want %v", in.ARN, !want, want)
		}
		if _, want := in.Attribute("ecs.capability.external"); c.external.has(idx) != want || in.external != want {
			return fmt.Errorf("instance %s: external bit %v, flag %v, want %v", in.ARN, c.external.has(idx), in.external, want)
		}
		for _, fs := range c.fitList {
			if want := plainFits(in, fs.shape); fs.bits.has(idx) != want {
				return fmt.Errorf("instance %s: fit bit for %+v is %v, want %v (%+v)", in.ARN, fs.shape, !want, want, in.Remaining)
			}
		}
		for e, b := range c.exprs {
			if want := e.Match(in.Subject()); b.bits.has(idx) != want {
				return fmt.Errorf("instance %s: memberOf %q bit %v, want %v", in.ARN, e, !want, want)
			}
		}
		for name, fi := range c.fields {
			val, ok := in.Attribute(name)
			got := fi.valueOf[i]
			if (got == 0) == ok || ok && fi.values[got] != val {
				return fmt.Errorf("instance %s: field %s value id %d, attribute %q (present %v)", in.ARN, name, got, val, ok)
			}
			for v := range fi.values {
				if fi.members[v].has(idx) != (int32(v) == got) {
					return fmt.Errorf("instance %s: field %s value %d bit wrong", in.ARN, name, v)
				}
			}
		}
		var hosted []TaskID
		for id, t := range c.tasks {
			if t.inst == idx {
				hosted = append(hosted, TaskID(id))
			}
		}
		sorted := slices.Clone(in.hosted)
		slices.Sort(sorted)
		if !slices.Equal(sorted, hosted) {
			return fmt.Errorf("instance %s: hosts %v, records say %v", in.ARN, in.hosted, hosted)
		}
		for g, name := range c.groupNames {
			want := refGroupCount(c, idx, name)
			if got := in.groupCount(int32(g)); got != want {
				return fmt.Errorf("instance %s group %s: cached count %d, records say %d", in.ARN, name, got, want)
			}
			if hb, ok := c.hosting[int32(g)]; ok && hb.has(idx) != (want > 0) {
				return fmt.Errorf("instance %s: hosting bit of group %s is %v, count %d", in.ARN, name, hb.has(idx), want)
			}
		}
	}
	for k, sc := range c.spreads {
		want := map[int32]int32{}
		for i := range c.instances {
			want[sc.field.valueOf[i]] += int32(refGroupCount(c, int32(i), c.groupNames[k.group]))
		}
		for v := range sc.field.values {
			if got := sc.at(int32(v)); got != want[int32(v)] {
				return fmt.Errorf("spread %s over %s value %d: count %d, records say %d", c.groupNames[k.group], k.field, v, got, want[int32(v)])
			}
		}
	}
	for _, si := range c.subList {
		if len(si.member) != n {
			return fmt.Errorf("binpack index %+v: %d members for %d instances", si.key.res, len(si.member), n)
		}
		total := 0
		for _, p := range si.parts {
			total += p.ix.len()
		}
		members := 0
		for i, in := range c.instances {
			want := c.subPart(si, in)
			if si.member[i] != want {
				return fmt.Errorf("binpack index: instance %s filed in the wrong part", in.ARN)
			}
			if want == nil {
				continue
			}
			members++
			k := key{v: remainingOf(in, si.key.res), p: remainingOf(in, CPU+Memory-si.key.res), idx: int32(i)}
			if b, j, ok := want.ix.find(k); !ok || want.ix.blocks[b][j] != k {
				return fmt.Errorf("binpack index: instance %s missing at its remaining amounts %+v", in.ARN, k)
			}
		}
		if total != members {
			return fmt.Errorf("binpack index: %d keys for %d members", total, members)
		}
		for _, p := range si.parts {
			if err := checkSorted(&p.ix); err != nil {
				return fmt.Errorf("binpack index %v: %w", si.key.res, err)
			}
		}
	}
	for r, ai := range c.amountIx {
		if ai == nil {
			continue
		}
		if err := checkAmounts(c, Resource(r), ai); err != nil {
			return err
		}
	}
	return nil
}

// checkSorted checks a sortedIndex's blocks: none empty or over maxBlock,
// keys in order, and each block's pmax the largest p of its keys.
func checkSorted(ix *sortedIndex) error {
	if len(ix.pmax) != len(ix.blocks) {
		return fmt.Errorf("%d pmax entries for %d blocks", len(ix.pmax), len(ix.blocks))
	}
	var prev *key
	for b, blk := range ix.blocks {
		if len(blk) == 0 || len(blk) > maxBlock {
			return fmt.Errorf("block %d of %d keys", b, len(blk))
		}
		m := blk[0].p
		for j := range blk {
			if prev != nil && !prev.less(blk[j]) {
				return fmt.Errorf("block %d: key %+v after %+v", b, blk[j], *prev)
			}
			prev = &blk[j]
			m = max(m, blk[j].p)
		}
		if ix.pmax[b] != m {
			return fmt.Errorf("block %d: pmax %d, keys say %d", b, ix.pmax[b], m)
		}
	}
	return nil
}

// checkAmounts checks an amountIndex against the instances: each is in
// the set of its remaining amount and in no other, and every set keeps
// only nonzero words, in order.
func checkAmounts(c *Cluster, r Resource, ai *amountIndex) error {
	seen := 0
	for v, s := range ai.sets {
		if s.empty() {
			return fmt.Errorf("amounts of %v: empty set kept at %d", r, v)
		}
		members := 0
		for _, w := range s.words {
			members += bits.OnesCount64(w)
		}
		if s.n != members {
			return fmt.Errorf("amounts of %v at %d: %d members counted, %d in the words", r, v, s.n, members)
		}
		if len(s.at) != len(s.words) || !slices.IsSorted(s.at) || len(slices.Compact(slices.Clone(s.at))) != len(s.at) {
			return fmt.Errorf("amounts of %v at %d: words %v not strictly ascending", r, v, s.at)
		}
		for j, k := range s.at {
			if s.words[j] == 0 {
				return fmt.Errorf("amounts of %v at %d: zero word %d kept", r, v, k)
			}
			for w := s.words[j]; w != 0; w &= w - 1 {
				i := index(int(k), w)
				if int(i) >= len(c.instances) || remainingOf(c.instances[i], r) != v {
					return fmt.Errorf("amounts of %v at %d: instance %d is a member", r, v, i)
				}
				seen++
			}
		}
	}
	if seen != len(c.instances) {
		return fmt.Errorf("amounts of %v: %d members for %d instances", r, seen, len(c.instances))
	}
	return nil
}

// plainFits is the resource part of the filters, from the instance's own
// fields.
func plainFits(in *Instance, s fitShape) bool {
	if in.Remaining.CPU < s.cpu || in.Remaining.MemoryMiB < s.mem {
		return false
	}
	full, most := 0, 0
	for _, d := range in.Remaining.GPUs {
		if d.FreeMilli == GPUMilliPerDevice {
			full++
		}
		most = max(most, d.FreeMilli)
	}
	switch {
	case s.all:
		return len(in.Remaining.GPUs) > 0 && full == len(in.Remaining.GPUs)
	case s.gpus > 0 && s.share >= GPUMilliPerDevice:
		return full >= int(s.gpus)
	case s.gpus > 0:
		return most >= int(s.share)
	}
	return true
}
