package docker

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Contention compares each task's run time in a simulated run and in the
// same scenario's run on Docker, beside what the Docker run's cgroups saw:
// the CPU each task got and how long it was throttled, its instance's
// CPU and memory pressure. A task whose real run exceeds its simulated one
// by more than Tolerance is stretched, and the summary says why.
type Contention struct {
	// Tolerance is the fraction by which a real run may exceed the
	// simulated one before the task counts as stretched (0.2: 20%).
	Tolerance float64
	// TimeScale is trace seconds per wall second; ScaleResources the
	// factor the fleet was scaled by.
	TimeScale, ScaleResources float64
	// Boundaries says, per engine, whether instances were bounded.
	Boundaries []string
	Tasks      []TaskContention // by task id
	Instances  []InstanceStats  // by instance
}

// TaskContention is one task finished in both runs.
type TaskContention struct {
	Task     string
	Instance string // as the event log names it
	// Simulated and Real are its run times in trace time: placement to
	// finish in the simulated run; in the Docker run, how long its
	// essential container ran (without the container's start latency, as
	// an ECS task runs from RUNNING), or placement to finish when the
	// engine did not say. Stretch is Real / Simulated.
	Simulated, Real time.Duration
	Stretch         float64
	// Stats is what it used on Docker (wall times); a zero value when the
	// executor recorded none.
	Stats TaskStats
	// CoPlaced are the tasks whose real runs on its instance overlapped
	// its own, by id.
	CoPlaced []string
}

// Stretched reports whether the task's real run exceeded its simulated
// one by more than tol.
func (t *TaskContention) Stretched(tol float64) bool {
	return float64(t.Real) > float64(t.Simulated)*(1+tol)
}

// CompareContention reads the event logs of a simulated run and of the
// same scenario's run on Docker, and the Docker run's stats, and compares
// each task's run time in both.
func CompareContention(simulated, docker io.Reader, stats *Stats, tolerance float64) (*Contention, error) {
	if !(tolerance >= 0) {
		return nil, fmt.Errorf("docker: stretch tolerance %v, expected 0 or more", tolerance)
	}
	st, err := readLog(simulated, "simulated")
	if err != nil {
		return nil, err
	}
	dt, err := readLog(docker, "docker")
	if err != nil {
		return nil, err
	}
	c := &Contention{Tolerance: tolerance, TimeScale: stats.TimeScale, ScaleResources: stats.ScaleResources,
		Boundaries: stats.Boundaries, Instances: stats.Instances}
	byTask := map[string]TaskStats{}
	for _, ts := range stats.Tasks {
		byTask[ts.Task] = ts
	}
	var ids []string
	for id, d := range dt {
		if s := st[id]; s != nil && s.finished && d.finished {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		s, d := st[id], dt[id]
		tc := TaskContention{Task: id, Instance: d.instance, Simulated: seconds(s.at - s.placed),
			Real: seconds(d.at - d.placed), Stats: byTask[id]}
		if ran := tc.Stats.Ran; ran > 0 {
			tc.Real = time.Duration(float64(ran) * stats.TimeScale).Round(time.Millisecond)
		}
		if tc.Simulated > 0 {
			tc.Stretch = float64(tc.Real) / float64(tc.Simulated)
		}
		for _, o := range sortedIDs(dt) {
			od := dt[o]
			if o != id && od.instance == d.instance && od.placed < d.at && (!od.finished || od.at > d.placed) {
				tc.CoPlaced = append(tc.CoPlaced, o)
			}
		}
		c.Tasks = append(c.Tasks, tc)
	}
	return c, nil
}

func sortedIDs(m map[string]*logTask) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// lastPart is the last part of an ARN, the id the event log uses.
func lastPart(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// trace turns a wall time of the Docker run into trace time.
func (c *Contention) trace(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.TimeScale).Round(100 * time.Millisecond)
}

// why says why a stretched task ran long.
func (c *Contention) why(t *TaskContention) string {
	var parts []string
	if it := t.Stats.InstanceThrottled; it > 0 {
		pct := 0.0
		if n := t.Stats.InstancePeriods; n > 0 {
			pct = 100 * float64(t.Stats.InstanceThrottledPeriods) / float64(n)
		}
		parts = append(parts, fmt.Sprintf("throttled on instance %s (its CPU quota ran out in %.0f%% of the periods it ran)", t.Instance, pct))
	}
	if own := t.Stats.Throttled; own > 0 {
		parts = append(parts, fmt.Sprintf("held back by its own CPU limit %v", c.trace(own)))
	}
	if len(t.CoPlaced) > 0 {
		list := t.CoPlaced
		more := ""
		if len(list) > 5 {
			list, more = list[:5], fmt.Sprintf(" and %d more", len(list)-5)
		}
		parts = append(parts, "co-placed with "+strings.Join(list, ", ")+more)
	}
	if t.Stats.InstanceThrottled == 0 && t.Stats.Throttled == 0 {
		parts = append(parts, "no CPU limit throttled it: the machine under the instances was busy, or its container was slow to start")
	}
	return strings.Join(parts, "; ")
}

// Write prints the comparison: the boundaries, a table of tasks, a table
// of instances, and the stretched tasks with why.
func (c *Contention) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Contention (time scale %g, resources x%g; times in trace time; stretched: real > simulated x %.2f):\n",
		c.TimeScale, c.ScaleResources, 1+c.Tolerance)
	for _, s := range c.Boundaries {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  task\tinstance\tsimulated\treal\tstretch\tcores asked\tcores got\tthrottled\tinstance throttled\tpeak MiB\tOOM\t\n")
	for i := range c.Tasks {
		t := &c.Tasks[i]
		got := "-"
		if wall := t.Real.Seconds() / c.TimeScale; wall > 0 && t.Stats.CPUTime > 0 {
			got = fmt.Sprintf("%.2f", t.Stats.CPUTime.Seconds()/wall)
		}
		oom := "-"
		if t.Stats.OOMKilled {
			oom = "killed"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%.1fs\t%.1fs\t%.2fx\t%.2f\t%s\t%.1fs\t%.1fs\t%d\t%s\t\n", t.Task, t.Instance,
			t.Simulated.Seconds(), t.Real.Seconds(), t.Stretch, t.Stats.Cores, got,
			c.trace(t.Stats.Throttled).Seconds(), c.trace(t.Stats.InstanceThrottled).Seconds(), t.Stats.PeakMemoryMiB, oom)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Instances) > 0 {
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  instance\tcores\tCPU used\tperiods throttled\tthrottled\tmemory MiB\tpeak MiB\tpeak %%\tOOM kills\t\n")
		for _, in := range c.Instances {
			pct, mem := 0.0, 0.0
			if in.Periods > 0 {
				pct = 100 * float64(in.ThrottledPeriods) / float64(in.Periods)
			}
			if in.MemoryMiB > 0 {
				mem = 100 * float64(in.PeakMemoryMiB) / float64(in.MemoryMiB)
			}
			fmt.Fprintf(tw, "  %s\t%.2f\t%.1fs\t%.0f%%\t%.1fs\t%d\t%d\t%.0f%%\t%d\t\n", lastPart(in.Instance), in.CPU,
				c.trace(in.CPUTime).Seconds(), pct, c.trace(in.Throttled).Seconds(), in.MemoryMiB, in.PeakMemoryMiB, mem, in.OOMKills)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var stretched []*TaskContention
	for i := range c.Tasks {
		if c.Tasks[i].Stretched(c.Tolerance) {
			stretched = append(stretched, &c.Tasks[i])
		}
	}
	fmt.Fprintf(&b, "  %d of %d tasks stretched beyond %.0f%%", len(stretched), len(c.Tasks), 100*c.Tolerance)
	if len(stretched) > 0 {
		b.WriteString(":")
	}
	b.WriteString("\n")
	for _, t := range stretched {
		fmt.Fprintf(&b, "    %s ran %.2fx its simulated %.1fs: %s\n", t.Task, t.Stretch, t.Simulated.Seconds(), c.why(t))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
