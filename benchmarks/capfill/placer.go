package capfill

import (
	"fmt"
	randv2 "math/rand/v2"
	"slices"
	"strings"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
)

// PodGroup is the task group of every pod placed through placement: the
// workload is one group, so spread(instanceId) balances all its pods.
const PodGroup = "family:capfill"

// placer places the pods of one run through a placement.Cluster that
// mirrors the fleet, as Workload.Run documents.
type placer struct {
	c    *placement.Cluster
	reqs []placement.Request // per shape; Count 0 for a pod no instance can hold
	rng  *randv2.Rand
	res  placement.Result
}

// newPlacer mirrors w's fleet and builds one request per shape of the
// order, ranked by chain and then by the node ranks.
func newPlacer(w *Workload, arr *Arrangement, st *state, chain []placement.Strategy, seed int64) (*placer, error) {
	if len(chain) >= placement.MaxStrategies {
		return nil, fmt.Errorf("%d placement strategies; expected at most %d (the node ranks take the last place)", len(chain), placement.MaxStrategies-1)
	}
	pl := &placer{c: placement.NewCluster(), reqs: make([]placement.Request, st.shapes),
		rng: randv2.New(randv2.NewPCG(uint64(seed), 0))}
	for _, n := range w.Nodes {
		in := &placement.Instance{ARN: n.Name, EC2InstanceID: n.Name, Status: placement.StatusActive, AgentConnected: true,
			Registered: placement.Capacity{CPU: n.CPUMilli, MemoryMiB: n.MemoryMiB, GPUs: make([]placement.GPU, n.GPUs)}}
		for d := range in.Registered.GPUs {
			in.Registered.GPUs[d].FreeMilli = placement.GPUMilliPerDevice
		}
		in.Remaining = in.Registered.Clone()
		if n.Model != "" {
			in.Attributes = []placement.Attribute{{Name: gpushare.DefaultModelAttribute, Value: n.Model}}
		}
		if err := pl.c.AddInstance(in); err != nil {
			return nil, err
		}
	}
	strategies := append(slices.Clip(chain), nodeRanks(arr.Rank))
	cons := map[string]placement.Constraint{}
	done := make([]bool, st.shapes)
	for i := range arr.Order {
		k := st.shapeOf[i]
		if done[k] {
			continue
		}
		done[k] = true
		p := &arr.Order[i].Pod
		if p.GPUCount > placement.MaxGPUsPerInstance {
			continue // Count 0: fits nowhere
		}
		req := placement.Request{Count: 1, Group: PodGroup, Task: Requirements(p), Strategies: strategies}
		if !p.CPUOnly() {
			con, ok, err := modelConstraint(p.GPUSpec, cons)
			if err != nil {
				return nil, fmt.Errorf("pod %s: %w", arr.Order[i].Name, err)
			}
			if ok {
				req.Constraints = []placement.Constraint{con}
			}
		}
		if err := req.Validate(); err != nil {
			return nil, fmt.Errorf("pod %s: %w", arr.Order[i].Name, err)
		}
		pl.reqs[k] = req
	}
	return pl, nil
}

// Requirements is what a pod reserves in placement's terms: CPU (in
// millicores) and memory MiB; for a GPU pod GPUs = GPUCount and GPUMilli
// its per-device share (1000 for whole devices).
func Requirements(p *gpushare.Pod) placement.Requirements {
	r := placement.Requirements{CPU: p.CPUMilli, MemoryMiB: p.MemoryMiB}
	if !p.CPUOnly() {
		r.GPUs, r.GPUMilli = p.GPUCount, int(p.GPUMilli)
	}
	return r
}

// modelConstraint returns the memberOf constraint that keeps a pod with
// GPU spec spec on the models it names, compiled once per spec; false
// when the spec names none (any model).
func modelConstraint(spec string, cache map[string]placement.Constraint) (placement.Constraint, bool, error) {
	if c, ok := cache[spec]; ok {
		return c, true, nil
	}
	var models []string
	for _, m := range strings.Split(spec, "|") {
		if m == "" || slices.Contains(models, m) {
			continue
		}
		q := "'"
		if strings.Contains(m, q) {
			q = `"`
		}
		if strings.Contains(m, q) {
			return placement.Constraint{}, false, fmt.Errorf("gpu_spec model %q: holds both quote characters; expected a plain model name", m)
		}
		models = append(models, q+m+q)
	}
	if len(models) == 0 {
		return placement.Constraint{}, false, nil
	}
	c, err := placement.NewMemberOf("attribute:" + gpushare.DefaultModelAttribute + " in [" + strings.Join(models, ", ") + "]")
	if err != nil {
		return c, false, err
	}
	cache[spec] = c
	return c, true, nil
}

// place places the next pod, of shape k, and returns the instance index
// (-1 when it fits nowhere) and its devices appended to dst.
func (pl *placer) place(k int32, dst []int) (int, []int, error) {
	req := &pl.reqs[k]
	if req.Count == 0 {
		return -1, dst, nil
	}
	if err := pl.c.Place(req, pl.rng, &pl.res); err != nil {
		return -1, dst, err
	}
	if len(pl.res.Placed) == 0 {
		return -1, dst, nil
	}
	pc := pl.res.Placed[0]
	for d := range pc.Instance.Remaining.GPUs {
		if pc.GPUs.Has(d) {
			dst = append(dst, d)
		}
	}
	return pc.Instance.Index(), dst, nil
}

// nodeRanks is the harness's final strategy: the node with the smallest
// rank scores highest, a total order over the fleet.
type nodeRanks []int

func (r nodeRanks) Score(_ placement.View, in *placement.Instance, _ *placement.Task) float64 {
	return -float64(r[in.Index()])
}

func (nodeRanks) String() string { return "rank" }
