package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/berthsched/berth/internal/jsondoc"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// SweepParam is one swept parameter: a path into the scenario's JSON
// (capacityProviders[0].managedScaling.targetCapacity, seed,
// services[1].desiredCount, fleet.pools[0].zones.us-east-1a;
// capacityProviders[*].spot sets it in every provider) and the
// values it takes, as JSON literals (a value that is not valid JSON is a
// string).
type SweepParam struct {
	Path   string
	Values []string
}

// ParseSweep reads "PATH=v1,v2,...".
func ParseSweep(s string) (SweepParam, error) {
	path, list, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" || list == "" {
		return SweepParam{}, fmt.Errorf("sim: sweep %q: expected PARAM=v1,v2,...", s)
	}
	p := SweepParam{Path: path}
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return SweepParam{}, fmt.Errorf("sim: sweep %q: empty value", s)
		}
		p.Values = append(p.Values, v)
	}
	if _, err := splitPath(path); err != nil {
		return SweepParam{}, err
	}
	return p, nil
}

// pathStep is a key or an index of a sweep path.
type pathStep struct {
	key   string
	index int // -1 for a key, everyIndex for [*]
}

// everyIndex is [*]: every element of the list.
const everyIndex = -2

// splitPath parses a.b[2].c into its steps.
func splitPath(path string) ([]pathStep, error) {
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" && len(steps) == 0 {
			return nil, fmt.Errorf("sim: sweep %q: a path starts with a field name", path)
		}
		if key != "" {
			steps = append(steps, pathStep{key: key, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if num == "*" {
				n, err = everyIndex, nil
			}
			if !ok || err != nil || n < 0 && n != everyIndex {
				return nil, fmt.Errorf("sim: sweep %q: %q, expected [index] with an index of 0 or more, or [*]", path, "["+rest)
			}
			steps = append(steps, pathStep{index: n})
			rest = strings.TrimPrefix(after, "[")
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, fmt.Errorf("sim: sweep %q: unexpected %q after an index", path, after)
			}
		}
	}
	return steps, nil
}

// Apply returns a copy of sc with the parameter set to value, read again
// strictly and validated, so that a path to no field or a value of the
// wrong type is an error naming the parameter.
func (p SweepParam) Apply(sc *Scenario, value string) (*Scenario, error) {
	data, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	// A value that reads as JSON is that value (a number, an object);
	// anything else is a string. JSON is read as strictly as a scenario.
	var v any = value
	if n, err := jsondoc.Parse([]byte(value), "", jsondoc.DefaultLimits); err == nil {
		v = n.Any()
	} else if t := strings.TrimSpace(value); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return nil, fmt.Errorf("sim: sweep %s=%s: %w", p.Path, shortValue(value), err)
	}
	steps, err := splitPath(p.Path)
	if err != nil {
		return nil, err
	}
	if doc, err = set(doc, steps, v); err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	if data, err = json.Marshal(doc); err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	name := "sweep " + p.Path + "=" + value
	out, err := ReadScenario(bytes.NewReader(data), name)
	if err != nil {
		// The document is made up: its line and column mean nothing.
		msg := strings.TrimPrefix(err.Error(), "sim: "+name+":")
		if i := strings.Index(msg, ": "); i >= 0 && strings.Trim(msg[:i], "0123456789:") == "" {
			msg = msg[i+2:]
		}
		return nil, fmt.Errorf("sim: %s: %s", name, strings.TrimSpace(msg))
	}
	return out, nil
}

func set(node any, steps []pathStep, v any) (any, error) {
	if len(steps) == 0 {
		return v, nil
	}
	st := steps[0]
	if st.index == everyIndex {
		list, ok := node.([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("[*]: not a list with items")
		}
		for i := range list {
			x, err := set(list[i], steps[1:], v)
			if err != nil {
				return nil, err
			}
			list[i] = x
		}
		return list, nil
	}
	if st.index >= 0 {
		list, ok := node.([]any)
		if !ok || st.index >= len(list) {
			return nil, fmt.Errorf("index [%d] is out of range (%d items)", st.index, len(list))
		}
		x, err := set(list[st.index], steps[1:], v)
		list[st.index] = x
		return list, err
	}
	obj, ok := node.(map[string]any)
	if node == nil {
		obj, ok = map[string]any{}, true
	}
	if !ok {
		return nil, fmt.Errorf("%q: expected an object, found %s", st.key, describe(node))
	}
	x, err := set(obj[st.key], steps[1:], v)
	obj[st.key] = x
	return obj, err
}

// SweepRow is one combination of values with one placement variant.
type SweepRow struct {
	Values  []string
	Summary Summary
}

// SweepResult is the runs of a sweep, in combination order (the last
// parameter varies fastest), then variant order.
type SweepResult struct {
	Scenario string
	Seed     uint64
	Duration time.Duration
	Params   []string
	Rows     []SweepRow
}

// ErrTooManyRuns is Sweep's error for a sweep of more than MaxSweepRuns
// runs.
var ErrTooManyRuns = errors.New("too many runs")

// Sweep runs the scenario once per combination of the parameters' values
// and per placement variant, in parallel (opts.Parallel, default one per
// core). Each run is deterministic, so the result does not depend on the
// parallelism.
func Sweep(sc *Scenario, params []SweepParam, opts CompareOptions) (*SweepResult, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	type job struct {
		values []string
		sc     *Scenario
		v      Variant
	}
	variants := len(sc.Variants())
	if len(opts.Variants) > 0 {
		variants = len(opts.Variants)
	}
	runs := variants
	for _, p := range params {
		if runs *= len(p.Values); runs > MaxSweepRuns {
			return nil, fmt.Errorf("sim: sweep %s: %w: more than %d runs (every combination of the swept values, times %d placement variants)", p.Path, ErrTooManyRuns, MaxSweepRuns, variants)
		}
	}
	combos := [][]string{nil}
	for _, p := range params {
		var next [][]string
		for _, c := range combos {
			for _, v := range p.Values {
				next = append(next, append(append([]string(nil), c...), v))
			}
		}
		combos = next
	}
	var jobs []job
	for _, c := range combos {
		cur := sc
		for i, p := range params {
			var err error
			if cur, err = p.Apply(cur, c[i]); err != nil {
				return nil, err
			}
		}
		vs := opts.Variants
		if len(vs) == 0 {
			vs = cur.Variants()
		}
		for _, v := range vs {
			jobs = append(jobs, job{c, cur, v})
		}
	}
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	out := &SweepResult{Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration), Rows: make([]SweepRow, len(jobs))}
	for _, p := range params {
		out.Params = append(out.Params, p.Path)
	}
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r, err := Simulate(j.sc, j.v, Options{Open: opts.Open, NewStrategy: opts.NewStrategy})
			if err != nil {
				errs[i] = err
				return
			}
			out.Rows[i] = SweepRow{Values: j.values, Summary: r.Summary}
			if len(j.sc.Compare) == 0 && j.v.Name == "" && len(j.v.Strategies) == 0 {
				out.Rows[i].Summary.Variant = j.sc.Workload.Placement.String()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WriteTable prints a legend naming each parameter p1, p2, ..., then one
// row per run: its number, the parameters' values, the placement, tasks
// submitted, placed, never placed and lost (standalone tasks whose
// instance went away), time to place p99, instance-hours, cost, cost per
// provider, and service tasks lost.
func (r *SweepResult) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "scenario %s, seed %d, %s simulated, %d runs\n\n", r.Scenario, r.Seed, shortDuration(r.Duration), len(r.Rows))
	fmt.Fprintln(w, "parameters:")
	for i, p := range r.Params {
		fmt.Fprintf(w, "  p%d  %s\n", i+1, p)
	}
	fmt.Fprintln(w)
	pk := r.providers()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"#"}
	for i := range r.Params {
		head = append(head, "p"+strconv.Itoa(i+1))
	}
	head = append(head, "placement", "submitted", "placed", "never placed", "lost", "ttp p99 (s)", "instance-hours", "cost ($)")
	for _, p := range pk {
		head = append(head, p+" ($)")
	}
	head = append(head, "svc lost")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i, row := range r.Rows {
		s := &row.Summary
		cells := append(append([]string{strconv.Itoa(i + 1)}, row.Values...), s.Variant, strconv.Itoa(s.Submitted), strconv.Itoa(s.Placed), strconv.Itoa(s.NeverPlaced),
			strconv.Itoa(s.Lost), fixed(s.TimeToPlace.P99, 1), fixed(s.InstanceHours, 1), fixed(s.Cost, 2))
		for _, p := range pk {
			cells = append(cells, fixed(s.CostByProvider[p], 2))
		}
		lost := 0
		for _, ss := range s.Services {
			lost += ss.Lost
		}
		cells = append(cells, strconv.Itoa(lost))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

func (r *SweepResult) providers() []string {
	provs := map[string]bool{}
	for _, row := range r.Rows {
		for k := range row.Summary.CostByProvider {
			provs[k] = true
		}
	}
	return sortedKeys(provs)
}

// WritePlot draws the sweep as a PNG: cost against time-to-place p99, one
// point per run labelled with its number in the table, the runs that lost
// tasks (Spot interruptions, scale-in) in a second colour.
func (r *SweepResult) WritePlot(w io.Writer) error {
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

// describe names the kind of a JSON value for an error.
func describe(v any) string {
	switch v := v.(type) {
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case string:
		return strconv.Quote(shortValue(v))
	case nil:
		return "null"
	default:
		return shortValue(fmt.Sprint(v))
	}
}

func shortValue(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
