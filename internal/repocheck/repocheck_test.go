package repocheck

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// catalogue is the document that numbers ECS behaviour and edge cases.
const catalogue = "docs/ecs-behaviour.md"

var (
	// outside names files that live beside the repository, never in it.
	outside = regexp.MustCompile(`ecs-semantics|fgd-bench\.md|DESIGN\.md|STYLE\.md`)
	// sharedPath is any path into ../shared; only the traces are allowed.
	sharedPath = regexp.MustCompile(`\.\./shared/`)
	// specNumber is a numbered citation of a specification: "spec 4.1",
	// "Spec section 3.6.2", "the spec's 4.5", "spec case 37", "§4.4".
	specNumber = regexp.MustCompile(`(?i)\bspec(?:ification)?(?:'s)?\s+(?:sections?\s+|case\s+|§\s*)?\d|§\s*\d`)
	// specAtEnd is a line ending in "spec" whose number is on the next line.
	specAtEnd = regexp.MustCompile(`(?i)\bspec(?:ification)?\s*\(?$`)
	// goCase is Go's own switch syntax, which cites nothing.
	goCase = regexp.MustCompile(`^\s*case\s+[-\d, ]+:`)
	// caseRef is "case 63", "cases 47-62", "cases 1 to 16", "cases 48 and 49";
	// the lookahead-free (?:[^.\d]|$) keeps "Case 8.3-31" for sectionCase.
	caseRef = regexp.MustCompile(`(?i)\bcases?\s+(\d+)(?:\s*(?:-|–|to|and)\s*(\d+))?(?:[^.\d]|$)`)
	// sectionCase is a test name or comment of the form "8.3-31".
	sectionCase = regexp.MustCompile(`\b8\.[1-7]-(\d+)\b`)
	// caseRow is a row of the catalogue's edge-case tables.
	caseRow = regexp.MustCompile(`^\|\s*(\d+)\s*\|`)
)

// root returns the module root, two levels above this package.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", dir, err)
	}
	return dir
}

// sources returns the .go and .md files below dir, relative to it, leaving
// out testdata and hidden folders.
func sources(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".md") {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines
}

// commentText strips a line's indentation and comment marker.
func commentText(line string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "//"))
}

// cited returns the edge-case numbers a line cites.
func cited(line string) []int {
	if goCase.MatchString(line) {
		return nil
	}
	var nums []int
	for _, m := range caseRef.FindAllStringSubmatch(line, -1) {
		lo, _ := strconv.Atoi(m[1])
		hi := lo
		if m[2] != "" {
			hi, _ = strconv.Atoi(m[2])
		}
		if hi < lo || hi-lo > 100 {
			hi = lo
		}
		for n := lo; n <= hi; n++ {
			nums = append(nums, n)
		}
	}
	for _, m := range sectionCase.FindAllStringSubmatch(line, -1) {
		n, _ := strconv.Atoi(m[1])
		nums = append(nums, n)
	}
	return nums
}

// problems returns what is wrong with line i of lines, given the
// catalogue's case numbers.
func problems(lines []string, i int, cases map[int]bool) []string {
	line := lines[i]
	var out []string
	if m := outside.FindString(line); m != "" {
		out = append(out, fmt.Sprintf("names %s, which is not in the repository", m))
	}
	for _, loc := range sharedPath.FindAllStringIndex(line, -1) {
		if !strings.HasPrefix(line[loc[1]:], "traces") {
			out = append(out, "points into ../shared/ for something other than the traces")
			break
		}
	}
	if !strings.Contains(line, "docs/") {
		if specNumber.MatchString(line) {
			out = append(out, "cites a numbered spec section without a pointer into docs/")
		} else if specAtEnd.MatchString(line) && i+1 < len(lines) {
			if next := commentText(lines[i+1]); next != "" && next[0] >= '0' && next[0] <= '9' {
				out = append(out, "cites a numbered spec section without a pointer into docs/")
			}
		}
	}
	for _, n := range cited(line) {
		if !cases[n] {
			out = append(out, fmt.Sprintf("cites case %d, which %s does not list", n, catalogue))
		}
	}
	return out
}

func catalogueCases(t *testing.T, dir string) map[int]bool {
	t.Helper()
	cases := map[int]bool{}
	for _, line := range readLines(t, filepath.Join(dir, catalogue)) {
		if m := caseRow.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			cases[n] = true
		}
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no edge-case rows found", catalogue)
	}
	return cases
}

// TestReferencesStayInside fails on every line that sends a reader outside
// the repository or cites an edge case the catalogue does not have, one
// subtest per top-level folder.
func TestReferencesStayInside(t *testing.T) {
	dir := root(t)
	cases := catalogueCases(t, dir)
	files := sources(t, dir)
	if len(files) < 100 {
		t.Fatalf("found %d .go and .md files under %s; expected the whole repository", len(files), dir)
	}
	byTop := map[string][]string{}
	var tops []string
	for _, rel := range files {
		if rel == "internal/repocheck/repocheck_test.go" || rel == "internal/repocheck/doc.go" {
			continue // they spell out the patterns they look for
		}
		top, _, ok := strings.Cut(rel, "/")
		if !ok {
			top = "."
		}
		if byTop[top] == nil {
			tops = append(tops, top)
		}
		byTop[top] = append(byTop[top], rel)
	}
	for _, top := range tops {
		t.Run(top, func(t *testing.T) {
			var found []string
			for _, rel := range byTop[top] {
				lines := readLines(t, filepath.Join(dir, rel))
				for i := range lines {
					for _, p := range problems(lines, i, cases) {
						found = append(found, fmt.Sprintf("%s:%d: %s: %s", rel, i+1, p, strings.TrimSpace(lines[i])))
					}
				}
			}
			for _, f := range found {
				t.Error(f)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	cases := map[int]bool{47: true, 48: true, 49: true, 63: true}
	tests := []struct {
		name  string
		lines []string
		want  int
	}{
		{"spec number", []string{"// limits (spec 4.1)."}, 1},
		{"spec section", []string{"// see spec section 3.6.2"}, 1},
		{"section sign", []string{"// as §4.4 says"}, 1},
		{"spec case", []string{`name: "spec case 47: x",`}, 1},
		{"spec then number on the next line", []string{"// every example (spec", "// 1.6) selects"}, 1},
		{"pointer into docs", []string{"// limits (docs/ecs-behaviour.md 4.1, case 63)."}, 0},
		{"outside file", []string{"// see ecs-semantics"}, 1},
		{"design note", []string{"see DESIGN.md"}, 1},
		{"shared spec", []string{"T=../shared/spec/x"}, 1},
		{"shared traces", []string{"T=../shared/traces", `p := "../../shared/traces/openb/"`}, 0},
		{"listed case", []string{`{"case 63: raise to min", 1},`}, 0},
		{"unlisted case", []string{`{"case 64: x", 1},`}, 1},
		{"listed range", []string{"// cases 47-49"}, 0},
		{"range past the table", []string{"// cases 47-50"}, 1},
		{"section-case name", []string{`{"8.4-48 min 50", 1},`}, 0},
		{"unlisted section-case name", []string{`// Case 8.4-50: x`}, 1},
		{"go switch", []string{"\tcase 0, 1:", "\tcase 2: // a task fails"}, 0},
		{"gpu spec variable", []string{"func Accepts(spec, model string) bool {"}, 0},
		{"other RFC section", []string{"// RFC 8259 section 8.1 lets a parser"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := 0
			for i := range tt.lines {
				got += len(problems(tt.lines, i, cases))
			}
			if got != tt.want {
				t.Errorf("problems(%q) = %d, want %d", tt.lines, got, tt.want)
			}
		})
	}
}
