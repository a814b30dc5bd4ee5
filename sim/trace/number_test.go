package trace

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHugeNumbersPrintCompactly checks that a number out of range is
// printed with an exponent in errors, not as hundreds of digits.
func TestHugeNumbersPrintCompactly(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"huge time", `{"time": 1e300, "kind": "start", "task": "a", "instance": "b"}`,
			"trace: f.jsonl:1:10: time 1e+300 is out of range, expected 0 to 292 years in seconds"},
		{"tiny negative time", `{"time": -1e-300, "kind": "start", "task": "a", "instance": "b"}`,
			"trace: f.jsonl:1:10: time -1e-300 is out of range, expected 0 to 292 years in seconds"},
		{"huge duration", `{"time": 1, "kind": "submit", "task": "a", "duration": 1e300}`,
			"trace: f.jsonl:1:56: duration 1e+300 is out of range, expected a non-negative number"},
		{"ordinary numbers as written", `{"time": 1, "kind": "submit", "task": "a", "duration": 123456789012.5}`,
			"trace: f.jsonl:1:56: duration 123456789012.5 is out of range, expected a non-negative number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readErr("native", "f.jsonl", tt.input)
			if err == nil {
				t.Fatalf("reading %q: no error, want %s", tt.input, tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("reading %q (-want +got):\n%s", tt.input, diff)
			}
		})
	}
}
