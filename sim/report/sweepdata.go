package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/replicate"
)

// WriteSweepCSV writes sweep.csv: a header, then one line per
// configuration of the sweep with its parameters' values (one column per
// parameter, headed by its path), its placement and every figure of
// summary.json (one column per figure path, see package replicate). With
// more than one replicate a column "replicates" follows the placement and
// each figure F is three columns, F (the mean), F.ci95Low and F.ci95High.
// A figure a configuration lacks is 0. Numbers are written as JSON writes
// them, so that a figure reads back as summary.json's.
func WriteSweepCSV(w io.Writer, r *replicate.SweepResult) error {
	paths := r.Paths()
	repl := r.Replicates > 1
	head := append(append([]string(nil), r.Params...), "placement")
	if repl {
		head = append(head, "replicates")
	}
	for _, p := range paths {
		head = append(head, p)
		if repl {
			head = append(head, p+".ci95Low", p+".ci95High")
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(head)
	for _, row := range r.Rows {
		line := append(append([]string(nil), row.Values...), row.Summary.Variant)
		if repl {
			line = append(line, strconv.Itoa(len(row.Summary.Runs)))
		}
		for _, p := range paths {
			iv, _ := row.Summary.Figure(p)
			line = append(line, number(iv.Mean))
			if repl {
				line = append(line, number(iv.Low), number(iv.High))
			}
		}
		cw.Write(line)
	}
	cw.Flush()
	return cw.Error()
}

// number prints x as encoding/json does: the shortest text that reads
// back as x.
func number(x float64) string {
	b, err := json.Marshal(x)
	if err != nil { // NaN or an infinity: no figure is either
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return string(b)
}

// WriteSweepJSON writes sweep.json: the scenario, seed, duration,
// replicates and parameters, then one object per configuration with its
// parameters' values, placement, seeds and figures, in summary.json order
// and named by path. With one replicate a figure is a number; with more it
// is {"mean", "ci95Low", "ci95High"}. Indented, with a final newline.
func WriteSweepJSON(w io.Writer, r *replicate.SweepResult) error {
	type row struct {
		Values    []string        `json:"values"`
		Placement string          `json:"placement"`
		Seeds     []uint64        `json:"seeds"`
		Figures   json.RawMessage `json:"figures"`
	}
	doc := struct {
		Scenario   string   `json:"scenario"`
		Seed       uint64   `json:"seed"`
		Duration   string   `json:"duration"`
		Replicates int      `json:"replicates"`
		Parameters []string `json:"parameters"`
		Rows       []row    `json:"configurations"`
	}{r.Scenario, r.Seed, shortDuration(r.Duration), r.Replicates, r.Params, []row{}}
	if doc.Parameters == nil {
		doc.Parameters = []string{}
	}
	for _, rw := range r.Rows {
		figs, err := figuresJSON(rw.Summary.Stats, r.Replicates > 1)
		if err != nil {
			return err
		}
		values := rw.Values
		if values == nil {
			values = []string{}
		}
		doc.Rows = append(doc.Rows, row{values, rw.Summary.Variant, rw.Summary.Seeds, figs})
	}
	return writeJSON(w, doc)
}

// figuresJSON is an object of the stats, in their order: numbers, or
// intervals when interval is set.
func figuresJSON(stats []replicate.Stat, interval bool) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, st := range stats {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(st.Path)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		if interval {
			fmt.Fprintf(&b, `{"mean":%s,"ci95Low":%s,"ci95High":%s}`, number(st.Mean), number(st.Low), number(st.High))
		} else {
			b.WriteString(number(st.Mean))
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// tasksLost is every task a run lost with its instance: standalone (the
// sweep table's "lost") and service tasks ("svc lost"). sweep.png marks
// the runs that lost any, so that it agrees with the table.
func tasksLost(s *sim.Summary) int {
	n := s.Lost
	for _, ss := range s.Services {
		n += ss.Lost
	}
	return n
}

// writeJSON writes v indented, with a final newline, and "<=" as it is
// rather than HTML-escaped.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
