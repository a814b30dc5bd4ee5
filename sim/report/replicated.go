package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/berthsched/berth/sim/replicate"
)

// WriteReplicatedSweepTable prints a sweep run with several replicates:
// the columns of WriteSweepTable, each figure as its mean ± the half-width
// of its 95% confidence interval, the rows sorted by mean cost (lowest
// first; the run numbers stay those of configuration order, as in
// sweep.csv), and a last column naming the runs whose cost interval
// overlaps the row's: the replicates cannot tell those apart on cost.
func WriteReplicatedSweepTable(w io.Writer, r *replicate.SweepResult) error {
	fmt.Fprintf(w, "scenario %s, seeds %d..%d, %s simulated, %d configurations x %d replicates = %d runs\n\n", r.Scenario, r.Seed, r.Seed+uint64(r.Replicates)-1,
		shortDuration(r.Duration), len(r.Rows), r.Replicates, len(r.Rows)*r.Replicates)
	fmt.Fprintln(w, "parameters:")
	for i, p := range r.Params {
		fmt.Fprintf(w, "  p%d  %s\n", i+1, p)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "figures: mean ± half-width of the 95%% confidence interval (Student's t, %d replicates); rows by cost, lowest first\n\n", r.Replicates)
	provs := map[string]bool{}
	for _, row := range r.Rows {
		for _, run := range row.Summary.Runs {
			for k := range run.CostByProvider {
				provs[k] = true
			}
		}
	}
	pk := slices.Sorted(maps.Keys(provs))
	order := make([]int, len(r.Rows))
	for i := range order {
		order[i] = i
	}
	cost := func(i int) replicate.Interval { iv, _ := r.Rows[i].Summary.Figure("cost"); return iv }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost(a).Mean, cost(b).Mean) })

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"#"}
	for i := range r.Params {
		head = append(head, "p"+strconv.Itoa(i+1))
	}
	head = append(head, "placement", "submitted", "placed", "never placed", "lost", "ttp p99 (s)", "instance-hours", "peak", "cost ($)")
	for _, p := range pk {
		head = append(head, p+" ($)")
	}
	head = append(head, "svc lost", "same cost as")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	anySame := false
	for _, i := range order {
		row := &r.Rows[i]
		s := &row.Summary
		cell := func(path string, prec int) string {
			iv, _ := s.Figure(path)
			return pm(iv, prec)
		}
		cells := append(append([]string{strconv.Itoa(i + 1)}, row.Values...), s.Variant, cell("submitted", 1), cell("placed", 1), cell("neverPlaced", 1),
			cell("lost", 1), cell("timeToPlaceSeconds.p99", 1), cell("instanceHours", 1), cell("peakInstances", 1), cell("cost", 2))
		for _, p := range pk {
			cells = append(cells, cell("costByProvider."+p, 2))
		}
		svcLost := make([]float64, len(s.Runs))
		for k, run := range s.Runs {
			for _, ss := range run.Services {
				svcLost[k] += float64(ss.Lost)
			}
		}
		cells = append(cells, pm(replicate.CI95(svcLost), 1))
		var same []string
		for _, j := range order {
			if j != i && cost(i).Overlaps(cost(j)) {
				same = append(same, strconv.Itoa(j+1))
			}
		}
		anySame = anySame || len(same) > 0
		cells = append(cells, strings.Join(same, ","))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if anySame {
		fmt.Fprintf(w, "\nruns in each other's \"same cost as\" are not distinguishable on cost at %d replicates: their 95%% intervals overlap\n", r.Replicates)
	}
	return nil
}

// pm prints an interval as mean ± half-width, with prec decimals.
func pm(iv replicate.Interval, prec int) string {
	return fixed(iv.Mean, prec) + " ± " + fixed(iv.HalfWidth(), prec)
}

// WriteReplicatedTable prints berth sim --replicates N without a sweep: a
// legend naming each variant with a letter, then one row per figure of
// summary.json (every path, see package replicate) with one column per
// variant, each cell the mean ± the half-width of its 95% confidence
// interval, and a last line naming the variants whose cost intervals
// overlap.
func WriteReplicatedTable(w io.Writer, r *replicate.SweepResult) error {
	fmt.Fprintf(w, "scenario %s, seeds %d..%d, %s simulated, %d replicates per strategy\n\n", r.Scenario, r.Seed, r.Seed+uint64(r.Replicates)-1, shortDuration(r.Duration), r.Replicates)
	fmt.Fprintln(w, "placement strategies:")
	for i, row := range r.Rows {
		fmt.Fprintf(w, "  %c  %s\n", 'A'+i, row.Summary.Variant)
	}
	fmt.Fprintf(w, "\nfigures of summary.json: mean ± half-width of the 95%% confidence interval (Student's t, %d replicates)\n\n", r.Replicates)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	paths := r.Paths()
	width := 0
	for _, p := range paths {
		width = max(width, len(p))
	}
	head := []string{strings.Repeat(" ", width)}
	for i := range r.Rows {
		head = append(head, string(rune('A'+i)))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, p := range paths {
		cells := []string{fmt.Sprintf("%-*s", width, p)}
		for _, row := range r.Rows {
			iv, _ := row.Summary.Figure(p)
			cells = append(cells, pm(iv, 2))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var same []string
	for i := range r.Rows {
		for j := i + 1; j < len(r.Rows); j++ {
			a, _ := r.Rows[i].Summary.Figure("cost")
			b, _ := r.Rows[j].Summary.Figure("cost")
			if a.Overlaps(b) {
				same = append(same, fmt.Sprintf("%c and %c", 'A'+i, 'A'+j))
			}
		}
	}
	if len(same) > 0 {
		fmt.Fprintf(w, "\nnot distinguishable on cost at %d replicates (their 95%% intervals overlap): %s\n", r.Replicates, strings.Join(same, ", "))
	}
	return nil
}

// WriteReplicatedSummary writes summary.json for berth sim --replicates
// N: the scenario, first seed, duration and replicates, then per variant
// its seeds and every figure as {"mean", "ci95Low", "ci95High"}, named by
// its path into a single run's summary.json. Indented, with a final
// newline.
func WriteReplicatedSummary(w io.Writer, r *replicate.SweepResult) error {
	type run struct {
		Variant string          `json:"variant"`
		Seeds   []uint64        `json:"seeds"`
		Figures json.RawMessage `json:"figures"`
	}
	doc := struct {
		Scenario   string `json:"scenario"`
		Seed       uint64 `json:"seed"`
		Duration   string `json:"duration"`
		Replicates int    `json:"replicates"`
		Runs       []run  `json:"runs"`
	}{r.Scenario, r.Seed, shortDuration(r.Duration), r.Replicates, nil}
	for _, row := range r.Rows {
		figs, err := figuresJSON(row.Summary.Stats, true)
		if err != nil {
			return err
		}
		doc.Runs = append(doc.Runs, run{row.Summary.Variant, row.Summary.Seeds, figs})
	}
	return writeJSON(w, doc)
}
