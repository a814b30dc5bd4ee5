package tracedir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRepo makes root/repo (with berth's go.mod and a package directory)
// and, when traces is true, root/shared/traces; it returns the package
// directory.
func fakeRepo(t *testing.T, root string, traces bool) string {
	t.Helper()
	pkg := filepath.Join(root, "repo", "sim", "trace")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", "go.mod"), []byte("module "+module+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if traces {
		if err := os.MkdirAll(filepath.Join(root, "shared", "traces"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return pkg
}

func TestLookup(t *testing.T) {
	withTraces, withoutTraces := t.TempDir(), t.TempDir()
	pkgWith := fakeRepo(t, withTraces, true)
	pkgWithout := fakeRepo(t, withoutTraces, false)
	env := t.TempDir()
	tests := []struct {
		name   string
		env    string
		wd     string
		want   string
		wantOK bool
	}{
		{name: "env first", env: env, wd: pkgWith, want: env, wantOK: true},
		{name: "beside the repository", wd: pkgWith, want: filepath.Join(withTraces, "shared", "traces"), wantOK: true},
		{name: "env not a directory, repository has them", env: filepath.Join(env, "nope"), wd: pkgWith,
			want: filepath.Join(withTraces, "shared", "traces"), wantOK: true},
		{name: "neither", wd: pkgWithout},
		{name: "env only", env: env, wd: pkgWithout, want: env, wantOK: true},
		{name: "no repository", wd: env},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == Env {
					return tt.env
				}
				return ""
			}
			got, ok := lookup(getenv, func() (string, error) { return tt.wd, nil })
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("lookup(%s=%q, wd %s) = %q, %v; want %q, %v", Env, tt.env, tt.wd, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestMissingNamesBothPlaces(t *testing.T) {
	tests := []struct {
		name, env, repo string
		want            []string
	}{
		{"unset", "", "/r/../shared/traces", []string{"BERTH_TRACES is not set", "/r/../shared/traces is absent", "set BERTH_TRACES=DIR"}},
		{"set", "/x", "/r/../shared/traces", []string{"BERTH_TRACES=/x is not a directory", "/r/../shared/traces is absent", "set BERTH_TRACES=DIR"}},
		{"no repository", "", "", []string{"BERTH_TRACES is not set", "no repository root", "set BERTH_TRACES=DIR"}},
	}
	for _, tt := range tests {
		got := missing(tt.env, tt.repo)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing(%q, %q) = %q, want it to contain %q", tt.name, tt.env, tt.repo, got, w)
			}
		}
		if strings.Contains(got, "\n") {
			t.Errorf("%s: missing(%q, %q) = %q, want one line", tt.name, tt.env, tt.repo, got)
		}
	}
}

func TestTrim(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"../../shared/traces/openb/openb_pod_list_default.csv", "openb/openb_pod_list_default.csv", true},
		{"../../../shared/traces/alibaba-gpu-v2025-dlrm/x.csv", "alibaba-gpu-v2025-dlrm/x.csv", true},
		{"shared/traces/swf/a.swf.gz", "swf/a.swf.gz", true},
		{"testdata/openb.csv", "", false},
		{"../unshared/traces/a.csv", "", false},
	}
	for _, tt := range tests {
		got, ok := Trim(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Trim(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// In this repository's own checkout the lookup agrees with Dir.
func TestDirFromThisPackage(t *testing.T) {
	t.Setenv(Env, "")
	dir, ok := Dir()
	repo := repoTraces(os.Getwd)
	if repo == "" {
		t.Fatalf("repoTraces found no repository root above this package")
	}
	if ok != isDir(repo) || (ok && dir != repo) {
		t.Errorf("Dir() = %q, %v; want %q, %v", dir, ok, repo, isDir(repo))
	}
}
