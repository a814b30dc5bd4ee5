package gpushare

import "math"

// Weights of BalancedFit ([BalancedFitScore]); docs/research-bench.md
// measures each (Beyond the paper).
const (
	// BalanceWeight is the milli-GPU one core of CPU-GPU imbalance is
	// worth.
	BalanceWeight = 40
	// DeadSpaceWeight multiplies the change in a device's expected dead
	// space. At 100 a milli-GPU of dead space outweighs five buckets, so
	// for a GPU-sharing pod it decides first, and the balance chooses among
	// the devices and nodes it leaves equal.
	DeadSpaceWeight = 100
	// NearFitMilli is the remainder below which a share is a near fit: a
	// tenth of a device.
	NearFitMilli = 100
	// BucketMilli is the width of the buckets the weighted sum is rounded
	// to, milli-GPU; the balance breaks ties within a bucket, then the
	// caller's node rank.
	BucketMilli = 20
)

// BalancedFitOptions changes one part of BalancedFit, for the ablation.
// The zero value is the policy.
type BalancedFitOptions struct {
	WithFrag    bool // add FGD's fragmentation change ΔF (milli-GPU) to the sum
	NoBalance   bool // drop the CPU-GPU balance term, in the sum and as the tie-break
	NoDeadSpace bool // drop the dead-space change ΔD
	NoNearFit   bool // drop the near-fit level
	NoBuckets   bool // rank the weighted sum at quarter-milli resolution instead of 20-milli buckets
}

// Score layout: three signed levels packed into one int64, most
// significant first; each is clamped to its field, and the whole stays
// below 2^53 so that a float64 holds it exactly.
const (
	levelBits  = 22
	levelLimit = 1<<(levelBits-1) - 1
)

// BalancedFit is berth's own policy; see [BalancedFitScore] and the
// package doc. It measures against the typical pods of a [Fragmenter]
// (whose memo it uses only with WithFrag), so it is not safe for
// concurrent use.
type BalancedFit struct {
	f     *Fragmenter
	opt   BalancedFitOptions
	ratio float64 // CPU millicores per milli-GPU of the typical GPU pods
	dead  [DeviceMilli + 1]float64
}

// NewBalancedFit returns BalancedFit measuring against typical, the
// workload's typical pods ([Typical]).
func NewBalancedFit(typical []TypicalPod, opt BalancedFitOptions) *BalancedFit {
	return NewBalancedFitWith(NewFragmenter(typical), opt)
}

// NewBalancedFitWith returns BalancedFit measuring against f's typical
// pods and, with WithFrag, sharing f's memo.
func NewBalancedFitWith(f *Fragmenter, opt BalancedFitOptions) *BalancedFit {
	b := &BalancedFit{f: f, opt: opt}
	var cpu, gpu float64
	for i := range f.typical {
		t := &f.typical[i]
		if !t.Pod.CPUOnly() {
			cpu += t.Weight * float64(t.Pod.CPUMilli)
			gpu += t.Weight * float64(t.Pod.TotalGPUMilli())
		}
	}
	if gpu > 0 {
		b.ratio = cpu / gpu
	}
	b.dead = DeadSpace(f.typical)
	return b
}

// Ratio is the CPU the typical GPU pods ask per GPU: millicores per
// milli-GPU, Σ w·CPU / Σ w·GPU over the typical pods that use GPUs (cores
// per GPU). 0 when none does.
func (b *BalancedFit) Ratio() float64 { return b.ratio }

// DeadSpace returns, for each free share g of one device (0..1000
// milli-GPU), the share expected never to be used if the device is filled
// by the typical GPU pods drawn by weight among those that fit:
// E(g) = Σ w·E(g − s) / Σ w over the typical GPU pods whose per-device
// share s fits g (s = 1000 for whole devices), and E(g) = g when none
// fits. The GPU model is not considered.
func DeadSpace(typical []TypicalPod) [DeviceMilli + 1]float64 {
	var e [DeviceMilli + 1]float64
	for g := range e {
		var w, acc float64
		for i := range typical {
			t := &typical[i]
			s := min(t.Pod.GPUMilli, DeviceMilli)
			if t.Pod.CPUOnly() || s > int64(g) {
				continue
			}
			w += t.Weight
			acc += t.Weight * e[int64(g)-s]
		}
		e[g] = float64(g)
		if w > 0 {
			e[g] = acc / w
		}
	}
	return e
}

// Score implements [Policy]: [BalancedFitScore]'s score.
func (b *BalancedFit) Score(n *Node, p *Pod) int64 {
	s, _ := b.score(n, p)
	return s
}

// Device implements [Policy]: [BalancedFitScore]'s device.
func (b *BalancedFit) Device(n *Node, p *Pod) int {
	_, d := b.score(n, p)
	return d
}

// BalancedFitScore is BalancedFit (the policy, measuring against typical)
// for pod p on node n: higher is better, an int64 that is not limited to
// 0..100. For a GPU-sharing pod every device that holds it is
// tried; the score is the best and device the first index that attains
// it. For other pods device is -1. The package doc gives the formula.
func BalancedFitScore(n *Node, p *Pod, typical []TypicalPod) (score int64, device int) {
	plain := Fragmenter{typical: typical} // no memo
	return NewBalancedFitWith(&plain, BalancedFitOptions{}).score(n, p)
}

func (b *BalancedFit) score(n *Node, p *Pod) (score int64, device int) {
	var f0 float64
	if b.opt.WithFrag {
		f0, _ = b.f.Frag(n.CPUMilli, n.GPULeft, n.Model)
	}
	g0 := gpuTotal(n.GPULeft)
	var buf [MaxDevices]int64
	next := buf[:]
	if len(n.GPULeft) > MaxDevices {
		next = make([]int64, len(n.GPULeft))
	}
	next = next[:len(n.GPULeft)]
	cpu := n.CPUMilli - p.CPUMilli
	if !p.Sharing() {
		f1 := f0
		if b.opt.WithFrag {
			after(next, n.GPULeft, p)
			f1, _ = b.f.Frag(cpu, next, n.Model)
		}
		return b.pack(0, f0-f1, b.balance(n.CPUMilli, g0, cpu, g0-p.TotalGPUMilli()), 0), -1
	}
	score, device = math.MinInt64, -1
	copy(next, n.GPULeft)
	bal := b.balance(n.CPUMilli, g0, cpu, g0-p.GPUMilli)
	for i, l := range n.GPULeft {
		if l < p.GPUMilli || seen(n.GPULeft[:i], l, p.GPUMilli) {
			continue
		}
		rest := l - p.GPUMilli
		f1 := f0
		if b.opt.WithFrag {
			next[i] = rest
			f1, _ = b.f.Frag(cpu, next, n.Model)
			next[i] = l
		}
		near := int64(0)
		if rest < NearFitMilli {
			near = NearFitMilli - rest
		}
		dead := b.dead[min(l, DeviceMilli)] - b.dead[rest]
		if s := b.pack(near, f0-f1, bal, dead); s > score {
			score, device = s, i
		}
	}
	return score, device
}

// balance is how much placing the pod reduces the node's CPU-GPU
// imbalance |CPU − ratio·GPU|, in millicores: positive when the node's
// free CPU and GPU end closer to the typical GPU pods' ratio.
func (b *BalancedFit) balance(cpu0, gpu0, cpu1, gpu1 int64) float64 {
	return math.Abs(float64(cpu0)-b.ratio*float64(gpu0)) - math.Abs(float64(cpu1)-b.ratio*float64(gpu1))
}

// pack combines the parts into the score: the near-fit level, then the
// weighted sum BalanceWeight·balance/1000 + DeadSpaceWeight·ΔD (+ ΔF with
// WithFrag) in buckets of BucketMilli, then the balance in millicores.
func (b *BalancedFit) pack(near int64, dFrag, bal, dDead float64) int64 {
	o := &b.opt
	if !o.WithFrag {
		dFrag = 0
	}
	if o.NoBalance {
		bal = 0
	}
	if o.NoDeadSpace {
		dDead = 0
	}
	if o.NoNearFit {
		near = 0
	}
	sum := dFrag + BalanceWeight*bal/1000 + DeadSpaceWeight*dDead
	var bucket float64
	if o.NoBuckets {
		bucket = math.Round(sum * 4)
	} else {
		bucket = math.Round(sum / BucketMilli)
	}
	return near<<(2*levelBits) + clampLevel(bucket)<<levelBits + clampLevel(math.Round(bal))
}

func clampLevel(x float64) int64 {
	return int64(max(-levelLimit, min(levelLimit, x)))
}
