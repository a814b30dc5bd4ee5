package capfill

import "testing"

// Every built-in strategy knows its cost per pod, which berth pack
// --shard balances by; only a program's own strategies fall back to 10.
func TestBuiltinPodCosts(t *testing.T) {
	all := append(append(append(Paper(), Beyond()...), Ablations()...), ECS()...)
	for _, s := range all {
		if s.PodMicros <= 0 {
			t.Errorf("%s: PodMicros = %v, want a measured cost", s.Name, s.PodMicros)
		}
	}
	if got := (Strategy{Name: "registered"}).PodCost(); got != 10 {
		t.Errorf("PodCost of a strategy without PodMicros = %v, want 10", got)
	}
}
