package report

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/browsertest"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/plan"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// browser starts a headless Chromium for t and returns a context of one
// tab in it, and the function that returns the console errors, warnings
// and exceptions the tab reported until then.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	exec := browsertest.Browser(t)
	ctx, cancel := chromedp.NewContext(context.Background(), chromedp.WithAllocatorOptions(
		chromedp.ExecPath(exec),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1100, 1400),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("font-render-hinting", "none"),
	))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Skipf("no Chromium could be started from %s: %v", exec, err)
	}
	messages := chromedp.Console(ctx)
	var mu sync.Mutex
	var problems []string
	seen := make(chan struct{}) // closed at the end marker
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleInfo && m.Text == endMarker {
				close(seen)
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		// The tab's messages come in order: once the marker logged last
		// is read, every message before it is too.
		tctx, stop := context.WithTimeout(ctx, 30*time.Second)
		defer stop()
		if _, err := chromedp.Run(tctx, chromedp.Evaluate[chromedp.Void]("console.info("+strconv.Quote(endMarker)+")")); err != nil {
			t.Fatalf("logging the end marker: %v", err)
		}
		select {
		case <-seen:
		case <-tctx.Done():
			t.Fatalf("the browser's console did not report the end marker")
		}
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

const endMarker = "berth-report-test-end"

// rendered is what the browser shows of a page: per table its cells,
// per plot its drawn size and marks, per list its items, and the
// sections in order.
type rendered struct {
	Sections []string
	Tables   map[string][][]string
	Plots    map[string]renderedPlot
	Lists    map[string][]string
}

type renderedPlot struct {
	Width, Height   float64
	Lines, Points   int
	Legend          []string
	LabelsOverlap   int
	LabelsOutside   int
	LegendOverlapsD bool // a legend entry inside the data frame
}

// readDOM collects rendered from the page's DOM after layout.
const readDOM = `(() => {
  const r = {Sections: [], Tables: {}, Plots: {}, Lists: {}};
  for (const s of document.querySelectorAll('section')) r.Sections.push(s.id);
  for (const t of document.querySelectorAll('table')) {
    r.Tables[t.id] = Array.from(t.querySelectorAll('tbody tr')).map(tr => Array.from(tr.children).map(c => c.textContent));
  }
  const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const s of document.querySelectorAll('svg.plot')) {
    const box = s.getBoundingClientRect();
    const frame = s.querySelector('rect.frame').getBoundingClientRect();
    const labels = Array.from(s.querySelectorAll('text.plabel')).map(l => l.getBoundingClientRect());
    let over = 0, outside = 0;
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) if (overlap(labels[i], labels[j])) over++;
      const l = labels[i];
      if (l.left < frame.left || l.right > frame.right || l.top < frame.top || l.bottom > frame.bottom) outside++;
    }
    const legend = Array.from(s.querySelectorAll('text.legend'));
    r.Plots[s.id] = {
      Width: box.width, Height: box.height,
      Lines: s.querySelectorAll('polyline.series').length,
      Points: s.querySelectorAll('circle.point').length,
      Legend: legend.map(l => l.textContent),
      LabelsOverlap: over, LabelsOutside: outside,
      LegendOverlapsD: legend.some(l => overlap(l.getBoundingClientRect(), frame)),
    };
  }
  for (const l of document.querySelectorAll('ul.plain')) r.Lists[l.id] = Array.from(l.querySelectorAll('li')).map(li => li.textContent);
  return r;
})()`

// load opens page (written to dir as name) in the tab and returns what
// it shows and a screenshot of its first screen.
func load(t *testing.T, ctx context.Context, page Page, dir, name string) (rendered, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, page); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[rendered](readDOM))
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot of %s: %v", path, err)
	}
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("full screenshot of %s: %v", path, err)
	}
	saveShot(t, full, strings.TrimSuffix(path, ".html")+"-full.png")
	return got, shot
}

// checkRendered compares what the browser shows with the page: every
// section in order, every table cell (the run's figures), every plot
// drawn at a real size with its lines or points and its legend outside
// the data, every list.
func checkRendered(t *testing.T, page Page, got rendered) {
	t.Helper()
	var sections []string
	tables := map[string][][]string{}
	lists := map[string][]string{}
	for _, s := range page.Sections {
		sections = append(sections, "section-"+s.ID)
		for _, tb := range s.Tables {
			tables["table-"+tb.ID] = tb.Rows
		}
		for _, l := range s.Lists {
			lists["list-"+l.ID] = l.Items
		}
		for _, p := range s.Plots {
			rp, ok := got.Plots["plot-"+p.ID]
			if !ok {
				t.Errorf("plot %q is not on the page", p.ID)
				continue
			}
			lines, points := 0, 0
			var legend []string
			for _, sr := range p.Series {
				if sr.Points {
					points += len(sr.X)
				} else {
					lines++
				}
				legend = append(legend, clip(sr.Name, legendChars))
			}
			if rp.Width < 300 || rp.Height < 200 {
				t.Errorf("plot %q drawn %gx%g px, want at least 300x200", p.ID, rp.Width, rp.Height)
			}
			if rp.Lines != lines || rp.Points != points {
				t.Errorf("plot %q shows %d lines and %d points, want %d and %d", p.ID, rp.Lines, rp.Points, lines, points)
			}
			if diff := cmp.Diff(legend, rp.Legend); diff != "" {
				t.Errorf("plot %q legend (-want +got):\n%s", p.ID, diff)
			}
			if rp.LegendOverlapsD {
				t.Errorf("plot %q: its legend overlaps the data area", p.ID)
			}
			if rp.LabelsOverlap > 0 || rp.LabelsOutside > 0 {
				t.Errorf("plot %q: %d pairs of point labels overlap, %d labels outside the data area", p.ID, rp.LabelsOverlap, rp.LabelsOutside)
			}
		}
	}
	if diff := cmp.Diff(sections, got.Sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tables, got.Tables); diff != "" {
		t.Errorf("tables as shown (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(lists, got.Lists, cmpEmpty); diff != "" {
		t.Errorf("lists as shown (-want +got):\n%s", diff)
	}
}

var cmpEmpty = cmp.Transformer("empty", func(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	return m
})

// updateDocs reports whether the test runs with -update (the flag of
// internal/golden): the screenshot then goes to docs/report.png.
func updateDocs() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestBrowserReports loads report.html of a berth sim run (the planner
// example, as docs/planner.md shows it) and of a sweep in headless
// Chromium: no console error or exception, every section, table cell,
// plot and list as the page holds them, no point label over another, and
// a screenshot saved in the test's directory (with -update, also as
// docs/report.png).
func TestBrowserReports(t *testing.T) {
	ctx, problems := browser(t)
	dir := t.TempDir()

	sc := plannerScenario(t, 24)
	c, err := sim.Compare(sc, sim.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	simPage := SimPage(c, testNotes)
	got, shot := load(t, ctx, simPage, dir, "report.html")
	checkRendered(t, simPage, got)
	for _, want := range []string{"section-summary", "section-fleet", "section-providers", "section-services", "section-notes"} {
		if !strings.Contains(strings.Join(got.Sections, " "), want) {
			t.Errorf("berth sim's report has no %s", want)
		}
	}
	if cost := got.Tables["table-summary"]; !containsRow(cost, "cost ($)", fixed(c.Results[0].Summary.Cost, 2)) {
		t.Errorf("the summary table does not show the run's cost %s", fixed(c.Results[0].Summary.Cost, 2))
	}
	saveShot(t, shot, filepath.Join(dir, "report.png"))

	// berth sim's default: five strategies on managed scaling. Its fleet
	// section is the picture docs/report.png shows.
	def, err := sim.Compare(scenario.DefaultScenario(), sim.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defPage := SimPage(def, Notes{})
	got, _ = load(t, ctx, defPage, dir, "default.html")
	checkRendered(t, defPage, got)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("section-fleet").scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, shot, filepath.Join(dir, "default-fleet.png"))
	if updateDocs() {
		saveShot(t, shot, "../../docs/report.png")
	}

	sweepPage := sweepPageFor(t)
	got, shot = load(t, ctx, sweepPage, dir, "sweep.html")
	checkRendered(t, sweepPage, got)
	saveShot(t, shot, filepath.Join(dir, "sweep.png"))

	res := planFor(t)
	planPage := PlanPage(res, testNotes)
	got, shot = load(t, ctx, planPage, dir, "plan.html")
	checkRendered(t, planPage, got)
	for _, want := range []string{"section-question", "section-answer", "section-configurations", "section-cost-slo", "section-notes"} {
		if !strings.Contains(strings.Join(got.Sections, " "), want) {
			t.Errorf("berth plan's report has no %s", want)
		}
	}
	if best := res.Best(); best == nil || !containsRow(got.Tables["table-answer"], strconv.Itoa(best.Number), best.Values[0]) {
		t.Errorf("the answer table does not show the recommendation")
	}
	saveShot(t, shot, filepath.Join(dir, "plan.png"))
	if updateDocs() {
		full, err := os.ReadFile(filepath.Join(dir, "plan-full.png"))
		if err != nil {
			t.Fatal(err)
		}
		saveShot(t, full, "../../docs/plan-report.png")
	}

	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
	t.Logf("screenshots in %s", dir)
	if d := os.Getenv("BERTH_REPORT_SHOTS"); d != "" { // to look at them
		os.CopyFS(d, os.DirFS(dir))
	}
}

func containsRow(rows [][]string, name, cell string) bool {
	for _, r := range rows {
		if len(r) > 1 && r[0] == name && r[1] == cell {
			return true
		}
	}
	return false
}

// sweepPageFor sweeps the planner example as sweepReport does.
// planFor plans the planner example over its Spot provider's size, two
// replicates each.
func planFor(t *testing.T) *plan.Result {
	t.Helper()
	sp, err := scenario.ParseSweep("capacityProviders[1].maxSize=0,5")
	if err != nil {
		t.Fatal(err)
	}
	req, err := plan.ParseRequirement("services.web.timeToStartSeconds.p99 <= 300")
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Plan(plannerScenario(t, 24), plan.Spec{Params: []scenario.SweepParam{sp}, Minimize: "cost",
		Requires: []plan.Requirement{req}, Replicates: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sweepPageFor(t *testing.T) Page {
	t.Helper()
	var page Page
	sweepWith(t, func(r *sim.SweepResult) { page = SweepPage(r, Notes{}) })
	return page
}

func saveShot(t *testing.T, shot []byte, path string) {
	t.Helper()
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
