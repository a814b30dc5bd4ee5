package scheduler_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/scheduler"
)

func ExampleReconcile() {
	c := placement.NewCluster()
	for i, zone := range []string{"us-east-1a", "us-east-1b"} {
		c.AddInstance(&placement.Instance{
			ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-%d", i),
			Status:         placement.StatusActive,
			AgentConnected: true,
			Attributes:     []placement.Attribute{{Name: "ecs.availability-zone", Value: zone}},
			Remaining:      placement.Capacity{CPU: 2048, MemoryMiB: 4096},
		})
	}
	desired := 2
	svc := &scheduler.Service{
		Name:         "web",
		DesiredCount: &desired,
		TaskDefinition: &placement.TaskDefinition{Family: "web", Revision: 1, Containers: []placement.ContainerDefinition{
			{Name: "app", CPU: 256, Memory: 512, Essential: true},
		}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var obs scheduler.Observed

	plan, err := scheduler.Reconcile(svc, &obs, now, c, rng)
	if err != nil {
		panic(err)
	}
	for _, s := range plan.Starts {
		zone, _ := s.Placement.Instance.Attribute("ecs.availability-zone")
		fmt.Println("start on", zone)
		// Apply the plan: the task starts and runs.
		t := s.Task()
		t.LastStatus, t.StartedAt = scheduler.Running, now
		obs.Tasks = append(obs.Tasks, t)
	}
	obs.State = plan.State

	// A minute later the tasks count as healthy (the 40-second rule).
	plan, err = scheduler.Reconcile(svc, &obs, now.Add(time.Minute), c, rng)
	if err != nil {
		panic(err)
	}
	fmt.Println(plan.State.Primary().RolloutState, len(plan.Starts), len(plan.Stops))
	fmt.Println(plan.Events[len(plan.Events)-1].Message)
	// Output:
	// start on us-east-1a
	// start on us-east-1b
	// COMPLETED 0 0
	// (service web) has reached a steady state.
}

func ExampleRunTask() {
	c := placement.NewCluster()
	c.AddInstance(&placement.Instance{
		ARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-0", Status: placement.StatusActive,
		AgentConnected: true, Remaining: placement.Capacity{CPU: 1024, MemoryMiB: 1024},
	})
	td := &placement.TaskDefinition{Family: "batch", Revision: 1, Containers: []placement.ContainerDefinition{
		{Name: "job", CPU: 512, Memory: 512, Essential: true},
	}}
	out, err := scheduler.RunTask(&scheduler.RunTaskInput{TaskDefinition: td, Count: 3}, c, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(out.Tasks), "started in group", out.Tasks[0].Group)
	for _, f := range out.Failures {
		fmt.Println("failure:", f.Reason)
	}
	// Output:
	// 2 started in group family:batch
	// failure: RESOURCE:CPU
}

func ExampleCircuitBreaker_FailureThreshold() {
	cb := scheduler.CircuitBreaker{Enable: true, Rollback: true}
	for _, desired := range []int{1, 25, 400} {
		fmt.Println(desired, cb.FailureThreshold(desired))
	}
	// Output:
	// 1 3
	// 25 13
	// 400 200
}
