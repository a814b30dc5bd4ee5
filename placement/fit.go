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
	bits  bitset
}

func shapeOf(r *Requirements, share int) fitShape {
	return fitShape{cpu: r.CPU, mem: r.MemoryMiB, gpus: int32(r.GPUs), share: int32(share), all: r.AllGPUs}
}

// gpuSummary is what the GPU filter needs of an instance's devices.
type gpuSummary struct {
	devices, full, max int32 // devices, devices wholly free, largest free milli
}

func gpuOf(in *Instance) gpuSummary {
	g := gpuSummary{devices: int32(len(in.Remaining.GPUs))}
	for _, d := range in.Remaining.GPUs {
		if d.FreeMilli >= GPUMilliPerDevice {
			g.full++
		}
		g.max = max(g.max, int32(d.FreeMilli))
	}
	return g
}

// gpuFits is the GPU filter, the one place it is written: a task of
// AllGPUs needs every device wholly free (and at least one device), a
// whole-device task that many wholly free devices, and a share of a device
// one device with that much free.
func (s *fitShape) gpuFits(g gpuSummary) bool {
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

func (c *Cluster) fitsShape(i int32, s *fitShape) bool {
	return c.cpu[i] >= s.cpu && c.mem[i] >= s.mem && s.gpuFits(c.gpu[i])
}

// fitSetFor returns the fitSet of a simple request, building it on first
// use.
func (c *Cluster) fitSetFor(pr *prepared) *fitSet {
	s := pr.shape
	fs := c.fitSets[s]
	if fs == nil {
		if len(c.fitSets) >= maxFitSets {
			clear(c.fitSets)
			clear(c.fitList)
			c.fitList = c.fitList[:0]
		}
		fs = &fitSet{shape: s, bits: make(bitset, wordsFor(len(c.instances)))}
		for i := range c.instances {
			fs.bits.set(int32(i), c.fitsShape(int32(i), &s))
		}
		c.fitSets[s] = fs
		c.fitList = append(c.fitList, fs)
	}
	return fs
}

// refreshFits brings every fitSet up to date with instance i's resources,
// growing the sets for a new instance.
func (c *Cluster) refreshFits(i int32) {
	for _, fs := range c.fitList {
		fs.bits.grow(len(c.instances))
		fs.bits.set(i, c.fitsShape(i, &fs.shape))
	}
}
