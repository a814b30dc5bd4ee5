package gpushare

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// balancedTypical is one typical pod, 2 cores and half a device: the ratio
// is 2000/500 = 4 millicores per milli-GPU (4 cores per GPU), and a device
// share g has dead space E(g) = g below 500, g − 500 from 500 to 999, and
// E(1000) = E(500) = E(0) = 0.
var balancedTypical = []TypicalPod{{Pod: Pod{CPUMilli: 2000, GPUMilli: 500, GPUCount: 1}, Count: 1, Weight: 1}}

func TestDeadSpace(t *testing.T) {
	typical := []TypicalPod{
		{Pod: Pod{CPUMilli: 1000, GPUMilli: 600, GPUCount: 1}, Weight: 0.25},
		{Pod: Pod{CPUMilli: 1000, GPUMilli: 1000, GPUCount: 2}, Weight: 0.25},
		{Pod: Pod{CPUMilli: 1000}, Weight: 0.5}, // CPU-only: fills no device
	}
	e := DeadSpace(typical)
	tests := []struct {
		g      int
		want   float64
		reason string
	}{
		{0, 0, "nothing left"},
		{599, 599, "nothing fits"},
		{600, 0, "the 600 share fills it"},
		{700, 100, "the 600 share leaves 100"},
		{999, 399, "the 600 share leaves 399"},
		{1000, 200, "equal odds: 600 leaves 400, a whole device 0: (400 + 0)/2"},
	}
	for _, tt := range tests {
		if e[tt.g] != tt.want {
			t.Errorf("DeadSpace(...)[%d] = %v, want %v (%s)", tt.g, e[tt.g], tt.want, tt.reason)
		}
	}
}

func TestBalancedRatio(t *testing.T) {
	typical := []TypicalPod{
		{Pod: Pod{CPUMilli: 8000, GPUMilli: 500, GPUCount: 1}, Weight: 0.5},
		{Pod: Pod{CPUMilli: 16000, GPUMilli: 1000, GPUCount: 2}, Weight: 0.25},
		{Pod: Pod{CPUMilli: 4000}, Weight: 0.25}, // CPU-only: not part of the ratio
	}
	// (0.5·8000 + 0.25·16000) / (0.5·500 + 0.25·2000) = 8000/750
	if got, want := NewBalancedFit(typical, BalancedFitOptions{}).Ratio(), 8000.0/750; got != want {
		t.Errorf("Ratio() = %v, want %v", got, want)
	}
	if got := NewBalancedFit(typical[2:], BalancedFitOptions{}).Ratio(); got != 0 {
		t.Errorf("Ratio() without GPU pods = %v, want 0", got)
	}
}

// level packs a score by hand: near-fit, bucket, balance.
func level(near, bucket, bal int64) int64 { return near<<44 + bucket<<22 + bal }

// The scores below are worked out by hand against balancedTypical (ratio
// 4, the dead space of its doc comment). With WithFrag, Frag counts, for
// the one typical pod, the free share of devices below 500 when it fits (2
// cores and a device with 500), else the node's whole free GPU.
func TestBalancedFitScore(t *testing.T) {
	share := Pod{CPUMilli: 3100, GPUMilli: 500, GPUCount: 1}
	whole := Pod{CPUMilli: 3100, GPUMilli: 1000, GPUCount: 1}
	cpuOnly := Pod{CPUMilli: 3100}
	small := Pod{CPUMilli: 2000, GPUMilli: 200, GPUCount: 1}
	// On a CPU-rich node the share's balance is 3100 − 4·500 = 1100
	// millicores, worth 40·1.1 = 44 milli-GPU, bucket round(44/20) = 2.
	tests := []struct {
		name       string
		n          *Node
		p          Pod
		opt        BalancedFitOptions
		wantScore  int64
		wantDevice int
		reason     string
	}{
		{name: "equal devices: the first", n: node(20000, "G2", 600, 1000), p: share,
			wantScore: level(0, 2, 1100), wantDevice: 0,
			reason: "device 0 leaves 100: ΔD E(600)−E(100) = 100−100 = 0; device 1 leaves 500: ΔD E(1000)−E(500) = 0; both sum 44"},
		{name: "fragmentation added", n: node(20000, "G2", 600, 1000), p: share, opt: BalancedFitOptions{WithFrag: true},
			wantScore: level(0, 2, 1100), wantDevice: 1,
			reason: "device 0: ΔF −100 (100 left, below 500), sum −56, bucket −3; device 1: ΔF 0, sum 44, bucket 2"},
		{name: "near fit first", n: node(20000, "G2", 1000, 550), p: share,
			wantScore: level(50, 2, 1100), wantDevice: 1,
			reason: "device 1 leaves 50 < 100: near 50, ΔD E(550)−E(50) = 0, sum 44; device 0 has no near fit"},
		{name: "near fit removed", n: node(20000, "G2", 1000, 550), p: share, opt: BalancedFitOptions{NoNearFit: true},
			wantScore: level(0, 2, 1100), wantDevice: 0,
			reason: "without the first level the devices tie at bucket 2; the first wins"},
		{name: "dead space decides", n: node(20000, "G2", 1000, 700), p: small,
			wantScore: level(0, 1002, 1200), wantDevice: 1,
			reason: "balance 2000 − 4·200 = 1200, worth 48; device 0 leaves 800: ΔD E(1000)−E(800) = 0−300, " +
				"sum 48 − 30000, bucket round(−1497.6); device 1 leaves 500: ΔD E(700)−E(500) = 200−0, " +
				"sum 20048, bucket round(1002.4)"},
		{name: "dead space removed", n: node(20000, "G2", 1000, 700), p: small, opt: BalancedFitOptions{NoDeadSpace: true},
			wantScore: level(0, 2, 1200), wantDevice: 0,
			reason: "both devices sum 48, bucket round(2.4); the first wins"},
		{name: "balance removed", n: node(20000, "G2", 600, 1000), p: share, opt: BalancedFitOptions{NoBalance: true},
			wantScore: level(0, 0, 0), wantDevice: 0, reason: "both devices sum 0, no tie-break; the first wins"},
		{name: "whole device on a CPU-short node", n: node(4000, "G2", 1000, 1000), p: whole,
			wantScore: level(0, 2, 900), wantDevice: -1,
			reason: "balance |4000 − 4·2000| − |900 − 4·1000| = 4000 − 3100 = 900, worth 36, bucket round(1.8)"},
		{name: "whole device, fragmentation added", n: node(4000, "G2", 1000, 1000), p: whole, opt: BalancedFitOptions{WithFrag: true},
			wantScore: level(0, -48, 900), wantDevice: -1,
			reason: "with 900 millicores left the typical pod lacks CPU: ΔF = 0 − 1000; sum −964, bucket round(−48.2)"},
		{name: "cpu-only pod strands the GPU", n: node(4000, "G2", 1000), p: cpuOnly,
			wantScore: level(0, -6, -3100), wantDevice: -1,
			reason: "balance |4000 − 4·1000| − |900 − 4000| = −3100, worth −124, bucket round(−6.2)"},
		{name: "buckets removed", n: node(4000, "G2", 1000), p: cpuOnly, opt: BalancedFitOptions{NoBuckets: true},
			wantScore: level(0, -124*4, -3100), wantDevice: -1, reason: "the sum in quarter milli-GPU"},
	}
	for _, tt := range tests {
		b := NewBalancedFit(balancedTypical, tt.opt)
		score, device := b.score(tt.n, &tt.p)
		if score != tt.wantScore || device != tt.wantDevice {
			t.Errorf("%s: score(%+v, %+v) = %d, %d; want %d, %d (%s)", tt.name, *tt.n, tt.p, score, device, tt.wantScore, tt.wantDevice, tt.reason)
		}
		if s := b.Score(tt.n, &tt.p); s != score {
			t.Errorf("%s: Score = %d, want %d", tt.name, s, score)
		}
		if tt.p.Sharing() {
			if d := b.Device(tt.n, &tt.p); d != device {
				t.Errorf("%s: Device = %d, want %d", tt.name, d, device)
			}
		}
	}
}

// The memoised policy scores exactly as the plain one (BalancedFitScore,
// or without a memo WithFrag), and picks a device that holds the share.
func TestBalancedFitMatchesPlain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typical := genTypical(t)
		opt := BalancedFitOptions{WithFrag: rapid.Bool().Draw(t, "withFrag")}
		b := NewBalancedFit(typical, opt)
		plain := NewBalancedFitWith(&Fragmenter{typical: typical}, opt) // no memo
		for range 4 {
			n, p := genNode(t), genPod(t)
			if !Feasible(n, &p) {
				continue
			}
			gotS, gotD := b.Score(n, &p), b.Device(n, &p)
			wantS, wantD := plain.score(n, &p)
			if !opt.WithFrag {
				wantS, wantD = BalancedFitScore(n, &p, typical)
			}
			if diff := cmp.Diff([2]int64{wantS, int64(wantD)}, [2]int64{gotS, int64(gotD)}); diff != "" {
				t.Fatalf("Score, Device of %+v, %+v mismatch (-want +got):\n%s", *n, p, diff)
			}
			if p.Sharing() && (gotD < 0 || n.GPULeft[gotD] < p.GPUMilli) {
				t.Fatalf("Device(%+v, %+v) = %d, which does not hold the share", *n, p, gotD)
			}
			if !p.Sharing() && gotD != -1 {
				t.Fatalf("Device(%+v, %+v) = %d for a pod that does not share, want -1", *n, p, gotD)
			}
		}
	})
}
