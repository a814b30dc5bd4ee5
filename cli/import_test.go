package cli

import (
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
)

const importDump = "../ecsimport/testdata/dump"

// TestImportCommand imports the test dump: the scenario on stdout is one
// berth sim reads, the record goes to stderr (a golden file), and the
// flags may come before or after DIR, with -o writing the same bytes.
func TestImportCommand(t *testing.T) {
	stdout, stderr, code := runBerth(t, "", "import", "ecs", importDump, "--prices", "../ecsimport/testdata/prices.csv")
	if code != 0 {
		t.Fatalf("berth import ecs: exit %d, stderr %q", code, stderr)
	}
	golden.Check(t, "import/dump.stderr", stderr)
	sc, err := scenario.ReadScenario(strings.NewReader(stdout), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Fleet.Instances) != 40 || len(sc.Services) != 6 || sc.Name != "prod" {
		t.Errorf("the scenario has %d instances, %d services, name %q; want 40, 6, prod", len(sc.Fleet.Instances), len(sc.Services), sc.Name)
	}
	out := filepath.Join(t.TempDir(), "imported.json")
	_, stderr2, code := runBerth(t, "", "import", "--prices", "../ecsimport/testdata/prices.csv", "-o", out, "ecs", importDump)
	if code != 0 || stderr2 != stderr {
		t.Fatalf("berth import with flags first: exit %d, stderr differs: %v", code, stderr2 != stderr)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != stdout {
		t.Errorf("-o wrote %d bytes (%v), want stdout's %d", len(b), err, len(stdout))
	}
}

// TestImportCommandErrors: a failed import prints only its one-line
// error, writes nothing and exits 1; a usage error exits 2.
func TestImportCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"not-a-document", []string{"import", "ecs", "testdata/import/notadoc"}, 1},
		{"malformed", []string{"import", "ecs", "testdata/import/malformed"}, 1},
		{"no-directory", []string{"import", "ecs", "testdata/import/none"}, 1},
		{"bad-prices", []string{"import", "ecs", importDump, "--prices", "testdata/import/notadoc/ec2.json"}, 1},
		{"no-source", []string{"import"}, 2},
		{"other-source", []string{"import", "gcp", "dir"}, 2},
		{"two-dirs", []string{"import", "ecs", "a", "b"}, 2},
		{"load-factor", []string{"import", "ecs", importDump, "--load-factor", "-1"}, 2},
	}
	var all []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.json")
			stdout, stderr, code := runBerth(t, "", append(tt.args, "-o", out)...)
			if code != tt.code || stdout != "" {
				t.Errorf("berth %q: exit %d, stdout %q; want %d and nothing", tt.args, code, stdout, tt.code)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("berth %q wrote -o", tt.args)
			}
			if lines := strings.Count(stderr, "\n"); tt.code == 1 && lines != 1 {
				t.Errorf("berth %q: stderr %q, want one line", tt.args, stderr)
			}
			all = append(all, "$ berth "+strings.Join(tt.args, " ")+"\n"+stderr)
		})
	}
	golden.Check(t, "import/errors.stderr", strings.Join(all, ""))
}

// TestImportedReportLists: report.html of an imported cluster's run ends
// with what the import assumed and what it read but does not model.
func TestImportedReportLists(t *testing.T) {
	dir := t.TempDir()
	imported := filepath.Join(dir, "imported.json")
	if _, stderr, code := runBerth(t, "", "import", "ecs", importDump, "-o", imported); code != 0 {
		t.Fatalf("berth import ecs: exit %d, stderr %q", code, stderr)
	}
	b, err := os.ReadFile(imported)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.ReadScenario(strings.NewReader(string(b)), imported)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Import == nil || len(sc.Import.Assumed) == 0 || len(sc.Import.NotModelled) == 0 {
		t.Fatalf("the imported scenario records no assumptions or not-modelled fields: %+v", sc.Import)
	}
	out := filepath.Join(dir, "out")
	if _, stderr, code := runBerth(t, "", "sim", "--scenario", imported, "--out", out); code != 0 {
		t.Fatalf("berth sim: exit %d, stderr %q", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{sc.Import.Assumed[0], sc.Import.NotModelled[0]} {
		if !strings.Contains(string(page), html.EscapeString(want)) {
			t.Errorf("report.html does not list %q", want)
		}
	}
}

// TestImportWithoutPrices: without --prices, the import records the
// types it has no price for, and berth sim reports their instance-hours
// and the cost as unknown (Fargate's hours, priced by berth, keep theirs).
func TestImportWithoutPrices(t *testing.T) {
	out := filepath.Join(t.TempDir(), "imported.json")
	if _, stderr, code := runBerth(t, "", "import", "ecs", importDump, "-o", out); code != 0 {
		t.Fatalf("berth import ecs: exit %d, stderr %q", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := scenario.ReadScenario(f, out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"m5.large", "c5.large", "r5.large"}
	if diff := cmp.Diff(want, sc.Import.Unpriced); diff != "" {
		t.Errorf("import.unpriced (-want +got):\n%s", diff)
	}
	stdout, stderr, code := runBerth(t, "", "sim", "--scenario", out)
	if code != 0 {
		t.Fatalf("berth sim: exit %d, stderr %q", code, stderr)
	}
	for _, row := range []string{"cost ($)                                       unknown", "m5.large                        265.0 / 16 / unknown", "FARGATE_SPOT                        108.2 / 6 / 1.60"} {
		if !strings.Contains(stdout, row) {
			t.Errorf("berth sim of an import without prices: no row %q", row)
		}
	}
	golden.Check(t, "import/sim-unpriced.golden", strings.Replace(stdout, out, "imported.json", -1))
}
