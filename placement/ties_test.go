package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/berthsched/berth/cql"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// Properties of the indexes that make binpack fast on large fleets: the
// per-amount sets drawTie counts ties in, the partner amounts the binpack
// order carries, and the walk that takes partitions one at a time.

// TestAmountSetStateMachine checks amountSet against a plain set under
// random adds and removes of instances spread over many words.
func TestAmountSetStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s amountSet
		model := map[int32]bool{}
		hi := rapid.SampledFrom([]int{63, 64, 200, 3000}).Draw(t, "span")
		for range rapid.IntRange(0, 400).Draw(t, "ops") {
			i := int32(rapid.IntRange(0, hi).Draw(t, "i"))
			if rapid.Bool().Draw(t, "add") {
				s.add(i)
				model[i] = true
			} else {
				s.remove(i)
				delete(model, i)
			}
			var got []int32
			for j, k := range s.at {
				if s.words[j] == 0 {
					t.Fatalf("zero word %d kept", k)
				}
				if j > 0 && s.at[j-1] >= k {
					t.Fatalf("words %v out of order", s.at)
				}
				for w := s.words[j]; w != 0; w &= w - 1 {
					got = append(got, index(int(k), w))
				}
			}
			var want []int32
			for i := range model {
				want = append(want, i)
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("members %v, want %v", got, want)
			}
			if s.empty() != (len(model) == 0) || s.n != len(model) {
				t.Fatalf("empty() = %v, n = %d with %d members", s.empty(), s.n, len(model))
			}
		}
	})
}

// TestSortedIndexPartnerMax checks that every block's pmax stays the
// largest partner amount of its keys under inserts, deletes and setP, with
// enough keys for many blocks to split and empty.
func TestSortedIndexPartnerMax(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var ix sortedIndex
		p := map[int32]int64{} // the partner amount of each key present, by idx
		v := map[int32]int64{}
		for range rapid.IntRange(0, 2000).Draw(t, "ops") {
			i := int32(rapid.IntRange(0, 700).Draw(t, "idx"))
			_, present := v[i]
			switch op := rapid.IntRange(0, 3).Draw(t, "op"); {
			case !present && op < 3:
				k := key{v: rapid.Int64Range(0, 30).Draw(t, "v"), p: rapid.Int64Range(0, 50).Draw(t, "p"), idx: i}
				ix.insert(k)
				v[i], p[i] = k.v, k.p
			case present && op == 0:
				ix.delete(key{v: v[i], idx: i})
				delete(v, i)
				delete(p, i)
			case present:
				p[i] = rapid.Int64Range(0, 50).Draw(t, "newP")
				ix.setP(key{v: v[i], p: p[i], idx: i})
			}
			if err := checkSorted(&ix); err != nil {
				t.Fatal(err)
			}
			if ix.len() != len(v) {
				t.Fatalf("len = %d, want %d", ix.len(), len(v))
			}
			for i, want := range p {
				b, j, ok := ix.find(key{v: v[i], idx: i})
				if !ok || ix.blocks[b][j].p != want {
					t.Fatalf("key of %d: found %v, p %d, want %d", i, ok, ix.blocks[b][j].p, want)
				}
			}
		}
	})
}

var tieRacks = []string{"r0", "r1", "r2", "r3", "r4"}

// tieInstance is an instance of one of two shapes, so that binpack meets
// runs of hundreds of tied instances.
func tieInstance(t *rapid.T, i int) *Instance {
	shape := rapid.SampledFrom([][2]int64{{4096, 8192}, {4096, 8192}, {4096, 8192}, {2048, 8192}}).Draw(t, "shape")
	in := &Instance{
		ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/ties/%04d", i),
		Status:         StatusActive,
		AgentConnected: true,
		Attributes: []Attribute{
			{"ecs.availability-zone", rapid.SampledFrom(genZones).Draw(t, "zone")},
			{"rack", rapid.SampledFrom(tieRacks).Draw(t, "rack")},
		},
		Remaining: Capacity{CPU: shape[0], MemoryMiB: shape[1]},
	}
	if rapid.Float64Range(0, 1).Draw(t, "external") < 0.05 {
		in.Attributes = append(in.Attributes, Attribute{Name: ExternalAttribute})
	}
	in.Registered = in.Remaining.Clone()
	return in
}

// tieRequest is a simple request (or, sometimes, not: a port) whose chain
// ends in binpack or has binpack under spread levels.
func tieRequest(t *rapid.T, m5 *cql.Expr) *Request {
	chains := [][]Strategy{
		{Binpack{CPU}}, {Binpack{Memory}},
		{Spread{"attribute:rack"}, Binpack{Memory}},
		{Spread{"attribute:ecs.availability-zone"}, Spread{"attribute:rack"}, Binpack{CPU}},
		{Binpack{CPU}, Spread{"attribute:rack"}},
		{Binpack{Memory}, Random{}},
	}
	req := &Request{
		Count:      rapid.IntRange(1, 5).Draw(t, "count"),
		Group:      rapid.SampledFrom(genGroups).Draw(t, "group"),
		Strategies: rapid.SampledFrom(chains).Draw(t, "chain"),
		Task: Requirements{
			CPU:       rapid.SampledFrom([]int64{0, 512, 1024, 2048}).Draw(t, "tcpu"),
			MemoryMiB: rapid.SampledFrom([]int64{512, 2048, 4096}).Draw(t, "tmem"),
		},
	}
	if rapid.Float64Range(0, 1).Draw(t, "distinct") < 0.2 {
		req.Constraints = append(req.Constraints, Constraint{Type: DistinctInstance})
	}
	if rapid.Float64Range(0, 1).Draw(t, "memberOf") < 0.2 {
		req.Constraints = append(req.Constraints, Constraint{Type: MemberOf, Expr: m5})
	}
	if rapid.Float64Range(0, 1).Draw(t, "port") < 0.1 {
		req.Task.PortsTCP = []uint16{8080}
	}
	if rapid.Float64Range(0, 1).Draw(t, "external") < 0.1 {
		req.LaunchType = LaunchTypeExternal
	}
	return req
}

// TestBinpackTiesEqualReference is the differential property for large
// ties: fleets of 1 to 700 instances of two shapes, in five racks, that
// grow (by up to 130 instances at a time, across word boundaries) and
// shrink (instances drained, deregistered or brought back), with binpack
// alone, under spread levels, and followed by other strategies. The fast
// cluster's tieWalk is drawn small, so that both the walk and drawTie's
// count in the amount sets choose, and must choose as the plain definition
// does, draw for draw; every index is recomputed plainly after each step.
func TestBinpackTiesEqualReference(t *testing.T) {
	m5, err := cql.Parse("attribute:rack in [r0, r1, r3]")
	if err != nil {
		t.Fatal(err)
	}
	var drawn, walked int
	rapid.Check(t, func(t *rapid.T) {
		fast, ref := NewCluster(), NewCluster()
		fast.tieWalk = rapid.SampledFrom([]int{0, 1, 5, 64, defaultTieWalk}).Draw(t, "tieWalk")
		grow := func(n int) {
			for range n {
				in := tieInstance(t, len(fast.instances))
				if err := fast.AddInstance(in); err != nil {
					t.Fatal(err)
				}
				if err := ref.AddInstance(cloneInstance(in)); err != nil {
					t.Fatal(err)
				}
			}
		}
		grow(rapid.IntRange(1, 700).Draw(t, "instances"))
		seed := rapid.Uint64().Draw(t, "seed")
		rf, rr := rand.New(rand.NewPCG(seed, 5)), rand.New(rand.NewPCG(seed, 5))
		var resF, resR Result
		var placed []TaskID
		for step := range rapid.IntRange(1, 12).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op == 0 && len(placed) > 0: // tasks stop
				for range rapid.IntRange(1, len(placed)).Draw(t, "stops") {
					k := rapid.IntRange(0, len(placed)-1).Draw(t, "stop")
					if err := fast.Release(placed[k]); err != nil {
						t.Fatal(err)
					}
					if err := ref.Release(placed[k]); err != nil {
						t.Fatal(err)
					}
					placed = slices.Delete(placed, k, k+1)
				}
			case op == 1: // the fleet grows
				grow(rapid.IntRange(1, 130).Draw(t, "grow"))
			case op == 2: // and shrinks: instances leave service, or come back
				st := rapid.SampledFrom([]Status{StatusDraining, StatusInactive, StatusActive}).Draw(t, "status")
				lo := rapid.IntRange(0, len(fast.instances)-1).Draw(t, "from")
				hi := min(len(fast.instances), lo+rapid.IntRange(1, 100).Draw(t, "span"))
				for i := lo; i < hi; i++ {
					set := func(in *Instance) { in.Status = st }
					if err := fast.Update(fast.instances[i], set); err != nil {
						t.Fatal(err)
					}
					if err := ref.Update(ref.instances[i], set); err != nil {
						t.Fatal(err)
					}
				}
			default:
				req := tieRequest(t, m5)
				before := fast.draws
				errF, errR := fast.Place(req, rf, &resF), refPlace(ref, req, rr, &resR)
				if (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: Place error %v (fast), %v (reference)", step, errF, errR)
				}
				if diff := cmp.Diff(describe(&resR), describe(&resF)); diff != "" {
					t.Fatalf("step %d: Place(%+v) differs from the reference (-ref +fast):\n%s", step, req, diff)
				}
				if fast.draws > before {
					drawn++
				} else {
					walked++
				}
				for _, p := range resF.Placed {
					placed = append(placed, p.Task)
				}
			}
			if diff := stateDiff(ref, fast); diff != "" {
				t.Fatalf("step %d: cluster state differs (-ref +fast):\n%s", step, diff)
			}
		}
	})
	if drawn == 0 {
		t.Errorf("drawTie was never reached")
	}
	t.Logf("placements with a tie drawn by drawTie: %d, without: %d", drawn, walked)
}
