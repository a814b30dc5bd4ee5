package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/berthsched/berth/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WriteServiceEvents writes the service events as JSON Lines:
// {"time_s":..,"service":..,"message":..}.
func WriteServiceEvents(w io.Writer, r *sim.Result) error {
	for _, e := range r.ServiceEvents {
		b, err := json.Marshal(struct {
			Time    float64 `json:"time_s"`
			Service string  `json:"service"`
			Message string  `json:"message"`
		}{e.Time.Seconds(), e.Service, e.Message})
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// WriteScalingCSV writes the scaling activities: time_s,target,kind,from,
// to,cause.
func WriteScalingCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time_s", "target", "kind", "from", "to", "cause"})
	for _, a := range r.Scaling {
		cw.Write([]string{secs(a.Time), a.Target, a.Kind, strconv.Itoa(a.From), strconv.Itoa(a.To), a.Cause})
	}
	cw.Flush()
	return cw.Error()
}

// WriteServicesCSV writes the per-service timelines:
// time_s,service,desired,running,pending,cpu_pct,memory_pct.
func WriteServicesCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time_s", "service", "desired", "running", "pending", "cpu_pct", "memory_pct"})
	f := func(x float64) string { return fixed(x, 2) }
	for _, p := range r.Services {
		cw.Write([]string{secs(p.Time), p.Service, strconv.Itoa(p.Desired), strconv.Itoa(p.Running), strconv.Itoa(p.Pending), f(p.CPU), f(p.Memory)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteProvidersCSV writes the capacity provider timelines:
// time_s,provider,instances,launching,reservation_pct,provisioning.
func WriteProvidersCSV(w io.Writer, r *sim.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time_s", "provider", "instances", "launching", "reservation_pct", "provisioning"})
	for _, p := range r.Providers {
		cw.Write([]string{secs(p.Time), p.Provider, strconv.Itoa(p.Instances), strconv.Itoa(p.Launching),
			fixed(p.Reservation, 2), strconv.Itoa(p.Provisioning)})
	}
	cw.Flush()
	return cw.Error()
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// WritePlannerPlot draws the run's services and providers as a PNG: per
// service desired and running tasks; per provider instances and
// CapacityProviderReservation.
func WritePlannerPlot(w io.Writer, r *sim.Result) error {
	type line struct {
		name string
		xy   plotter.XYs
	}
	// group turns n points, each (line name, x, y), into lines in order of
	// first appearance.
	group := func(n int, get func(i int) (string, float64, float64)) []line {
		idx := map[string]int{}
		var out []line
		for i := range n {
			k, x, y := get(i)
			j, ok := idx[k]
			if !ok {
				j = len(out)
				idx[k] = j
				out = append(out, line{name: k})
			}
			out[j].xy = append(out[j].xy, plotter.XY{X: x, Y: y})
		}
		return out
	}
	desired := group(len(r.Services), func(i int) (string, float64, float64) {
		p := r.Services[i]
		return p.Service + " desired", p.Time.Hours(), float64(p.Desired)
	})
	running := group(len(r.Services), func(i int) (string, float64, float64) {
		p := r.Services[i]
		return p.Service + " running", p.Time.Hours(), float64(p.Running)
	})
	inst := group(len(r.Providers), func(i int) (string, float64, float64) {
		p := r.Providers[i]
		return p.Provider, p.Time.Hours(), float64(p.Instances + p.Launching)
	})
	resv := group(len(r.Providers), func(i int) (string, float64, float64) {
		p := r.Providers[i]
		return p.Provider, p.Time.Hours(), p.Reservation
	})
	const maxLines = 8 // a plot of 200 services says nothing: the first 8
	// pairs: the first half of the lines (desired, dashed) pairs with the
	// second (running, solid) in colour.
	panels := []struct {
		title string
		lines []line
		pairs bool
	}{
		{"service tasks (desired dashed, running solid)", append(head(desired, maxLines), head(running, maxLines)...), true},
		{"instances per capacity provider", inst, false},
		{"CapacityProviderReservation %", resv, false},
	}
	var rows [][]*plot.Plot
	for _, pn := range panels {
		if len(pn.lines) == 0 {
			continue
		}
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = "hours"
		p.Y.Min = 0
		p.Legend.Top, p.Legend.Left = true, true
		for i, l := range pn.lines {
			pl, err := plotter.NewLine(l.xy)
			if err != nil {
				return fmt.Errorf("sim: plot: %w", err)
			}
			k := i
			if half := len(pn.lines) / 2; pn.pairs && i >= half {
				k = i - half
			} else if pn.pairs {
				pl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			pl.Color = palette[k%len(palette)]
			pl.Width = vg.Points(1.2)
			p.Add(pl)
			p.Legend.Add(l.name, pl)
		}
		rows = append(rows, []*plot.Plot{p})
	}
	if len(rows) == 0 {
		return fmt.Errorf("sim: plot: the run has no services or capacity providers")
	}
	img := vgimg.New(10*vg.Inch, vg.Length(len(rows))*3*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: 1, PadY: 4 * vg.Millimeter, PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter,
		PadLeft: 2 * vg.Millimeter, PadRight: 3 * vg.Millimeter}
	canvases := plot.Align(rows, tiles, dc)
	for k := range rows {
		rows[k][0].Draw(canvases[k][0])
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("sim: plot: %w", err)
	}
	return nil
}

func head[T any](xs []T, n int) []T { return xs[:min(n, len(xs))] }
