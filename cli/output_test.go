package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// dirState is what a directory holds: each name with its contents (a
// directory reads as "<dir>").
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			got[e.Name()] = "<dir>"
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(data)
	}
	return got
}

func names(state map[string]string) []string {
	var out []string
	for n := range state {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func TestSimOutReplacesAnEarlierRun(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "results")
	if _, stderr, code := runBerth(t, "", "sim", "--strategy", "random", "--strategy", "binpack(cpu)", "--out", dir); code != 0 {
		t.Fatalf("first run: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runBerth(t, "", "sim", "--strategy", "binpack(memory)", "--out", dir); code != 0 {
		t.Fatalf("second run into the same --out: exit %d, stderr %q", code, stderr)
	}
	want := []string{outputManifest, "events-A.jsonl", "planner-A.png", "plot.png", "providers-A.csv", "report.html", "scaling-A.csv", "service-events-A.jsonl", "services-A.csv", "summary.json", "timeseries.csv"}
	if diff := cmp.Diff(want, names(dirState(t, dir))); diff != "" {
		t.Errorf("--out after a one-variant run over a two-variant one (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"results"}, names(dirState(t, parent))); diff != "" {
		t.Errorf("temporary files left beside --out (-want +got):\n%s", diff)
	}
}

func TestOutputsNeverMixTwoRuns(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "results")
	if _, stderr, code := runBerth(t, "", "sim", "--strategy", "random", "--strategy", "binpack(cpu)", "--out", dir); code != 0 {
		t.Fatalf("first run: exit %d, stderr %q", code, stderr)
	}
	before := dirState(t, dir)
	foreign := filepath.Join(parent, "foreign")
	os.Mkdir(foreign, 0o755)
	writeDoc(t, foreign, "summary.json", "mine")
	os.Mkdir(filepath.Join(foreign, "plot.png"), 0o755)
	foreignBefore := dirState(t, foreign)

	tests := []struct {
		name    string
		args    []string
		stdout  *failingWriter
		wantErr string
		check   string // the directory that must be unchanged
		state   map[string]string
	}{
		{
			name:    "stdout fails after the run: the old outputs stay",
			args:    []string{"sim", "--strategy", "binpack(memory)", "--out", dir},
			stdout:  &failingWriter{},
			wantErr: "berth sim: ",
			check:   dir, state: before,
		},
		{
			name:    "a directory where plot.png goes, in a directory berth did not write",
			args:    []string{"sim", "--strategy", "binpack(memory)", "--out", foreign},
			wantErr: `berth sim: --out "` + foreign + `": holds "plot.png", "summary.json", which berth did not write`,
			check:   foreign, state: foreignBefore,
		},
		{
			name:    "a user's file in an earlier run's directory",
			args:    []string{"sim", "--strategy", "binpack(memory)", "--sweep", "seed=1,2", "--out", foreign},
			wantErr: `which berth did not write`,
			check:   foreign, state: foreignBefore,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
			if tt.stdout != nil {
				e.stdout = tt.stdout
			}
			if code := run(e, tt.args); code != 1 || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("berth %q: exit %d, stderr %q; want exit 1 and %q", tt.args, code, stderr.String(), tt.wantErr)
			}
			if diff := cmp.Diff(tt.state, dirState(t, tt.check)); diff != "" {
				t.Errorf("berth %q changed %s (-want +got):\n%s", tt.args, tt.check, diff)
			}
			if diff := cmp.Diff([]string{"foreign", "results"}, names(dirState(t, parent))); diff != "" {
				t.Errorf("temporary files left beside --out (-want +got):\n%s", diff)
			}
		})
	}
}

// failingWriter fails every write, as stdout does on a full disk.
type failingWriter struct{}

func (*failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestUnwritableOutputFailsBeforeAnyWork(t *testing.T) {
	dir := t.TempDir()
	rows := writeDoc(t, dir, "rows.csv", "old rows\n")
	plotDir := filepath.Join(dir, "plot.png")
	os.Mkdir(plotDir, 0o755)
	missing := filepath.Join(dir, "no", "such", "dir", "x.png")
	autoscaleArgs := []string{"autoscale", "--target", asData("target.json"), "--policy", asData("step-out.json"),
		"--policy", asData("step-in.json"), "--metrics", asData("worked.csv")}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"pack --plot is a directory", append(packArgs, "--out", rows, "--plot", plotDir),
			`berth pack: --plot "` + plotDir + `": is a directory, expected a file`},
		{"pack --plot in a missing directory", append(packArgs, "--out", rows, "--plot", missing),
			`berth pack: --plot "` + missing + `": cannot write beside it: no such file or directory`},
		{"pack --plot of an unknown format", append(packArgs, "--out", rows, "--plot", filepath.Join(dir, "fig.gif")),
			`berth pack: --plot "` + filepath.Join(dir, "fig.gif") + `": unknown image format "gif"; expected a file name ending in .eps, .jpg`},
		{"pack --out and --plot the same file", append(packArgs, "--out", filepath.Join(dir, "fig.png"), "--plot", dir+"/./fig.png"),
			`berth pack: --plot "` + dir + `/./fig.png": the same path as, or inside, --out; expected another path`},
		{"pack --out is a directory", append(packArgs, "--out", plotDir),
			`berth pack: --out "` + plotDir + `": is a directory, expected a file`},
		{"autoscale --plot in a missing directory", append(autoscaleArgs, "--plot", missing),
			`berth autoscale: --plot "` + missing + `": cannot write beside it: no such file or directory`},
		{"sim --out is a file", []string{"sim", "--out", rows},
			`berth sim: --out "` + rows + `": is a file, expected a directory`},
		{"sim --out under a file", []string{"sim", "--out", filepath.Join(rows, "results")},
			`berth sim: --out "` + filepath.Join(rows, "results") + `": not a directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", tt.args...)
			if code != 1 || stdout != "" || !strings.HasPrefix(stderr, tt.wantErr) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("berth %q: exit %d, stdout %d bytes, stderr %q; want exit 1, no output and a line starting %q",
					tt.args, code, len(stdout), stderr, tt.wantErr)
			}
			want := map[string]string{"rows.csv": "old rows\n", "plot.png": "<dir>"}
			if diff := cmp.Diff(want, dirState(t, dir)); diff != "" {
				t.Errorf("berth %q changed its directory (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestPackOutAndPlotAreWrittenTogether(t *testing.T) {
	dir := t.TempDir()
	rows := writeDoc(t, dir, "rows.csv", "old rows\n")
	plot := filepath.Join(dir, "fig.svg")
	if _, stderr, code := runBerth(t, "", append(packArgs, "--out", rows, "--plot", plot)...); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got := dirState(t, dir)
	if diff := cmp.Diff([]string{"fig.svg", "rows.csv"}, names(got)); diff != "" {
		t.Errorf("files after berth pack (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got["rows.csv"], "workload,sc_policy,") || !strings.Contains(got["fig.svg"], "<svg") {
		t.Errorf("rows.csv %.40q, fig.svg %.40q: want new rows and an SVG image", got["rows.csv"], got["fig.svg"])
	}
	if fi, err := os.Stat(rows); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("rows.csv: %v, mode %v; want 0644", err, fi.Mode())
	}
}

// TestExampleOutputsAreReplaceable checks that the committed outputs of
// the DLRM planning example list themselves, so that running its
// documented command again replaces them.
func TestExampleOutputsAreReplaceable(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "examples", "dlrm-planning", "sweep"))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkReplaceable("--out", "sweep", dir); err != nil {
		t.Errorf("checkReplaceable(%s) = %v, want nil", dir, err)
	}
	if err := checkReplaceable("--out", ".", filepath.Dir(dir)); err == nil {
		t.Errorf("checkReplaceable(%s) = nil, want an error: it holds the scenario", filepath.Dir(dir))
	}
}

func TestInterruptRemovesTemporaryOutputs(t *testing.T) {
	parent := t.TempDir()
	var outs outputs
	dir, err := outs.dir("--out", filepath.Join(parent, "results"))
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.write("summary.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := outs.file("--plot", filepath.Join(parent, "plot.png")); err != nil {
		t.Fatal(err)
	}
	if n := len(dirState(t, parent)); n != 2 {
		t.Fatalf("%d temporary outputs beside the paths, want 2", n)
	}
	interrupt := make(chan struct{})
	interrupted := make(chan bool)
	stop := outs.watch(interrupt, func() { interrupted <- true })
	defer stop()
	close(interrupt)
	<-interrupted
	if diff := cmp.Diff(map[string]string{}, dirState(t, parent)); diff != "" {
		t.Errorf("after an interrupt (-want +got):\n%s", diff)
	}
	if err := outs.commit(); !errors.Is(err, errInterruptedOutputs) {
		t.Errorf("commit after an interrupt = %v, want %v", err, errInterruptedOutputs)
	}
}

// Ending the watch after a run is not an interrupt: stop cancels the
// watch's own context, which must not be taken for SIGINT (it was, at
// random, and berth sim --out then said "interrupted" and exited 1 after
// writing its outputs).
func TestStoppingTheWatchIsNotAnInterrupt(t *testing.T) {
	for i := range 200 {
		synctest.Test(t, func(t *testing.T) {
			var outs outputs
			e := &env{stderr: io.Discard}
			stop := outs.abortOnInterrupt(e, "sim")
			stop()
			synctest.Wait() // whatever the watch does, it has done
			if outs.wasInterrupted() {
				t.Fatalf("run %d: abortOnInterrupt's stop counted as an interrupt", i)
			}
		})
	}
}

// TestMainDoesNotReportItsOwnEndAsAnInterrupt runs berth under Main (in a
// child process: Main exits) with --plot, many times: the end of a run
// stops the interrupt watch before it ends its context, so that a run
// that finished is never reported "interrupted" with exit 1.
func TestMainDoesNotReportItsOwnEndAsAnInterrupt(t *testing.T) {
	if args := os.Getenv("BERTH_TEST_MAIN_ARGS"); args != "" {
		os.Args = append([]string{"berth"}, strings.Split(args, "\n")...)
		os.Exit(Main())
	}
	dir := t.TempDir()
	runs := 20
	if testing.Short() {
		runs = 5
	}
	for i := range runs {
		plot := filepath.Join(dir, fmt.Sprintf("plot%d.png", i))
		args := strings.Join([]string{"autoscale", "--target", asData("day-target.json"), "--policy", asData("cpu-tracking.json"),
			"--metrics", asData("day.csv"), "--plot", plot}, "\n")
		cmd := exec.Command(os.Args[0], "-test.run=^TestMainDoesNotReportItsOwnEndAsAnInterrupt$")
		cmd.Env = append(os.Environ(), "BERTH_TEST_MAIN_ARGS="+args)
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil || strings.Contains(stderr.String(), "interrupted") {
			t.Fatalf("run %d: %v; stderr %q", i, err, stderr.String())
		}
		if _, err := os.Stat(plot); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}
