package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/berthsched/berth/sim/plan"
	"github.com/berthsched/berth/sim/replicate"
)

// WritePlan prints a plan's answer: what was asked, how many runs it
// took, the recommendation with the minimized figure and each required
// figure as mean [95% interval], the runners-up, then every other
// configuration with why it lost: the requirement it broke, or that it
// could not win. When no configuration meets the requirements it says so
// and names the closest.
func WritePlan(w io.Writer, r *plan.Result) error {
	fmt.Fprintf(w, "scenario %s, seed %d, %s simulated, %d configurations\n\n", r.Scenario, r.Seed, shortDuration(r.Duration), len(r.Candidates))
	fmt.Fprintln(w, "parameters:")
	for i, p := range r.Params {
		fmt.Fprintf(w, "  p%d  %s\n", i+1, p)
	}
	fmt.Fprintf(w, "\nminimize %s (mean over %d replicates)\n", r.Minimize, r.Replicates)
	for _, q := range r.Requires {
		end := "upper"
		if q.Op == plan.AtLeast || q.Op == plan.Above {
			end = "lower"
		}
		fmt.Fprintf(w, "require  %s (at the %s end of the 95%% interval)\n", q, end)
	}
	fmt.Fprintf(w, "%s: %d of the grid's %d runs (%d configurations x %d replicates)\n\n", r.Method, r.Runs, r.GridRuns, len(r.Candidates), r.Replicates)

	figures := []string{r.Minimize}
	for _, q := range r.Requires {
		if !contains(figures, q.Path) {
			figures = append(figures, q.Path)
		}
	}
	table := func(title string, idx []int, verdict func(c *plan.Candidate) string) error {
		if len(idx) == 0 {
			return nil
		}
		fmt.Fprintln(w, title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := []string{"  #"}
		for i := range r.Params {
			head = append(head, "p"+strconv.Itoa(i+1))
		}
		head = append(head, "placement", "runs")
		head = append(head, figures...)
		if verdict != nil {
			head = append(head, "why")
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, i := range idx {
			c := &r.Candidates[i]
			cells := append(append([]string{"  " + strconv.Itoa(c.Number)}, c.Values...), c.Summary.Variant, strconv.Itoa(c.Replicates()))
			for _, f := range figures {
				cells = append(cells, interval(c.Figure(f)))
			}
			if verdict != nil {
				cells = append(cells, verdict(c))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		return nil
	}
	if best := r.Best(); best != nil {
		if err := table("recommendation:", r.Ranking[:1], nil); err != nil {
			return err
		}
		if err := table("runners-up:", r.Ranking[1:], nil); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "no configuration meets the requirements; the closest is #%d\n\n", r.Candidates[r.Closest].Number)
	}
	var rest []int
	for i := range r.Candidates {
		if !contains(r.Ranking, i) {
			rest = append(rest, i)
		}
	}
	return table("the others:", rest, func(c *plan.Candidate) string { return why(r, c) })
}

// why says why a configuration is not recommended.
func why(r *plan.Result, c *plan.Candidate) string {
	switch {
	case c.Drop == plan.CannotWin:
		return fmt.Sprintf("cannot win: its %s interval lies above #%d's", r.Minimize, c.BeatenBy)
	case c.Broken >= 0:
		q := r.Requires[c.Broken]
		verb := "breaks"
		if c.Drop == plan.CannotMeet {
			verb = "cannot meet"
		}
		return fmt.Sprintf("%s %s: %s", verb, q, fixed(q.Pessimistic(c.Figure(q.Path)), 2))
	case c.Meets:
		return "meets every requirement; more runners-up than shown"
	}
	return ""
}

// interval prints mean [low, high], or the mean alone for a point.
func interval(iv replicate.Interval) string {
	if iv.Low == iv.High {
		return fixed(iv.Mean, 2)
	}
	return fixed(iv.Mean, 2) + " [" + fixed(iv.Low, 2) + ", " + fixed(iv.High, 2) + "]"
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// WritePlanJSON writes plan.json: the question (parameters, minimized
// figure, requirements, replicates), the method and runs, the answer
// (recommendation, runnersUp and closest as configuration numbers, null
// or empty when there are none), and every configuration with its
// values, placement, seeds, status (recommended, runner-up, meets,
// breaks, cannot meet, cannot win), the requirement it broke or the
// configuration that beat it, and the intervals of the figures the plan
// names. Indented, with a final newline.
func WritePlanJSON(w io.Writer, r *plan.Result) error {
	type cand struct {
		Number    int             `json:"number"`
		Values    []string        `json:"values"`
		Placement string          `json:"placement"`
		Seeds     []uint64        `json:"seeds"`
		Status    string          `json:"status"`
		Broken    string          `json:"broken,omitempty"`
		BeatenBy  int             `json:"beatenBy,omitempty"`
		Figures   json.RawMessage `json:"figures"`
	}
	doc := struct {
		Scenario       string   `json:"scenario"`
		Seed           uint64   `json:"seed"`
		Duration       string   `json:"duration"`
		Parameters     []string `json:"parameters"`
		Minimize       string   `json:"minimize"`
		Requires       []string `json:"requires"`
		Replicates     int      `json:"replicates"`
		Method         string   `json:"method"`
		Runs           int      `json:"runs"`
		GridRuns       int      `json:"gridRuns"`
		Recommendation *int     `json:"recommendation"`
		RunnersUp      []int    `json:"runnersUp"`
		Closest        *int     `json:"closest"`
		Configurations []cand   `json:"configurations"`
	}{Scenario: r.Scenario, Seed: r.Seed, Duration: shortDuration(r.Duration), Parameters: r.Params, Minimize: r.Minimize,
		Requires: []string{}, Replicates: r.Replicates, Method: r.Method, Runs: r.Runs, GridRuns: r.GridRuns, RunnersUp: []int{}}
	if doc.Parameters == nil {
		doc.Parameters = []string{}
	}
	for _, q := range r.Requires {
		doc.Requires = append(doc.Requires, q.String())
	}
	for k, i := range r.Ranking {
		n := r.Candidates[i].Number
		if k == 0 {
			doc.Recommendation = &n
		} else {
			doc.RunnersUp = append(doc.RunnersUp, n)
		}
	}
	if r.Closest >= 0 {
		n := r.Candidates[r.Closest].Number
		doc.Closest = &n
	}
	figures := []string{r.Minimize}
	for _, q := range r.Requires {
		if !contains(figures, q.Path) {
			figures = append(figures, q.Path)
		}
	}
	for i := range r.Candidates {
		c := &r.Candidates[i]
		var stats []replicate.Stat
		for _, f := range figures {
			stats = append(stats, replicate.Stat{Path: f, Interval: c.Figure(f)})
		}
		figs, err := figuresJSON(stats, true)
		if err != nil {
			return err
		}
		values := c.Values
		if values == nil {
			values = []string{}
		}
		cj := cand{Number: c.Number, Values: values, Placement: c.Summary.Variant, Seeds: c.Summary.Seeds, Status: status(r, i), BeatenBy: c.BeatenBy, Figures: figs}
		if c.Broken >= 0 {
			cj.Broken = r.Requires[c.Broken].String()
		}
		doc.Configurations = append(doc.Configurations, cj)
	}
	return writeJSON(w, doc)
}

// status is configuration i's verdict, a word of plan.json.
func status(r *plan.Result, i int) string {
	c := &r.Candidates[i]
	switch {
	case len(r.Ranking) > 0 && r.Ranking[0] == i:
		return "recommended"
	case contains(r.Ranking, i):
		return "runner-up"
	case c.Meets:
		return "meets"
	case c.Drop == plan.CannotWin:
		return "cannot win"
	case c.Drop == plan.CannotMeet:
		return "cannot meet"
	}
	return "breaks"
}
