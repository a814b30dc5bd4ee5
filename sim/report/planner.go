package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/berthsched/berth/sim"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
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
	// The first maxPanels services: desired (dashed) and running (solid)
	// of a service share its colour.
	desired, running = head(desired, maxPanels), head(running, maxPanels)
	panels := []struct {
		title   string
		unit    string
		lines   []line
		integer bool
	}{
		{"service tasks (desired dashed, running solid)", "tasks", append(desired, running...), true},
		{"instances per capacity provider", "instances", inst, true},
		{"CapacityProviderReservation", "%", resv, false},
	}
	var out []*panel
	for k, pn := range panels {
		if len(pn.lines) == 0 {
			continue
		}
		p := newPanel(pn.title)
		p.p.Y.Label.Text = pn.unit
		var xys []plotter.XYs
		for i, l := range pn.lines {
			pl, err := plotter.NewLine(l.xy)
			if err != nil {
				return fmt.Errorf("sim: plot: %w", err)
			}
			colour, dashed := i, false
			if k == 0 && i < len(desired) {
				dashed = true
			} else if k == 0 {
				colour = i - len(desired)
			}
			lineStyle(pl, colour, dashed)
			p.p.Add(pl)
			p.legend.Add(clip(l.name, legendChars), pl)
			xys = append(xys, l.xy)
		}
		timeX(p.p, lastHours(r))
		valueY(p.p, xys, pn.integer)
		out = append(out, p)
	}
	if len(out) == 0 {
		return fmt.Errorf("sim: plot: the run has no services or capacity providers")
	}
	return writePanels(w, out, 11*vg.Inch, 3*vg.Inch)
}

// lastHours is the time of a run's last sample, in hours.
func lastHours(r *sim.Result) float64 {
	var end time.Duration
	if n := len(r.Series); n > 0 {
		end = r.Series[n-1].Time
	}
	if n := len(r.Services); n > 0 {
		end = max(end, r.Services[n-1].Time)
	}
	if n := len(r.Providers); n > 0 {
		end = max(end, r.Providers[n-1].Time)
	}
	return end.Hours()
}

func head[T any](xs []T, n int) []T { return xs[:min(n, len(xs))] }
