package plan

import (
	"strings"
	"testing"
)

// FuzzParseRequirement: any text either reads as a requirement whose
// String reads back the same, or fails with an error naming the text; no
// panic.
func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{"cost <= 30", "services.web.timeToStartSeconds.p99<120", "neverPlaced >= 0",
		"peakInstances > 2.5", "cost = 3", "<= 3", "cost <= cheap", "a<=b<=3", "x >= 1e308", "x <= -0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "requirement ") {
				t.Fatalf("ParseRequirement(%q) error %q does not name the requirement", s, err)
			}
			return
		}
		back, err := ParseRequirement(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseRequirement(%q) = %+v; its String %q reads back as %+v, %v", s, r, r.String(), back, err)
		}
	})
}
