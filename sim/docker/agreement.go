package docker

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/berthsched/berth/sim/trace"
)

// Agreement compares a run on Docker with the simulated run of the same
// scenario, seed and placement variant, from their event logs.
type Agreement struct {
	// Tasks is the number of tasks placed in either run; SamePlacement
	// counts those placed on the same instance in both.
	Tasks, SamePlacement int
	// Finished is the number of tasks that finished in both runs;
	// SameOutcome counts those with the same exit code and stopped reason.
	Finished, SameOutcome int
	// Discordant counts the pairs of tasks finished in both runs that
	// finished in opposite orders, of Pairs pairs (0 of n(n-1)/2: the
	// same completion order).
	Discordant, Pairs int64
	// TimingMean and TimingMax are the mean and largest difference of a
	// task's finish time between the runs, in trace time.
	TimingMean, TimingMax time.Duration
	// Diffs describes the first differences (placement, outcome, a task
	// finished in one run only), at most ten.
	Diffs []string
}

// PlacementsEqual reports whether every task was placed on the same
// instance in both runs.
func (a *Agreement) PlacementsEqual() bool { return a.SamePlacement == a.Tasks }

// String prints the agreement on one line.
func (a *Agreement) String() string {
	eq := "differ"
	if a.PlacementsEqual() {
		eq = "equal"
	}
	order := "same"
	if a.Discordant > 0 {
		order = fmt.Sprintf("%d of %d pairs swapped", a.Discordant, a.Pairs)
	}
	return fmt.Sprintf("placements %s (%d/%d), outcomes %d/%d equal, completion order %s, timing error mean %.2fs max %.2fs",
		eq, a.SamePlacement, a.Tasks, a.SameOutcome, a.Finished, order, a.TimingMean.Seconds(), a.TimingMax.Seconds())
}

type logTask struct {
	instance string
	placed   float64 // when it was placed (and started), seconds
	finished bool
	at       float64
	code     int
	reason   string
	seq      int // order of the finish line
}

// readLog reads the place and finish lines of an event log.
func readLog(r io.Reader, name string) (map[string]*logTask, error) {
	tasks := map[string]*logTask{}
	dec := json.NewDecoder(r)
	for seq := 0; ; seq++ {
		var e trace.Event
		if err := dec.Decode(&e); err == io.EOF {
			return tasks, nil
		} else if err != nil {
			return nil, fmt.Errorf("docker: %s event log: %v", name, err)
		}
		switch e.Kind {
		case trace.KindPlace:
			if tasks[e.TaskID] == nil {
				tasks[e.TaskID] = &logTask{instance: e.InstanceID, placed: e.Time}
			}
		case trace.KindFinish:
			t := tasks[e.TaskID]
			if t == nil {
				t = &logTask{}
				tasks[e.TaskID] = t
			}
			t.finished, t.at, t.code, t.reason, t.seq = true, e.Time, e.ExitCode, e.Reason, seq
		}
	}
}

// CompareLogs compares the event log of a simulated run with the event
// log of the same scenario run on Docker.
func CompareLogs(simulated, docker io.Reader) (*Agreement, error) {
	st, err := readLog(simulated, "simulated")
	if err != nil {
		return nil, err
	}
	dt, err := readLog(docker, "docker")
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(st))
	for id := range st {
		ids = append(ids, id)
	}
	for id := range dt {
		if st[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	a := &Agreement{}
	diff := func(format string, args ...any) {
		if len(a.Diffs) < 10 {
			a.Diffs = append(a.Diffs, fmt.Sprintf(format, args...))
		}
	}
	var both []string
	var sum float64
	for _, id := range ids {
		s, d := st[id], dt[id]
		switch {
		case s == nil:
			diff("task %s: only in the docker run", id)
			a.Tasks++
			continue
		case d == nil:
			diff("task %s: only in the simulated run", id)
			a.Tasks++
			continue
		}
		if s.instance != "" || d.instance != "" {
			a.Tasks++
			if s.instance == d.instance {
				a.SamePlacement++
			} else {
				diff("task %s: placed on %s, simulated on %s", id, d.instance, s.instance)
			}
		}
		if s.finished != d.finished {
			diff("task %s: finished in one run only (simulated %v, docker %v)", id, s.finished, d.finished)
			continue
		}
		if !s.finished {
			continue
		}
		a.Finished++
		both = append(both, id)
		if s.code == d.code && s.reason == d.reason {
			a.SameOutcome++
		} else {
			diff("task %s: exit (%d, %q), simulated (%d, %q)", id, d.code, d.reason, s.code, s.reason)
		}
		e := min(math.Abs(d.at-s.at), maxSeconds) // NaN-free: JSON has none
		sum += e
		a.TimingMax = max(a.TimingMax, seconds(e))
	}
	if a.Finished > 0 {
		a.TimingMean = seconds(sum / float64(a.Finished))
	}
	a.Discordant, a.Pairs = discordant(both, st, dt)
	return a, nil
}

// maxSeconds caps a timing error, far beyond any run, so that it fits a
// time.Duration.
const maxSeconds = 1e9

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// discordant counts the pairs of ids finished in opposite orders in the
// two runs: the inversions of the docker order read in simulated order.
func discordant(ids []string, st, dt map[string]*logTask) (int64, int64) {
	bySim := append([]string(nil), ids...)
	sort.Slice(bySim, func(i, j int) bool { return st[bySim[i]].seq < st[bySim[j]].seq })
	rank := make([]int, len(bySim))
	for i, id := range bySim {
		rank[i] = dt[id].seq
	}
	n := int64(len(ids))
	return inversions(rank, make([]int, len(rank))), n * (n - 1) / 2
}

// inversions counts the pairs i < j with a[i] > a[j], sorting a (merge
// sort; buf is scratch of the same length).
func inversions(a, buf []int) int64 {
	if len(a) < 2 {
		return 0
	}
	m := len(a) / 2
	n := inversions(a[:m], buf[:m]) + inversions(a[m:], buf[m:])
	copy(buf, a)
	i, j, k := 0, m, 0
	for i < m && j < len(a) {
		if buf[i] <= buf[j] {
			a[k] = buf[i]
			i++
		} else {
			a[k] = buf[j]
			n += int64(m - i)
			j++
		}
		k++
	}
	k += copy(a[k:], buf[i:m])
	copy(a[k:], buf[j:])
	return n
}

// describe joins the differences for an error message.
func (a *Agreement) describe() string { return strings.Join(a.Diffs, "; ") }
