package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// cloneInstance deep-copies the fields a caller sets.
func cloneInstance(in *Instance) *Instance {
	return &Instance{
		ARN: in.ARN, EC2InstanceID: in.EC2InstanceID, Status: in.Status,
		AgentConnected: in.AgentConnected, AgentVersion: in.AgentVersion,
		RegisteredAt: in.RegisteredAt, Attributes: slices.Clone(in.Attributes),
		Registered: in.Registered.Clone(), Remaining: in.Remaining.Clone(),
		RunningTasksCount: in.RunningTasksCount,
	}
}

// outcome is a Result in comparable form.
type outcome struct {
	Placed   []string
	Unplaced []string
}

func describe(res *Result) outcome {
	var o outcome
	for _, p := range res.Placed {
		o.Placed = append(o.Placed, fmt.Sprintf("%s gpus=%b", p.Instance.ARN, p.GPUs))
	}
	for _, u := range res.Unplaced {
		closest := "<none>"
		if u.Closest != nil {
			closest = u.Closest.ARN
		}
		o.Unplaced = append(o.Unplaced, fmt.Sprintf("%s closest=%s removed=%v", u.ReasonString(), closest, u.Removed))
	}
	return o
}

type instanceState struct {
	ARN       string
	Remaining Capacity
	Running   int
	Groups    map[string]int
}

func clusterState(c *Cluster) []instanceState {
	var out []instanceState
	for i, in := range c.instances {
		if g := c.gpu[i]; int(g.devices) != len(in.Remaining.GPUs) || int(g.full) != in.fullGPUs || int(g.max) != in.maxGPU {
			panic(fmt.Sprintf("instance %s: GPU mirror %+v, instance %+v", in.ARN, g, in.Remaining.GPUs))
		}
		if c.cpu[i] != in.Remaining.CPU || c.mem[i] != in.Remaining.MemoryMiB || hasBit(c.eligible, int32(i)) != (in.Status == StatusActive && in.AgentConnected) {
			panic(fmt.Sprintf("instance %s: mirrors cpu %d mem %d eligible %v, instance %d %d %s/%v", in.ARN, c.cpu[i], c.mem[i], hasBit(c.eligible, int32(i)), in.Remaining.CPU, in.Remaining.MemoryMiB, in.Status, in.AgentConnected))
		}
		for _, fs := range c.fitSets {
			want := in.Remaining.CPU >= fs.shape.cpu && in.Remaining.MemoryMiB >= fs.shape.mem
			if r := (Requirements{GPUs: int(fs.shape.gpus), GPUMilli: int(fs.shape.share), AllGPUs: fs.shape.all}); want && (r.AllGPUs || r.GPUs > 0) {
				full := 0
				most := 0
				for _, d := range in.Remaining.GPUs {
					if d.FreeMilli == GPUMilliPerDevice {
						full++
					}
					most = max(most, d.FreeMilli)
				}
				switch {
				case r.AllGPUs:
					want = len(in.Remaining.GPUs) > 0 && full == len(in.Remaining.GPUs)
				case fs.shape.share >= GPUMilliPerDevice:
					want = full >= r.GPUs
				default:
					want = most >= int(fs.shape.share)
				}
			}
			if hasBit(fs.bits, int32(i)) != want {
				panic(fmt.Sprintf("instance %s: fit bit for %+v is %v, want %v (%+v)", in.ARN, fs.shape, !want, want, in.Remaining))
			}
		}
		for g, hb := range c.hosting {
			if int(i>>6) < len(hb) && hasBit(hb, int32(i)) != (in.groupCount(g) > 0) {
				panic(fmt.Sprintf("instance %s: hosting bit of group %s is %v, count %d", in.ARN, c.groupNames[g], hasBit(hb, int32(i)), in.groupCount(g)))
			}
		}
		s := instanceState{ARN: in.ARN, Remaining: in.Remaining.Clone(), Running: in.RunningTasksCount, Groups: map[string]int{}}
		for _, g := range c.groupNames {
			if n := refGroupCount(c, in.idx, g); n > 0 {
				s.Groups[g] = n
			}
			if n, want := c.GroupCount(in, g), refGroupCount(c, in.idx, g); n != want {
				panic(fmt.Sprintf("instance %s group %s: cached count %d, records say %d", in.ARN, g, n, want))
			}
		}
		out = append(out, s)
	}
	return out
}

// twinClusters builds two identical clusters with some tasks adopted.
func twinClusters(t *rapid.T) (a, b *Cluster) {
	a, b = NewCluster(), NewCluster()
	n := rapid.IntRange(1, 25).Draw(t, "instances")
	for i := range n {
		in := genInstance(t, i)
		if err := a.AddInstance(in); err != nil {
			t.Fatal(err)
		}
		if err := b.AddInstance(cloneInstance(in)); err != nil {
			t.Fatal(err)
		}
	}
	for range rapid.IntRange(0, 2*n).Draw(t, "adopted") {
		i := rapid.IntRange(0, n-1).Draw(t, "adoptOn")
		h := HostedTask{Group: rapid.SampledFrom(genGroups).Draw(t, "adoptGroup"), Reserved: true}
		if _, err := a.Adopt(a.instances[i], h); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Adopt(b.instances[i], h); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// TestPlaceEqualsReference is the differential property: on random
// clusters and random sequences of placements, releases and instance
// changes, the fast path chooses exactly what the plain definition chooses,
// consuming the random source identically.
func TestPlaceEqualsReference(t *testing.T) {
	exprs := compiledExprs()
	rapid.Check(t, func(t *rapid.T) {
		fast, ref := twinClusters(t)
		seed := rapid.Uint64().Draw(t, "seed")
		rf, rr := rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 1))
		var resF, resR Result
		for step := range rapid.IntRange(1, 12).Draw(t, "steps") {
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0: // release a task
				if len(fast.tasks) == 0 {
					continue
				}
				id := TaskID(rapid.IntRange(0, len(fast.tasks)-1).Draw(t, "release"))
				errF, errR := fast.Release(id), ref.Release(id)
				if (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: Release(%d) = %v (fast), %v (reference)", step, id, errF, errR)
				}
			case 1: // change an instance
				i := rapid.IntRange(0, len(fast.instances)-1).Draw(t, "updateOn")
				st := rapid.SampledFrom([]Status{StatusActive, StatusDraining}).Draw(t, "newStatus")
				stack := rapid.SampledFrom([]string{"", "dev", "prod"}).Draw(t, "newStack")
				zone := rapid.SampledFrom(append([]string{""}, genZones...)).Draw(t, "newZone")
				change := func(in *Instance) {
					in.Status = st
					in.Attributes = slices.DeleteFunc(in.Attributes, func(a Attribute) bool {
						return a.Name == "stack" || a.Name == "ecs.availability-zone"
					})
					if stack != "" {
						in.Attributes = append(in.Attributes, Attribute{"stack", stack})
					}
					if zone != "" {
						in.Attributes = append(in.Attributes, Attribute{"ecs.availability-zone", zone})
					}
				}
				fast.Update(fast.instances[i], change)
				ref.Update(ref.instances[i], change)
			default:
				req := genRequest(t, exprs)
				errF := fast.Place(req, rf, &resF)
				errR := refPlace(ref, req, rr, &resR)
				if (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: Place error %v (fast), %v (reference)", step, errF, errR)
				}
				if diff := cmp.Diff(describe(&resR), describe(&resF)); diff != "" {
					t.Fatalf("step %d: Place(%+v) differs from the reference (-ref +fast):\n%s", step, req, diff)
				}
			}
			if diff := cmp.Diff(clusterState(ref), clusterState(fast)); diff != "" {
				t.Fatalf("step %d: cluster state differs (-ref +fast):\n%s", step, diff)
			}
		}
	})
}

// TestPlaceInvariants checks each placement against the filters as they
// stood just before it: capacity is never exceeded, no filtered instance is
// chosen, and distinctInstance holds.
func TestPlaceInvariants(t *testing.T) {
	exprs := compiledExprs()
	rapid.Check(t, func(t *rapid.T) {
		c, before := twinClusters(t)
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 2))
		var res Result
		for step := range rapid.IntRange(1, 10).Draw(t, "steps") {
			req := genRequest(t, exprs)
			req.Count = 1
			if err := c.Place(req, rng, &res); err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Placed {
				twin := before.instances[p.Instance.idx]
				if r, _ := refCheck(before, twin, req); r != ReasonNone {
					t.Fatalf("step %d: placed on %s, which the filters removed (%v)", step, p.Instance.ARN, r)
				}
				in := p.Instance
				if in.Remaining.CPU < 0 || in.Remaining.MemoryMiB < 0 {
					t.Fatalf("step %d: %s over capacity: %+v", step, in.ARN, in.Remaining)
				}
				for _, g := range in.Remaining.GPUs {
					if g.FreeMilli < 0 {
						t.Fatalf("step %d: %s GPU over capacity: %+v", step, in.ARN, in.Remaining.GPUs)
					}
				}
				if want := req.Task.GPUs; !req.Task.AllGPUs && p.GPUs.Len() != want {
					t.Fatalf("step %d: task wants %d GPUs, got devices %b", step, want, p.GPUs)
				}
				if len(in.Remaining.PortsTCP)+len(in.Remaining.PortsUDP) > MaxReservedPorts {
					t.Fatalf("step %d: %s has more than %d ports reserved", step, in.ARN, MaxReservedPorts)
				}
				for _, con := range req.Constraints {
					if con.Type == DistinctInstance && refGroupCount(c, in.idx, req.Group) > 1 {
						t.Fatalf("step %d: distinctInstance broken on %s for %s", step, in.ARN, req.Group)
					}
				}
				// Keep the twin in step.
				pr := before.prepare(req)
				before.commit(twin, pr)
			}
		}
	})
}

// TestPlaceSameSeedSameResult places the same requests twice from the same
// seed and expects the same choices; a different seed must be able to
// differ.
func TestPlaceSameSeedSameResult(t *testing.T) {
	exprs := compiledExprs()
	rapid.Check(t, func(t *rapid.T) {
		a, b := twinClusters(t)
		seed := rapid.Uint64().Draw(t, "seed")
		ra, rb := rand.New(rand.NewPCG(seed, 3)), rand.New(rand.NewPCG(seed, 3))
		var resA, resB Result
		for range rapid.IntRange(1, 6).Draw(t, "steps") {
			req := genRequest(t, exprs)
			if err := a.Place(req, ra, &resA); err != nil {
				t.Fatal(err)
			}
			if err := b.Place(req, rb, &resB); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(describe(&resA), describe(&resB)); diff != "" {
				t.Fatalf("same seed, different placements (-first +second):\n%s", diff)
			}
		}
	})
}
