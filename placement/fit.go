package placement

// A fitSet caches, for one request shape (CPU, memory, GPUs), which
// instances have the resources for one more task of it: bit i set when
// instance i's remaining resources suffice. Status, constraints and
// groups are not in it; scans AND it with their own bit sets. The sets are
// kept true on every change of an instance's resources, so that scans over
// many tied candidates count and pick them by popcount instead of visiting
// each.

const maxFitSets = 16

// fitShape is the part of a simple request a fitSet depends on.
type fitShape struct {
	cpu, mem int64
	gpus     int32
	share    int32
	all      bool
}

type fitSet struct {
	shape fitShape
	bits  []uint64
}

func (c *Cluster) fitsShape(i int32, s *fitShape) bool {
	if c.cpu[i] < s.cpu || c.mem[i] < s.mem {
		return false
	}
	g := c.gpu[i]
	switch {
	case s.all:
		return g.devices > 0 && g.full == g.devices
	case s.gpus > 0 && s.share >= GPUMilliPerDevice:
		return g.full >= s.gpus
	case s.gpus > 0:
		return g.max >= s.share
	}
	return true
}

// fitSetFor returns the fitSet of a simple request, building it on first
// use.
func (c *Cluster) fitSetFor(pr *prepared) *fitSet {
	r := &pr.task.Requirements
	s := fitShape{cpu: r.CPU, mem: r.MemoryMiB, gpus: int32(r.GPUs), share: int32(pr.share), all: r.AllGPUs}
	fs := c.fitSets[s]
	if fs == nil {
		if len(c.fitSets) >= maxFitSets {
			clear(c.fitSets)
		}
		fs = &fitSet{shape: s, bits: make([]uint64, (len(c.instances)+63)>>6)}
		for i := range c.instances {
			if c.fitsShape(int32(i), &s) {
				setBit(fs.bits, int32(i), true)
			}
		}
		c.fitSets[s] = fs
	}
	return fs
}

// refreshFits brings every fitSet up to date with instance i's resources,
// growing the sets for a new instance.
func (c *Cluster) refreshFits(i int32) {
	for _, fs := range c.fitSets {
		for len(fs.bits) <= int(i>>6) {
			fs.bits = append(fs.bits, 0)
		}
		setBit(fs.bits, i, c.fitsShape(i, &fs.shape))
	}
}
