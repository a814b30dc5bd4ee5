package placement

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// scanPlace is the plain scan the speed target compares with: what a
// straightforward implementation of the definition does for each task: one
// pass to count the group per spread value, one pass over every instance
// to filter (reading the instance's own fields, evaluating every memberOf
// expression) and score, then the seeded tie-break. No caches, no indexes.
// It uses the instances' group counts rather than recounting every task
// record (as refPlace does), so it is O(instances) per task.
func scanPlace(c *Cluster, req *Request, rng *rand.Rand, res *Result) error {
	res.reset()
	if err := req.Validate(); err != nil {
		return err
	}
	chain := req.Strategies
	for k, s := range chain {
		if _, ok := s.(Random); ok {
			chain = chain[:k]
			break
		}
	}
	var ties []*Instance
	var scores, best []float64
	for n := 0; n < req.Count; n++ {
		g, ok := c.groupIDs[req.Group]
		if !ok {
			g = -1
		}
		counts := make([]map[string]int, len(chain))
		for k, s := range chain {
			if sp, ok := s.(Spread); ok && sp.attribute() != "" {
				counts[k] = map[string]int{}
				for _, in := range c.instances {
					v, has := in.Attribute(sp.attribute())
					if !has {
						v = "\\x00absent"
					}
					if g >= 0 {
						counts[k][v] += in.groupCount(g)
					}
				}
			}
		}
		ties, best = ties[:0], best[:0]
		for _, in := range c.instances {
			if r, _ := scanCheck(c, in, req, g); r != ReasonNone {
				continue
			}
			scores = scores[:0]
			for k, s := range chain {
				var sc float64
				switch s := s.(type) {
				case Binpack:
					sc = -float64(s.remaining(in))
				case Spread:
					if name := s.attribute(); name == "" {
						if g >= 0 {
							sc = -float64(in.groupCount(g))
						}
					} else {
						v, has := in.Attribute(name)
						if !has {
							v = "\\x00absent"
						}
						sc = -float64(counts[k][v])
					}
				default:
					sc = s.Score(c.View(), in, &Task{Group: req.Group, Requirements: req.Task})
				}
				scores = append(scores, sc)
			}
			switch {
			case len(ties) == 0 || slices.Compare(scores, best) > 0:
				best, ties = append(best[:0], scores...), append(ties[:0], in)
			case slices.Compare(scores, best) == 0:
				ties = append(ties, in)
			}
		}
		if len(ties) == 0 {
			u := refExplain(c, req)
			for ; n < req.Count; n++ {
				res.Unplaced = append(res.Unplaced, u)
			}
			break
		}
		in := ties[pickTie(len(ties), rng)]
		res.Placed = append(res.Placed, c.commit(in, c.prepare(req)))
	}
	return nil
}

// scanCheck is refCheck with the instance's own group counts.
func scanCheck(c *Cluster, in *Instance, req *Request, g int32) (Reason, int) {
	hosted := func() int {
		if g < 0 {
			return 0
		}
		return in.groupCount(g)
	}
	return checkWith(in, req, hosted, in.Subject())
}

// TestScanEqualsReference checks the benchmark's baseline against the
// plain definition, so that the speed comparison compares equals.
func TestScanEqualsReference(t *testing.T) {
	exprs := compiledExprs()
	rapid.Check(t, func(t *rapid.T) {
		scan, ref := twinClusters(t)
		seed := rapid.Uint64().Draw(t, "seed")
		rs, rr := rand.New(rand.NewPCG(seed, 5)), rand.New(rand.NewPCG(seed, 5))
		var resS, resR Result
		for step := range rapid.IntRange(1, 8).Draw(t, "steps") {
			req := genRequest(t, exprs)
			if err := scanPlace(scan, req, rs, &resS); err != nil {
				t.Fatal(err)
			}
			if err := refPlace(ref, req, rr, &resR); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(describe(&resR), describe(&resS)); diff != "" {
				t.Fatalf("step %d: scan differs from the reference (-ref +scan):\n%s", step, diff)
			}
		}
	})
}
