package report

import (
	"fmt"
	"strconv"

	"github.com/berthsched/berth/sim/plan"
)

// PlanPage is the report of berth plan: the question, the answer (the
// recommendation and runners-up, or that none meets the requirements and
// the closest), every configuration with its figures and verdict, and for
// each requirement the minimized figure (cost) against the required one,
// one point per configuration labelled with its number.
func PlanPage(r *plan.Result, notes Notes) Page {
	page := Page{
		Title: "berth plan: " + r.Scenario,
		Subtitle: fmt.Sprintf("scenario %s, seed %d, %s simulated, %d configurations; %s: %d of the grid's %d runs",
			r.Scenario, r.Seed, shortDuration(r.Duration), len(r.Candidates), r.Method, r.Runs, r.GridRuns),
	}
	question := []string{fmt.Sprintf("Minimize %s (mean over %d replicates).", r.Minimize, r.Replicates)}
	for _, q := range r.Requires {
		end := "upper"
		if q.Op == plan.AtLeast || q.Op == plan.Above {
			end = "lower"
		}
		question = append(question, fmt.Sprintf("Require %s at the %s end of its 95%% interval.", q, end))
	}
	params := Table{ID: "parameters", Caption: "parameters", Header: []string{"", "path"}}
	for i, p := range r.Params {
		params.Rows = append(params.Rows, []string{"p" + strconv.Itoa(i+1), p})
	}
	page.Sections = append(page.Sections, Section{ID: "question", Heading: "Question", Text: question, Tables: []Table{params}})

	figures := []string{r.Minimize}
	for _, q := range r.Requires {
		if !contains(figures, q.Path) {
			figures = append(figures, q.Path)
		}
	}
	head := []string{"#"}
	for i := range r.Params {
		head = append(head, "p"+strconv.Itoa(i+1))
	}
	head = append(head, "placement", "runs")
	head = append(head, figures...)
	head = append(head, "verdict")
	row := func(c *plan.Candidate, verdict string) []string {
		cells := append(append([]string{strconv.Itoa(c.Number)}, c.Values...), c.Summary.Variant, strconv.Itoa(c.Replicates()))
		for _, f := range figures {
			cells = append(cells, interval(c.Figure(f)))
		}
		return append(cells, verdict)
	}
	var answer []string
	answerTable := Table{ID: "answer", Header: head}
	if best := r.Best(); best != nil {
		answer = append(answer, fmt.Sprintf("Recommended: configuration #%d, %s %s.", best.Number, r.Minimize, interval(best.Figure(r.Minimize))))
		for k, i := range r.Ranking {
			verdict := "recommended"
			if k > 0 {
				verdict = "runner-up"
			}
			answerTable.Rows = append(answerTable.Rows, row(&r.Candidates[i], verdict))
		}
	} else {
		c := &r.Candidates[r.Closest]
		answer = append(answer, fmt.Sprintf("No configuration meets the requirements; the closest is #%d.", c.Number))
		answerTable.Rows = append(answerTable.Rows, row(c, "closest: "+why(r, c)))
	}
	page.Sections = append(page.Sections, Section{ID: "answer", Heading: "Answer", Text: answer, Tables: []Table{answerTable}})

	all := Table{ID: "configurations", Header: head}
	for i := range r.Candidates {
		c := &r.Candidates[i]
		verdict := why(r, c)
		switch {
		case contains(r.Ranking, i) && i == r.Ranking[0]:
			verdict = "recommended"
		case contains(r.Ranking, i):
			verdict = "runner-up"
		}
		all.Rows = append(all.Rows, row(c, verdict))
	}
	page.Sections = append(page.Sections, Section{ID: "configurations", Heading: "Every configuration", Tables: []Table{all}})

	var plots []Plot
	for k, q := range r.Requires {
		p := Plot{ID: "requirement-" + strconv.Itoa(k+1), Title: fmt.Sprintf("%s against %s (configuration numbers as in the table)", r.Minimize, q.Path),
			XLabel: r.Minimize, YLabel: q.Path}
		meets := Series{Name: "meets every requirement", Points: true, Colour: 0}
		other := Series{Name: "does not", Points: true, Colour: 5}
		for i := range r.Candidates {
			c := &r.Candidates[i]
			set := &other
			if c.Meets {
				set = &meets
			}
			set.X = append(set.X, c.Figure(r.Minimize).Mean)
			set.Y = append(set.Y, c.Figure(q.Path).Mean)
			set.Labels = append(set.Labels, strconv.Itoa(c.Number))
		}
		for _, s := range []Series{meets, other} {
			if len(s.X) > 0 {
				p.Series = append(p.Series, s)
			}
		}
		plots = append(plots, p)
	}
	if len(plots) > 0 {
		page.Sections = append(page.Sections, Section{ID: "cost-slo", Heading: "Cost against the requirements",
			Text:  []string{"Each point is a configuration at the means of its replicates; a requirement is judged at the pessimistic end of its interval, so a point whose mean meets it may still fail it."},
			Plots: plots})
	}
	if s, ok := notesSection(notes); ok {
		page.Sections = append(page.Sections, s)
	}
	return page
}
