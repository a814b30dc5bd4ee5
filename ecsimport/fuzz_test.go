package ecsimport_test

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/berthsched/berth/ecsimport"
)

// FuzzRead feeds one file and, beside it, a second one to the
// recogniser and reader: never a panic; an error is one line naming the
// package; a success is a scenario (Read checks it with package
// scenario).
func FuzzRead(f *testing.F) {
	seeds := []string{
		`{"containerInstances": [], "failures": []}`,
		`{"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:1:task/c/1", "group": "service:web", "lastStatus": "RUNNING"}]}`,
		`{"services": [{"serviceName": "web", "taskDefinition": "web:1", "desiredCount": 1}]}`,
		`{"taskDefinition": {"family": "web", "revision": 1, "containerDefinitions": [{"name": "a", "cpu": 256, "memory": 512}]}}`,
		`{"capacityProviders": [{"name": "cp", "autoScalingGroupProvider": {"autoScalingGroupArn": "x"}}]}`,
		`{"AutoScalingGroups": [{"AutoScalingGroupName": "g", "MinSize": 0, "MaxSize": 3}]}`,
		`{"ScalableTargets": [{"ResourceId": "service/c/web", "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 3}]}`,
		`{"ScalingPolicies": [{"PolicyName": "p", "PolicyType": "StepScaling", "Alarms": [{"AlarmName": "a"}]}]}`,
		`{"ScheduledActions": [{"ScheduledActionName": "s", "Schedule": "cron(0 8 * * ? *)"}]}`,
		`{"MetricAlarms": [{"AlarmName": "a", "Namespace": "AWS/ECS", "MetricName": "CPUUtilization"}]}`,
		`{"MetricDataResults": [{"Id": "m1", "Timestamps": ["2025-03-10T00:00:00+00:00"], "Values": [1]}]}`,
		`{"MetricDataQueries": [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Dimensions": [{"Name": "ServiceName", "Value": "web"}]}, "Period": 60, "Stat": "Average"}}], "StartTime": "2025-03-10T00:00:00Z", "EndTime": "2025-03-10T01:00:00Z"}`,
		`[]`, `{`, ``, `{"tasks": [}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), []byte(seeds[(i+3)%len(seeds)]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fsys := fstest.MapFS{"a.json": {Data: a}, "b.json": {Data: b}}
		res, err := ecsimport.Read(fsys, ecsimport.Options{Dir: "dump"})
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "ecsimport: ") {
				t.Fatalf("error %q: want one line starting ecsimport:", msg)
			}
			return
		}
		if len(res.Scenario) == 0 || !bytes.HasSuffix(res.Scenario, []byte("\n")) {
			t.Fatalf("Read succeeded with a scenario of %d bytes", len(res.Scenario))
		}
	})
}

// FuzzReadPrices: a prices file never panics; its errors are one line.
func FuzzReadPrices(f *testing.F) {
	f.Add([]byte(ecsimport.PricesHeader + "\nm5.large,0.096,0.0368\nc5.large,0.085,\n"))
	f.Add([]byte("instanceType,pricePerHour\nm5.large,NaN\n"))
	f.Add([]byte("instanceType,pricePerHour,spotPricePerHour\n\"m5\nlarge\",1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ecsimport.ReadPrices(bytes.NewReader(data), "prices.csv")
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %q: want one line", err)
		}
	})
}
