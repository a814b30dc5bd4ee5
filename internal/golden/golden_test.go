package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.MkdirAll("testdata", 0o755)
	os.WriteFile(filepath.Join("testdata", "a.golden"), []byte("hello\n"), 0o644)
	for _, tt := range []struct {
		name, file, got string
		wantFail        bool
	}{
		{"equal", "a.golden", "hello\n", false},
		{"different", "a.golden", "hullo\n", true},
		{"missing file", "b.golden", "x", true},
	} {
		r := &recorder{TB: t}
		Check(r, tt.file, tt.got)
		if r.failed != tt.wantFail {
			t.Errorf("%s: Check failed = %v, want %v", tt.name, r.failed, tt.wantFail)
		}
	}
}
