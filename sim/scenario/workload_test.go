package scenario

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestDrawOverflow checks that a draw too long for a time.Duration is
// capped, not wrapped into a one-second task.
func TestDrawOverflow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := Distribution{Kind: "constant", Median: Duration(time.Duration(1<<63 - 1))}
	if got := d.Draw(rng); got != maxDraw {
		t.Errorf("draw of constant %v = %v, want %v", time.Duration(d.Median), got, maxDraw)
	}
	d = Distribution{Kind: "lognormal", Median: Duration(time.Hour), Sigma: maxSigma}
	for range 10000 {
		if got := d.Draw(rng); got < time.Second || got > maxDraw {
			t.Fatalf("lognormal draw %v, want 1s to %v", got, maxDraw)
		}
	}
}
