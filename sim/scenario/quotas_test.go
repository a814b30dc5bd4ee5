package scenario

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadScenarioQuotaErrors(t *testing.T) {
	valid := string(DefaultScenarioJSON())
	with := func(q string) string { return strings.Replace(valid, `{`, `{"quotas": {`+q+`},`, 1) }
	tests := []struct{ name, src, want string }{
		{"negative burst", with(`"runTaskBurst": -1`), `sim: s.json: quotas.runTaskBurst: -1, expected 0 (ECS's default) or 1..1000000`},
		{"burst too large", with(`"fargateSpotBurst": 2000000`), `quotas.fargateSpotBurst: 2000000, expected 0 (ECS's default) or 1..1000000`},
		{"negative rate", with(`"fargatePerSecond": -20`), `sim: s.json: quotas.fargatePerSecond: -20, expected 0 (ECS's default) or 0.001..1e+09`},
		{"per minute", with(`"serviceLaunchesPerMinute": -500`), `quotas.serviceLaunchesPerMinute: -500, expected 0 (ECS's default) or 0.06..6e+10`},
		{"too slow", with(`"runTaskPerSecond": 0.0001`), `quotas.runTaskPerSecond: 0.0001, expected 0 (ECS's default) or 0.001..1e+09`},
		{"negative service burst", with(`"serviceLaunchBurst": -5`), `quotas.serviceLaunchBurst: -5`},
		{"unknown quota", with(`"tasksPerSecond": 5`), `unknown field "tasksPerSecond"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadScenario(strings.NewReader(tt.src), "s.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadScenario error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestQuotaDefaults(t *testing.T) {
	type got struct{ Service, RunTask, Fargate, Spot Bucket }
	tests := []struct {
		name string
		q    *Quotas
		want got
	}{
		{"nil: ECS's defaults", nil, got{Bucket{500, 500.0 / 60}, Bucket{100, 40}, Bucket{100, 20}, Bucket{100, 20}}},
		{"zero fields: ECS's defaults", &Quotas{}, got{Bucket{500, 500.0 / 60}, Bucket{100, 40}, Bucket{100, 20}, Bucket{100, 20}}},
		{"a service rate sets its burst", &Quotas{ServiceLaunchesPerMinute: 60}, got{Bucket{60, 1}, Bucket{100, 40}, Bucket{100, 20}, Bucket{100, 20}}},
		{"each field its own", &Quotas{ServiceLaunchBurst: 7, RunTaskBurst: 5, RunTaskPerSecond: 2, FargateBurst: 3, FargatePerSecond: 4, FargateSpotBurst: 6, FargateSpotPerSecond: 8},
			got{Bucket{7, 500.0 / 60}, Bucket{5, 2}, Bucket{3, 4}, Bucket{6, 8}}},
	}
	for _, tt := range tests {
		g := got{tt.q.ServiceLaunches(), tt.q.RunTask(), tt.q.Fargate(false), tt.q.Fargate(true)}
		if diff := cmp.Diff(tt.want, g); diff != "" {
			t.Errorf("%s: buckets (-want +got):\n%s", tt.name, diff)
		}
	}
}
