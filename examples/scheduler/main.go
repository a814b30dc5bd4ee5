// Command scheduler runs a small REPLICA service through a rolling
// deployment with berth's scheduler, applying each plan as ECS would, and
// prints the service events.
package main

import (
	"fmt"
	"log"
	"math/rand/v2"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
)

func main() {
	c := placement.NewCluster()
	for i := range 3 {
		err := c.AddInstance(&placement.Instance{
			ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-%d", i),
			Status:         placement.StatusActive,
			AgentConnected: true,
			Attributes:     []placement.Attribute{{Name: "ecs.availability-zone", Value: []string{"us-east-1a", "us-east-1b", "us-east-1c"}[i]}},
			Remaining:      placement.Capacity{CPU: 2048, MemoryMiB: 4096},
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	revision := func(n int) *placement.TaskDefinition {
		return &placement.TaskDefinition{Family: "web", Revision: n, Containers: []placement.ContainerDefinition{
			{Name: "app", CPU: 256, Memory: 512, Essential: true},
		}}
	}
	desired, minHealthy := 3, 50
	svc := &scheduler.Service{
		Name: "web", DesiredCount: &desired, TaskDefinition: revision(1),
		DeploymentConfiguration: scheduler.DeploymentConfiguration{MinimumHealthyPercent: &minHealthy},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var obs scheduler.Observed
	for step := range 12 {
		if step == 4 {
			svc.TaskDefinition = revision(2) // UpdateService: a new deployment
		}
		plan, err := scheduler.Reconcile(svc, &obs, now, c, rng)
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range plan.Events {
			fmt.Println(e.At.Format("15:04:05"), e.Message)
		}
		// Apply the plan, then let 30 seconds pass: stopped tasks leave the
		// cluster, PENDING tasks reach RUNNING.
		obs.State, obs.Stopped = plan.State, nil
		for _, s := range plan.Starts {
			obs.Tasks = append(obs.Tasks, s.Task())
		}
		stopping := map[string]bool{}
		for _, s := range plan.Stops {
			stopping[s.ID] = true
		}
		now = now.Add(30 * time.Second)
		kept := obs.Tasks[:0]
		for _, t := range obs.Tasks {
			if stopping[t.ID] {
				t.LastStatus, t.DesiredStatus, t.StopCode = scheduler.Stopped, scheduler.Stopped, scheduler.ServiceSchedulerInitiated
				if err := c.Release(t.Placement); err != nil {
					log.Fatal(err)
				}
				obs.Stopped = append(obs.Stopped, t)
				continue
			}
			if t.LastStatus == scheduler.Pending {
				t.LastStatus, t.StartedAt = scheduler.Running, now
			}
			kept = append(kept, t)
		}
		obs.Tasks = kept
	}
}
