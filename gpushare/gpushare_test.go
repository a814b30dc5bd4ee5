package gpushare

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func node(cpu int64, model string, left ...int64) *Node {
	return &Node{CPUMilli: cpu, MemoryMiB: 1 << 20, GPULeft: left, Model: model}
}

func TestAccepts(t *testing.T) {
	tests := []struct {
		name, spec, model string
		want              bool
	}{
		{name: "empty spec accepts any", spec: "", model: "G2", want: true},
		{name: "exact", spec: "G2", model: "G2", want: true},
		{name: "other", spec: "G3", model: "G2", want: false},
		{name: "in list with duplicates", spec: "V100M16|V100M32|V100M32", model: "V100M32", want: true},
		{name: "not in list", spec: "V100M16|V100M32", model: "T4", want: false},
		{name: "only empty parts", spec: "||", model: "T4", want: true},
		{name: "empty parts ignored", spec: "|T4|", model: "T4", want: true},
		{name: "no prefix match", spec: "V100", model: "V100M16", want: false},
	}
	for _, tt := range tests {
		if got := Accepts(tt.spec, tt.model); got != tt.want {
			t.Errorf("%s: Accepts(%q, %q) = %v, want %v", tt.name, tt.spec, tt.model, got, tt.want)
		}
	}
}

func TestFeasible(t *testing.T) {
	tests := []struct {
		name string
		n    *Node
		p    Pod
		want bool
	}{
		{name: "cpu-only on GPU node", n: node(1000, "G2", 0, 0), p: Pod{CPUMilli: 1000}, want: true},
		{name: "cpu short", n: node(999, "G2", 1000), p: Pod{CPUMilli: 1000}, want: false},
		{name: "memory short", n: &Node{CPUMilli: 1000, MemoryMiB: 10}, p: Pod{MemoryMiB: 11}, want: false},
		{name: "GPU pod on node without GPU", n: node(1000, ""), p: Pod{GPUMilli: 100, GPUCount: 1}, want: false},
		{name: "wrong model", n: node(1000, "T4", 1000), p: Pod{GPUMilli: 100, GPUCount: 1, GPUSpec: "G2"}, want: false},
		{name: "share fits a partial device", n: node(1000, "T4", 200, 500), p: Pod{GPUMilli: 500, GPUCount: 1}, want: true},
		{name: "share fits nowhere", n: node(1000, "T4", 200, 499), p: Pod{GPUMilli: 500, GPUCount: 1}, want: false},
		{name: "two whole need two idle", n: node(1000, "T4", 1000, 999, 1000), p: Pod{GPUMilli: 1000, GPUCount: 2}, want: true},
		{name: "two whole, one idle", n: node(1000, "T4", 1000, 999, 999), p: Pod{GPUMilli: 1000, GPUCount: 2}, want: false},
		{name: "greedy walk packs shares on one device", n: node(1000, "T4", 400, 0), p: Pod{GPUMilli: 200, GPUCount: 2}, want: true},
	}
	for _, tt := range tests {
		if got := Feasible(tt.n, &tt.p); got != tt.want {
			t.Errorf("%s: Feasible(%+v, %+v) = %v, want %v", tt.name, *tt.n, tt.p, got, tt.want)
		}
	}
}

func TestDevices(t *testing.T) {
	if got := BestDevice([]int64{1000, 300, 500, 300}, 300); got != 1 {
		t.Errorf("BestDevice = %d, want 1 (fullest that fits, lowest index)", got)
	}
	if got := BestDevice([]int64{1000, 200, 1000}, 300); got != 0 {
		t.Errorf("BestDevice = %d, want 0 (idle only when nothing partial fits)", got)
	}
	if got := BestDevice([]int64{100}, 300); got != -1 {
		t.Errorf("BestDevice = %d, want -1", got)
	}
	if diff := cmp.Diff([]int{0, 2}, WholeDevices(nil, []int64{1000, 500, 1000, 1000}, 2)); diff != "" {
		t.Errorf("WholeDevices (-want +got):\n%s", diff)
	}
	if got := WholeDevices([]int{7}, []int64{1000, 500}, 2); !cmp.Equal(got, []int{7}) {
		t.Errorf("WholeDevices with too few idle = %v, want [7]", got)
	}
}

func TestScores(t *testing.T) {
	share := Pod{CPUMilli: 4000, GPUMilli: 500, GPUCount: 1}
	two := Pod{CPUMilli: 8000, GPUMilli: 1000, GPUCount: 2}
	cpu := Pod{CPUMilli: 16000}
	tests := []struct {
		name   string
		score  func(*Node, *Pod) int64
		n      *Node
		p      Pod
		want   int64
		reason string
	}{
		{name: "packing idle 8-GPU", score: GpuPackingScore, n: node(96000, "G2", 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000), p: share, want: 25},
		{name: "packing idle 1-GPU", score: GpuPackingScore, n: node(96000, "G2", 1000), p: share, want: 32},
		{name: "packing kss example whole", score: GpuPackingScore, n: node(96000, "G2", 200, 1000, 1000, 500), p: two, want: 48, reason: "kss gpu_packing_score_test.go"},
		{name: "packing kss example shares", score: GpuPackingScore, n: node(96000, "G2", 200, 1000, 1000, 500), p: Pod{GPUMilli: 200, GPUCount: 2}, want: 93, reason: "kss gpu_packing_score_test.go"},
		{name: "packing cpu-only", score: GpuPackingScore, n: node(96000, "G2", 200), p: cpu, want: 0},
		{name: "clustering empty node", score: GpuClusteringScore, n: node(96000, "G2", 1000, 1000), p: share, want: 25 + 25*6000/8000},
		{name: "clustering same tag only", score: GpuClusteringScore, n: &Node{CPUMilli: 1, GPULeft: []int64{500, 1000}, Tags: Tags{0: 1}}, p: share, want: 75 + 25*6500/8000},
		{name: "clustering same among others", score: GpuClusteringScore, n: &Node{CPUMilli: 1, GPULeft: []int64{500, 0}, Tags: Tags{0: 1, 1: 1}}, p: share, want: 50 + 25*7500/8000},
		{name: "clustering other only", score: GpuClusteringScore, n: &Node{CPUMilli: 1, GPULeft: []int64{1000, 0}, Tags: Tags{1: 1}}, p: share, want: 25 * 7000 / 8000},
		{name: "clustering cpu-only", score: GpuClusteringScore, n: node(96000, "G2", 1000), p: cpu, want: 0},
		{name: "bestfit", score: BestFitScore, n: node(64000, "G2", 1000, 1000), p: share, want: 67, reason: "1 - (0.5·60000/128000 + 0.5·1500/8000) = 0.671875"},
		{name: "bestfit exact fit", score: BestFitScore, n: node(4000, "G2", 500), p: share, want: 100},
		{name: "dotprod", score: DotProdScore, n: node(128000, "G2", 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000), p: Pod{CPUMilli: 128000, GPUMilli: 1000, GPUCount: 8}, want: 0},
		{name: "dotprod empty", score: DotProdScore, n: node(0, "G2", 0), p: share, want: 100},
	}
	for _, tt := range tests {
		if got := tt.score(tt.n, &tt.p); got != tt.want {
			t.Errorf("%s: score(%+v, %+v) = %d, want %d %s", tt.name, *tt.n, tt.p, got, tt.want, tt.reason)
		}
	}
}

func TestTypical(t *testing.T) {
	var pods []Pod
	add := func(n int, p Pod) {
		for range n {
			pods = append(pods, p)
		}
	}
	add(50, Pod{CPUMilli: 1000, MemoryMiB: 1, GPUMilli: 500, GPUCount: 1})
	add(30, Pod{CPUMilli: 1000, MemoryMiB: 2, GPUMilli: 500, GPUCount: 1}) // memory not in the key
	add(10, Pod{CPUMilli: 2000})
	add(10, Pod{CPUMilli: 3000})
	add(3, Pod{CPUMilli: 1, GPUMilli: 1000, GPUCount: 1, GPUSpec: "A|A"})
	add(2, Pod{CPUMilli: 1, GPUMilli: 1000, GPUCount: 1, GPUSpec: "A"})
	got := Typical(pods)
	// 80+10+10 = 100 >= 0.95*105 = 99.75; ties on count go by key descending.
	want := []TypicalPod{
		{Pod: Pod{CPUMilli: 1000, GPUMilli: 500, GPUCount: 1}, Count: 80, Weight: 80.0 / 105 / (100.0 / 105)},
		{Pod: Pod{CPUMilli: 3000}, Count: 10, Weight: 10.0 / 105 / (100.0 / 105)},
		{Pod: Pod{CPUMilli: 2000}, Count: 10, Weight: 10.0 / 105 / (100.0 / 105)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Typical (-want +got):\n%s", diff)
	}
}

// plainFrag is the fragmentation of docs/research-bench.md (Fragmentation and the
// FGD score) read literally, one typical pod at a time.
func plainFrag(cpu int64, left []int64, model string, typical []TypicalPod) float64 {
	var q1, q2, q4, xl, xr, na float64
	var g int64
	for _, l := range left {
		g += l
	}
	for _, tp := range typical {
		t, w := tp.Pod, tp.Weight
		if t.GPUMilli == 0 {
			if cpu >= t.CPUMilli {
				xl += float64(w * float64(g))
			} else {
				xr += float64(w * float64(g))
			}
			continue
		}
		if !Accepts(t.GPUSpec, model) {
			na += float64(w * float64(g))
			continue
		}
		fit := 0
		var small int64
		for _, l := range left {
			if l >= t.GPUMilli {
				fit++
			} else {
				small += l
			}
		}
		fitsGPU, fitsCPU := fit >= t.GPUCount, cpu >= t.CPUMilli
		switch {
		case fitsGPU && fitsCPU:
			q2 += float64(w * float64(small))
		case fitsGPU:
			q4 += float64(w * float64(g))
		case fitsCPU:
			q2 += float64(w * float64(g))
		default:
			q1 += float64(w * float64(g))
		}
	}
	return ((((((0 + q1) + q2) + q4) + xl) + xr) + na)
}

// plainFGD is the FGD score of docs/research-bench.md read literally.
func plainFGD(n *Node, p *Pod, typical []TypicalPod) (int64, int) {
	f0 := plainFrag(n.CPUMilli, n.GPULeft, n.Model, typical)
	score := func(left []int64) int64 {
		d := f0 - plainFrag(n.CPUMilli-p.CPUMilli, left, n.Model, typical)
		return int64(100 * (1 / (1 + math.Exp(-d/1000))))
	}
	if p.GPUCount == 1 && p.GPUMilli > 0 && p.GPUMilli < 1000 {
		best, dev := int64(-1), -1
		for i, l := range n.GPULeft {
			if l < p.GPUMilli {
				continue
			}
			next := append([]int64(nil), n.GPULeft...)
			next[i] -= p.GPUMilli
			if s := score(next); s > best {
				best, dev = s, i
			}
		}
		return best, dev
	}
	next := append([]int64(nil), n.GPULeft...)
	taken := 0
	for taken < p.GPUCount && p.GPUMilli > 0 {
		// the fullest device (lowest index among equals) that holds the share
		i := -1
		for j, l := range next {
			if l >= p.GPUMilli && n.GPULeft[j] == l && (i < 0 || l < next[i]) {
				i = j
			}
		}
		if i < 0 {
			break
		}
		next[i] -= p.GPUMilli
		taken++
	}
	return score(next), -1
}

var models = []string{"G2", "T4", "V100M16"}

func genTypical(t *rapid.T) []TypicalPod {
	var pods []Pod
	for range rapid.IntRange(1, 30).Draw(t, "pods") {
		pods = append(pods, genPod(t))
	}
	return Typical(pods)
}

func genPod(t *rapid.T) Pod {
	p := Pod{CPUMilli: rapid.Int64Range(0, 16).Draw(t, "cpu") * 1000}
	switch rapid.IntRange(0, 2).Draw(t, "kind") {
	case 1:
		p.GPUMilli, p.GPUCount = rapid.SampledFrom([]int64{100, 250, 500, 810, 999}).Draw(t, "milli"), 1
	case 2:
		p.GPUMilli, p.GPUCount = 1000, rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "count")
	}
	if p.GPUCount > 0 {
		p.GPUSpec = rapid.SampledFrom([]string{"", "G2", "T4|G2", "V100M16|V100M16"}).Draw(t, "spec")
	}
	return p
}

func genNode(t *rapid.T) *Node {
	n := &Node{CPUMilli: rapid.Int64Range(0, 96).Draw(t, "ncpu") * 1000, MemoryMiB: 1 << 20, Model: rapid.SampledFrom(models).Draw(t, "model")}
	for range rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "gpus") {
		n.GPULeft = append(n.GPULeft, rapid.SampledFrom([]int64{0, 100, 190, 500, 750, 1000, 1000}).Draw(t, "left"))
	}
	return n
}

// The memoised FGD and the exported pure function equal the literal
// reading of the rules in docs/research-bench.md, on any node and pod.
func TestFGDMatchesPlain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typical := genTypical(t)
		fgd := NewFGD(typical)
		for range 5 {
			n, p := genNode(t), genPod(t)
			if !Feasible(n, &p) {
				continue
			}
			ws, wd := plainFGD(n, &p, typical)
			if s, d := FGDScore(n, &p, typical); s != ws || d != wd {
				t.Fatalf("FGDScore(%+v, %+v) = %d, %d; plain = %d, %d", *n, p, s, d, ws, wd)
			}
			if s := fgd.Score(n, &p); s != ws {
				t.Fatalf("NewFGD.Score(%+v, %+v) = %d; plain = %d", *n, p, s, ws)
			}
			if p.Sharing() {
				if d := fgd.Device(n, &p); d != wd {
					t.Fatalf("NewFGD.Device(%+v, %+v) = %d; plain = %d", *n, p, d, wd)
				}
			}
			f, _ := Frag(n.CPUMilli, n.GPULeft, n.Model, typical)
			if pf := plainFrag(n.CPUMilli, n.GPULeft, n.Model, typical); f != pf {
				t.Fatalf("Frag = %v; plain = %v", f, pf)
			}
		}
	})
}

// A pod that changes nothing scores exactly 50: the bucketed summation
// makes Δ exactly 0.
func TestFGDUnchangedIsFifty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typical := genTypical(t)
		n := genNode(t)
		if s, _ := FGDScore(n, &Pod{}, typical); s != 50 {
			t.Fatalf("FGDScore(%+v, empty pod) = %d, want 50", *n, s)
		}
	})
}

// Random's reservoir draws a fitting device, one Intn per fitting device.
func TestRandomDevice(t *testing.T) {
	src := &countingSource{}
	r := NewRandom(src)
	n := node(1000, "G2", 100, 600, 1000, 300, 700)
	p := Pod{GPUMilli: 500, GPUCount: 1}
	d := r.Device(n, &p)
	if src.calls != 3 {
		t.Errorf("Device made %d draws, want 3 (one per fitting device)", src.calls)
	}
	if d != 1 {
		t.Errorf("Device = %d, want 1 (the source always draws 1 after the first)", d)
	}
}

type countingSource struct{ calls int }

func (s *countingSource) Intn(n int) int {
	s.calls++
	if n == 1 {
		return 0
	}
	return 1
}
