package docker

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// maxLines bounds the length of a source file of this package and of the
// workload below it: a file longer than that holds more than one concern,
// and is split by concern (spec, lifecycle, events, cleanup...).
const maxLines = 600

func TestSourceFilesUnderMaxLines(t *testing.T) {
	var files []string
	for _, pattern := range []string{"*.go", "workload/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatalf("Glob(%q): %v", pattern, err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found %d .go files (%v), expected this package's", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := lineCount(b); n >= maxLines {
			t.Errorf("%s has %d lines, want fewer than %d: split it by concern", f, n, maxLines)
		}
	}
}

// lineCount counts lines as wc -l does, plus a last line without a newline.
func lineCount(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

func TestLineCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"a\n", 1},
		{"a\nb", 2},
		{"a\n\n", 2},
	}
	for _, tt := range tests {
		if got := lineCount([]byte(tt.in)); got != tt.want {
			t.Errorf("lineCount(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
