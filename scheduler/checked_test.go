package scheduler

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/google/go-cmp/cmp"
)

// TestCheckedCoversEveryField fails when Service or
// DeploymentConfiguration gains a field that checked.same does not
// compare: Validate may read the new field, and a service changed there
// would then not be validated again.
func TestCheckedCoversEveryField(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[Service](): {"Name", "SchedulingStrategy", "TaskDefinition", "DesiredCount",
			"DeploymentConfiguration", "PlacementConstraints", "PlacementStrategy", "HealthCheckGracePeriodSeconds",
			"HealthChecked", "LoadBalancers", "LaunchType", "Zones", "CapacityProviderStrategy",
			"AvailabilityZoneRebalancing", "ForceNewDeployment"},
		reflect.TypeFor[DeploymentConfiguration](): {"MaximumPercent", "MinimumHealthyPercent", "CircuitBreaker"},
	}
	for typ, want := range known {
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fields of %v changed (-known +now): teach checked.same the new ones:\n%s", typ, diff)
		}
	}
}

// TestReconcileValidatesChangedService reconciles a valid service, then
// the same service changed in one field to something invalid: each change
// must be validated again and fail, while the unchanged service and an
// equal copy of it are remembered as validated.
func TestReconcileValidatesChangedService(t *testing.T) {
	base := func() *Service {
		svc := replicaService(2, taskDef("web", 1, 256, 512))
		svc.DeploymentConfiguration.MinimumHealthyPercent = intp(50)
		svc.DeploymentConfiguration.MaximumPercent = intp(200)
		return svc
	}
	changes := []struct {
		name   string
		change func(*Service)
	}{
		{"desired count in place", func(s *Service) { *s.DesiredCount = -1 }},
		{"desired count dropped", func(s *Service) { s.DesiredCount = nil }},
		{"minimum healthy in place", func(s *Service) { *s.DeploymentConfiguration.MinimumHealthyPercent = 101 }},
		{"maximum in place", func(s *Service) { *s.DeploymentConfiguration.MaximumPercent = 99 }},
		{"name", func(s *Service) { s.Name = "no spaces allowed" }},
		{"strategy", func(s *Service) { s.SchedulingStrategy = "BATCH" }},
		{"task definition", func(s *Service) { s.TaskDefinition = taskDef("web", 2, -1, 512) }},
		{"grace period", func(s *Service) { s.HealthCheckGracePeriodSeconds = -1 }},
		{"placement strategy", func(s *Service) { s.PlacementStrategy = []placement.Strategy{nil} }},
		{"load balancers", func(s *Service) { s.LoadBalancers = []LoadBalancer{{}} }},
		{"circuit breaker", func(s *Service) {
			s.DeploymentConfiguration.CircuitBreaker = &CircuitBreaker{Threshold: &ThresholdConfiguration{Type: "MOST"}}
		}},
		{"capacity provider strategy", func(s *Service) {
			s.CapacityProviderStrategy = []CapacityProviderStrategyItem{{CapacityProvider: ""}}
		}},
		{"rebalancing", func(s *Service) { s.AvailabilityZoneRebalancing = "SOMETIMES" }},
	}
	for _, tt := range changes {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, 3, 1024, 2048)
			rng := rand.New(rand.NewPCG(1, 1))
			svc := base()
			var obs Observed
			p, err := Reconcile(svc, &obs, t0, c, rng)
			if err != nil {
				t.Fatal(err)
			}
			obs.State = p.State
			if !obs.State.valid.same(svc) {
				t.Fatal("a validated service is not remembered as validated")
			}
			if copied := *svc; !obs.State.valid.same(&copied) {
				t.Error("an equal copy of a validated service is not remembered as validated")
			}
			tt.change(svc)
			if err := svc.Validate(); err == nil {
				t.Fatal("the change leaves the service valid: the test changes nothing")
			}
			if _, err := Reconcile(svc, &obs, t0, c, rng); err == nil {
				t.Errorf("Reconcile after changing the %s = nil error, want the service validated again", tt.name)
			}
		})
	}
}

// TestReconcileKeepsCheckedOnScaling scales a validated service up and
// down, in place and with a new count: the state keeps what was validated
// (a scaling validates only the count) and follows the count, so that
// the count going back is not mistaken for the one validated.
func TestReconcileKeepsCheckedOnScaling(t *testing.T) {
	c := newCluster(t, 3, 1024, 2048)
	rng := rand.New(rand.NewPCG(1, 1))
	svc := replicaService(2, taskDef("web", 1, 256, 512))
	var obs Observed
	var first *checked
	for i, n := range []int{2, 3, 1, 0, 2} {
		if i%2 == 0 {
			*svc.DesiredCount = n
		} else {
			svc.DesiredCount = intp(n)
		}
		p, err := Reconcile(svc, &obs, t0, c, rng)
		if err != nil {
			t.Fatal(err)
		}
		p.Discard(c)
		if first == nil {
			first = p.State.valid
		}
		if p.State.valid != first || p.State.validCount != n {
			t.Errorf("count %d: state keeps %p with count %d, want %p with %d", n, p.State.valid, p.State.validCount, first, n)
		}
		obs.State = p.State
	}
	*svc.DesiredCount = -1
	if _, err := Reconcile(svc, &obs, t0, c, rng); err == nil {
		t.Error("Reconcile with a negative count = nil error")
	}
}

// TestPlanStateOwnsItsSlices reconciles two services in turn, each from
// the state its last plan returned: a plan's state shares no scratch
// buffer with a later call, so a deployment list kept from one call is
// the same after the other service's calls (which build theirs in the
// same scratch) and after its own service's unchanged calls.
func TestPlanStateOwnsItsSlices(t *testing.T) {
	c := newCluster(t, 2, 1024, 2048)
	rng := rand.New(rand.NewPCG(1, 1))
	a := replicaService(3, taskDef("a", 1, 256, 512))
	b := replicaService(20, taskDef("b", 1, 1024, 2048)) // cannot all be placed
	b.Name = "b"
	var obsA, obsB Observed
	var kept []Deployment
	var keptReported []Event
	for step := range 6 {
		pa, err := Reconcile(a, &obsA, t0.Add(time.Duration(step)*time.Minute), c, rng)
		if err != nil {
			t.Fatal(err)
		}
		obsA.State = pa.State
		for _, s := range pa.Starts {
			obsA.Tasks = append(obsA.Tasks, s.Task())
		}
		if step == 2 {
			kept = slices.Clone(pa.State.Deployments)
			keptReported = slices.Clone(pa.State.Reported)
			defer func(ds []Deployment, rep []Event) {
				if diff := cmp.Diff(kept, ds); diff != "" {
					t.Errorf("deployments of a plan changed by later calls (-then +now):\n%s", diff)
				}
				if diff := cmp.Diff(keptReported, rep); diff != "" {
					t.Errorf("reported events of a plan changed by later calls (-then +now):\n%s", diff)
				}
			}(pa.State.Deployments, pa.State.Reported)
		}
		pb, err := Reconcile(b, &obsB, t0.Add(time.Duration(step)*time.Minute), c, rng)
		if err != nil {
			t.Fatal(err)
		}
		obsB.State = pb.State
		for _, s := range pb.Starts {
			obsB.Tasks = append(obsB.Tasks, s.Task())
		}
	}
}
