package report

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/berthsched/berth/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteSweepTable prints a legend naming each parameter p1, p2, ..., then
// one row per run: its number, the parameters' values, the placement,
// tasks submitted, placed, never placed and lost (standalone tasks whose
// instance went away), time to place p99, instance-hours, peak instances,
// cost, cost per provider, and service tasks lost.
func WriteSweepTable(w io.Writer, r *sim.SweepResult) error {
	fmt.Fprintf(w, "scenario %s, seed %d, %s simulated, %d runs\n\n", r.Scenario, r.Seed, shortDuration(r.Duration), len(r.Rows))
	fmt.Fprintln(w, "parameters:")
	for i, p := range r.Params {
		fmt.Fprintf(w, "  p%d  %s\n", i+1, p)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head, rows := sweepRows(r)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, cells := range rows {
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

// sweepRows returns the sweep table's header and rows, the cells that
// WriteSweepTable and SweepPage show.
func sweepRows(r *sim.SweepResult) (head []string, rows [][]string) {
	pk := sweepProviders(r)
	head = []string{"#"}
	for i := range r.Params {
		head = append(head, "p"+strconv.Itoa(i+1))
	}
	head = append(head, "placement", "submitted", "placed", "never placed", "lost", "ttp p99 (s)", "instance-hours", "peak", "cost ($)")
	for _, p := range pk {
		head = append(head, p+" ($)")
	}
	head = append(head, "svc lost")
	for i, row := range r.Rows {
		s := &row.Summary
		cells := append(append([]string{strconv.Itoa(i + 1)}, row.Values...), s.Variant, strconv.Itoa(s.Submitted), strconv.Itoa(s.Placed), strconv.Itoa(s.NeverPlaced),
			strconv.Itoa(s.Lost), fixed(s.TimeToPlace.P99, 1), fixed(s.InstanceHours, 1), strconv.Itoa(s.PeakInstances), cost(s.Cost, s.CostUnknown))
		for _, p := range pk {
			cells = append(cells, fixed(s.CostByProvider[p], 2))
		}
		cells = append(cells, strconv.Itoa(serviceLost(s)))
		rows = append(rows, cells)
	}
	return head, rows
}

// serviceLost is the service tasks a run lost with their instances.
func serviceLost(s *sim.Summary) int {
	lost := 0
	for _, ss := range s.Services {
		lost += ss.Lost
	}
	return lost
}

func sweepProviders(r *sim.SweepResult) []string {
	provs := map[string]bool{}
	for _, row := range r.Rows {
		for k := range row.Summary.CostByProvider {
			provs[k] = true
		}
	}
	return slices.Sorted(maps.Keys(provs))
}

// WriteSweepPlot draws the sweep as a PNG: cost against time-to-place p99, one
// point per run labelled with its number in the table, the runs that lost
// tasks (standalone or service tasks, with their instances) in a second
// colour. Each label goes where it overlaps no other label and no point;
// the legend is beside the data.
func WriteSweepPlot(w io.Writer, r *sim.SweepResult) error {
	pn := newPanel("cost against time to place p99 (run numbers as in the table)")
	p := pn.p
	p.X.Label.Text = "cost ($)"
	p.Y.Label.Text = "time to place p99 (s)"
	var ok, short plotter.XYs
	for _, row := range r.Rows {
		s := &row.Summary
		xy := plotter.XY{X: s.Cost, Y: s.TimeToPlace.P99}
		if s.Lost+serviceLost(s) > 0 {
			short = append(short, xy)
		} else {
			ok = append(ok, xy)
		}
	}
	all := append(append(plotter.XYs{}, ok...), short...)
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, pt := range all {
		xlo, xhi = math.Min(xlo, pt.X), math.Max(xhi, pt.X)
		ylo, yhi = math.Min(ylo, pt.Y), math.Max(yhi, pt.Y)
	}
	if len(all) == 0 {
		xlo, xhi, ylo, yhi = 0, 0, 0, 0
	}
	applyAxis(&p.X, rangeAxis(xlo, xhi), 1)
	applyAxis(&p.Y, valueAxis(ylo, yhi+(yhi-math.Min(ylo, 0))*0.08, false), 1) // room for the top label
	for _, set := range []struct {
		name   string
		xy     plotter.XYs
		colour int
	}{{"no task lost", ok, 0}, {"tasks lost", short, 5}} {
		if len(set.xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(set.xy)
		if err != nil {
			return fmt.Errorf("sim: plot: %w", err)
		}
		sc.Color = palette[set.colour]
		sc.Radius = vg.Points(4)
		sc.Shape = draw.CircleGlyph{}
		p.Add(sc)
		pn.legend.Add(set.name, sc)
	}
	p.Add(sweepLabels{r})
	return writePanels(w, []*panel{pn}, 10*vg.Inch, 5.5*vg.Inch)
}

// sweepLabels draws each run's number beside its point, placed with
// placeLabel in the data area's coordinates.
type sweepLabels struct{ r *sim.SweepResult }

func (l sweepLabels) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sty := labelStyle()
	area := box{float64(c.Min.X), float64(c.Min.Y), float64(c.Max.X), float64(c.Max.Y)}
	var placed []box
	for _, row := range l.r.Rows {
		x, y := float64(tx(row.Summary.Cost)), float64(ty(row.Summary.TimeToPlace.P99))
		placed = append(placed, box{x - 4, y - 4, x + 4, y + 4})
	}
	var pts []labelled
	for i, row := range l.r.Rows {
		pts = append(pts, labelled{float64(tx(row.Summary.Cost)), float64(ty(row.Summary.TimeToPlace.P99)), strconv.Itoa(i + 1)})
	}
	for _, pt := range mergeLabels(pts) {
		b, _ := placeLabel(pt.x, pt.y, float64(sty.Width(pt.text)), float64(sty.Height(pt.text)), placed, area)
		placed = append(placed, b)
		c.FillText(sty, vg.Point{X: vg.Length(b.x0), Y: vg.Length(b.y0) + sty.FontExtents().Descent}, pt.text)
	}
}
