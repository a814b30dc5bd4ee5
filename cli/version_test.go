package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "8947194abcdef0123456789abcdef0123456789a"},
		{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{name: "no build info", info: nil, want: "berth (devel)"},
		{name: "a working tree without VCS stamps", info: &debug.BuildInfo{Main: debug.Module{Path: module, Version: "(devel)"}},
			want: "berth (devel)"},
		{name: "go install @v1.2.0", info: &debug.BuildInfo{Main: debug.Module{Path: module, Version: "v1.2.0"}},
			want: "berth v1.2.0"},
		{name: "a modified working tree", info: &debug.BuildInfo{Main: debug.Module{Path: module, Version: "(devel)"}, Settings: vcs},
			want: "berth (devel) (8947194abcdef0123456789abcdef0123456789a, 2026-01-02T03:04:05Z, modified)"},
		{name: "a program of its own on berth v1.2.0",
			info: &debug.BuildInfo{Main: debug.Module{Path: "example.com/sched", Version: "(devel)"},
				Deps: []*debug.Module{{Path: "gonum.org/v1/gonum", Version: "v0.17.0"}, {Path: module, Version: "v1.2.0"}}, Settings: vcs[:3]},
			want: "berth v1.2.0 in example.com/sched (devel) (8947194abcdef0123456789abcdef0123456789a, 2026-01-02T03:04:05Z)"},
		{name: "a program of its own on a replaced berth",
			info: &debug.BuildInfo{Main: debug.Module{Path: "example.com/sched"},
				Deps: []*debug.Module{{Path: module, Version: "v1.2.0", Replace: &debug.Module{Path: "../berth"}}}},
			want: "berth (devel) in example.com/sched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatVersion(tt.info); got != tt.want {
				t.Errorf("formatVersion() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	stdout, stderr, code := runBerth(t, "", "version")
	flag, _, _ := runBerth(t, "", "--version")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "berth ") || strings.Count(stdout, "\n") != 1 || flag != stdout {
		t.Errorf("berth version: exit %d, stdout %q, stderr %q, --version %q; want 0 and one line, the same for both", code, stdout, stderr, flag)
	}
	if _, _, code := runBerth(t, "", "version", "extra"); code != 2 {
		t.Errorf("berth version extra: exit %d, want 2", code)
	}
}
