package scheduler

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/placement"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func intp(v int) *int { return &v }

var zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

func arn(i int) string {
	return fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/test/ci-%d", i)
}

func newInstance(i int, cpu, mem int64) *placement.Instance {
	return &placement.Instance{
		ARN:            arn(i),
		EC2InstanceID:  fmt.Sprintf("i-%017x", i),
		Status:         placement.StatusActive,
		AgentConnected: true,
		Attributes: []placement.Attribute{
			{Name: "ecs.availability-zone", Value: zones[i%len(zones)]},
			{Name: "ecs.instance-type", Value: "m5.large"},
		},
		Registered: placement.Capacity{CPU: cpu, MemoryMiB: mem},
		Remaining:  placement.Capacity{CPU: cpu, MemoryMiB: mem},
	}
}

// newCluster returns n instances of cpu units and mem MiB over 3 zones.
func newCluster(tb testing.TB, n int, cpu, mem int64) *placement.Cluster {
	tb.Helper()
	c := placement.NewCluster()
	for i := range n {
		if err := c.AddInstance(newInstance(i, cpu, mem)); err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

func taskDef(family string, rev int, cpu, mem int64) *placement.TaskDefinition {
	return &placement.TaskDefinition{
		Family: family, Revision: rev,
		Containers: []placement.ContainerDefinition{{Name: "app", CPU: cpu, Memory: mem, Essential: true}},
	}
}

func replicaService(desired int, td *placement.TaskDefinition) *Service {
	return &Service{Name: "web", TaskDefinition: td, DesiredCount: intp(desired)}
}

// driver applies plans and advances time: a started task is PENDING for
// pendFor, then RUNNING (and HEALTHY when the service is health checked);
// a stopped task reaches STOPPED at the next step and leaves the cluster.
type driver struct {
	tb      fataler
	svc     *Service
	c       *placement.Cluster
	rng     *rand.Rand
	now     time.Time
	obs     Observed
	created map[string]time.Time
	pendFor time.Duration
	// failLaunch makes tasks of these task definition revisions stop
	// before RUNNING.
	failLaunch map[int]bool
	// unhealthy makes RUNNING tasks of these revisions report UNHEALTHY.
	unhealthy map[int]bool
	tdOf      map[string]*placement.TaskDefinition // deployment id -> task definition
	plans     []*Plan
}

// fataler is what the driver needs of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func newDriver(tb fataler, svc *Service, c *placement.Cluster) *driver {
	return &driver{
		tb: tb, svc: svc, c: c, rng: rand.New(rand.NewPCG(1, 2)), now: t0,
		created: map[string]time.Time{}, pendFor: 10 * time.Second,
		failLaunch: map[int]bool{}, unhealthy: map[int]bool{}, tdOf: map[string]*placement.TaskDefinition{},
	}
}

// reconcile runs Reconcile and applies its plan.
func (d *driver) reconcile() *Plan {
	d.tb.Helper()
	p, err := Reconcile(d.svc, &d.obs, d.now, d.c, d.rng)
	if err != nil {
		d.tb.Fatalf("Reconcile: %v", err)
	}
	d.apply(p)
	return p
}

func (d *driver) apply(p *Plan) {
	d.plans = append(d.plans, p)
	d.obs.State = p.State
	d.obs.Stopped = nil
	for _, s := range p.Starts {
		d.obs.Tasks = append(d.obs.Tasks, s.Task())
		d.created[s.ID] = d.now
		d.tdOf[s.Deployment] = s.TaskDefinition
	}
	for _, s := range p.Stops {
		for i := range d.obs.Tasks {
			if d.obs.Tasks[i].ID == s.ID {
				d.obs.Tasks[i].DesiredStatus = Stopped
			}
		}
	}
}

func (d *driver) revision(t *Task) int {
	if td := d.tdOf[t.Deployment]; td != nil {
		return td.Revision
	}
	return 0
}

// step advances the clock by dt and moves every task along its lifecycle.
func (d *driver) step(dt time.Duration) {
	d.tb.Helper()
	d.now = d.now.Add(dt)
	kept := d.obs.Tasks[:0]
	for _, t := range d.obs.Tasks {
		rev := d.revision(&t)
		switch {
		case t.DesiredStatus == Stopped:
			t.StopCode = ServiceSchedulerInitiated
			d.stopTask(t)
			continue
		case t.LastStatus.Starting() && d.now.Sub(d.created[t.ID]) >= d.pendFor:
			if d.failLaunch[rev] {
				t.StopCode = TaskFailedToStart
				d.stopTask(t)
				continue
			}
			t.LastStatus = Running
			t.StartedAt = d.created[t.ID].Add(d.pendFor)
		}
		if t.LastStatus == Running && d.svc.HealthChecked {
			t.Health = HealthHealthy
			if d.unhealthy[rev] {
				t.Health = HealthUnhealthy
			}
		}
		kept = append(kept, t)
	}
	d.obs.Tasks = kept
}

func (d *driver) stopTask(t Task) {
	d.tb.Helper()
	t.LastStatus, t.DesiredStatus = Stopped, Stopped
	if err := d.c.Release(t.Placement); err != nil {
		d.tb.Fatalf("release %s: %v", t.ID, err)
	}
	d.obs.Stopped = append(d.obs.Stopped, t)
}

// run alternates reconcile and step n times.
func (d *driver) run(n int, dt time.Duration) {
	d.tb.Helper()
	for range n {
		d.reconcile()
		d.step(dt)
	}
}

// count returns the tasks (wanted, by lastStatus) of the revision rev, or of
// any revision when rev is 0.
func (d *driver) count(rev int, status TaskStatus) int {
	n := 0
	for i := range d.obs.Tasks {
		t := &d.obs.Tasks[i]
		if t.DesiredStatus != Stopped && t.LastStatus == status && (rev == 0 || d.revision(t) == rev) {
			n++
		}
	}
	return n
}

// settle reconciles and advances time until the service is steady.
func (d *driver) settle() {
	d.tb.Helper()
	for range 20 {
		d.reconcile()
		d.step(time.Minute)
	}
}

func messages(p *Plan) []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e.Message)
	}
	return out
}

func hasMessage(p *Plan, sub string) bool {
	for _, e := range p.Events {
		if strings.Contains(e.Message, sub) {
			return true
		}
	}
	return false
}

// plainHealth is reconciler.health computed the plain way, by time
// subtraction, not from thresholds made once per call: the properties
// that count healthy tasks use it as their reference.
func plainHealth(svc *Service, now time.Time, t *Task) health {
	if t.LastStatus != Running {
		return notYet
	}
	if !svc.healthChecked() {
		if !t.StartedAt.IsZero() && now.Sub(t.StartedAt) >= NoHealthCheckDelay {
			return healthy
		}
		return notYet
	}
	switch t.Health {
	case HealthHealthy:
		return healthy
	case HealthUnhealthy:
		if now.Sub(t.StartedAt) >= time.Duration(svc.HealthCheckGracePeriodSeconds)*time.Second {
			return unhealthy
		}
	}
	return notYet
}
