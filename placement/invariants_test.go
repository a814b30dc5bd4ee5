package placement

import (
	"fmt"
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
	if len(c.cpu) != n || len(c.mem) != n || len(c.gpu) != n {
		return fmt.Errorf("mirrors: %d/%d/%d entries for %d instances", len(c.cpu), len(c.mem), len(c.gpu), n)
	}
	if err := covers("eligible", c.eligible); err != nil {
		return err
	}
	if err := covers("external", c.external); err != nil {
		return err
	}
	for g, hb := range c.hosting {
		if err := covers("hosting "+c.groupNames[g], hb); err != nil {
			return err
		}
	}
	for _, fs := range c.fitSets {
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
		if _, want := in.Attribute("ecs.capability.external"); c.external.has(idx) != want || in.external != want {
			return fmt.Errorf("instance %s: external bit %v, flag %v, want %v", in.ARN, c.external.has(idx), in.external, want)
		}
		for _, fs := range c.fitSets {
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
	for _, si := range c.subs {
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
			if b, j := want.ix.seek(key{remainingOf(in, si.key.res), int32(i)}); b >= len(want.ix.blocks) || want.ix.blocks[b][j] != (key{remainingOf(in, si.key.res), int32(i)}) {
				return fmt.Errorf("binpack index: instance %s missing at its remaining amount", in.ARN)
			}
		}
		if total != members {
			return fmt.Errorf("binpack index: %d keys for %d members", total, members)
		}
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
