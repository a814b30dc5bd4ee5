package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/berthsched/berth/placement"
)

// benchService returns a cluster of n instances with a REPLICA service of
// desired tasks of revision 1, settled (one COMPLETED deployment), and the
// service updated to revision 2.
func benchService(b *testing.B, n, desired int, strategies []placement.Strategy) (*Service, *Observed, *placement.Cluster) {
	b.Helper()
	c := placement.NewCluster()
	for i := range n {
		in := newInstance(i, 4096, 16384)
		in.ARN = fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/bench/%08d", i)
		if err := c.AddInstance(in); err != nil {
			b.Fatal(err)
		}
	}
	td1 := taskDef("web", 1, 256, 512)
	obs := &Observed{State: State{Deployments: []Deployment{{
		ID: "ecs-svc/1000000000000000001", Status: DeploymentPrimary, TaskDefinition: td1, Spec: "web:1",
		RolloutState: Completed, CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Hour),
	}}}}
	last := obs.State.Deployments[0]
	obs.State.LastCompleted = &last
	ins := c.Instances()
	for i := range desired {
		id, err := c.Adopt(ins[i*len(ins)/desired], placement.HostedTask{Group: "service:web", Requirements: td1.Requirements()})
		if err != nil {
			b.Fatal(err)
		}
		obs.Tasks = append(obs.Tasks, Task{
			ID: fmt.Sprintf("%032x", i), Placement: id, Deployment: last.ID,
			LastStatus: Running, DesiredStatus: Running, StartedAt: t0.Add(-time.Hour),
		})
	}
	svc := replicaService(desired, taskDef("web", 2, 256, 512))
	svc.PlacementStrategy = strategies
	return svc, obs, c
}

// BenchmarkReconcile reconciles a 5,000-task service on 10,000 instances
// during a deployment (min 100, max 200):
//
//   - phase=begin: the deployment's first reconcile, which places 5,000
//     new tasks (each iteration then discards its plan);
//   - phase=midway: half the new tasks RUNNING and healthy, half PENDING,
//     so the plan stops 2,500 old tasks and starts none.
func BenchmarkReconcile(b *testing.B) {
	const instances, desired = 10000, 5000
	chains := []struct {
		name       string
		strategies []placement.Strategy
	}{
		{"default", nil},
		{"spread-binpack", []placement.Strategy{placement.Spread{Field: "attribute:ecs.availability-zone"}, placement.Binpack{Field: placement.Memory}}},
	}
	for _, ch := range chains {
		b.Run("phase=begin/strategy="+ch.name, func(b *testing.B) {
			svc, obs, c := benchService(b, instances, desired, ch.strategies)
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			var starts int
			for b.Loop() {
				p, err := Reconcile(svc, obs, t0, c, rng)
				if err != nil {
					b.Fatal(err)
				}
				starts = len(p.Starts)
				if err := p.Discard(c); err != nil {
					b.Fatal(err)
				}
			}
			if starts != desired {
				b.Fatalf("the deployment started %d tasks, want %d", starts, desired)
			}
			b.ReportMetric(float64(starts), "starts/op")
		})
		b.Run("phase=midway/strategy="+ch.name, func(b *testing.B) {
			svc, obs, c := benchService(b, instances, desired, ch.strategies)
			rng := rand.New(rand.NewPCG(1, 2))
			p, err := Reconcile(svc, obs, t0, c, rng)
			if err != nil {
				b.Fatal(err)
			}
			obs.State = p.State
			for k, s := range p.Starts {
				tk := s.Task()
				if k%2 == 0 {
					tk.LastStatus, tk.StartedAt = Running, t0
				}
				obs.Tasks = append(obs.Tasks, tk)
			}
			now := t0.Add(time.Minute)
			b.ReportAllocs()
			var stops int
			for b.Loop() {
				p, err := Reconcile(svc, obs, now, c, rng)
				if err != nil {
					b.Fatal(err)
				}
				stops = len(p.Stops) + len(p.Starts)*desired // a start here is a bug
			}
			if stops != desired/2 {
				b.Fatalf("midway plan: %d stops (and starts x %d), want %d stops", stops, desired, desired/2)
			}
			b.ReportMetric(float64(stops), "stops/op")
		})
	}
}
