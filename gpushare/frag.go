package gpushare

// Frag returns the expected fragmented GPU of a node with free CPU cpuMilli,
// free device shares left and GPU model model, measured against the typical
// pods (as the FGD paper defines it), in milli-GPU, and its idle GPU, the
// sum of all seven buckets (Σ left up to rounding).
//
// For each typical pod t of weight w, the node's idle GPU G counts as
// fragment, w·G, when t cannot run there at all (CPU-only t, a model t
// does not accept, too little CPU or too few devices that hold t's share);
// when t can run, the shares too small for t count, w·Σ{left[i] < t's share}.
// The amounts are summed in the simulator's order: seven buckets in pod
// order, then the six non-satisfied buckets from 0 upward. That order is
// part of the result: with another, an unchanged fragmentation need not
// score exactly 50 in FGD.
func Frag(cpuMilli int64, left []int64, model string, typical []TypicalPod) (frag, idle float64) {
	var b [7]float64 // Q1 lack both, Q2 lack GPU, Q3 satisfied, Q4 lack CPU, XL, XR, no access
	g := gpuTotal(left)
	for i := range typical {
		t := &typical[i].Pod
		w := typical[i].Weight
		fitsCPU := cpuMilli >= t.CPUMilli
		switch {
		case t.CPUOnly():
			if fitsCPU {
				b[4] += float64(w * float64(g))
			} else {
				b[5] += float64(w * float64(g))
			}
		case !Accepts(t.GPUSpec, model):
			b[6] += float64(w * float64(g))
		default:
			holders, small := 0, int64(0)
			for _, l := range left {
				if l >= t.GPUMilli {
					holders++
				} else {
					small += l
				}
			}
			fitsGPU := holders >= t.GPUCount
			switch {
			case fitsGPU && fitsCPU:
				b[1] += float64(w * float64(small))
				b[2] += float64(w * float64(g-small))
			case fitsGPU:
				b[3] += float64(w * float64(g))
			case fitsCPU:
				b[1] += float64(w * float64(g))
			default:
				b[0] += float64(w * float64(g))
			}
		}
	}
	frag = 0.0 + b[0] + b[1] + b[3] + b[4] + b[5] + b[6]
	idle = 0.0 + b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6]
	return frag, idle
}

// Fragmenter memoises [Frag] by node state: free CPU, model and the
// multiset of free device shares. Its results equal Frag's exactly. A
// Fragmenter is not safe for concurrent use.
type Fragmenter struct {
	typical []TypicalPod
	models  []string // interned models; a key holds the index
	memo    map[fragKey]fragValue
}

type fragKey struct {
	cpu   int64
	model uint16
	n     uint16
	left  [MaxDevices]int64 // ascending; unused slots 0
}

type fragValue struct{ frag, idle float64 }

// NewFragmenter returns a Fragmenter measuring against typical, which it
// keeps and which must not change.
func NewFragmenter(typical []TypicalPod) *Fragmenter {
	return &Fragmenter{typical: typical, memo: make(map[fragKey]fragValue, 1<<12)}
}

// Typical returns the typical pods the Fragmenter measures against.
func (f *Fragmenter) Typical() []TypicalPod { return f.typical }

// Frag is [Frag] over f's typical pods, memoised.
func (f *Fragmenter) Frag(cpuMilli int64, left []int64, model string) (frag, idle float64) {
	if f.memo == nil || len(left) > MaxDevices {
		return Frag(cpuMilli, left, model, f.typical)
	}
	k := fragKey{cpu: cpuMilli, model: f.modelIndex(model), n: uint16(len(left))}
	for i, l := range left {
		j := i
		for ; j > 0 && k.left[j-1] > l; j-- {
			k.left[j] = k.left[j-1]
		}
		k.left[j] = l
	}
	if v, ok := f.memo[k]; ok {
		return v.frag, v.idle
	}
	frag, idle = Frag(cpuMilli, left, model, f.typical)
	f.memo[k] = fragValue{frag, idle}
	return frag, idle
}

func (f *Fragmenter) modelIndex(model string) uint16 {
	for i, m := range f.models {
		if m == model {
			return uint16(i)
		}
	}
	f.models = append(f.models, model)
	return uint16(len(f.models) - 1)
}
