package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/berthsched/berth/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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
			strconv.Itoa(s.Lost), fixed(s.TimeToPlace.P99, 1), fixed(s.InstanceHours, 1), strconv.Itoa(s.PeakInstances), fixed(s.Cost, 2))
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
// tasks (Spot interruptions, scale-in) in a second colour.
func WriteSweepPlot(w io.Writer, r *sim.SweepResult) error {
	p := plot.New()
	p.Title.Text = "cost against time to place p99 (run numbers as in the table)"
	p.X.Label.Text = "cost ($)"
	p.Y.Label.Text = "time to place p99 (s)"
	var ok, short plotter.XYs
	var labels plotter.XYLabels
	for i, row := range r.Rows {
		xy := plotter.XY{X: row.Summary.Cost, Y: row.Summary.TimeToPlace.P99}
		if row.Summary.Lost > 0 {
			short = append(short, xy)
		} else {
			ok = append(ok, xy)
		}
		labels.XYs = append(labels.XYs, xy)
		labels.Labels = append(labels.Labels, " "+strconv.Itoa(i+1))
	}
	for k, set := range []struct {
		name string
		xy   plotter.XYs
	}{{"no task lost", ok}, {"tasks lost", short}} {
		if len(set.xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(set.xy)
		if err != nil {
			return fmt.Errorf("sim: plot: %w", err)
		}
		sc.Color = palette[k]
		sc.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(set.name, sc)
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return fmt.Errorf("sim: plot: %w", err)
		}
		p.Add(l)
	}
	p.Legend.Top = true
	// Room around the points for their labels.
	p.X.Min, p.X.Max = p.X.Min-0.05*(p.X.Max-p.X.Min)-1, p.X.Max+0.08*(p.X.Max-p.X.Min)+1
	p.Y.Min, p.Y.Max = 0, p.Y.Max*1.1+1
	img := vgimg.New(8*vg.Inch, 5*vg.Inch)
	p.Draw(draw.New(img))
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("sim: plot: %w", err)
	}
	return nil
}
