package report

import (
	"fmt"
	"io"

	"github.com/berthsched/berth/sim"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WritePlot draws the comparison as a PNG: CPU and memory utilization and
// the tasks waiting, over simulated hours, one line per variant (named by
// its letter in the table, A, B, ...).
func WritePlot(w io.Writer, c *sim.Comparison) error {
	panels := []struct {
		title, unit string
		get         func(sim.Sample) float64
	}{
		{"CPU utilization", "%", func(s sim.Sample) float64 { return s.CPU }},
		{"memory utilization", "%", func(s sim.Sample) float64 { return s.Memory }},
		{"tasks waiting", "tasks", func(s sim.Sample) float64 { return float64(s.Waiting) }},
	}
	if hasGPU(c) {
		panels = append(panels, struct {
			title, unit string
			get         func(sim.Sample) float64
		}{"GPU allocated", "%", func(s sim.Sample) float64 { return s.GPU }})
	}
	var rows [][]*plot.Plot
	for k, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		p.Y.Label.Text = pn.unit
		p.Y.Min = 0
		if k == len(panels)-1 {
			p.X.Label.Text = "hours"
		}
		p.Legend.Top = true
		p.Legend.Left = true
		for i, r := range c.Results {
			xy := make(plotter.XYs, len(r.Series))
			for j, s := range r.Series {
				xy[j] = plotter.XY{X: s.Time.Hours(), Y: pn.get(s)}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("sim: plot: %w", err)
			}
			l.Color = palette[i%len(palette)]
			l.Width = vg.Points(1.2)
			p.Add(l)
			if k == 0 {
				p.Legend.Add(fmt.Sprintf("%c %s", 'A'+i, r.Summary.Variant), l)
			}
		}
		rows = append(rows, []*plot.Plot{p})
	}
	img := vgimg.New(10*vg.Inch, vg.Length(len(panels))*2.6*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 3 * vg.Millimeter}
	canvases := plot.Align(rows, tiles, dc)
	for k := range rows {
		rows[k][0].Draw(canvases[k][0])
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("sim: plot: %w", err)
	}
	return nil
}
