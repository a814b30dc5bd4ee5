package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/golden"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
)

// plannerScenario reads examples/planner-web.json cut to hours: services
// on capacity providers and Fargate, a small fleet.
func plannerScenario(t testing.TB, hours int) *scenario.Scenario {
	t.Helper()
	f, err := os.Open("../../examples/planner-web.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := scenario.ReadScenario(f, "planner-web.json")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = scenario.Duration(time.Duration(hours) * time.Hour)
	return sc
}

// testNotes are lists of both kinds, as an imported scenario has them.
var testNotes = Notes{
	NotModelled: []string{"services[1].taskDefinition.containers[0].ulimits", "services[1].enableExecuteCommand"},
	Assumed:     []string{"capacityProviders[0].launchDelay: 2m (the describe output has none)", "web: usage <from CloudWatch> & 4 CPU units per request"},
}

// simReport runs the planner example for 6 hours under two strategies
// and returns its report.html.
func simReport(t testing.TB) []byte {
	t.Helper()
	sc := plannerScenario(t, 6)
	variants := []scenario.Variant{
		{Strategies: []scenario.StrategySpec{{Type: "binpack", Field: "memory"}}},
		{Strategies: []scenario.StrategySpec{{Type: "spread", Field: "instanceId"}}},
	}
	c, err := sim.Compare(sc, sim.CompareOptions{Variants: variants})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, SimPage(c, testNotes)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sweepWith sweeps the planner example's web desired count over 3 hours
// and hands the result to use.
func sweepWith(t testing.TB, use func(*sim.SweepResult)) {
	t.Helper()
	sc := plannerScenario(t, 3)
	p, err := scenario.ParseSweep("services[1].desiredCount=2,4,8,16")
	if err != nil {
		t.Fatal(err)
	}
	r, err := sim.Sweep(sc, []scenario.SweepParam{p}, sim.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	use(r)
}

// sweepReport returns the report.html of sweepWith's sweep.
func sweepReport(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	sweepWith(t, func(r *sim.SweepResult) {
		if err := WriteHTML(&b, SweepPage(r, Notes{})); err != nil {
			t.Fatal(err)
		}
	})
	return b.Bytes()
}

func TestSimReportGolden(t *testing.T) {
	page := simReport(t)
	golden.Check(t, "report-sim.html", string(page))
	if again := simReport(t); !bytes.Equal(page, again) {
		t.Errorf("two reports of the same run differ")
	}
	checkSelfContained(t, page)
}

func TestSweepReportGolden(t *testing.T) {
	page := sweepReport(t)
	golden.Check(t, "report-sweep.html", string(page))
	checkSelfContained(t, page)
}

var (
	urlAttr  = regexp.MustCompile(`(?i)\b(src|href|xlink:href|action|srcset|poster|data)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:|//)`)
	loadsTag = regexp.MustCompile(`(?i)<(script|link|img|iframe|object|embed|image|use)\b`)
	svgBlock = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)
)

// checkSelfContained checks that a report loads nothing: no attribute
// names a URL with a scheme or a host (links are #fragments), no element
// loads a resource, no http or https anywhere, and every plot is
// well-formed SVG.
func checkSelfContained(t *testing.T, page []byte) {
	t.Helper()
	if m := urlAttr.Find(page); m != nil {
		t.Errorf("report links out: %s", m)
	}
	if m := loadsTag.Find(page); m != nil {
		t.Errorf("report has an element that loads a resource: %s", m)
	}
	if bytes.Contains(page, []byte("http:")) || bytes.Contains(page, []byte("https:")) {
		t.Errorf("report holds an http or https URL")
	}
	svgs := svgBlock.FindAll(page, -1)
	if len(svgs) == 0 {
		t.Errorf("report has no plot")
	}
	for _, s := range svgs {
		d := xml.NewDecoder(bytes.NewReader(s))
		d.Entity = xml.HTMLEntity
		for {
			if _, err := d.Token(); err != nil {
				if err.Error() != "EOF" {
					t.Errorf("plot is not well-formed SVG: %v\n%.200s", err, s)
				}
				break
			}
		}
	}
}

// A page escapes what it shows: a scenario, variant or service name with
// markup in it stays text.
func TestHTMLEscapes(t *testing.T) {
	evil := `<script>alert(1)</script>"&`
	page := Page{Title: evil, Subtitle: evil, Sections: []Section{{ID: "x", Heading: evil, Text: []string{evil},
		Tables: []Table{{ID: "t", Caption: evil, Header: []string{evil}, Rows: [][]string{{evil, evil}}}},
		Plots:  []Plot{{ID: "p", Title: evil, XLabel: evil, YLabel: evil, Series: []Series{{Name: evil, X: []float64{0, 1}, Y: []float64{1, 2}, Colour: -1}, {Name: evil, X: []float64{1}, Y: []float64{1}, Points: true, Labels: []string{evil}, Colour: -1}}}},
		Lists:  []List{{ID: "l", Title: evil, Items: []string{evil}}}}}}
	var b bytes.Buffer
	if err := WriteHTML(&b, page); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>") {
		t.Errorf("WriteHTML left markup unescaped:\n%s", b.String())
	}
	checkSelfContained(t, b.Bytes())
}

// A run with more providers than maxPanels draws the first twelve and
// says how many it left out; one without services has no services
// section, and one without notes no notes section.
func TestSimPagePanels(t *testing.T) {
	r := &sim.Result{Summary: sim.Summary{Variant: "binpack(memory)"}}
	for i := range 14 {
		for _, at := range []time.Duration{0, time.Hour} {
			r.Providers = append(r.Providers, sim.ProviderPoint{Time: at, Provider: fmt.Sprintf("p%02d", i), Instances: i})
		}
	}
	page := SimPage(&sim.Comparison{Scenario: "x", Duration: time.Hour, Results: []*sim.Result{r}}, Notes{})
	var ids []string
	for _, s := range page.Sections {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]string{"summary", "fleet", "providers"}, ids); diff != "" {
		t.Fatalf("sections (-want +got):\n%s", diff)
	}
	prov := page.Sections[2]
	if len(prov.Plots) != maxPanels || prov.Plots[11].Title != "instances of p11" {
		t.Errorf("%d provider plots, the last %q; want %d, the last of p11", len(prov.Plots), prov.Plots[len(prov.Plots)-1].Title, maxPanels)
	}
	if want := "The first 12 of 14 providers are drawn; the CSV files hold them all."; !slices.Contains(prov.Text, want) {
		t.Errorf("provider section text %q, want it to hold %q", prov.Text, want)
	}
}
