package autoscale

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCase97And98Tolerance(t *testing.T) {
	h := HorizontalPodAutoscaler{MinReplicas: 1, MaxReplicas: 100}
	tests := []struct {
		name     string
		replicas int
		current  float64
		target   float64
		want     int
	}{
		{"case 97: 90% against 75% on 50 replicas", 50, 90, 75, 60},
		{"case 98: ratio 1.05 is within tolerance", 10, 105, 100, 10},
		{"ratio 0.95 is within tolerance", 10, 95, 100, 10},
		{"case 98: ratio 0.85 with no history scales in at once", 10, 85, 100, 9},
	}
	for _, tt := range tests {
		_, got, _ := h.Scale(HPAState{}, t0, tt.replicas, []HPAMetric{{Current: tt.current, Target: tt.target}})
		if got != tt.want {
			t.Errorf("%s: replicas %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCase98And99Stabilization(t *testing.T) {
	h := HorizontalPodAutoscaler{MinReplicas: 1, MaxReplicas: 100}
	var st HPAState
	replicas := 10
	var got []int
	// Loads that need 10 (t=0), then 8 (t=15), then 6 replicas; a
	// scale-down applies the highest recommendation of the last 300 s.
	loads := []float64{10, 8, 6}
	for k := 0; k <= 24; k++ {
		load := loads[min(k, 2)]
		st, replicas, _ = h.Scale(st, t0.Add(time.Duration(k)*15*time.Second), replicas, []HPAMetric{{Current: load / float64(replicas), Target: 1}})
		got = append(got, replicas)
	}
	// Held at 10 until the t=0 recommendation expires at t=300 (k=20),
	// then the highest remaining (8 at t=15) until it expires at k=21.
	want := append(repeat10(20), 8, 6, 6, 6, 6)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replicas (-want +got):\n%s", diff)
	}
}

func TestCase100ScaleUpRate(t *testing.T) {
	h := HorizontalPodAutoscaler{MinReplicas: 1, MaxReplicas: 100}
	var st HPAState
	replicas := 10
	var got []int
	for k := 0; k < 5; k++ {
		// Load that wants 100 replicas whatever the current count.
		st, replicas, _ = h.Scale(st, t0.Add(time.Duration(k)*15*time.Second), replicas, []HPAMetric{{Current: 1000 / float64(replicas), Target: 10}})
		got = append(got, replicas)
	}
	if diff := cmp.Diff([]int{20, 40, 80, 100, 100}, got); diff != "" {
		t.Errorf("replicas (-want +got):\n%s", diff)
	}
	// The documented scale-down example: Pods 4/60 s and Percent 10/60 s.
	down := HorizontalPodAutoscaler{MinReplicas: 1, MaxReplicas: 100, ScaleDown: &HPAScalingRules{
		StabilizationWindowSeconds: new(int),
		Policies:                   []HPAScalingPolicy{{HPAPods, 4, 60}, {HPAPercent, 10, 60}}}}
	st, replicas, got = HPAState{}, 80, nil
	for _, start := range []int{80, 72} {
		_ = start
		st, replicas, _ = down.Scale(st, t0.Add(time.Duration(len(got))*time.Minute), replicas, []HPAMetric{{Current: 1, Target: 10}})
		got = append(got, replicas)
	}
	if diff := cmp.Diff([]int{72, 64}, got); diff != "" {
		t.Errorf("scale-down steps (-want +got):\n%s", diff)
	}
	_, r, _ := down.Scale(HPAState{}, t0, 40, []HPAMetric{{Current: 1, Target: 10}})
	if r != 36 {
		t.Errorf("at 40 replicas: %d, want 36 (Pods 4 per step)", r)
	}
}

func TestCase101SeveralMetrics(t *testing.T) {
	h := HorizontalPodAutoscaler{MinReplicas: 1, MaxReplicas: 100, ScaleDown: &HPAScalingRules{StabilizationWindowSeconds: new(int),
		Policies: []HPAScalingPolicy{{HPAPercent, 100, 15}}}}
	_, got, _ := h.Scale(HPAState{}, t0, 10, []HPAMetric{{Current: 60, Target: 100}, {Current: 85, Target: 100}})
	if got != 9 {
		t.Errorf("recommendations 6 and 9: %d, want 9", got)
	}
	_, got, _ = h.Scale(HPAState{}, t0, 10, []HPAMetric{{Missing: true}, {Current: 50, Target: 100}})
	if got != 10 {
		t.Errorf("one metric missing, the other down: %d, want 10", got)
	}
	_, got, _ = h.Scale(HPAState{}, t0, 10, []HPAMetric{{Missing: true}, {Current: 150, Target: 100}})
	if got != 15 {
		t.Errorf("one metric missing, the other up: %d, want 15", got)
	}
	_, got, _ = h.Scale(HPAState{}, t0, 0, []HPAMetric{{Current: 150, Target: 100}})
	if got != 0 {
		t.Errorf("zero replicas with MinReplicas 1: %d, want 0 (ScalingActive=false)", got)
	}
}
