package report

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The PNG plots share the SVG plots' rules (ticks.go): time on whole
// hours or days, counts on whole numbers, legends beside the data, twelve
// colours then dashes.

// fixedTicks is a plot.Ticker with ticks chosen beforehand.
type fixedTicks []plot.Tick

func (t fixedTicks) Ticks(float64, float64) []plot.Tick { return t }

// applyAxis sets a gonum axis to a, whose values are divided by per
// (time in hours on the plot's X: 3600).
func applyAxis(ax *plot.Axis, a axis, per float64) {
	ax.Min, ax.Max = a.lo/per, a.hi/per
	var ts fixedTicks
	for _, t := range a.ticks {
		ts = append(ts, plot.Tick{Value: t.v / per, Label: t.label})
	}
	ax.Tick.Marker = ts
}

// timeX puts a plot's X axis, in hours, on whole hours or days up to
// maxHours.
func timeX(p *plot.Plot, maxHours float64) {
	a := timeAxis(maxHours * 3600)
	applyAxis(&p.X, a, 3600)
	p.X.Label.Text = a.unit
}

// valueY puts a plot's Y axis on valueAxis's ticks over the lines' values.
func valueY(p *plot.Plot, lines []plotter.XYs, integer bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xy := range lines {
		for _, pt := range xy {
			lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 0
	}
	applyAxis(&p.Y, valueAxis(lo, hi, integer), 1)
}

// lineStyle sets line i's colour and, past the twelfth, its dashes.
func lineStyle(l *plotter.Line, i int, dashed bool) {
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.2)
	d := dashes[(i/len(palette))%len(dashes)]
	if dashed && d == "" {
		d = dashes[1]
	}
	l.Dashes = dashPattern(d)
}

// dashPattern turns an SVG dash array ("7 4") into points.
func dashPattern(d string) []vg.Length {
	var out []vg.Length
	var n float64
	var in bool
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] >= '0' && d[i] <= '9' {
			n, in = n*10+float64(d[i]-'0'), true
			continue
		}
		if in {
			out = append(out, vg.Points(n*4/5)) // 0.8 pt per SVG px
		}
		n, in = 0, false
	}
	return out
}

// legendWidth is the room right of each plot for its legend.
const legendWidth = 2.6 * vg.Inch

// panel is one plot of a PNG with its legend, drawn beside it.
type panel struct {
	p      *plot.Plot
	legend plot.Legend
}

func newPanel(title string) *panel {
	p := plot.New()
	p.Title.Text = title
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.TextStyle.Font.Size = vg.Points(10)
	leg.Padding = vg.Points(2)
	return &panel{p: p, legend: leg}
}

// writePanels draws the panels one above the other, each rowHeight
// high, the legend of each to the right of its data, as a PNG.
func writePanels(w io.Writer, panels []*panel, width, rowHeight vg.Length) error {
	img := vgimg.New(width, vg.Length(len(panels))*rowHeight)
	dc := draw.New(img)
	plots := draw.Crop(dc, 0, -legendWidth, 0, 0)
	rows := make([][]*plot.Plot, len(panels))
	for i, pn := range panels {
		rows[i] = []*plot.Plot{pn.p}
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: 4 * vg.Millimeter, PadTop: 2 * vg.Millimeter,
		PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 3 * vg.Millimeter}
	canvases := plot.Align(rows, tiles, plots)
	for i, pn := range panels {
		c := canvases[i][0]
		pn.p.Draw(c)
		data := pn.p.DataCanvas(c)
		lc := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: plots.Max.X + 2*vg.Millimeter, Y: data.Min.Y},
			Max: vg.Point{X: dc.Max.X - 2*vg.Millimeter, Y: data.Max.Y},
		}}
		pn.legend.Draw(lc)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("sim: plot: %w", err)
	}
	return nil
}

// labelStyle is the style of point labels.
func labelStyle() text.Style {
	return text.Style{Color: palette[6], Font: font.From(plot.DefaultFont, vg.Points(10)), Handler: plot.DefaultTextHandler}
}
