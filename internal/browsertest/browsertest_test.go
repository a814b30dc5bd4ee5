package browsertest

import (
	"strings"
	"testing"
)

func TestSkipReason(t *testing.T) {
	tests := []struct {
		name  string
		short bool
		env   string
		path  string
		want  string // a part of the reason; "" runs
	}{
		{"runs", false, "", "/usr/bin/chromium", ""},
		{"0 runs", false, "0", "/usr/bin/chromium", ""},
		{"short", true, "", "/usr/bin/chromium", "-short"},
		{"env", false, "1", "/usr/bin/chromium", "BERTH_SKIP_BROWSER=1"},
		{"no browser", false, "", "", "none of chromium, chromium-browser"},
	}
	for _, tt := range tests {
		got := SkipReason(tt.short, func(k string) string {
			if k == EnvSkip {
				return tt.env
			}
			return ""
		}, tt.path)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: SkipReason(%v, %s=%q, %q) = %q, want %q", tt.name, tt.short, EnvSkip, tt.env, tt.path, got, tt.want)
		}
	}
}
