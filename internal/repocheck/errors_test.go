package repocheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoStrippedPrefixes keeps the tree free of the pattern package
// fielderr replaces: cutting a package's prefix off an error's text to put the
// message under a path. Use Wrap (or errors.As) instead.
func TestNoStrippedPrefixes(t *testing.T) {
	root := root(t)
	// TrimPrefix or a helper like it applied to any error's text.
	bad := regexp.MustCompile(`(?i)trim` + `prefix\([\w.]*\.Error\(\)`)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := bad.FindString(line); m != "" {
				t.Errorf("%s:%d: %s: wrap a *fielderr.Error (fielderr.Wrap) or use errors.As instead of cutting a prefix off the text", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked %d Go files, expected the whole module", n)
	}
}
