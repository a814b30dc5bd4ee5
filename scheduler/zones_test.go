package scheduler

import (
	"math/rand/v2"
	"testing"

	"github.com/berthsched/berth/placement"
	"github.com/google/go-cmp/cmp"
)

// TestServiceZones: an awsvpc service's tasks run only in the zones of
// its subnets (LOCATION elsewhere), one task ENI each; a service that is
// not awsvpc has no subnets, so Zones does not apply to it. Each of the
// three instances (one per zone) has 2 task ENIs; 6 tasks are desired.
func TestServiceZones(t *testing.T) {
	tests := []struct {
		name   string
		awsvpc bool
		zones  []string
		want   map[string]int // tasks started per instance
	}{
		{"awsvpc in one zone", true, []string{"us-east-1b"}, map[string]int{arn(1): 2}},
		{"awsvpc in two zones", true, []string{"us-east-1a", "us-east-1c"}, map[string]int{arn(0): 2, arn(2): 2}},
		{"awsvpc anywhere", true, nil, map[string]int{arn(0): 2, arn(1): 2, arn(2): 2}},
		{"bridge ignores zones", false, []string{"us-east-1b"}, map[string]int{arn(0): 2, arn(1): 2, arn(2): 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := placement.NewCluster()
			for i := range 3 {
				in := newInstance(i, 4096, 8192)
				in.Registered.ENIs, in.Remaining.ENIs = 2, 2
				if err := c.AddInstance(in); err != nil {
					t.Fatal(err)
				}
			}
			td := taskDef("web", 1, 256, 256)
			if tt.awsvpc {
				td.NetworkMode = placement.NetworkAwsvpc
			}
			svc := replicaService(6, td)
			svc.Zones = tt.zones
			plan, err := Reconcile(svc, &Observed{}, t0, c, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, s := range plan.Starts {
				got[s.Placement.Instance.ARN]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Reconcile(zones %v) starts per instance (-want +got):\n%s", tt.zones, diff)
			}
		})
	}
}
