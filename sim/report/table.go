package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/berthsched/berth/sim"
)

// WriteTable prints the side-by-side summary: a legend naming each variant
// with a letter, then one row per figure with one column per variant. The
// output depends only on the results: no times, paths or host names.
func WriteTable(w io.Writer, c *sim.Comparison) error {
	sub := 0
	if len(c.Results) > 0 {
		sub = c.Results[0].Summary.Submitted
	}
	fmt.Fprintf(w, "scenario %s, seed %d, %s simulated, %d tasks submitted\n\n", c.Scenario, c.Seed, shortDuration(c.Duration), sub)
	fmt.Fprintln(w, "placement strategies:")
	for i, r := range c.Results {
		fmt.Fprintf(w, "  %c  %s\n", 'A'+i, r.Summary.Variant)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{strings.Repeat(" ", 32)}
	for i := range c.Results {
		head = append(head, string(rune('A'+i)))
	}
	const nameWidth = 32 // names are padded so that they read left-aligned
	row := func(name string, f func(s *sim.Summary) string) {
		cells := []string{fmt.Sprintf("%-*s", nameWidth, name)}
		for _, r := range c.Results {
			cells = append(cells, f(&r.Summary))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	comparisonRows(c, row)
	return tw.Flush()
}

// comparisonRows calls row for each row of the comparison table, in
// order: its name (indented by two spaces per level under a heading)
// and how to print a run's figure. WriteTable and SimPage share it.
func comparisonRows(c *sim.Comparison, row func(string, func(*sim.Summary) string)) {
	num := func(x float64) string { return fixed(x, 1) }
	row("tasks placed", func(s *sim.Summary) string { return strconv.Itoa(s.Placed) })
	row("never placed", func(s *sim.Summary) string { return strconv.Itoa(s.NeverPlaced) })
	for _, reason := range reasons(c) {
		row("  "+reason, func(s *sim.Summary) string { return strconv.Itoa(s.ByReason[reason]) })
	}
	row("finished / failed / lost", func(s *sim.Summary) string {
		return fmt.Sprintf("%d / %d / %d", s.Finished, s.Failed, s.Lost)
	})
	row("running at the end", func(s *sim.Summary) string { return strconv.Itoa(s.Running) })
	row("time to place p50 (s)", func(s *sim.Summary) string { return num(s.TimeToPlace.P50) })
	row("time to place p95 (s)", func(s *sim.Summary) string { return num(s.TimeToPlace.P95) })
	row("time to place p99 (s)", func(s *sim.Summary) string { return num(s.TimeToPlace.P99) })
	row("tasks that waited %", func(s *sim.Summary) string { return num(s.WaitedPercent) })
	row("cpu utilization mean / p95 %", func(s *sim.Summary) string { return num(s.CPU.Mean) + " / " + num(s.CPU.P95) })
	row("memory utilization mean / p95 %", func(s *sim.Summary) string { return num(s.Memory.Mean) + " / " + num(s.Memory.P95) })
	if hasGPU(c) {
		row("gpu utilization mean / p95 %", func(s *sim.Summary) string { return num(s.GPU.Mean) + " / " + num(s.GPU.P95) })
		row("unallocated gpu %", func(s *sim.Summary) string { return num(s.UnallocatedGPU) })
	}
	row("stranded cpu / memory %", func(s *sim.Summary) string { return num(s.StrandedCPU) + " / " + num(s.StrandedMemory) })
	row("instances in use (mean)", func(s *sim.Summary) string { return num(s.InstancesInUse) })
	row("instance-hours", func(s *sim.Summary) string { return num(s.InstanceHours) })
	row("cost ($)", func(s *sim.Summary) string { return cost(s.Cost, s.CostUnknown) })
	row("peak instances", func(s *sim.Summary) string { return strconv.Itoa(s.PeakInstances) })
	useRows("by type: hours / peak / $", c, row, func(s *sim.Summary) map[string]sim.CapacityUse { return s.InstanceTypes })
	useRows("by provider: hours / peak / $", c, row, func(s *sim.Summary) map[string]sim.CapacityUse { return s.Providers })
	plannerRows(c, row)
}

// cost prints a cost in dollars, or "unknown" when some of it is of
// instances without a price (an import without prices).
func cost(dollars float64, unknown bool) string {
	if unknown {
		return "unknown"
	}
	return fixed(dollars, 2)
}

// useRows adds a heading and one row per key of a capacity split (instance
// types, providers) that any result has: hours, peak instances and cost.
func useRows(heading string, c *sim.Comparison, row func(string, func(*sim.Summary) string), split func(*sim.Summary) map[string]sim.CapacityUse) {
	keys := map[string]bool{}
	for _, r := range c.Results {
		for k := range split(&r.Summary) {
			keys[k] = true
		}
	}
	if len(keys) == 0 {
		return
	}
	row(heading, func(*sim.Summary) string { return "" })
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		row("  "+k, func(s *sim.Summary) string {
			u := split(s)[k]
			return fixed(u.InstanceHours, 1) + " / " + strconv.Itoa(u.PeakInstances) + " / " + cost(u.Cost, u.CostUnknown)
		})
	}
}

// plannerRows adds each service's figures, for runs that have them.
func plannerRows(c *sim.Comparison, row func(string, func(*sim.Summary) string)) {
	var svcs []string
	seen := map[string]bool{}
	for _, r := range c.Results {
		for _, ss := range r.Summary.Services {
			if !seen[ss.Name] {
				seen[ss.Name] = true
				svcs = append(svcs, ss.Name)
			}
		}
	}
	svc := func(s *sim.Summary, name string) *sim.ServiceSummary {
		for i := range s.Services {
			if s.Services[i].Name == name {
				return &s.Services[i]
			}
		}
		return &sim.ServiceSummary{}
	}
	for _, name := range svcs {
		row("service "+name, func(s *sim.Summary) string {
			ss := svc(s, name)
			return fmt.Sprintf("%d / %d %s", ss.Running, ss.Desired, ss.Rollout)
		})
		row("  started / failed / lost", func(s *sim.Summary) string {
			ss := svc(s, name)
			return fmt.Sprintf("%d / %d / %d", ss.Started, ss.FailedLaunches, ss.Lost)
		})
		row("  time to start p99 (s)", func(s *sim.Summary) string {
			return fixed(svc(s, name).TimeToStart.P99, 1)
		})
		row("  time below desired %", func(s *sim.Summary) string {
			return fixed(svc(s, name).BelowDesiredPercent, 1)
		})
	}
}

// shortDuration prints d without zero minutes and seconds: "24h", "1h30m".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func reasons(c *sim.Comparison) []string {
	seen := map[string]bool{}
	for _, r := range c.Results {
		for k := range r.Summary.ByReason {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hasGPU(c *sim.Comparison) bool {
	for _, r := range c.Results {
		if r.Summary.GPU.Mean > 0 || r.Summary.UnallocatedGPU > 0 {
			return true
		}
	}
	return false
}

// WriteSeriesCSV writes every variant's time series as one CSV with the
// header variant,time_s,cpu_pct,memory_pct,gpu_pct,instances_active,
// instances_in_use,waiting,stranded_cpu_pct,stranded_memory_pct.
func WriteSeriesCSV(w io.Writer, c *sim.Comparison) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"variant", "time_s", "cpu_pct", "memory_pct", "gpu_pct", "instances_active", "instances_in_use", "waiting", "stranded_cpu_pct", "stranded_memory_pct"})
	f := func(x float64) string { return fixed(x, 2) }
	for _, r := range c.Results {
		for _, s := range r.Series {
			cw.Write([]string{r.Summary.Variant, strconv.FormatFloat(s.Time.Seconds(), 'f', -1, 64), f(s.CPU), f(s.Memory), f(s.GPU),
				strconv.Itoa(s.InstancesActive), strconv.Itoa(s.InstancesInUse), strconv.Itoa(s.Waiting), f(s.StrandedCPU), f(s.StrandedMemory)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// fixed prints a figure of a report with prec decimals, or, for a
// magnitude no report reaches (a price of 1e300 an hour), with an exponent
// rather than hundreds of digits.
func fixed(x float64, prec int) string {
	if math.Abs(x) >= 1e15 {
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

// WriteSummary writes summary.json: the scenario, seed, duration and one
// summary per variant, indented, with a final newline.
func WriteSummary(w io.Writer, c *sim.Comparison) error {
	doc := struct {
		Scenario string        `json:"scenario"`
		Seed     uint64        `json:"seed"`
		Duration string        `json:"duration"`
		Runs     []sim.Summary `json:"runs"`
	}{c.Scenario, c.Seed, shortDuration(c.Duration), nil}
	for _, r := range c.Results {
		doc.Runs = append(doc.Runs, r.Summary)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
