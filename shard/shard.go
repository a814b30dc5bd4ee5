package shard

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxShards bounds N: a larger array is almost certainly a mistake (a
// swapped K and N, an engine's job ID taken for a count).
const MaxShards = 100000

// Shard is task K of N of an array job.
type Shard struct {
	K, N int
}

// All is the whole run on one machine: shard 0 of 1.
var All = Shard{K: 0, N: 1}

// String returns "K/N".
func (s Shard) String() string { return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N) }

// Whole reports whether the shard is the whole run.
func (s Shard) Whole() bool { return s.N == 1 }

// Validate checks 0 <= K < N <= MaxShards.
func (s Shard) Validate() error {
	if s.N < 1 || s.N > MaxShards {
		return fmt.Errorf("shard count %d is out of range; expected 1 to %d", s.N, MaxShards)
	}
	if s.K < 0 || s.K >= s.N {
		return fmt.Errorf("shard index %d is out of range; expected 0 to %d for %d shards", s.K, s.N-1, s.N)
	}
	return nil
}

// Parse reads "K/N" such as "3/8". It does not read "auto": see FromEnv.
func Parse(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q is not K/N such as 0/8, or auto", s)
	}
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q is not K/N with whole numbers, such as 0/8", s)
	}
	sh := Shard{K: ki, N: ni}
	if err := sh.Validate(); err != nil {
		return Shard{}, fmt.Errorf("shard %q: %v", s, err)
	}
	return sh, nil
}

// Task is one unit of work to assign: its position in the run's list and
// its expected cost in any unit (0 when unknown: every task then counts
// the same).
type Task struct {
	Cost float64
}

// Assign returns, for every task in order, the shard (0 to n-1) that runs
// it. It balances expected cost: tasks are taken from the most to the
// least costly (ties in list order) and each goes to the shard with the
// least cost so far (ties to the lowest shard), the longest-processing-time
// rule. When no task has a cost, every task costs 1, which deals the tasks
// round robin in list order. The result depends only on the costs, their
// order and n.
func Assign(tasks []Task, n int) []int {
	if n < 1 {
		n = 1
	}
	known := false
	for _, t := range tasks {
		if t.Cost > 0 {
			known = true
			break
		}
	}
	cost := func(i int) float64 {
		if !known {
			return 1
		}
		return max(tasks[i].Cost, 0)
	}
	order := make([]int, len(tasks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost(b), cost(a)) })
	load := make([]float64, n)
	out := make([]int, len(tasks))
	for _, i := range order {
		best := 0
		for s := 1; s < n; s++ {
			if load[s] < load[best] {
				best = s
			}
		}
		out[i] = best
		load[best] += cost(i)
	}
	return out
}

// Mine returns the indices of the tasks that shard s runs, in list order.
func Mine(tasks []Task, s Shard) []int {
	var mine []int
	for i, k := range Assign(tasks, s.N) {
		if k == s.K {
			mine = append(mine, i)
		}
	}
	return mine
}
