package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"
)

// highQuotas lifts every launch quota far above what the tests launch.
const highQuotas = `"quotas": {"serviceLaunchesPerMinute": 6e10, "serviceLaunchBurst": 1000000,
    "runTaskBurst": 1000000, "runTaskPerSecond": 1e9,
    "fargateBurst": 1000000, "fargatePerSecond": 1e9, "fargateSpotBurst": 1000000, "fargateSpotPerSecond": 1e9},`

// lastStart returns when the service's tasks started: the count started
// and the time of the last "has started" event.
func lastStart(t *testing.T, r *Result, service string) (int, time.Duration) {
	t.Helper()
	n, last := 0, time.Duration(-1)
	for _, e := range r.ServiceEvents {
		if e.Service != service {
			continue
		}
		_, rest, ok := strings.Cut(e.Message, " has started ")
		if !ok {
			continue
		}
		k, err := strconv.Atoi(strings.Fields(rest)[0])
		if err != nil {
			t.Fatalf("event %q: %v", e.Message, err)
		}
		n += k
		last = e.Time
	}
	return n, last
}

// TestServiceLaunchRate: a service scaled from 0 to 2,000 tasks at 1m on
// ten instances that hold them all. The service scheduler launches 500
// tasks a minute per service (ECS's quota); berth's bucket holds one
// minute's worth, 500, and refills one token every 60 s / 500 = 120 ms.
// So the k-th task starts at 1m + max(0, k-500) x 120 ms: the first 500
// at 60 s, the 2,000th at 60 s + 1,500 x 0.12 s = 240 s. With the quota
// raised far above 2,000 all of them start at 60 s.
func TestServiceLaunchRate(t *testing.T) {
	tests := []struct {
		name, quotas string
		want         time.Duration
	}{
		{"ECS's default", "", 240 * time.Second},
		{"quotas raised", highQuotas, 60 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := runPlanner(t, `{"name": "scale-out", "seed": 1, "duration": "10m", `+tt.quotas+`
  "fleet": {"instanceTypes": [{"name": "big", "cpu": 98304, "memory": 393216}],
    "pools": [{"type": "big", "zones": {"a": 10}}]},
  "services": [{"name": "web", "desiredCount": 0, "taskDefinition": {"family": "web", "cpu": 128, "memory": 128}}],
  "serviceEvents": [{"at": "1m", "service": "web", "desiredCount": 2000}]}`)
			n, last := lastStart(t, r, "web")
			if n != 2000 || last != tt.want {
				t.Errorf("started %d tasks, the last at %v; want 2000, the last at %v", n, last, tt.want)
			}
		})
	}
}

// TestFargateLaunchRate: a FARGATE service of 2,000 tasks from the start,
// its own launch rate lifted so that only Fargate's account-wide bucket
// holds it back: 100 at once, then 20 a second. The k-th task's capacity
// is provisioned at max(0, k-100) / 20 s and registers 30 s later
// (provisionDelay), when the task starts: the 2,000th at 1,900 / 20 s +
// 30 s = 125 s. With Fargate's quota raised too, all start at 30 s.
//
// With every default the service's 500 a minute binds instead. Its bucket
// is full (500) until the first capacity registers at 30 s, so the refill
// of those 30 s is lost; from then on capacity registers at 20 a second,
// faster than the service allows (500 + (t - 30 s) / 120 ms), which binds once
// 100 + 20 (t - 30) exceeds it (about 64 s). The 2,000th task then starts
// at 30 s + (2,000 - 500) x 120 ms = 210 s.
func TestFargateLaunchRate(t *testing.T) {
	tests := []struct {
		name, quotas string
		want         time.Duration
	}{
		{"every default", "", 210 * time.Second},
		{"Fargate's default", `"quotas": {"serviceLaunchesPerMinute": 6e10, "serviceLaunchBurst": 1000000},`, 125 * time.Second},
		{"quotas raised", highQuotas, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := runPlanner(t, `{"name": "fargate-scale-out", "seed": 1, "duration": "10m", `+tt.quotas+`
  "fargate": {"provisionDelay": "30s"},
  "services": [{"name": "api", "desiredCount": 2000,
    "taskDefinition": {"family": "api", "cpu": 256, "memory": 512},
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}]}`)
			n, last := lastStart(t, r, "api")
			if n != 2000 || last != tt.want {
				t.Errorf("started %d tasks, the last at %v; want 2000, the last at %v", n, last, tt.want)
			}
		})
	}
}

// TestRunTaskRate: 2,000 standalone tasks of one family submitted at 1m
// on ample capacity. They go as RunTask calls of 10 tasks, 200 calls;
// RunTask's bucket holds 100 requests and refills 40 a second, so call c
// goes at 1m + max(0, c-100) / 40 s: the 200th, with the last 10 tasks,
// at 60 s + 100 / 40 s = 62.5 s. With the quota raised all are placed at
// 60 s. Each task's wait counts from its arrival.
func TestRunTaskRate(t *testing.T) {
	var trace strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&trace, `{"time": 60, "kind": "submit", "task": "t%d", "app": "batch", "cpu": 128, "memory": 128}`+"\n", i)
	}
	tests := []struct {
		name, quotas string
		want         time.Duration
	}{
		{"ECS's default", "", 62500 * time.Millisecond},
		{"quotas raised", highQuotas, 60 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := scenario.ReadScenario(strings.NewReader(`{"name": "burst", "seed": 1, "duration": "10m", `+tt.quotas+`
  "fleet": {"instanceTypes": [{"name": "big", "cpu": 98304, "memory": 393216}],
    "pools": [{"type": "big", "zones": {"a": 10}}]},
  "workload": {"trace": {"format": "native", "path": "burst.jsonl"}}}`), "burst.json")
			if err != nil {
				t.Fatal(err)
			}
			open := func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(trace.String())), nil }
			var log strings.Builder
			r, err := Simulate(sc, scenario.Variant{}, Options{Open: open, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			placed, last := 0, 0.0
			for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
				var e struct {
					Time float64 `json:"time"`
					Kind string  `json:"kind"`
				}
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatalf("event log line %q: %v", line, err)
				}
				if e.Kind == "place" {
					placed++
					last = e.Time
				}
			}
			if got := time.Duration(last * float64(time.Second)); placed != 2000 || got != tt.want {
				t.Errorf("placed %d tasks, the last at %v; want 2000, the last at %v", placed, got, tt.want)
			}
			if r.Summary.Placed != 2000 {
				t.Errorf("Summary.Placed = %d, want 2000", r.Summary.Placed)
			}
		})
	}
}
