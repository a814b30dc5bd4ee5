package scheduler

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/berthsched/berth/placement"
	"github.com/google/go-cmp/cmp"
)

// mixedCluster has EC2 instances 0 and 1 and ECS Anywhere instances 2 and
// 3 (attribute ecs.capability.external).
func mixedCluster(t *testing.T) *placement.Cluster {
	t.Helper()
	c := placement.NewCluster()
	for i := range 4 {
		in := newInstance(i, 4096, 8192)
		if i >= 2 {
			in.Attributes = append(in.Attributes, placement.Attribute{Name: placement.ExternalAttribute})
		}
		if err := c.AddInstance(in); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestRunTaskLaunchType: RunTask's launchType picks the instances (EC2 by
// default, EXTERNAL on ECS Anywhere instances only), and a task definition
// whose compatibilities lack the launch type is ECS's
// InvalidParameterException "Task definition does not support launch_type
// X." Compatibilities are what ECS validated on registration
// (docs/ecs-behaviour.md 2.12): EC2, EXTERNAL unless the definition is
// awsvpc or has an EFS volume, and FARGATE when requested (a definition
// registered for FARGATE describes as ["EC2", "FARGATE"]); a describe
// output's compatibilities as printed.
func TestRunTaskLaunchType(t *testing.T) {
	tests := []struct {
		name   string
		lt     placement.LaunchType
		compat []placement.LaunchType
		// described: compatibilities as describe-task-definition prints them
		described []placement.LaunchType
		want      []string // instance ARNs, sorted by placement order
		wantErr   string
	}{
		{name: "default is EC2", want: []string{arn(0), arn(1), arn(0), arn(1)}},
		{name: "EXTERNAL", lt: placement.LaunchTypeExternal, want: []string{arn(2), arn(3), arn(2), arn(3)}},
		{name: "EXTERNAL with requiresCompatibilities EXTERNAL", lt: placement.LaunchTypeExternal, compat: []placement.LaunchType{"EXTERNAL"}, want: []string{arn(2), arn(3), arn(2), arn(3)}},
		{name: "EC2 definition run as EXTERNAL", lt: placement.LaunchTypeExternal, compat: []placement.LaunchType{"EC2"}, want: []string{arn(2), arn(3), arn(2), arn(3)}},
		{name: "described as EC2 only, run as EXTERNAL", lt: placement.LaunchTypeExternal, described: []placement.LaunchType{"EC2"},
			wantErr: "scheduler: placement: launchType: task definition does not support launch_type EXTERNAL (web:1 compatibilities: EC2)"},
		{name: "FARGATE definition run without a launch type", compat: []placement.LaunchType{"FARGATE"},
			want: []string{arn(0), arn(1), arn(0), arn(1)}},
		{name: "described as FARGATE only, run without a launch type", described: []placement.LaunchType{"FARGATE"},
			wantErr: "scheduler: placement: launchType: task definition does not support launch_type EC2 (web:1 compatibilities: FARGATE)"},
		{name: "FARGATE on container instances", lt: placement.LaunchTypeFargate, compat: []placement.LaunchType{"FARGATE"},
			wantErr: "scheduler: placement: launchType: FARGATE tasks are not placed on container instances, expected EC2 or EXTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := taskDef("web", 1, 256, 256)
			td.RequiresCompatibilities, td.Compatibilities = tt.compat, tt.described
			in := &RunTaskInput{TaskDefinition: td, Count: 4, LaunchType: tt.lt, PlacementStrategy: []placement.Strategy{placement.Spread{Field: "instanceId"}}}
			out, err := RunTask(in, mixedCluster(t), rand.New(rand.NewPCG(1, 2)))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("RunTask(launchType %q) error = %v, want %s", tt.lt, err, tt.wantErr)
				}
				if tt.lt != placement.LaunchTypeFargate && !errors.Is(err, placement.ErrIncompatibleLaunchType) {
					t.Errorf("RunTask error %v does not wrap ErrIncompatibleLaunchType", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("RunTask(launchType %q): %v", tt.lt, err)
			}
			var got []string
			for _, s := range out.Tasks {
				got = append(got, s.Placement.Instance.ARN)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || len(out.Failures) > 0 {
				t.Errorf("RunTask(launchType %q) instances (-want +got):\n%s failures %v", tt.lt, diff, out.Failures)
			}
		})
	}
}

// TestServiceLaunchType: a service's tasks, replica or daemon, run only on
// instances of its launch type; a DAEMON service's desired count counts
// only those instances.
func TestServiceLaunchType(t *testing.T) {
	tests := []struct {
		name   string
		daemon bool
		lt     placement.LaunchType
		want   map[string]int
	}{
		{name: "replica, no launch type", want: map[string]int{arn(0): 3, arn(1): 3}},
		{name: "replica EXTERNAL", lt: placement.LaunchTypeExternal, want: map[string]int{arn(2): 3, arn(3): 3}},
		{name: "daemon EC2", daemon: true, lt: placement.LaunchTypeEC2, want: map[string]int{arn(0): 1, arn(1): 1}},
		{name: "daemon EXTERNAL", daemon: true, lt: placement.LaunchTypeExternal, want: map[string]int{arn(2): 1, arn(3): 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := replicaService(6, taskDef("web", 1, 256, 256))
			svc.LaunchType = tt.lt
			if tt.daemon {
				svc.SchedulingStrategy, svc.DesiredCount = Daemon, nil
			}
			c := mixedCluster(t)
			d := newDriver(t, svc, c)
			d.settle()
			got := map[string]int{}
			for _, in := range c.Instances() {
				if n := c.GroupCount(in, svc.Group()); n > 0 {
					got[in.ARN] = n
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tasks per instance (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServiceValidateLaunchType(t *testing.T) {
	td := taskDef("web", 1, 256, 256)
	td.Compatibilities = []placement.LaunchType{placement.LaunchTypeFargate}
	svc := replicaService(1, td)
	want := "scheduler: placement: launchType: task definition does not support launch_type EC2 (web:1 compatibilities: FARGATE)"
	if err := svc.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
}
