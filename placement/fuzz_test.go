package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// opReader decodes fuzz bytes into choices; past the end it reads zeros.
type opReader struct{ data []byte }

func (r *opReader) more() bool { return len(r.data) > 0 }

func (r *opReader) byte() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

// pick returns one of n choices.
func (r *opReader) pick(n int) int { return int(r.byte()) % n }

func pickOf[T any](r *opReader, from []T) T { return from[r.pick(len(from))] }

func (r *opReader) instance(i int) *Instance {
	in := &Instance{
		ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/f/%04d", i),
		Status:         pickOf(r, []Status{StatusActive, StatusActive, StatusActive, StatusDraining, "", "bogus"}),
		AgentConnected: r.pick(8) != 0,
		AgentVersion:   pickOf(r, []string{"1.9.0", "1.14.5", "1.20.1"}),
	}
	if z := r.pick(4); z < 3 {
		in.Attributes = append(in.Attributes, Attribute{"ecs.availability-zone", genZones[z]})
	}
	in.Attributes = append(in.Attributes, Attribute{"ecs.instance-type", pickOf(r, genTypes)})
	if s := r.pick(3); s > 0 {
		in.Attributes = append(in.Attributes, Attribute{"stack", []string{"", "dev", "prod"}[s]})
	}
	in.Remaining.CPU = pickOf(r, []int64{0, 512, 1024, 2048, 4096})
	in.Remaining.MemoryMiB = pickOf(r, []int64{0, 1024, 2048, 4096, 8192})
	for range r.pick(5) {
		in.Remaining.GPUs = append(in.Remaining.GPUs, GPU{ID: fmt.Sprint(len(in.Remaining.GPUs)), FreeMilli: pickOf(r, []int{0, 250, 500, 1000, 1000, 1001})})
	}
	in.Remaining.PortsTCP = slices.Clone(DefaultReservedPortsTCP)
	if r.pick(4) == 0 {
		in.Remaining.PortsTCP = append(in.Remaining.PortsTCP, pickOf(r, []uint16{80, 443, 8080}))
	}
	if r.pick(2) == 0 {
		in.Remaining.Scalars = []Scalar{{"disk", pickOf(r, []float64{0, 10, 50})}}
	}
	in.Remaining.ENIs = r.pick(4)
	in.Registered = in.Remaining.Clone()
	if r.pick(5) == 0 {
		in.Attributes = append(in.Attributes, Attribute{Name: "ecs.capability.external"})
	}
	return in
}

func (r *opReader) request(exprs []Constraint) *Request {
	req := &Request{
		Count: 1 + r.pick(4),
		Group: pickOf(r, genGroups),
		Task: Requirements{
			CPU:       pickOf(r, []int64{0, 256, 512, 1024}),
			MemoryMiB: pickOf(r, []int64{128, 512, 1024, 2048}),
		},
	}
	switch r.pick(6) {
	case 1:
		req.Task.GPUs = 1 + r.pick(2)
	case 2:
		req.Task.GPUs, req.Task.GPUMilli = 1, pickOf(r, []int{100, 250, 500, 900})
	case 3:
		req.Task.AllGPUs = true
	}
	if r.pick(4) == 0 {
		req.Task.PortsTCP = []uint16{pickOf(r, []uint16{80, 8080})}
	}
	if r.pick(5) == 0 {
		req.Task.Scalars = []Scalar{{"disk", 10}}
	}
	if r.pick(7) == 0 {
		req.RequiredAttributes = []Attribute{{Name: "stack"}}
	}
	if r.pick(5) == 0 {
		req.MaxPerInstance = 1 + r.pick(3)
	}
	if r.pick(3) == 0 {
		req.Constraints = append(req.Constraints, Constraint{Type: DistinctInstance})
	}
	for range r.pick(3) {
		req.Constraints = append(req.Constraints, pickOf(r, exprs))
	}
	strategies := []Strategy{Binpack{CPU}, Binpack{Memory}, Spread{"attribute:ecs.availability-zone"},
		Spread{"instanceId"}, Spread{"attribute:stack"}, Random{}, freePorts{}}
	for range r.pick(4) {
		req.Strategies = append(req.Strategies, pickOf(r, strategies))
	}
	req.LaunchType = pickOf(r, []LaunchType{"", "", LaunchTypeEC2, LaunchTypeExternal, LaunchTypeFargate, "bogus"})
	if r.pick(4) == 0 {
		req.Task.AWSVPC = true
		for range r.pick(3) {
			req.Zones = append(req.Zones, pickOf(r, genZones))
		}
	}
	return req
}

// FuzzClusterOps decodes bytes into a sequence of cluster operations (add
// instances, place, release, drain, deregister, reconnect or lose an agent,
// invalid calls) applied to a cluster and to a twin placed by the plain
// definition. After every step the cluster's invariants must hold and the
// two must agree; nothing may panic.
func FuzzClusterOps(f *testing.F) {
	f.Add([]byte{0, 70, 1, 2, 3, 4, 5, 1, 9, 9, 9, 0, 10, 2, 5, 3, 7})
	f.Add([]byte{0, 63, 1, 1, 0, 0, 3, 0, 2, 1, 0, 1, 3, 3, 1, 0, 0, 0, 0, 5, 1, 1})
	f.Add(slices.Repeat([]byte{0, 40, 1, 3, 0, 1, 2, 3, 4, 2, 7, 5, 11}, 8))
	var exprs []Constraint
	for _, src := range genExprs {
		c, err := NewMemberOf(src)
		if err != nil {
			f.Fatal(err)
		}
		exprs = append(exprs, c)
	}
	f.Fuzz(func(t *testing.T, data []byte) { runOps(t, exprs, data) })
}

// runOps applies the operations data decodes into; see FuzzClusterOps.
func runOps(t *testing.T, exprs []Constraint, data []byte) {
	r := &opReader{data}
	fast, ref := NewCluster(), NewCluster()
	// Binpack draws among ties by walking them or by counting them in the
	// amount sets past tieWalk; the input's length picks the threshold, so
	// both ways are fuzzed without changing how the bytes decode.
	fast.tieWalk = []int{0, 3, defaultTieWalk}[len(data)%3]
	rf, rr := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	var resF, resR Result
	added := 0
	for step := 0; r.more() && step < 64; step++ {
		switch op := r.pick(7); op {
		case 0: // add instances, some invalid
			for range 1 + r.pick(80) {
				if added >= 400 {
					break
				}
				in := r.instance(added)
				if r.pick(16) == 0 && added > 0 {
					in.ARN = fast.instances[0].ARN // a duplicate
				}
				errF, errR := fast.AddInstance(in), ref.AddInstance(cloneInstance(in))
				if (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: AddInstance = %v (fast), %v (reference)", step, errF, errR)
				}
				if errF == nil {
					added++
				}
			}
		case 1, 2: // place
			req := r.request(exprs)
			errF, errR := fast.Place(req, rf, &resF), refPlace(ref, req, rr, &resR)
			if (errF == nil) != (errR == nil) {
				t.Fatalf("step %d: Place = %v (fast), %v (reference)", step, errF, errR)
			}
			if diff := cmp.Diff(describe(&resR), describe(&resF)); diff != "" {
				t.Fatalf("step %d: Place(%+v) differs from the reference (-ref +fast):\n%s", step, req, diff)
			}
		case 3: // release, sometimes an id that is not there
			id := TaskID(int(r.byte())<<8|int(r.byte())) % TaskID(len(fast.tasks)+2)
			errF, errR := fast.Release(id), ref.Release(id)
			if (errF == nil) != (errR == nil) {
				t.Fatalf("step %d: Release(%d) = %v (fast), %v (reference)", step, id, errF, errR)
			}
		default: // drain, deregister, reactivate, lose or regain the agent, or an invalid change
			if len(fast.instances) == 0 {
				continue
			}
			i := (int(r.byte())<<8 | int(r.byte())) % len(fast.instances)
			st := pickOf(r, []Status{StatusDraining, StatusInactive, StatusActive, StatusActive, ""})
			agent := r.pick(4) != 0
			zone := pickOf(r, append([]string{""}, genZones...))
			anywhere := r.pick(6) == 0 // register it again as an ECS Anywhere instance, or back
			change := func(in *Instance) {
				if anywhere {
					n := len(in.Attributes)
					in.Attributes = slices.DeleteFunc(in.Attributes, func(a Attribute) bool { return a.Name == "ecs.capability.external" })
					if len(in.Attributes) == n {
						in.Attributes = append(in.Attributes, Attribute{Name: "ecs.capability.external"})
					}
				}
				in.Status, in.AgentConnected = st, agent
				in.Attributes = slices.DeleteFunc(in.Attributes, func(a Attribute) bool { return a.Name == "ecs.availability-zone" })
				if zone != "" {
					in.Attributes = append(in.Attributes, Attribute{"ecs.availability-zone", zone})
				}
			}
			errF, errR := fast.Update(fast.instances[i], change), ref.Update(ref.instances[i], change)
			if (errF == nil) != (errR == nil) || (st == "") != (errF != nil) {
				t.Fatalf("step %d: Update to status %q = %v (fast), %v (reference)", step, st, errF, errR)
			}
		}
		if err := checkInvariants(fast); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if diff := stateDiff(ref, fast); diff != "" {
			t.Fatalf("step %d: cluster state differs (-ref +fast):\n%s", step, diff)
		}
	}
}
