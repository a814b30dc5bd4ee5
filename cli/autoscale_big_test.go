package cli

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAutoscaleBigMetrics replays a 200 MB metrics CSV with --plot in a
// child process and checks its peak memory (under 1 GiB; holding the
// rows took 4.3 GB) and its processor time (under a minute: processor
// time, not wall time, so that a loaded machine does not fail it).
func TestAutoscaleBigMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and replays a 200 MB file")
	}
	if args := os.Getenv("BERTH_TEST_AUTOSCALE_ARGS"); args != "" {
		return // the child's own run happens in TestAutoscaleBigMetricsChild
	}
	dir := t.TempDir()
	metrics := filepath.Join(dir, "big.csv")
	rows := writeBigMetrics(t, metrics, 200<<20)
	plotPath := filepath.Join(dir, "big.png")
	args := strings.Join([]string{"autoscale", "--target", asData("day-target.json"), "--policy", asData("cpu-tracking.json"),
		"--metrics", metrics, "--plot", plotPath}, "\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAutoscaleBigMetricsChild$")
	cmd.Env = append(os.Environ(), "BERTH_TEST_AUTOSCALE_ARGS="+args)
	out, err := os.Create(filepath.Join(dir, "stdout.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = out, &stderr
	begin := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("berth autoscale on %d rows: %v (stderr %q)", rows, err, stderr.String())
	}
	elapsed := time.Since(begin)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no peak memory on this platform")
	}
	peak := ru.Maxrss << 10 // KiB on Linux
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	t.Logf("%d rows: peak memory %d MiB, processor time %v, wall time %v", rows, peak>>20, cpu, elapsed)
	if peak > 1<<30 {
		t.Errorf("peak memory %d MiB, want at most 1024 MiB", peak>>20)
	}
	if cpu > time.Minute {
		t.Errorf("took %v of processor time, want at most a minute", cpu)
	}
	if st, err := out.Stat(); err != nil || st.Size() == 0 {
		t.Errorf("stdout is empty (%v)", err)
	}
	if st, err := os.Stat(plotPath); err != nil || st.Size() == 0 {
		t.Errorf("no plot written (%v)", err)
	}
}

// TestAutoscaleBigMetricsChild is TestAutoscaleBigMetrics's child: it
// runs berth with the arguments its parent passes, printing to stdout.
func TestAutoscaleBigMetricsChild(t *testing.T) {
	args := os.Getenv("BERTH_TEST_AUTOSCALE_ARGS")
	if args == "" {
		t.Skip("run by TestAutoscaleBigMetrics")
	}
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	if code := run(e, strings.Split(args, "\n")); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// writeBigMetrics writes a metrics CSV of about size bytes, one row per
// minute (the period of the policies it is replayed through), and
// returns its number of rows.
func writeBigMetrics(t *testing.T, path string, size int64) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("time,ECSServiceAverageCPUUtilization,BacklogPerTask\n")
	var written int64
	var buf []byte
	rows := 0
	for ; written < size; rows++ {
		buf = strconv.AppendInt(buf[:0], int64(rows)*60, 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(20+(rows/10)%70), 10) // CPU ramps, load changes every 10 minutes
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(rows%97), 10)
		buf = append(buf, '\n')
		n, _ := w.Write(buf)
		written += int64(n)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestPlotDataEnvelope checks that a long timeline is drawn from at most
// four points per bucket and keeps each line's extremes.
func TestPlotDataEnvelope(t *testing.T) {
	const rows = 10 * maxPlotRows
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pd := newPlotData(metricsSummary{names: []string{"M"}, rows: rows, first: t0})
	for k := range rows {
		v := float64(k % 97)
		if k == 12345 {
			v = 1000 // a spike the plot must show
		}
		pd.add(&metricRow{at: t0.Add(time.Duration(k) * time.Minute), values: []float64{v}}, k%7)
	}
	pd.flush()
	for j, line := range pd.lines {
		if len(line) > 4*plotBuckets {
			t.Errorf("line %d has %d points, want at most %d", j, len(line), 4*plotBuckets)
		}
		for k := 1; k < len(line); k++ {
			if line[k].X < line[k-1].X {
				t.Fatalf("line %d: point %d at x=%g is before point %d at x=%g", j, k, line[k].X, k-1, line[k-1].X)
			}
		}
	}
	hi := 0.0
	for _, p := range pd.lines[0] {
		hi = max(hi, p.Y)
	}
	if hi != 1000 {
		t.Errorf("highest metric point %g, want the spike of 1000", hi)
	}
}
