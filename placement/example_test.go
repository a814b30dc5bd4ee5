package placement_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/berthsched/berth/placement"
)

func Example() {
	c := placement.NewCluster()
	for i, zone := range []string{"us-east-1a", "us-east-1b", "us-east-1b"} {
		c.AddInstance(&placement.Instance{
			ARN:            fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/demo/%d", i),
			Status:         placement.StatusActive,
			AgentConnected: true,
			Attributes: []placement.Attribute{
				{Name: "ecs.availability-zone", Value: zone},
				{Name: "ecs.instance-type", Value: "m5.large"},
			},
			Remaining: placement.Capacity{CPU: 2048, MemoryMiB: 4096 - 1024*int64(i)},
		})
	}
	onlyM5, err := placement.NewMemberOf("attribute:ecs.instance-type =~ m5.*")
	if err != nil {
		panic(err)
	}
	req := &placement.Request{
		Count:       4,
		Group:       "service:web",
		Task:        placement.Requirements{CPU: 512, MemoryMiB: 1024},
		Constraints: []placement.Constraint{onlyM5},
		Strategies: []placement.Strategy{
			placement.Spread{Field: "attribute:ecs.availability-zone"},
			placement.Binpack{Field: placement.Memory},
		},
	}
	var res placement.Result
	if err := c.Place(req, rand.New(rand.NewPCG(1, 2)), &res); err != nil {
		panic(err)
	}
	for _, p := range res.Placed {
		zone, _ := p.Instance.Attribute("ecs.availability-zone")
		fmt.Println(p.Instance.ARN[len(p.Instance.ARN)-6:], zone)
	}
	for _, u := range res.Unplaced {
		fmt.Println("unplaced:", u.ReasonString())
	}
	// Output:
	// demo/2 us-east-1b
	// demo/0 us-east-1a
	// demo/2 us-east-1b
	// demo/0 us-east-1a
}
