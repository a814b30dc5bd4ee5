package report

import (
	"fmt"
	"io"

	"github.com/berthsched/berth/sim"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// WritePlot draws the comparison as a PNG: CPU and memory utilization and
// the tasks waiting, over simulated hours, one line per variant (named by
// its letter in the table, A, B, ...), each panel's legend beside it.
func WritePlot(w io.Writer, c *sim.Comparison) error {
	type spec struct {
		title, unit string
		integer     bool
		get         func(sim.Sample) float64
	}
	specs := []spec{
		{"CPU utilization", "%", false, func(s sim.Sample) float64 { return s.CPU }},
		{"memory utilization", "%", false, func(s sim.Sample) float64 { return s.Memory }},
		{"tasks waiting", "tasks", true, func(s sim.Sample) float64 { return float64(s.Waiting) }},
	}
	if hasGPU(c) {
		specs = append(specs, spec{"GPU allocated", "%", false, func(s sim.Sample) float64 { return s.GPU }})
	}
	var panels []*panel
	for _, sp := range specs {
		pn := newPanel(sp.title)
		pn.p.Y.Label.Text = sp.unit
		var lines []plotter.XYs
		for i, r := range c.Results {
			xy := make(plotter.XYs, len(r.Series))
			for j, s := range r.Series {
				xy[j] = plotter.XY{X: s.Time.Hours(), Y: sp.get(s)}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("sim: plot: %w", err)
			}
			lineStyle(l, i, false)
			pn.p.Add(l)
			pn.legend.Add(clip(fmt.Sprintf("%c %s", 'A'+i, r.Summary.Variant), legendChars), l)
			lines = append(lines, xy)
		}
		timeX(pn.p, c.Duration.Hours())
		valueY(pn.p, lines, sp.integer)
		panels = append(panels, pn)
	}
	return writePanels(w, panels, 11*vg.Inch, 2.6*vg.Inch)
}
