// Run: go run ./examples/autoscale
//
// Command autoscale replays an hour of CPU load through a target-tracking
// policy and a scheduled floor, using only the autoscale package's
// exported API, and prints each change of the service's desired count.
package main

import (
	"fmt"
	"log"
	"math"
	"time"

	"github.com/berthsched/berth/autoscale"
)

func main() {
	floor := 6
	s := autoscale.Scaler{
		Target: autoscale.ScalableTarget{
			ServiceNamespace:  autoscale.ServiceNamespaceECS,
			ResourceId:        "service/default/web",
			ScalableDimension: autoscale.ScalableDimensionDesiredCount,
			MinCapacity:       2,
			MaxCapacity:       40,
		},
		Policies: []autoscale.Policy{{
			PolicyName: "cpu50",
			TargetTracking: &autoscale.TargetTrackingPolicy{
				TargetValue: 50,
				PredefinedMetricSpecification: &autoscale.PredefinedMetricSpecification{
					PredefinedMetricType: autoscale.ECSServiceAverageCPUUtilization,
				},
			},
		}},
		ScheduledActions: []autoscale.ScheduledAction{{
			ScheduledActionName:  "morning-floor",
			Schedule:             autoscale.MustParseSchedule("cron(30 9 ? * MON-FRI *)", "Europe/Paris"),
			ScalableTargetAction: autoscale.ScalableTargetAction{MinCapacity: &floor},
		}},
	}
	if err := s.Validate(); err != nil {
		log.Fatal(err)
	}

	start := time.Date(2024, 6, 3, 7, 0, 0, 0, time.UTC) // 09:00 in Paris, a Monday
	st := s.Start(4)
	var cpu autoscale.Series
	for minute := 0; minute < 60; minute++ {
		now := start.Add(time.Duration(minute) * time.Minute)
		// Total load worth about 10 busy tasks, peaking at 20 mid-hour;
		// the per-task CPU falls as tasks are added.
		load := 10 + 10*math.Sin(math.Pi*float64(minute)/60)
		cpu = append(cpu, autoscale.Sample{Time: now, Value: 100 * load / float64(2*st.Capacity)})
		var why string
		st, why = s.Evaluate(st, autoscale.Input{
			Now:     now,
			Metrics: autoscale.Metrics{string(autoscale.ECSServiceAverageCPUUtilization): cpu},
		})
		if why != "" {
			fmt.Printf("%s  desired %2d  %s\n", now.Format("15:04"), st.Capacity, why)
		}
	}
}
