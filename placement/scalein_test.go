package placement

import (
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

func TestSelectStop(t *testing.T) {
	// Case 8.3-26: binpack(cpu) stops the task on the instance that will have
	// the most CPU free after the stop.
	t.Run("8.3-26 binpack(cpu)", func(t *testing.T) {
		a, b := inst("a", "1a", 512, 4096), inst("b", "1a", 2560, 4096)
		c := cluster(t, a, b)
		ta, _ := c.Adopt(a, HostedTask{Group: "service:api", Requirements: Requirements{CPU: 512}, Reserved: true})
		tb, _ := c.Adopt(b, HostedTask{Group: "service:api", Requirements: Requirements{CPU: 512}, Reserved: true})
		got, err := SelectStop(c, []TaskID{ta, tb}, 1, []Strategy{Binpack{CPU}}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != tb {
			t.Errorf("SelectStop = %v, want [%d] (the task on b: 3072 free after)", got, tb)
		}
	})
	// Case 8.3-30: no strategy (service default): the zone with the most
	// tasks, then the instance with the most.
	t.Run("8.3-30 service default", func(t *testing.T) {
		for seed := range uint64(20) {
			a := inst("a", "1a", 4096, 8192)
			b1, b2 := inst("b1", "1b", 4096, 8192), inst("b2", "1b", 4096, 8192)
			c1, c2 := inst("c1", "1c", 4096, 8192), inst("c2", "1c", 4096, 8192)
			c := cluster(t, a, b1, b2, c1, c2)
			var ids []TaskID
			on := map[TaskID]string{}
			for _, p := range []struct {
				in *Instance
				n  int
			}{{a, 1}, {b1, 2}, {c1, 1}, {c2, 1}} {
				for range p.n {
					id, _ := c.Adopt(p.in, HostedTask{Group: "service:api", Reserved: true})
					ids = append(ids, id)
					on[id] = name(p.in)
				}
			}
			got, err := SelectStop(c, ids, 2, ServiceDefaultStrategies(), rand.New(rand.NewPCG(seed, 1)))
			if err != nil {
				t.Fatal(err)
			}
			// b has 2 (both on b1), c has 2 (one each), a has 1: the first stop is
			// in b or c, on the instance with the most: b1. Then b=1, c=2: the
			// second stop is in c.
			if on[got[0]] != "b1" || !slices.Contains([]string{"c1", "c2"}, on[got[1]]) {
				t.Fatalf("seed %d: stopped on %s, %s; want b1 then c1 or c2", seed, on[got[0]], on[got[1]])
			}
		}
	})
	t.Run("more than there are", func(t *testing.T) {
		a := inst("a", "1a", 4096, 8192)
		c := cluster(t, a)
		id, _ := c.Adopt(a, HostedTask{Group: "g", Reserved: true})
		got, err := SelectStop(c, []TaskID{id}, 5, nil, rand.New(rand.NewPCG(1, 1)))
		if err != nil || len(got) != 1 {
			t.Errorf("SelectStop = %v, %v; want the one task", got, err)
		}
		if _, err := SelectStop(c, []TaskID{99}, 1, nil, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("SelectStop with an unknown task succeeded")
		}
	})
}

// TestPropSelectStopScored: SelectStop, scoring each candidate once and
// updating the scores a choice changes (selectStopScored), chooses the
// same tasks as scoring every candidate again at every choice, and draws
// the same numbers.
func TestPropSelectStopScored(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := NewCluster()
		var ins []*Instance
		for i := range rapid.IntRange(1, 8).Draw(t, "instances") {
			in := genInstance(t, i)
			if err := c.AddInstance(in); err != nil {
				t.Fatal(err)
			}
			ins = append(ins, in)
		}
		var ids []TaskID
		for range rapid.IntRange(0, 24).Draw(t, "tasks") {
			in := ins[rapid.IntRange(0, len(ins)-1).Draw(t, "on")]
			req := Requirements{CPU: rapid.SampledFrom([]int64{0, 128, 256}).Draw(t, "tcpu"), MemoryMiB: rapid.SampledFrom([]int64{0, 128, 512}).Draw(t, "tmem")}
			id, err := c.Adopt(in, HostedTask{Group: rapid.SampledFrom(genGroups).Draw(t, "group"), Requirements: req, Reserved: rapid.Bool().Draw(t, "reserved")})
			if err == nil {
				ids = append(ids, id)
			}
		}
		candidates := rapid.Permutation(ids).Draw(t, "order")
		candidates = candidates[:rapid.IntRange(0, len(candidates)).Draw(t, "candidates")]
		n := rapid.IntRange(0, len(candidates)+1).Draw(t, "n")
		var chain []Strategy
		for range rapid.IntRange(0, 3).Draw(t, "strategies") {
			chain = append(chain, genStrategy(t))
		}
		seed := rapid.Uint64().Draw(t, "seed")
		choose := func(plain bool) ([]TaskID, uint64) {
			selectStopPlain = plain
			defer func() { selectStopPlain = false }()
			rng := rand.New(rand.NewPCG(seed, 1))
			got, err := SelectStop(c, candidates, n, chain, rng)
			if err != nil {
				t.Fatalf("SelectStop (plain %v): %v", plain, err)
			}
			return got, rng.Uint64()
		}
		got, next := choose(false)
		want, wantNext := choose(true)
		if !slices.Equal(got, want) || next != wantNext {
			t.Fatalf("SelectStop(%v, %d, %v) = %v (next draw %d), plain %v (next draw %d)", candidates, n, chain, got, next, want, wantNext)
		}
	})
}
