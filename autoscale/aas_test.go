package autoscale

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCase63RegisterClampsCapacity(t *testing.T) {
	tg := ScalableTarget{MinCapacity: 3, MaxCapacity: 10}
	if got := tg.Clamp(1); got != 3 {
		t.Errorf("Clamp(1) with [3, 10] = %d, want 3", got)
	}
	s := Scaler{Target: tg}
	if got := s.Start(1).Capacity; got != 3 {
		t.Errorf("Start(1).Capacity = %d, want 3", got)
	}
	u, c, err := tg.Apply(ScalableTargetAction{MinCapacity: i(1), MaxCapacity: i(2)}, 3)
	if err != nil || c != 2 || u.MinCapacity != 1 || u.MaxCapacity != 2 {
		t.Errorf("Apply(min 1 max 2, 3) = %+v, %d, %v; want [1, 2], 2, nil", u, c, err)
	}
	if _, _, err := tg.Apply(ScalableTargetAction{MinCapacity: i(20)}, 3); err == nil {
		t.Errorf("Apply(min 20) on max 10: no error, want MaxCapacity below MinCapacity")
	}
}

func TestCase64OutsideBounds(t *testing.T) {
	tests := []struct {
		name     string
		policy   Policy
		capacity int
		metric   float64
		want     int
	}{
		{"case 64: below min, scale-out raises to min then +1", changePolicy("out", 50, 1, -1), 1, 60, 3},
		{"case 64: below min, scale-in does nothing", changePolicy("in", 50, -1, -1), 1, 40, 1},
		{"above max, scale-in lowers to max then -1", changePolicy("in", 50, -1, -1), 12, 40, 9},
		{"above max, scale-out does nothing", changePolicy("out", 50, 1, -1), 12, 60, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scaler{Target: ScalableTarget{MinCapacity: 2, MaxCapacity: 10}, Policies: []Policy{tt.policy}}
			st := s.Start(5)
			st.Capacity = tt.capacity // set by UpdateService after registration
			caps, _ := run(&s, st, map[string][]float64{"M": {tt.metric}}, false)
			if caps[0] != tt.want {
				t.Errorf("capacity = %d, want %d", caps[0], tt.want)
			}
		})
	}
}

func TestCase65WorkedStepExample(t *testing.T) {
	// AWS's worked example: 10 -> 11 -> 14 -> 13 -> 10 (docs/ecs-behaviour.md 4.3).
	s := Scaler{Target: ScalableTarget{MinCapacity: 0, MaxCapacity: 100},
		Policies: []Policy{workedOut(-1), workedIn(-1)}}
	caps, _ := run(&s, s.Start(10), map[string][]float64{"CPU": {55, 60, 70, 45, 40, 30}}, false)
	if diff := cmp.Diff([]int{10, 11, 14, 14, 13, 10}, caps); diff != "" {
		t.Errorf("capacities (-want +got):\n%s", diff)
	}
}

func TestCase66StepBoundaries(t *testing.T) {
	out, in := workedOut(0).StepScaling, workedIn(0).StepScaling
	tests := []struct {
		name   string
		p      *StepScalingPolicy
		metric float64
		want   int // the selected step's adjustment
	}{
		{"metric 60 selects [10,20)", out, 60, 10},
		{"metric 59.9 selects [0,10)", out, 59.9, 0},
		{"metric 70 selects [20,inf)", out, 70, 30},
		{"metric 50 selects [0,10) on the scale-out policy", out, 50, 0},
		{"metric 40 selects (-20,-10]", in, 40, -10},
		{"metric 45 selects (-10,0]", in, 45, 0},
		{"metric 30 selects (-inf,-20]", in, 30, -30},
		{"metric 30.1 selects (-20,-10]", in, 30.1, -10},
	}
	for _, tt := range tests {
		step, ok := tt.p.Step(tt.metric)
		if !ok || step.ScalingAdjustment != tt.want {
			t.Errorf("%s: Step(%v) = %+v, %v; want adjustment %d", tt.name, tt.metric, step, ok, tt.want)
		}
	}
	if _, ok := out.Step(45); ok {
		t.Errorf("scale-out Step(45) matched a step, want none (below every bound)")
	}
}

func TestCase67PercentRounding(t *testing.T) {
	for _, tt := range []struct {
		change float64
		want   int
	}{{0.67, 1}, {12.7, 12}, {-0.58, -1}, {-6.67, -6}, {3.3, 3}, {-1.4, -1}, {-3.9, -3}, {1, 1}, {0, 0}} {
		if got := roundChange(tt.change); got != tt.want {
			t.Errorf("roundChange(%v) = %d, want %d", tt.change, got, tt.want)
		}
	}
	for _, tt := range []struct{ capacity, percent, want int }{
		{10, 127, 12}, {1, 67, 1}, {1, -58, -1}, {10, -67, -6}, {10, 10, 1}, {11, 30, 3}, {0, 50, 0},
	} {
		if got := PercentChange(tt.capacity, tt.percent, 0); got != tt.want {
			t.Errorf("PercentChange(%d, %d%%) = %d, want %d", tt.capacity, tt.percent, got, tt.want)
		}
	}
}

func TestCase68MinAdjustmentMagnitude(t *testing.T) {
	for _, tt := range []struct {
		name                      string
		capacity, percent, minMag int
		want                      int
	}{
		{"case 68: +25% of 4 with magnitude 2", 4, 25, 2, 2},
		{"magnitude floors a scale-in too: -25% of 4 with magnitude 2", 4, -25, 2, -2},
		{"a larger change is kept", 20, 50, 2, 10},
		{"no change stays no change", 0, 50, 2, 0},
	} {
		if got := PercentChange(tt.capacity, tt.percent, tt.minMag); got != tt.want {
			t.Errorf("%s: PercentChange(%d, %d, %d) = %d, want %d", tt.name, tt.capacity, tt.percent, tt.minMag, got, tt.want)
		}
	}
}

func TestCase69And70StepValidation(t *testing.T) {
	alarm := Alarm{MetricName: "M", Threshold: 50, ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 1}
	tests := []struct {
		name  string
		kind  AdjustmentType
		steps []StepAdjustment
		want  string // "" for valid
	}{
		{"worked example is valid", PercentChangeInCapacity, workedOut(0).StepScaling.StepAdjustments, ""},
		{"case 69: overlap", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalLowerBound: f(0), MetricIntervalUpperBound: f(10), ScalingAdjustment: 1},
			{MetricIntervalLowerBound: f(5), MetricIntervalUpperBound: f(20), ScalingAdjustment: 2},
			{MetricIntervalLowerBound: f(20), ScalingAdjustment: 3},
		}, "StepAdjustments[1].MetricIntervalLowerBound: 5 overlaps step 0 [0, 10)"},
		{"case 69: gap", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalLowerBound: f(0), MetricIntervalUpperBound: f(10), ScalingAdjustment: 1},
			{MetricIntervalLowerBound: f(20), ScalingAdjustment: 2},
		}, "StepAdjustments[1].MetricIntervalLowerBound: 20 leaves a gap after step 0 [0, 10)"},
		{"case 69: two null lower bounds", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalUpperBound: f(-10), ScalingAdjustment: -2},
			{MetricIntervalUpperBound: f(0), ScalingAdjustment: -1},
		}, "StepAdjustments[1].MetricIntervalLowerBound: null, but step 0 already has a null lower bound"},
		{"case 69: both bounds null", ChangeInCapacity, []StepAdjustment{{ScalingAdjustment: 1}},
			"StepAdjustments[0]: both bounds are null"},
		{"case 69: upper equal to lower", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalLowerBound: f(10), MetricIntervalUpperBound: f(10), ScalingAdjustment: 1},
		}, "StepAdjustments[0].MetricIntervalUpperBound: 10 is not above the lower bound 10"},
		{"case 69: upper below lower", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalLowerBound: f(10), MetricIntervalUpperBound: f(5), ScalingAdjustment: 1},
		}, "StepAdjustments[0].MetricIntervalUpperBound: 5 is not above the lower bound 10"},
		{"positive upper bound needs a null upper bound", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalLowerBound: f(0), MetricIntervalUpperBound: f(10), ScalingAdjustment: 1},
		}, "StepAdjustments[0].MetricIntervalUpperBound: 10 is positive, so one step must have a null upper bound"},
		{"negative lower bound needs a null lower bound", ChangeInCapacity, []StepAdjustment{
			{MetricIntervalLowerBound: f(-10), MetricIntervalUpperBound: f(0), ScalingAdjustment: 1},
		}, "StepAdjustments[0].MetricIntervalLowerBound: -10 is negative, so one step must have a null lower bound"},
		{"case 70: ExactCapacity -1", ExactCapacity, []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: -1}},
			"StepAdjustments[0].ScalingAdjustment: -1 is negative"},
		{"case 81: 21 adjustments", ChangeInCapacity, make([]StepAdjustment, 21), "StepAdjustments: 21 steps, expected at most 20"},
		{"no steps", ChangeInCapacity, nil, "StepAdjustments: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := StepScalingPolicy{AdjustmentType: tt.kind, StepAdjustments: tt.steps, Alarm: alarm}
			err := p.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			case err != nil && (!strings.HasPrefix(err.Error(), "autoscale: ") || strings.Contains(err.Error(), "\n")):
				t.Errorf("Validate() = %q, want one line starting with \"autoscale: \"", err)
			}
		})
	}
}

func TestPolicyValidation(t *testing.T) {
	good := Alarm{MetricName: "M", Threshold: 1, ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 2}
	tests := []struct {
		name string
		p    Policy
		want string
	}{
		{"MinAdjustmentMagnitude needs percent", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, MinAdjustmentMagnitude: 2, Alarm: good,
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}},
			`policy "p": MinAdjustmentMagnitude: only allowed with PercentChangeInCapacity`},
		{"bad operator", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, Alarm: Alarm{MetricName: "M", ComparisonOperator: "Above", EvaluationPeriods: 1},
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}},
			`Alarm.ComparisonOperator: "Above" is not one of`},
		{"DatapointsToAlarm above EvaluationPeriods", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, Alarm: Alarm{MetricName: "M", ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 1, DatapointsToAlarm: 2},
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}},
			`Alarm.DatapointsToAlarm: 2, expected 1 to EvaluationPeriods (1)`},
		{"EvaluationPeriods beyond a day of minutes", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, Alarm: Alarm{MetricName: "M", ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 1e9},
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}},
			`Alarm.EvaluationPeriods: 1000000000 periods of 1m0s, expected at most 1440 (EvaluationPeriods x Period at most 24h0m0s)`},
		{"EvaluationPeriods of a day of minutes is valid", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, Alarm: Alarm{MetricName: "M", ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 1440},
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}}, ""},
		{"EvaluationPeriods beyond seven days of hours", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, Alarm: Alarm{MetricName: "M", ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 169, Period: time.Hour},
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}},
			`Alarm.EvaluationPeriods: 169 periods of 1h0m0s, expected at most 168`},
		{"Period beyond seven days", Policy{PolicyName: "p", StepScaling: &StepScalingPolicy{
			AdjustmentType: ChangeInCapacity, Alarm: Alarm{MetricName: "M", ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 1, Period: 8 * 24 * time.Hour},
			StepAdjustments: []StepAdjustment{{MetricIntervalLowerBound: f(0), ScalingAdjustment: 1}}}},
			`Alarm.Period: 192h0m0s, expected at most 168h0m0s`},
		{"no configuration", Policy{PolicyName: "p"}, "no StepScaling or TargetTracking"},
		{"TargetValue 0", Policy{PolicyName: "p", TargetTracking: &TargetTrackingPolicy{
			CustomizedMetricSpecification: &CustomizedMetricSpecification{MetricName: "M"}}}, "TargetValue: 0, expected a positive"},
		{"case 76: ALB without ResourceLabel", Policy{PolicyName: "p", TargetTracking: &TargetTrackingPolicy{TargetValue: 100,
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: ALBRequestCountPerTarget}}},
			"ResourceLabel: missing, required with ALBRequestCountPerTarget"},
		{"case 76: ResourceLabel with CPU", Policy{PolicyName: "p", TargetTracking: &TargetTrackingPolicy{TargetValue: 50,
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: ECSServiceAverageCPUUtilization, ResourceLabel: "app/x/1/targetgroup/y/2"}}},
			"ResourceLabel: \"app/x/1/targetgroup/y/2\" is only allowed with ALBRequestCountPerTarget"},
		{"unknown predefined metric", Policy{PolicyName: "p", TargetTracking: &TargetTrackingPolicy{TargetValue: 50,
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: "DynamoDBReadCapacityUtilization"}}},
			"PredefinedMetricType: \"DynamoDBReadCapacityUtilization\" is not one of"},
		{"ALB with label is valid", Policy{PolicyName: "p", TargetTracking: &TargetTrackingPolicy{TargetValue: 1000,
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: ALBRequestCountPerTarget, ResourceLabel: "app/x/1/targetgroup/y/2"}}}, ""},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestCase71Cooldowns(t *testing.T) {
	two := Policy{PolicyName: "out", StepScaling: &StepScalingPolicy{
		AdjustmentType: ChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{MetricIntervalLowerBound: f(0), MetricIntervalUpperBound: f(10), ScalingAdjustment: 2},
			{MetricIntervalLowerBound: f(10), ScalingAdjustment: 3},
		},
		Alarm: Alarm{MetricName: "M", Threshold: 50, ComparisonOperator: GreaterThanOrEqualToThreshold, EvaluationPeriods: 1},
	}}
	t.Run("a larger scale-out in the cooldown adds the difference", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100}, Policies: []Policy{two}}
		caps, _ := run(&s, s.Start(10), map[string][]float64{"M": {55, 55, 65, 65, 65, 65}}, false)
		// t=0 +2; t=60 +2 again is not larger; t=120 +3 from 10 adds 1;
		// the cooldown started at t=0 ends at t=300: then +3 from 13.
		if diff := cmp.Diff([]int{12, 12, 13, 13, 13, 16}, caps); diff != "" {
			t.Errorf("capacities (-want +got):\n%s", diff)
		}
	})
	t.Run("scale-in is blocked until the cooldown ends", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100}, Policies: []Policy{changePolicy("in", 50, -1, 0)}}
		caps, _ := run(&s, s.Start(10), map[string][]float64{"M": repeat(40, 7)}, false)
		if diff := cmp.Diff([]int{9, 9, 9, 9, 9, 8, 8}, caps); diff != "" {
			t.Errorf("capacities (-want +got):\n%s", diff)
		}
	})
	t.Run("a scale-out in a scale-in cooldown acts at once and ends it", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100},
			Policies: []Policy{changePolicy("in", 50, -1, 0), changePolicy("out", 80, 1, 0)}}
		caps, st := run(&s, s.Start(10), map[string][]float64{"M": {40, 40, 90, 40}}, false)
		if diff := cmp.Diff([]int{9, 9, 10, 9}, caps); diff != "" {
			t.Errorf("capacities (-want +got):\n%s", diff)
		}
		if !st.ScaleOutCooldownEnd.Equal(minute(2).Add(DefaultCooldown)) {
			t.Errorf("ScaleOutCooldownEnd = %v, want %v", st.ScaleOutCooldownEnd, minute(2).Add(DefaultCooldown))
		}
	})
	t.Run("scheduled actions ignore cooldowns", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100}, Policies: []Policy{changePolicy("in", 50, -1, 0)},
			ScheduledActions: []ScheduledAction{{ScheduledActionName: "floor", Schedule: MustParseSchedule("at(2024-01-01T00:01:00)", ""),
				ScalableTargetAction: ScalableTargetAction{MinCapacity: i(15)}}}}
		caps, _ := run(&s, s.Start(10), map[string][]float64{"M": {40, 40}}, false)
		if diff := cmp.Diff([]int{9, 15}, caps); diff != "" {
			t.Errorf("capacities (-want +got):\n%s", diff)
		}
	})
}

func TestCase72TargetTrackingDefaults(t *testing.T) {
	p := TargetTrackingPolicy{TargetValue: 50, PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: ECSServiceAverageCPUUtilization}}
	high, low := p.Alarms()
	got := []any{cooldownOrDefault(p.ScaleOutCooldown), cooldownOrDefault(p.ScaleInCooldown), p.DisableScaleIn,
		high.EvaluationPeriods, low.EvaluationPeriods, high.period(), high.MetricName}
	want := []any{300 * time.Second, 300 * time.Second, false, 3, 15, time.Minute, "ECSServiceAverageCPUUtilization"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestCase73SeveralTargetTrackingPolicies(t *testing.T) {
	tests := []struct {
		name       string
		memDisable bool
		cpu, mem   float64
		want       int // after the 3rd datapoint for scale-out, the 15th for scale-in
	}{
		{"CPU above, memory below: scale out", false, 90, 20, 18},
		{"both below: scale in, largest capacity wins", false, 20, 30, 6},
		{"CPU below, memory at target: no scale-in", false, 20, 50, 10},
		{"memory has DisableScaleIn: CPU alone decides", true, 20, 50, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100},
				Policies: []Policy{tracking("cpu", "CPU", 50, false), tracking("mem", "Mem", 50, tt.memDisable)}}
			caps, _ := run(&s, s.Start(10), map[string][]float64{"CPU": repeat(tt.cpu, 15), "Mem": repeat(tt.mem, 15)}, false)
			got := caps[len(caps)-1]
			if tt.want > 10 {
				got = caps[2]
			}
			if got != tt.want {
				t.Errorf("capacity = %d, want %d (%v)", got, tt.want, caps)
			}
		})
	}
}

func TestCase74NoData(t *testing.T) {
	s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100},
		Policies: []Policy{tracking("cpu", "CPU", 50, false), changePolicy("in", 50, -1, 0), changePolicy("out", 60, 1, 0)}}
	caps, _ := run(&s, s.Start(10), map[string][]float64{"CPU": repeat(math.NaN(), 30), "M": repeat(math.NaN(), 30)}, false)
	for k, c := range caps {
		if c != 10 {
			t.Fatalf("capacity at minute %d = %d with no data, want 10", k, c)
		}
	}
	high := Alarm{MetricName: "CPU", Threshold: 50, ComparisonOperator: LessThanThreshold, EvaluationPeriods: 3}
	if got := high.State(nil, t0); got != StateInsufficientData {
		t.Errorf("State(no samples) = %s, want INSUFFICIENT_DATA", got)
	}
}

func TestCase75Deployment(t *testing.T) {
	s := Scaler{Target: ScalableTarget{MaxCapacity: 100}, Policies: []Policy{changePolicy("in", 50, -1, 0)}}
	caps, _ := run(&s, s.Start(10), map[string][]float64{"M": {40}}, true)
	if caps[0] != 10 {
		t.Errorf("scale-in during a deployment: capacity %d, want 10", caps[0])
	}
	s.Policies[0] = changePolicy("out", 50, 1, 0)
	caps, _ = run(&s, s.Start(10), map[string][]float64{"M": {60}}, true)
	if caps[0] != 11 {
		t.Errorf("scale-out during a deployment: capacity %d, want 11", caps[0])
	}
}

func TestCase77Suspension(t *testing.T) {
	t.Run("scale-in suspended, then resumed while the alarm is still in ALARM", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100, SuspendedState: SuspendedState{DynamicScalingInSuspended: true}},
			Policies: []Policy{changePolicy("in", 50, -1, 0)}}
		st := s.Start(10)
		m := Metrics{"M": series(40, 40)}
		st, _ = s.Evaluate(st, Input{Now: minute(0), Metrics: m})
		if st.Capacity != 10 {
			t.Fatalf("suspended: capacity %d, want 10", st.Capacity)
		}
		s.Target.SuspendedState.DynamicScalingInSuspended = false
		st, _ = s.Evaluate(st, Input{Now: minute(1), Metrics: m})
		if st.Capacity != 9 {
			t.Errorf("resumed: capacity %d, want 9", st.Capacity)
		}
	})
	t.Run("scale-out suspended", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100, SuspendedState: SuspendedState{DynamicScalingOutSuspended: true}},
			Policies: []Policy{changePolicy("out", 50, 1, 0)}}
		caps, _ := run(&s, s.Start(10), map[string][]float64{"M": {60, 60}}, false)
		if diff := cmp.Diff([]int{10, 10}, caps); diff != "" {
			t.Errorf("capacities (-want +got):\n%s", diff)
		}
	})
	t.Run("a scheduled action missed while suspended never runs", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MaxCapacity: 100, SuspendedState: SuspendedState{ScheduledScalingSuspended: true}},
			ScheduledActions: []ScheduledAction{{ScheduledActionName: "up", Schedule: MustParseSchedule("at(2024-01-01T00:01:00)", ""),
				ScalableTargetAction: ScalableTargetAction{MinCapacity: i(20)}}}}
		st := s.Start(10)
		st, _ = s.Evaluate(st, Input{Now: minute(0)})
		st, _ = s.Evaluate(st, Input{Now: minute(1)})
		s.Target.SuspendedState.ScheduledScalingSuspended = false
		for k := 2; k < 5; k++ {
			st, _ = s.Evaluate(st, Input{Now: minute(k)})
		}
		if st.Capacity != 10 || st.MinCapacity != 0 {
			t.Errorf("after resuming: capacity %d min %d, want 10 and 0", st.Capacity, st.MinCapacity)
		}
	})
}

func TestCase78CronAcrossDST(t *testing.T) {
	ny := MustParseSchedule("cron(0 18 ? * MON-FRI *)", "America/New_York")
	utc := MustParseSchedule("cron(0 18 ? * MON-FRI *)", "")
	// US daylight saving starts on Sunday 2024-03-10.
	after := time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC)
	var gotNY, gotUTC []string
	a, b := after, after
	for range 4 {
		a, _ = ny.Next(a, time.Time{})
		b, _ = utc.Next(b, time.Time{})
		gotNY = append(gotNY, a.UTC().Format(time.RFC3339))
		gotUTC = append(gotUTC, b.UTC().Format(time.RFC3339))
	}
	wantNY := []string{"2024-03-07T23:00:00Z", "2024-03-08T23:00:00Z", "2024-03-11T22:00:00Z", "2024-03-12T22:00:00Z"}
	wantUTC := []string{"2024-03-07T18:00:00Z", "2024-03-08T18:00:00Z", "2024-03-11T18:00:00Z", "2024-03-12T18:00:00Z"}
	if diff := cmp.Diff(wantNY, gotNY); diff != "" {
		t.Errorf("America/New_York occurrences (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantUTC, gotUTC); diff != "" {
		t.Errorf("UTC occurrences (-want +got):\n%s", diff)
	}
}

func TestCase79ScheduledBounds(t *testing.T) {
	at := func(name, when string, a ScalableTargetAction) ScheduledAction {
		return ScheduledAction{ScheduledActionName: name, Schedule: MustParseSchedule("at("+when+")", ""), ScalableTargetAction: a}
	}
	t.Run("Min 5 with current 2", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10},
			ScheduledActions: []ScheduledAction{at("min5", "2024-01-01T00:01:00", ScalableTargetAction{MinCapacity: i(5)})}}
		caps, st := run(&s, s.Start(2), map[string][]float64{"M": {0, 0}}, false)
		if diff := cmp.Diff([]int{2, 5}, caps); diff != "" || st.MinCapacity != 5 {
			t.Errorf("capacities (-want +got):\n%s; MinCapacity %d, want 5", diff, st.MinCapacity)
		}
	})
	t.Run("Max 6 with current 8", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10},
			ScheduledActions: []ScheduledAction{at("max6", "2024-01-01T00:00:00", ScalableTargetAction{MaxCapacity: i(6)})}}
		caps, _ := run(&s, s.Start(8), map[string][]float64{"M": {0}}, false)
		if caps[0] != 6 {
			t.Errorf("capacity = %d, want 6", caps[0])
		}
	})
	t.Run("nothing happens at EndTime", func(t *testing.T) {
		s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10},
			ScheduledActions: []ScheduledAction{{ScheduledActionName: "every2", Schedule: MustParseSchedule("rate(2 minutes)", ""),
				StartTime: minute(1), EndTime: minute(3), ScalableTargetAction: ScalableTargetAction{MinCapacity: i(4)}}}}
		st := s.Start(2)
		var caps []int
		for k := 0; k < 6; k++ {
			st, _ = s.Evaluate(st, Input{Now: minute(k)})
			caps = append(caps, st.Capacity)
			if k == 2 {
				st.Capacity = 9 // UpdateService; nothing reverts or re-applies at EndTime
			}
		}
		if diff := cmp.Diff([]int{2, 4, 4, 9, 9, 9}, caps); diff != "" {
			t.Errorf("capacities (-want +got):\n%s", diff)
		}
	})
}

func TestCase80Rate(t *testing.T) {
	for _, tt := range []struct {
		expr string
		ok   bool
	}{
		{"rate(1 minute)", true}, {"rate(5 minutes)", true}, {"rate(2 hours)", true}, {"rate(1 day)", true},
		{"rate(0 minutes)", false}, {"rate(30 seconds)", false}, {"rate(-1 minutes)", false}, {"rate(05 minutes)", false},
		{"rate(5  minutes)", false}, {"rate(5)", false}, {"rate(99999999 days)", false},
	} {
		_, err := ParseSchedule(tt.expr, "")
		if (err == nil) != tt.ok {
			t.Errorf("ParseSchedule(%q) error = %v, want ok %v", tt.expr, err, tt.ok)
		}
	}
}

func TestCase81Quotas(t *testing.T) {
	s := Scaler{Target: ScalableTarget{MaxCapacity: 10}}
	for k := 0; k < 51; k++ {
		s.Policies = append(s.Policies, tracking("p"+strings.Repeat("x", k), "M", 50, false))
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "51 policies on one target, expected at most 50") {
		t.Errorf("51 policies: Validate() = %v", err)
	}
	s.Policies = s.Policies[:50]
	if err := s.Validate(); err != nil {
		t.Errorf("50 policies: Validate() = %v, want nil", err)
	}
	for k := 0; k < 201; k++ {
		s.ScheduledActions = append(s.ScheduledActions, ScheduledAction{ScheduledActionName: "a" + strings.Repeat("x", k),
			Schedule: MustParseSchedule("rate(1 hour)", ""), ScalableTargetAction: ScalableTargetAction{MinCapacity: i(1)}})
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "201 actions on one target, expected at most 200") {
		t.Errorf("201 scheduled actions: Validate() = %v", err)
	}
}

func TestCase82TargetTrackingTiming(t *testing.T) {
	tests := []struct {
		name    string
		metrics []float64
		want    []int
	}{
		{"3 high datapoints scale out", []float64{80, 80, 80}, []int{10, 10, 16}},
		{"2 high datapoints do not", []float64{80, 80, 40}, []int{10, 10, 10}},
		{"a gap breaks the run", []float64{80, math.NaN(), 80, 80}, []int{10, 10, 10, 10}},
		{"15 low datapoints scale in", repeat(20, 15), append(repeat10(14), 4)},
		{"14 low then 1 high: no scale-in", append(repeat(20, 14), 60), repeat10(15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{tracking("tt", "CPU", 50, false)}}
			caps, _ := run(&s, s.Start(10), map[string][]float64{"CPU": tt.metrics}, false)
			if diff := cmp.Diff(tt.want, caps); diff != "" {
				t.Errorf("capacities (-want +got):\n%s", diff)
			}
		})
	}
}

func repeat10(n int) []int {
	out := make([]int, n)
	for k := range out {
		out[k] = 10
	}
	return out
}

func TestTargetTrackingConservativeScaleIn(t *testing.T) {
	// The highest of the 15 low datapoints sets how far in it goes.
	s := Scaler{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{tracking("tt", "CPU", 50, false)}}
	m := append(repeat(20, 14), 40)
	caps, _ := run(&s, s.Start(10), map[string][]float64{"CPU": m}, false)
	if got := caps[14]; got != 8 {
		t.Errorf("capacity = %d, want ceil(10 x 40 / 50) = 8", got)
	}
}

func TestAlarmStatistics(t *testing.T) {
	s := Series{{t0, 10}, {t0.Add(20 * time.Second), 30}, {t0.Add(40 * time.Second), 50}}
	now := t0.Add(59 * time.Second)
	for _, tt := range []struct {
		stat Statistic
		want float64
	}{{StatisticAverage, 30}, {"", 30}, {StatisticSum, 90}, {StatisticMinimum, 10}, {StatisticMaximum, 50}, {StatisticSampleCount, 3}} {
		a := Alarm{MetricName: "M", EvaluationPeriods: 1, Statistic: tt.stat}
		var got float64
		a.Datapoints(s, now, func(v float64, ok bool) { got = v })
		if got != tt.want {
			t.Errorf("Statistic %q = %v, want %v", tt.stat, got, tt.want)
		}
	}
	a := Alarm{MetricName: "M", Threshold: 40, ComparisonOperator: GreaterThanThreshold, EvaluationPeriods: 3, DatapointsToAlarm: 2}
	two := series(50, 10, 50)
	if got := a.State(two, minute(2)); got != StateAlarm {
		t.Errorf("2 of 3 breaching: %s, want ALARM", got)
	}
	if got := a.State(series(50, 10, 10), minute(2)); got != StateOK {
		t.Errorf("1 of 3 breaching: %s, want OK", got)
	}
	if got := a.State(series(50, math.NaN(), math.NaN()), minute(2)); got != StateInsufficientData {
		t.Errorf("1 present: %s, want INSUFFICIENT_DATA", got)
	}
}
