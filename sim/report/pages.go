package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berthsched/berth/sim"
)

// maxPanels bounds the per-provider and per-service plots of a page: a
// page of 200 service plots says nothing. The first ones are drawn, and
// the section says how many it left out.
const maxPanels = 12

// Notes are the lists a page ends with, each shown only when not empty.
type Notes struct {
	// NotModelled are the ECS fields the scenario gave that berth does
	// not model (scenario.Scenario.NotModelled).
	NotModelled []string
	// Assumed is what an import had to assume.
	Assumed []string
}

// SimPage is the report of berth sim: the comparison table, the fleet's
// time series (utilization, tasks waiting, instances) with one line per
// variant, a plot per capacity provider (instances) and per service
// (running and desired tasks) when the run has them, and the notes.
func SimPage(c *sim.Comparison, notes Notes) Page {
	sub := 0
	if len(c.Results) > 0 {
		sub = c.Results[0].Summary.Submitted
	}
	page := Page{
		Title:    "berth sim: " + c.Scenario,
		Subtitle: fmt.Sprintf("scenario %s, seed %d, %s simulated, %d tasks submitted", c.Scenario, c.Seed, shortDuration(c.Duration), sub),
	}
	legend := Table{ID: "variants", Caption: "placement strategies", Header: []string{"", "strategy"}}
	head := []string{"figure"}
	for i, r := range c.Results {
		legend.Rows = append(legend.Rows, []string{variantLetter(i), r.Summary.Variant})
		head = append(head, variantLetter(i))
	}
	summary := Table{ID: "summary", Header: head}
	comparisonRows(c, func(name string, f func(*sim.Summary) string) {
		trimmed := strings.TrimLeft(name, " ")
		cells := []string{trimmed}
		for _, r := range c.Results {
			cells = append(cells, f(&r.Summary))
		}
		summary.Rows = append(summary.Rows, cells)
		summary.Indent = append(summary.Indent, (len(name)-len(trimmed))/2)
	})
	page.Sections = append(page.Sections, Section{ID: "summary", Heading: "Summary", Tables: []Table{legend, summary}})

	fleet := Section{ID: "fleet", Heading: "Fleet over time", Text: []string{"One line per placement strategy, one point per sample (the scenario's sampleEvery)."}}
	for _, pn := range []struct {
		id, title, y string
		integer      bool
		get          func(sim.Sample) float64
	}{
		{"cpu", "CPU utilization", "%", false, func(s sim.Sample) float64 { return s.CPU }},
		{"memory", "memory utilization", "%", false, func(s sim.Sample) float64 { return s.Memory }},
		{"waiting", "tasks waiting", "tasks", true, func(s sim.Sample) float64 { return float64(s.Waiting) }},
		{"instances", "instances active", "instances", true, func(s sim.Sample) float64 { return float64(s.InstancesActive) }},
	} {
		p := Plot{ID: pn.id, Title: pn.title, XLabel: "time,", YLabel: pn.y, XTime: true, YInteger: pn.integer}
		for i, r := range c.Results {
			sr := Series{Name: variantName(i, r), Colour: -1}
			for _, s := range r.Series {
				sr.X = append(sr.X, s.Time.Seconds())
				sr.Y = append(sr.Y, pn.get(s))
			}
			p.Series = append(p.Series, sr)
		}
		fleet.Plots = append(fleet.Plots, p)
	}
	if hasGPU(c) {
		p := Plot{ID: "gpu", Title: "GPU allocated", XLabel: "time,", YLabel: "%", XTime: true}
		for i, r := range c.Results {
			sr := Series{Name: variantName(i, r), Colour: -1}
			for _, s := range r.Series {
				sr.X, sr.Y = append(sr.X, s.Time.Seconds()), append(sr.Y, s.GPU)
			}
			p.Series = append(p.Series, sr)
		}
		fleet.Plots = append(fleet.Plots, p)
	}
	page.Sections = append(page.Sections, fleet)

	if s, ok := providerSection(c); ok {
		page.Sections = append(page.Sections, s)
	}
	if s, ok := serviceSection(c); ok {
		page.Sections = append(page.Sections, s)
	}
	if s, ok := notesSection(notes); ok {
		page.Sections = append(page.Sections, s)
	}
	return page
}

func variantLetter(i int) string { return string(rune('A' + i)) }

func variantName(i int, r *sim.Result) string { return variantLetter(i) + " " + r.Summary.Variant }

// names returns the distinct keys of n points, in order of first
// appearance over every result.
func names(c *sim.Comparison, n func(*sim.Result) int, key func(*sim.Result, int) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range c.Results {
		for i := range n(r) {
			if k := key(r, i); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// leftOut says how many panels a section did not draw.
func leftOut(text []string, all int, what string) []string {
	if all > maxPanels {
		text = append(text, fmt.Sprintf("The first %d of %d %s are drawn; the CSV files hold them all.", maxPanels, all, what))
	}
	return text
}

// providerSection has one plot per capacity provider: its instances
// (registered and launching) under each variant.
func providerSection(c *sim.Comparison) (Section, bool) {
	provs := names(c, func(r *sim.Result) int { return len(r.Providers) }, func(r *sim.Result, i int) string { return r.Providers[i].Provider })
	if len(provs) == 0 {
		return Section{}, false
	}
	s := Section{ID: "providers", Heading: "Capacity providers",
		Text: leftOut([]string{"Instances per provider, registered and launching, one line per placement strategy."}, len(provs), "providers")}
	for k, name := range head(provs, maxPanels) {
		p := Plot{ID: "provider-" + strconv.Itoa(k+1), Title: "instances of " + name, XLabel: "time,", YLabel: "instances", XTime: true, YInteger: true}
		for i, r := range c.Results {
			sr := Series{Name: variantName(i, r), Colour: i}
			for _, pt := range r.Providers {
				if pt.Provider == name {
					sr.X, sr.Y = append(sr.X, pt.Time.Seconds()), append(sr.Y, float64(pt.Instances+pt.Launching))
				}
			}
			p.Series = append(p.Series, sr)
		}
		s.Plots = append(s.Plots, p)
	}
	return s, true
}

// serviceSection has one plot per service: its running tasks (solid)
// and desired count (dashed) under each variant.
func serviceSection(c *sim.Comparison) (Section, bool) {
	svcs := names(c, func(r *sim.Result) int { return len(r.Services) }, func(r *sim.Result, i int) string { return r.Services[i].Service })
	if len(svcs) == 0 {
		return Section{}, false
	}
	s := Section{ID: "services", Heading: "Services",
		Text: leftOut([]string{"Running tasks (solid) and desired count (dashed) per service, one colour per placement strategy."}, len(svcs), "services")}
	for k, name := range head(svcs, maxPanels) {
		p := Plot{ID: "service-" + strconv.Itoa(k+1), Title: "service " + name, XLabel: "time,", YLabel: "tasks", XTime: true, YInteger: true}
		for i, r := range c.Results {
			run := Series{Name: variantLetter(i) + " running", Colour: i}
			want := Series{Name: variantLetter(i) + " desired", Colour: i, Dashed: true}
			for _, pt := range r.Services {
				if pt.Service == name {
					x := pt.Time.Seconds()
					run.X, run.Y = append(run.X, x), append(run.Y, float64(pt.Running))
					want.X, want.Y = append(want.X, x), append(want.Y, float64(pt.Desired))
				}
			}
			p.Series = append(p.Series, run, want)
		}
		s.Plots = append(s.Plots, p)
	}
	return s, true
}

// notesSection lists what the scenario did not model and what was
// assumed, when there is any.
func notesSection(n Notes) (Section, bool) {
	s := Section{ID: "notes", Heading: "Not modelled and assumed"}
	if len(n.NotModelled) > 0 {
		s.Lists = append(s.Lists, List{ID: "not-modelled", Title: "ECS fields the scenario gave that berth does not model", Items: n.NotModelled})
	}
	if len(n.Assumed) > 0 {
		s.Lists = append(s.Lists, List{ID: "assumed", Title: "Assumed", Items: n.Assumed})
	}
	return s, len(s.Lists) > 0
}

// SweepPage is the report of a sweep: the parameters, the table of runs,
// and cost against time to place p99 (the figure a placement SLO is
// written on), one point per run labelled with its number in the table.
func SweepPage(r *sim.SweepResult, notes Notes) Page {
	page := Page{
		Title:    "berth sim --sweep: " + r.Scenario,
		Subtitle: fmt.Sprintf("scenario %s, seed %d, %s simulated, %d runs", r.Scenario, r.Seed, shortDuration(r.Duration), len(r.Rows)),
	}
	params := Table{ID: "parameters", Caption: "parameters", Header: []string{"", "path"}}
	for i, p := range r.Params {
		params.Rows = append(params.Rows, []string{"p" + strconv.Itoa(i+1), p})
	}
	hd, rows := sweepRows(r)
	page.Sections = append(page.Sections, Section{ID: "runs", Heading: "Runs", Tables: []Table{params, {ID: "runs", Header: hd, Rows: rows}}})

	p := Plot{ID: "cost-slo", Title: "cost against time to place p99 (run numbers as in the table)", XLabel: "cost ($)", YLabel: "time to place p99 (s)"}
	ok := Series{Name: "no task lost", Points: true, Colour: 0}
	lost := Series{Name: "tasks lost", Points: true, Colour: 5}
	for i, row := range r.Rows {
		s := &row.Summary
		set := &ok
		if s.Lost+serviceLost(s) > 0 {
			set = &lost
		}
		set.X, set.Y = append(set.X, s.Cost), append(set.Y, s.TimeToPlace.P99)
		set.Labels = append(set.Labels, strconv.Itoa(i+1))
	}
	for _, s := range []Series{ok, lost} {
		if len(s.X) > 0 {
			p.Series = append(p.Series, s)
		}
	}
	page.Sections = append(page.Sections, Section{ID: "cost-slo", Heading: "Cost against the placement SLO",
		Text:  []string{"Each point is a run; lost counts standalone and service tasks lost with their instances, as the table's lost and svc lost columns do."},
		Plots: []Plot{p}})
	if s, ok := notesSection(notes); ok {
		page.Sections = append(page.Sections, s)
	}
	return page
}
