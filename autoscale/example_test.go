package autoscale_test

import (
	"fmt"
	"time"

	"github.com/berthsched/berth/autoscale"
)

func bound(v float64) *float64 { return &v }

// AWS's worked step-scaling example: threshold 50, percent steps, capacity
// 10 -> 11 -> 14 -> 13 -> 10.
func ExampleScaler_Evaluate() {
	step := func(name string, op autoscale.ComparisonOperator, steps ...autoscale.StepAdjustment) autoscale.Policy {
		return autoscale.Policy{PolicyName: name, StepScaling: &autoscale.StepScalingPolicy{
			AdjustmentType:  autoscale.PercentChangeInCapacity,
			StepAdjustments: steps,
			Cooldown:        -1, // none, to show each step
			Alarm: autoscale.Alarm{MetricName: "CPUUtilization", Threshold: 50,
				ComparisonOperator: op, EvaluationPeriods: 1},
		}}
	}
	s := autoscale.Scaler{
		Target: autoscale.ScalableTarget{MinCapacity: 1, MaxCapacity: 20},
		Policies: []autoscale.Policy{
			step("out", autoscale.GreaterThanOrEqualToThreshold,
				autoscale.StepAdjustment{MetricIntervalLowerBound: bound(0), MetricIntervalUpperBound: bound(10)},
				autoscale.StepAdjustment{MetricIntervalLowerBound: bound(10), MetricIntervalUpperBound: bound(20), ScalingAdjustment: 10},
				autoscale.StepAdjustment{MetricIntervalLowerBound: bound(20), ScalingAdjustment: 30}),
			step("in", autoscale.LessThanOrEqualToThreshold,
				autoscale.StepAdjustment{MetricIntervalLowerBound: bound(-10), MetricIntervalUpperBound: bound(0)},
				autoscale.StepAdjustment{MetricIntervalLowerBound: bound(-20), MetricIntervalUpperBound: bound(-10), ScalingAdjustment: -10},
				autoscale.StepAdjustment{MetricIntervalUpperBound: bound(-20), ScalingAdjustment: -30}),
		},
	}
	if err := s.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	st := s.Start(10)
	var cpu autoscale.Series
	for k, v := range []float64{60, 70, 40, 30} {
		now := start.Add(time.Duration(k) * time.Minute)
		cpu = append(cpu, autoscale.Sample{Time: now, Value: v})
		var why string
		st, why = s.Evaluate(st, autoscale.Input{Now: now, Metrics: autoscale.Metrics{"CPUUtilization": cpu}})
		fmt.Println(st.Capacity, why)
	}
	// Output:
	// 11 policy out: CPUUtilization 60 in step 60..70 -> PercentChangeInCapacity +10: 10 -> 11
	// 14 policy out: CPUUtilization 70 in step 70..+inf -> PercentChangeInCapacity +30: 11 -> 14
	// 13 policy in: CPUUtilization 40 in step 30..40 -> PercentChangeInCapacity -10: 14 -> 13
	// 10 policy in: CPUUtilization 30 in step -inf..30 -> PercentChangeInCapacity -30: 13 -> 10
}

func ExampleParseSchedule() {
	s, err := autoscale.ParseSchedule("cron(0 18 ? * MON-FRI *)", "America/New_York")
	if err != nil {
		fmt.Println(err)
		return
	}
	t := time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC) // a Friday before the DST change
	for range 2 {
		t, _ = s.Next(t, time.Time{})
		fmt.Println(t.UTC().Format(time.RFC3339))
	}
	_, err = autoscale.ParseSchedule("cron(0 18 * * MON-FRI *)", "")
	fmt.Println(err)
	// Output:
	// 2024-03-08T23:00:00Z
	// 2024-03-11T22:00:00Z
	// autoscale: Schedule: "cron(0 18 * * MON-FRI *)": expected '?' in exactly one of Day-of-month and Day-of-week, found "*" and "MON-FRI"
}

func ExampleCapacityProviderStrategy_Split() {
	s := autoscale.CapacityProviderStrategy{
		{CapacityProvider: "on-demand", Base: 2, Weight: 1},
		{CapacityProvider: "spot", Weight: 3},
	}
	fmt.Println(s.Validate(), s.Split(10))
	// Output: <nil> [4 6]
}

func ExampleAutoScalingGroupProvider_Scale() {
	p := autoscale.AutoScalingGroupProvider{
		Name:          "general",
		InstanceTypes: []autoscale.InstanceType{{Name: "m5.xlarge", CPU: 4096, MemoryMiB: 15360}},
	}
	d := p.Scale(autoscale.ProviderInput{
		Now:          time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC),
		Instances:    []autoscale.Instance{{ID: "i-1", NonDaemonTasks: 4}},
		Provisioning: make([]autoscale.TaskSize, 6), // six tasks waiting...
	})
	fmt.Println(d.Reason)
	d = p.Scale(autoscale.ProviderInput{
		Now:          time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC),
		Instances:    []autoscale.Instance{{ID: "i-1", NonDaemonTasks: 4}},
		Provisioning: []autoscale.TaskSize{{CPU: 1024, MemoryMiB: 2048}, {CPU: 1024, MemoryMiB: 2048}, {CPU: 1024, MemoryMiB: 2048}, {CPU: 1024, MemoryMiB: 2048}, {CPU: 1024, MemoryMiB: 2048}},
	})
	fmt.Println(d.Reason)
	// Output:
	// CapacityProviderReservation 200 above target 100 (M=2 N=1): launch 1
	// CapacityProviderReservation 300 above target 100 (M=3 N=1): launch 2
}

func ExampleHorizontalPodAutoscaler_Scale() {
	h := autoscale.HorizontalPodAutoscaler{MinReplicas: 1, MaxReplicas: 100}
	_, replicas, why := h.Scale(autoscale.HPAState{}, time.Time{}, 50, []autoscale.HPAMetric{{Current: 90, Target: 75}})
	fmt.Println(replicas, why)
	// Output: 60 hpa: recommendation 60, stabilized 60: 50 -> 60
}
