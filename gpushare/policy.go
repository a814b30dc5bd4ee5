package gpushare

import "math"

// Policy rates nodes for a pod and picks the device a GPU-sharing pod takes.
//
// Score is called only for a node that is [Feasible] for the pod. It returns
// a score, higher is better (0..100 for the paper's six; [BalancedFit]
// packs finer levels into the int64); ties are the caller's to break. Score must
// depend on nothing but *n and *p, so that callers may cache it by their
// values. Device is called only for a [Pod.Sharing] pod on the node chosen
// and returns the device index, or -1 if none fits. Neither keeps n or p.
type Policy interface {
	Score(n *Node, p *Pod) int64
	Device(n *Node, p *Pod) int
}

// Chooser is a Policy that picks a node by chance rather than by score
// (Random). Choose returns the index of the chosen node among feasible
// nodes, 0 <= index < feasible, called only when feasible >= 2; a caller
// takes the only node without calling it. A Chooser's Score is not used.
type Chooser interface {
	Policy
	Choose(feasible int) int
}

// Source is the randomness Random draws from. A math/rand *rand.Rand
// satisfies it; the research bench passes one seeded with the run's seed,
// so that the draws continue the run's stream as in the paper's simulator.
type Source interface {
	Intn(n int) int
}

// NewRandom returns 01-Random: a node drawn uniformly among the feasible
// ones, then, for a GPU-sharing pod, a device drawn uniformly among those
// that hold it by reservoir sampling (one Intn per fitting device, in index
// order).
func NewRandom(src Source) Chooser { return random{src} }

type random struct{ src Source }

func (random) Score(*Node, *Pod) int64      { return 0 }
func (r random) Choose(feasible int) int    { return r.src.Intn(feasible) }
func (r random) Device(n *Node, p *Pod) int { return r.device(n.GPULeft, p.GPUMilli) }

func (r random) device(left []int64, milli int64) int {
	chosen, c := -1, 0
	for i, l := range left {
		if l >= milli {
			c++
			if r.src.Intn(c) == 0 {
				chosen = i
			}
		}
	}
	return chosen
}

// bestFitDevice is the Device of the policies that take the fullest device
// that fits.
type bestFitDevice struct{}

func (bestFitDevice) Device(n *Node, p *Pod) int { return BestDevice(n.GPULeft, p.GPUMilli) }

// DotProd returns 02-DotProd ([DotProdScore]), with best-fit devices.
func DotProd() Policy { return dotProd{} }

type dotProd struct{ bestFitDevice }

func (dotProd) Score(n *Node, p *Pod) int64 { return DotProdScore(n, p) }

// DotProdScore is Tetris' alignment with the GPU dimensions merged into one:
// the node's free vector (CPU/128000, GPU/8000) dotted with the pod's
// request vector on the same scales, halved, and scored
// trunc(100·(1 − d)). The smaller the product, the higher the score.
func DotProdScore(n *Node, p *Pod) int64 {
	nodeVec := [2]float64{float64(n.CPUMilli) / MaxCPUMilli, float64(gpuTotal(n.GPULeft)) / MaxGPUMilli}
	podVec := [2]float64{float64(p.CPUMilli) / MaxCPUMilli, float64(p.TotalGPUMilli()) / MaxGPUMilli}
	d := 0.0
	for i := range nodeVec {
		d += float64(nodeVec[i] * podVec[i])
	}
	d /= float64(len(podVec))
	return int64(100 * (1 - d))
}

// GpuClustering returns 03-GpuClustering ([GpuClusteringScore]), with
// best-fit devices.
func GpuClustering() Policy { return gpuClustering{} }

type gpuClustering struct{ bestFitDevice }

func (gpuClustering) Score(n *Node, p *Pod) int64 { return GpuClusteringScore(n, p) }

// GpuClusteringScore gathers pods of one kind ([Tags]) on the same nodes:
// 75 when the node hosts only pods of p's kind, 50 when it hosts that kind
// among others, 25 when it hosts no GPU pod, 0 when only other kinds, plus
// ⌊25·(8000 − free GPU)/8000⌋. A CPU-only pod scores 0 everywhere.
func GpuClusteringScore(n *Node, p *Pod) int64 {
	tag := p.tag()
	if tag < 0 {
		return 0
	}
	base := 25 * (MaxGPUMilli - gpuTotal(n.GPULeft)) / MaxGPUMilli
	same, other := n.Tags[tag] > 0, false
	for i, c := range n.Tags {
		if i != tag && c > 0 {
			other = true
		}
	}
	switch {
	case same && !other:
		return 75 + base
	case same:
		return 50 + base
	case !other:
		return 25 + base
	}
	return base
}

// GpuPacking returns 04-GpuPacking ([GpuPackingScore]), with best-fit
// devices.
func GpuPacking() Policy { return gpuPacking{} }

type gpuPacking struct{ bestFitDevice }

func (gpuPacking) Score(n *Node, p *Pod) int64 { return GpuPackingScore(n, p) }

// GpuPackingScore prefers, in this order, partly used devices (the fuller
// the better: 50..100), then partly used nodes (33..49, fewer idle devices
// taken is better), then idle nodes (25..32, fewer devices is better). A
// CPU-only pod scores 0 everywhere.
func GpuPackingScore(n *Node, p *Pod) int64 {
	if p.CPUOnly() {
		return 0
	}
	free := int64(0)
	for _, l := range n.GPULeft {
		if l == DeviceMilli {
			free++
		}
	}
	if free == int64(len(n.GPULeft)) {
		return max(33-free, free)
	}
	var buf [MaxDevices]int64
	rest := buf[:]
	if len(n.GPULeft) > MaxDevices {
		rest = make([]int64, len(n.GPULeft))
	}
	rest = rest[:len(n.GPULeft)]
	// Which devices the pod takes: the ascending walk of Sub; what they
	// held is left - rest.
	after(rest, n.GPULeft, p)
	var idle, r int64
	for i, l := range n.GPULeft {
		if rest[i] == l {
			continue
		}
		if l == DeviceMilli {
			idle++
		}
		r += l * 100 / DeviceMilli
	}
	if idle > 0 {
		return max(50-idle, 33)
	}
	return max(100-r/10, 50)
}

// BestFit returns 05-BestFit ([BestFitScore]), with best-fit devices.
func BestFit() Policy { return bestFit{} }

type bestFit struct{ bestFitDevice }

func (bestFit) Score(n *Node, p *Pod) int64 { return BestFitScore(n, p) }

// BestFitScore is trunc(100·(1 − s)) with s = 0.5·(CPU left after p)/128000
// + 0.5·(GPU left after p)/8000: the tighter the fit, the higher. The
// simulator then maps scores min-max onto 0..100 over the feasible nodes;
// that map preserves order and ties, so it is left out.
func BestFitScore(n *Node, p *Pod) int64 {
	free := [2]float64{float64(n.CPUMilli), float64(gpuTotal(n.GPULeft))}
	req := [2]float64{float64(p.CPUMilli), float64(p.TotalGPUMilli())}
	maxSpec := [2]float64{MaxCPUMilli, MaxGPUMilli}
	s := 0.0
	for i := range free {
		s += float64((free[i] - req[i]) / maxSpec[i] * 0.5)
	}
	return int64((1.0 - s) * 100)
}

// NewFGD returns 06-FGD ([FGDScore]) measuring against typical. It memoises
// fragmentation by node state, so it is not safe for concurrent use.
func NewFGD(typical []TypicalPod) Policy {
	return &fgd{f: NewFragmenter(typical)}
}

// NewFGDWith returns 06-FGD sharing the memo of f, for callers that also
// measure fragmentation with f. Not safe for concurrent use.
func NewFGDWith(f *Fragmenter) Policy { return &fgd{f: f} }

type fgd struct {
	f *Fragmenter
}

func (g *fgd) Score(n *Node, p *Pod) int64 {
	s, _ := fgdScore(n, p, g.f)
	return s
}

func (g *fgd) Device(n *Node, p *Pod) int {
	_, d := fgdScore(n, p, g.f)
	return d
}

// FGDScore is Fragmentation Gradient Descent: trunc(100·sigmoid(Δ/1000))
// where Δ = Frag(n) − Frag(n with p placed), so 50 means unchanged and
// higher means p reduces fragmentation. For a GPU-sharing pod every device
// that holds it is tried; the score is the best and device the first index
// that attains it. For other pods device is -1 (they take whole devices).
func FGDScore(n *Node, p *Pod, typical []TypicalPod) (score int64, device int) {
	plain := Fragmenter{typical: typical} // no memo
	return fgdScore(n, p, &plain)
}

func fgdScore(n *Node, p *Pod, f *Fragmenter) (score int64, device int) {
	f0, _ := f.Frag(n.CPUMilli, n.GPULeft, n.Model)
	var buf [MaxDevices]int64
	next := buf[:]
	if len(n.GPULeft) > MaxDevices {
		next = make([]int64, len(n.GPULeft))
	}
	next = next[:len(n.GPULeft)]
	cpu := n.CPUMilli - p.CPUMilli
	if !p.Sharing() {
		after(next, n.GPULeft, p)
		f1, _ := f.Frag(cpu, next, n.Model)
		return sigmoidScore(f0 - f1), -1
	}
	score, device = -1, -1
	copy(next, n.GPULeft)
	for i, l := range n.GPULeft {
		if l < p.GPUMilli {
			continue
		}
		// A device with the same share as an earlier candidate gives the
		// same state, hence the same score, and cannot win a tie.
		if seen(n.GPULeft[:i], l, p.GPUMilli) {
			continue
		}
		next[i] = l - p.GPUMilli
		f1, _ := f.Frag(cpu, next, n.Model)
		next[i] = l
		if s := sigmoidScore(f0 - f1); s > score {
			score, device = s, i
		}
	}
	return score, device
}

// seen reports whether an earlier device with share l was already a
// candidate.
func seen(earlier []int64, l, milli int64) bool {
	for _, e := range earlier {
		if e == l && e >= milli {
			return true
		}
	}
	return false
}

func sigmoidScore(delta float64) int64 {
	return int64(100 * sigmoid(delta/1000))
}

func sigmoid(x float64) float64 { return 1.0 / (1.0 + math.Exp(-x)) }
