package placement

import (
	"math/rand/v2"
	"slices"
	"testing"
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
