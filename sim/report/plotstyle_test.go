package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/plot/vg"
	"pgregory.net/rapid"
)

// Twelve colours, far apart, and then dashes: the first 48 series of a
// plot all look different.
func TestSeriesStylesDiffer(t *testing.T) {
	if len(palette) < 12 {
		t.Fatalf("%d colours, want at least 12", len(palette))
	}
	for i := range palette {
		for j := range i {
			a, b := palette[i], palette[j]
			d := abs(int(a.R)-int(b.R)) + abs(int(a.G)-int(b.G)) + abs(int(a.B)-int(b.B))
			if d < 60 {
				t.Errorf("colours %d %v and %d %v are %d apart, want at least 60", j, b, i, a, d)
			}
		}
	}
	p := Plot{}
	for range 48 {
		p.Series = append(p.Series, Series{Colour: -1})
	}
	seen := map[[2]string]int{}
	for i := range p.Series {
		c, d := p.style(i)
		if j, dup := seen[[2]string{c, d}]; dup {
			t.Errorf("series %d and %d have the same colour %s and dashes %q", j, i, c, d)
		}
		seen[[2]string{c, d}] = i
	}
}

func abs(x int) int { return max(x, -x) }

func TestDashPattern(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []vg.Length
	}{
		{"", nil},
		{"7 4", []vg.Length{vg.Points(5.6), vg.Points(3.2)}}, // 0.8 pt per SVG px
		{"9 3 2 3", []vg.Length{vg.Points(7.2), vg.Points(2.4), vg.Points(1.6), vg.Points(2.4)}},
	} {
		if diff := cmp.Diff(tt.want, dashPattern(tt.in)); diff != "" {
			t.Errorf("dashPattern(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestMergeLabels(t *testing.T) {
	got := mergeLabels([]labelled{{10, 20, "1"}, {30, 20, "2"}, {10.1, 20.1, "3"}, {10, 20, "4"}})
	want := []labelled{{10, 20, "1,3,4"}, {30, 20, "2"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(labelled{})); diff != "" {
		t.Errorf("mergeLabels (-want +got):\n%s", diff)
	}
}

// A label placeLabel calls free overlaps no point and no other label
// (with labelGap between them) and stays in the data area.
func TestPropPlaceLabel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		area := box{0, 0, 600, 300}
		n := rapid.IntRange(1, 40).Draw(t, "points")
		var placed []box
		var pts [][2]float64
		for range n {
			x, y := rapid.Float64Range(0, 600).Draw(t, "x"), rapid.Float64Range(0, 300).Draw(t, "y")
			pts = append(pts, [2]float64{x, y})
			placed = append(placed, box{x - 4, y - 4, x + 4, y + 4})
		}
		for _, p := range pts {
			w := rapid.Float64Range(7, 60).Draw(t, "w")
			b, ok := placeLabel(p[0], p[1], w, 13, placed, area)
			if ok {
				if !b.inside(area) {
					t.Fatalf("label %+v outside the area", b)
				}
				g := box{b.x0 - labelGap, b.y0 - labelGap, b.x1 + labelGap, b.y1 + labelGap}
				for _, q := range placed {
					if g.overlaps(q) {
						t.Fatalf("label %+v overlaps %+v", b, q)
					}
				}
			}
			placed = append(placed, b)
		}
	})
}
