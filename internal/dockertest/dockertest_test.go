package dockertest

import "testing"

func TestSkipReason(t *testing.T) {
	tests := []struct {
		name  string
		short bool
		env   string
		want  string
	}{
		{name: "full pass", want: ""},
		{name: "short", short: true, want: "a Docker test is heavy: skipped under -short (run it without -short)"},
		{name: "env", env: "1", want: "Docker tests skipped: BERTH_SKIP_DOCKER=1"},
		{name: "env zero", env: "0", want: ""},
		{name: "short wins", short: true, env: "1", want: "a Docker test is heavy: skipped under -short (run it without -short)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == EnvSkip {
					return tt.env
				}
				return ""
			}
			if got := SkipReason(tt.short, getenv); got != tt.want {
				t.Errorf("SkipReason(%v, %s=%q) = %q, want %q", tt.short, EnvSkip, tt.env, got, tt.want)
			}
		})
	}
}
