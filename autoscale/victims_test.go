package autoscale

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// refVictims is victims as first written: every instance copied and
// stably sorted by launch time, then the first n unprotected.
func refVictims(p *AutoScalingGroupProvider, instances []Instance, n int) []string {
	c := append([]Instance(nil), instances...)
	sort.SliceStable(c, func(a, b int) bool { return c[a].LaunchTime.Before(c[b].LaunchTime) })
	var ids []string
	for _, i := range c {
		if len(ids) == n {
			break
		}
		if p.TerminationProtected() && i.NonDaemonTasks > 0 {
			continue
		}
		ids = append(ids, i.ID)
	}
	return ids
}

// TestPropVictimsEqualReference: victims, which sorts only instances
// not already in launch order, picks what the plain copy-and-sort picks,
// ties in launch time included.
func TestPropVictimsEqualReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := &AutoScalingGroupProvider{ManagedScaling: ManagedScaling{Status: Enabled},
			ManagedTerminationProtection: rapid.SampledFrom([]string{Enabled, Disabled}).Draw(t, "protection")}
		sorted := rapid.Bool().Draw(t, "sorted")
		var in []Instance
		at := 0
		for i := range rapid.IntRange(0, 30).Draw(t, "instances") {
			if sorted {
				at += rapid.IntRange(0, 2).Draw(t, "gap")
			} else {
				at = rapid.IntRange(0, 5).Draw(t, "at")
			}
			in = append(in, Instance{ID: fmt.Sprint("i-", i), LaunchTime: t0.Add(time.Duration(at) * time.Minute),
				NonDaemonTasks: rapid.IntRange(0, 2).Draw(t, "tasks")})
		}
		n := rapid.IntRange(1, 31).Draw(t, "n")
		orig := slices.Clone(in)
		want, got := refVictims(p, in, n), p.victims(in, n)
		if !slices.Equal(got, want) {
			t.Fatalf("victims(%v, %d) = %v, want %v", in, n, got, want)
		}
		if !slices.Equal(in, orig) {
			t.Fatalf("victims changed its argument: %v, was %v", in, orig)
		}
	})
}
