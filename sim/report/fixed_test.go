package report

import (
	"math"
	"testing"
)

// TestFixed checks that report figures keep their fixed decimals, and
// that a magnitude no real run reaches prints with an exponent instead of
// hundreds of digits.
func TestFixed(t *testing.T) {
	tests := []struct {
		x    float64
		prec int
		want string
	}{
		{0, 2, "0.00"},
		{12.345, 1, "12.3"},
		{-3.5, 2, "-3.50"},
		{123456789012345.5, 1, "123456789012345.5"},
		{1e15, 2, "1e+15"},
		{1e300, 2, "1e+300"},
		{-2.5e200, 1, "-2.5e+200"},
		{math.Inf(1), 2, "+Inf"},
	}
	for _, tt := range tests {
		if got := fixed(tt.x, tt.prec); got != tt.want {
			t.Errorf("fixed(%g, %d) = %q, want %q", tt.x, tt.prec, got, tt.want)
		}
	}
}
