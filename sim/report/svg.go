package report

import (
	"fmt"
	"html"
	"image/color"
	"math"
	"strconv"
	"strings"
)

// Plot is a line or scatter plot of a Page, drawn as inline SVG.
type Plot struct {
	// ID names the plot's element (id="plot-<ID>"), for links and tests.
	ID    string
	Title string
	// XLabel and YLabel name the axes; a time axis adds its unit.
	XLabel, YLabel string
	// XTime says X holds seconds from the start of the run: the axis is
	// then on whole hours, or days for runs over 48 hours.
	XTime bool
	// YInteger says Y holds counts: the ticks are whole numbers.
	YInteger bool
	Series   []Series
}

// Series is one line of a Plot, or with Points a set of marked points,
// each with its label from Labels (a run number) when given.
type Series struct {
	Name   string
	X, Y   []float64
	Points bool
	Labels []string
	// Dashed draws the line dashed in the series' colour (desired beside
	// running); otherwise a series past the twelfth colour is dashed.
	Dashed bool
	// Colour is the index of the series' colour in the palette; -1
	// means its position in the plot.
	Colour int
}

// SVG geometry, in pixels.
const (
	svgWidth     = 960
	svgHeight    = 300
	svgLeft      = 64  // room for the y tick labels and label
	svgRight     = 240 // the legend, outside the data
	svgTop       = 28  // the title
	svgBottom    = 44  // x ticks and label
	svgFont      = 11
	svgCharWidth = 6.6 // the mean advance of an 11 px sans-serif character
	svgLegendRow = 16
	legendChars  = 32 // a longer series name is cut with an ellipsis
)

// palette holds twelve colours that stay apart on white and for the
// common colour-vision deficiencies (Okabe-Ito, then Paul Tol's darker
// tones), one per series; series past the twelfth reuse them with dashes.
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {0, 0, 0, 255}, {136, 34, 85, 255},
	{153, 153, 51, 255}, {51, 34, 136, 255}, {68, 170, 153, 255}, {170, 68, 153, 255},
}

// dashes are the line styles of series past the twelfth, by round.
var dashes = []string{"", "7 4", "2 3", "9 3 2 3"}

func hexColour(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// svgNum prints a coordinate with one decimal, the same bytes everywhere.
func svgNum(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// esc escapes text for SVG inside HTML.
func esc(s string) string { return html.EscapeString(s) }

// style returns the colour and dash pattern of series i.
func (p *Plot) style(i int) (string, string) {
	s := &p.Series[i]
	k := i
	if s.Colour >= 0 {
		k = s.Colour
	}
	dash := dashes[(k/len(palette))%len(dashes)]
	if s.Dashed && dash == "" {
		dash = dashes[1]
	}
	return hexColour(palette[k%len(palette)]), dash
}

// svg draws the plot: the data area on the left with its axes, the
// legend to its right, outside the data.
func (p *Plot) svg() string {
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		for i := range s.X {
			xlo, xhi = math.Min(xlo, s.X[i]), math.Max(xhi, s.X[i])
			ylo, yhi = math.Min(ylo, s.Y[i]), math.Max(yhi, s.Y[i])
		}
	}
	if math.IsInf(xlo, 0) { // no points
		xlo, xhi, ylo, yhi = 0, 0, 0, 0
	}
	var xa axis
	if p.XTime {
		xa = timeAxis(xhi)
	} else {
		xa = rangeAxis(xlo, xhi) // a cost axis need not start at 0
	}
	if p.hasPoints() { // room above the highest point for its label
		yhi += (yhi - math.Min(ylo, 0)) * 0.08
	}
	ya := valueAxis(ylo, yhi, p.YInteger)
	height := max(svgHeight, svgTop+len(p.Series)*svgLegendRow+svgBottom)
	x0, x1 := float64(svgLeft), float64(svgWidth-svgRight)
	y0, y1 := float64(height-svgBottom), float64(svgTop)
	px := func(v float64) float64 { return x0 + (v-xa.lo)/(xa.hi-xa.lo)*(x1-x0) }
	py := func(v float64) float64 { return y0 - (v-ya.lo)/(ya.hi-ya.lo)*(y0-y1) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="plot-%s" class="plot" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		esc(p.ID), svgWidth, height, svgWidth, height, esc(p.Title))
	fmt.Fprintf(&b, `<text class="title" x="%s" y="18">%s</text>`, svgNum(x0), esc(p.Title))
	// Grid and ticks.
	for _, t := range ya.ticks {
		y := svgNum(py(t.v))
		fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, svgNum(x0), y, svgNum(x1), y)
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, svgNum(x0-6), svgNum(py(t.v)+4), esc(t.label))
	}
	for _, t := range xa.ticks {
		x := svgNum(px(t.v))
		fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, x, svgNum(y0), x, svgNum(y1))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, x, svgNum(y0+16), esc(t.label))
	}
	fmt.Fprintf(&b, `<rect class="frame" x="%s" y="%s" width="%s" height="%s"/>`, svgNum(x0), svgNum(y1), svgNum(x1-x0), svgNum(y0-y1))
	xl := p.XLabel
	if xa.unit != "" {
		xl = strings.TrimSpace(xl + " " + xa.unit)
	}
	fmt.Fprintf(&b, `<text class="label" x="%s" y="%d" text-anchor="middle">%s</text>`, svgNum((x0+x1)/2), height-8, esc(xl))
	fmt.Fprintf(&b, `<text class="label" transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`, svgNum((y0+y1)/2), esc(p.YLabel))
	// Data.
	var placed []box
	for i, s := range p.Series {
		col, dash := p.style(i)
		dashAttr := ""
		if dash != "" {
			dashAttr = ` stroke-dasharray="` + dash + `"`
		}
		if !s.Points {
			var pts strings.Builder
			for j := range s.X {
				if j > 0 {
					pts.WriteByte(' ')
				}
				pts.WriteString(svgNum(px(s.X[j])))
				pts.WriteByte(',')
				pts.WriteString(svgNum(py(s.Y[j])))
			}
			fmt.Fprintf(&b, `<polyline class="series" data-series="%s" fill="none" stroke="%s" stroke-width="1.6"%s points="%s"/>`, esc(s.Name), col, dashAttr, pts.String())
			continue
		}
		for j := range s.X {
			cx, cy := px(s.X[j]), py(s.Y[j])
			fmt.Fprintf(&b, `<circle class="point" data-series="%s" cx="%s" cy="%s" r="4" fill="%s"/>`, esc(s.Name), svgNum(cx), svgNum(cy), col)
			placed = append(placed, box{cx - 4, cy - 4, cx + 4, cy + 4})
		}
	}
	// Point labels, each where it overlaps no other label and no point.
	var pts []labelled
	for _, s := range p.Series {
		if !s.Points {
			continue
		}
		for j := range s.Labels {
			if j < len(s.X) && s.Labels[j] != "" {
				pts = append(pts, labelled{px(s.X[j]), py(s.Y[j]), s.Labels[j]})
			}
		}
	}
	for _, pt := range mergeLabels(pts) {
		w := float64(len([]rune(pt.text)))*svgCharWidth + 2
		lb, ok := placeLabel(pt.x, pt.y, w, float64(svgFont)+2, placed, box{x0, y1, x1, y0})
		placed = append(placed, lb)
		cls := "plabel"
		if !ok {
			cls = "plabel crowded"
		}
		fmt.Fprintf(&b, `<text class="%s" x="%s" y="%s">%s</text>`, cls, svgNum(lb.x0), svgNum(lb.y1-2), esc(pt.text))
	}
	// Legend, right of the data area.
	lx := x1 + 14
	for i, s := range p.Series {
		col, dash := p.style(i)
		ly := float64(svgTop + 8 + i*svgLegendRow)
		if s.Points {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="4" fill="%s"/>`, svgNum(lx+10), svgNum(ly), col)
		} else {
			dashAttr := ""
			if dash != "" {
				dashAttr = ` stroke-dasharray="` + dash + `"`
			}
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`, svgNum(lx), svgNum(ly), svgNum(lx+22), svgNum(ly), col, dashAttr)
		}
		fmt.Fprintf(&b, `<text class="legend" x="%s" y="%s">%s</text>`, svgNum(lx+28), svgNum(ly+4), esc(clip(s.Name, legendChars)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func (p *Plot) hasPoints() bool {
	for _, s := range p.Series {
		if s.Points {
			return true
		}
	}
	return false
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// labelGap keeps labels this far apart, so that "17" beside "5" does not
// read as 175.
const labelGap = 3

// labelled is a point in pixels and its label.
type labelled struct {
	x, y float64
	text string
}

// mergeLabels joins the labels of points drawn at the same spot (runs
// with the same figures) into one, "1,4,7", in the order given.
func mergeLabels(pts []labelled) []labelled {
	var out []labelled
	at := map[[2]float64]int{}
	for _, p := range pts {
		k := [2]float64{math.Round(p.x * 2), math.Round(p.y * 2)}
		if i, ok := at[k]; ok {
			out[i].text += "," + p.text
			continue
		}
		at[k] = len(out)
		out = append(out, p)
	}
	return out
}

// box is a rectangle in pixels: x0 < x1, y0 < y1 (y grows down).
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

func (a box) inside(b box) bool { return a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1 }

// placeLabel finds room for a point's label, w by h: right of it, left, above,
// below, then further out, the first spot inside the data area that
// overlaps nothing placed. With none free it returns the first spot and
// false.
func placeLabel(x, y, w, h float64, placed []box, area box) (box, bool) {
	var first box
	for k, d := range []float64{6, 14, 24, 36} {
		for m, off := range [][2]float64{{d, -h / 2}, {-d - w, -h / 2}, {-w / 2, -d - h}, {-w / 2, d}, {d, -d - h}, {-d - w, -d - h}, {d, d}, {-d - w, d}} {
			c := box{x + off[0], y + off[1], x + off[0] + w, y + off[1] + h}
			if k == 0 && m == 0 {
				first = c
			}
			if !c.inside(area) {
				continue
			}
			free := true
			g := box{c.x0 - labelGap, c.y0 - labelGap, c.x1 + labelGap, c.y1 + labelGap}
			for _, p := range placed {
				if g.overlaps(p) {
					free = false
					break
				}
			}
			if free {
				return c, true
			}
		}
	}
	return first, false
}
