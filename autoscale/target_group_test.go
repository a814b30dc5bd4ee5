package autoscale

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ALBRequestCountPerTarget = RequestCount / healthy targets; with none
// healthy the load balancer fails open over the registered targets.
func TestRequestCountPerTarget(t *testing.T) {
	type result struct {
		PerTarget float64
		OK        bool
	}
	for _, tc := range []struct {
		name                string
		count               float64
		healthy, registered int
		want                result
	}{
		// 600 requests shared by 2 healthy targets of 3: 300 each.
		{"2 healthy of 3", 600, 2, 3, result{300, true}},
		{"all healthy", 600, 3, 3, result{200, true}},
		// None healthy: fail open, 600 / 3 registered.
		{"none healthy", 600, 0, 3, result{200, true}},
		{"no target", 600, 0, 0, result{0, false}},
	} {
		var got result
		got.PerTarget, got.OK = RequestCountPerTarget(tc.count, tc.healthy, tc.registered)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: RequestCountPerTarget(%g, %d, %d) (-want +got):\n%s", tc.name, tc.count, tc.healthy, tc.registered, diff)
		}
	}
}
