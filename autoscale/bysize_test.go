package autoscale

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestPropScaleWaitingEqualsProvisioning: managed scaling given the
// waiting tasks counted by size (ProviderInput.Waiting, each size once,
// zero counts included) decides what it decides given them listed one by
// one, excluded sizes, an empty list and no instance types included.
func TestPropScaleWaitingEqualsProvisioning(t *testing.T) {
	sizes := []TaskSize{
		{CPU: 1024, MemoryMiB: 1024},
		{CPU: 512, MemoryMiB: 2048},
		{CPU: 4096, MemoryMiB: 1024},  // fits the large type only
		{CPU: 16384, MemoryMiB: 1024}, // fits no type
		{CPU: 256, MemoryMiB: 512, GPUs: 1},
	}
	rapid.Check(t, func(t *rapid.T) {
		types := rapid.SampledFrom([][]InstanceType{nil, {small}, {large}, {small, large}, {large, small}}).Draw(t, "types")
		p := AutoScalingGroupProvider{Name: "asg", InstanceTypes: types,
			ManagedScaling: ManagedScaling{Status: rapid.SampledFrom([]string{Enabled, Disabled}).Draw(t, "status")}}
		var list []TaskSize
		counts := []SizeCount{}
		for _, i := range rapid.Permutation([]int{0, 1, 2, 3, 4}).Draw(t, "order")[:rapid.IntRange(0, 5).Draw(t, "sizes")] {
			n := rapid.IntRange(0, 40).Draw(t, "n")
			counts = append(counts, SizeCount{Size: sizes[i], N: n})
			for range n {
				list = append(list, sizes[i])
			}
		}
		// List order must not matter either: interleave the sizes.
		list = rapid.Permutation(list).Draw(t, "list")
		var inst []Instance
		for i := range rapid.IntRange(0, 6).Draw(t, "instances") {
			inst = append(inst, Instance{ID: fmt.Sprint("i-", i), LaunchTime: t0.Add(-time.Duration(rapid.IntRange(0, 10).Draw(t, "age")) * time.Minute),
				NonDaemonTasks: rapid.IntRange(0, 2).Draw(t, "tasks")})
		}
		low := repeat(10, ScaleInDatapoints-1)
		want := p.Scale(ProviderInput{Now: t0, Instances: inst, Provisioning: list, Reservations: low})
		got := p.Scale(ProviderInput{Now: t0, Instances: inst, Waiting: counts, Reservations: low})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Scale with %v counted differs from listed (-listed +counted):\n%s", counts, diff)
		}
		// Nor must the busy instances counted by the caller (Busy).
		busy := 0
		for _, i := range inst {
			if i.NonDaemonTasks > 0 {
				busy++
			}
		}
		got = p.Scale(ProviderInput{Now: t0, Instances: inst, Waiting: counts, Reservations: low, Busy: busy, Counted: true})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Scale with %d busy counted differs from walked (-walked +counted):\n%s", busy, diff)
		}
		if WaitingTasks(counts) != len(list) {
			t.Fatalf("WaitingTasks(%v) = %d, want %d", counts, WaitingTasks(counts), len(list))
		}
	})
}
