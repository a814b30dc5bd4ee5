package replicate

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/sim"
)

// Figure is one number of a run's summary.json, named by its path (see the
// package comment).
type Figure struct {
	Path  string
	Value float64
}

// Figures returns every number of the summary as summary.json writes it,
// in document order. Lists of objects with a "name" (services) are
// addressed by name, other lists by index.
func Figures(s *sim.Summary) ([]Figure, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("replicate: %w", err)
	}
	n, err := jsondoc.Parse(data, "summary", jsondoc.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("replicate: %w", err)
	}
	var out []Figure
	var walk func(prefix string, n *jsondoc.Node) error
	walk = func(prefix string, n *jsondoc.Node) error {
		join := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch n.Kind {
		case jsondoc.Number:
			v, err := strconv.ParseFloat(n.Text, 64)
			if err != nil {
				return fmt.Errorf("replicate: %s: %w", prefix, err)
			}
			out = append(out, Figure{prefix, v})
		case jsondoc.Object:
			for i := range n.Members {
				if err := walk(join(n.Members[i].Key), &n.Members[i].Value); err != nil {
					return err
				}
			}
		case jsondoc.Array:
			for i := range n.Elems {
				key := strconv.Itoa(i)
				if name := n.Elems[i].Get("name"); name != nil && name.Kind == jsondoc.String {
					key = name.Text
				}
				if err := walk(join(key), &n.Elems[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk("", n); err != nil {
		return nil, err
	}
	return out, nil
}

// ErrUnknownFigure is the error of a path that names no figure.
var ErrUnknownFigure = errors.New("unknown figure")

// CheckPath returns nil if path is one of paths, else an error wrapping
// ErrUnknownFigure that lists the closest names.
func CheckPath(paths []string, path string) error {
	if slices.Contains(paths, path) {
		return nil
	}
	close := closeNames(paths, path, 5)
	if len(close) == 0 {
		return fmt.Errorf("%w %q: expected a path into summary.json such as cost or timeToPlaceSeconds.p99", ErrUnknownFigure, path)
	}
	return fmt.Errorf("%w %q: expected a path into summary.json; close names: %s", ErrUnknownFigure, path, strings.Join(close, ", "))
}

// closeNames returns up to n paths nearest to path by edit distance,
// nearest first, among those within a third of its length (at least 3),
// or sharing its last element.
func closeNames(paths []string, path string, n int) []string {
	type cand struct {
		path string
		d    int
	}
	limit := max(3, len(path)/3)
	last := path[strings.LastIndexByte(path, '.')+1:]
	var cs []cand
	for _, p := range paths {
		d := editDistance(strings.ToLower(p), strings.ToLower(path))
		if d <= limit || strings.HasSuffix(p, "."+last) || p == last {
			cs = append(cs, cand{p, d})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.path)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
