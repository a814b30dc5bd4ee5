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
					sc = s.Score(c, in, &Task{Group: req.Group, Requirements: req.Task})
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
	if in.Status != StatusActive {
		return ReasonStatus, 0
	}
	if !in.AgentConnected {
		return ReasonAgent, 0
	}
	for _, a := range req.RequiredAttributes {
		if v, ok := in.Attribute(a.Name); !ok || (a.Value != "" && v != a.Value) {
			return ReasonAttribute, 0
		}
	}
	r := req.Task
	if in.Remaining.CPU < r.CPU {
		return ReasonCPU, 0
	}
	if in.Remaining.MemoryMiB < r.MemoryMiB {
		return ReasonMemory, 0
	}
	if r.AllGPUs || r.GPUs > 0 {
		full, most := 0, 0
		for _, d := range in.Remaining.GPUs {
			if d.FreeMilli == GPUMilliPerDevice {
				full++
			}
			most = max(most, d.FreeMilli)
		}
		share := r.gpuShare()
		switch {
		case r.AllGPUs && (len(in.Remaining.GPUs) == 0 || full < len(in.Remaining.GPUs)),
			!r.AllGPUs && share == GPUMilliPerDevice && full < r.GPUs,
			!r.AllGPUs && share < GPUMilliPerDevice && most < share:
			return ReasonGPU, 0
		}
	}
	if n := len(r.PortsTCP) + len(r.PortsUDP); n > 0 {
		if len(in.Remaining.PortsTCP)+len(in.Remaining.PortsUDP)+n > MaxReservedPorts {
			return ReasonPorts, 0
		}
		for _, p := range r.PortsTCP {
			if slices.Contains(in.Remaining.PortsTCP, p) {
				return ReasonPorts, 0
			}
		}
		for _, p := range r.PortsUDP {
			if slices.Contains(in.Remaining.PortsUDP, p) {
				return ReasonPorts, 0
			}
		}
	}
	for k, s := range r.Scalars {
		if in.Remaining.scalar(s.Name) < s.Value {
			return ReasonScalar, k
		}
	}
	hosted := 0
	if g >= 0 {
		hosted = in.groupCount(g)
	}
	for _, con := range req.Constraints {
		if con.Type == DistinctInstance && hosted > 0 {
			return ReasonDistinctInstance, 0
		}
	}
	if req.MaxPerInstance > 0 && hosted >= req.MaxPerInstance {
		return ReasonMaxPerInstance, 0
	}
	for _, con := range req.Constraints {
		if con.Type == MemberOf && !con.Expr.Match(in.Subject()) {
			return ReasonMemberOf, 0
		}
	}
	return ReasonNone, 0
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
