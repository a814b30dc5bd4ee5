package gendump

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Realistic returns the committed test dump: cluster prod in three zones;
// capacity providers cp-general (an Auto Scaling group of m5.large and
// c5.large, a MixedInstancesPolicy) and cp-memory (r5.large); 40
// instances; six services: web (behind a load balancer, target tracking
// on CPU and scheduled scaling), api (step scaling on CPU alarms), worker
// (target tracking on memory), cache, log-agent (DAEMON) and batch-spot
// (FARGATE_SPOT, target tracking on CPU); one old task definition
// revision; and one day of one-minute CloudWatch metrics from Start. The
// services' utilization (as measured with the dump's task counts) is
// ServiceUtilization's.
func Realistic() Files {
	f := Files{}
	var insts []*instance
	add := func(provider string, typ instanceType, n int) {
		for k := 0; k < n; k++ {
			key := fmt.Sprintf("%s-%s-%d", provider, typ.name, k)
			insts = append(insts, &instance{arn: arn("container-instance", cluster+"/"+hexOf(key, 32)), ec2: "i-0" + hexOf(key+"ec2", 16),
				zone: zones[len(insts)%len(zones)], provider: provider, typ: typ, registered: Start.Add(-time.Duration(240+len(insts)*7) * time.Hour)})
		}
	}
	add("cp-general", m5large, 16)
	add("cp-general", c5large, 12)
	add("cp-memory", r5large, 12)

	img := func(name, tag string) string {
		return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s:%s", account, region, name, tag)
	}
	services := []*service{
		{name: "log-agent", td: taskDef{family: "log-agent", revision: 5, cpu: 128, mem: 256, image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2"}, daemon: true, desired: len(insts)},
		{name: "cache", td: taskDef{family: "cache", revision: 2, cpu: 512, mem: 6144, port: 6379, image: img("cache", "7.2")}, desired: 3, provider: "cp-memory", distinct: true},
		{name: "worker", td: taskDef{family: "worker", revision: 3, cpu: 1024, mem: 4096, image: img("worker", "2025.03.1")}, desired: 6, provider: "cp-memory"},
		{name: "web", td: taskDef{family: "web", revision: 14, cpu: 512, mem: 1024, port: 80, image: img("web", "1.4.2")}, desired: 12, provider: "cp-general", lb: "web-tg", spread: true},
		{name: "api", td: taskDef{family: "api", revision: 7, cpu: 1024, mem: 2048, port: 8080, image: img("api", "3.9.0")}, desired: 8, provider: "cp-general"},
		{name: "batch-spot", td: taskDef{family: "batch", revision: 9, cpu: 1024, mem: 2048, fargate: true, image: img("batch", "1.0.7")}, desired: 4, provider: "FARGATE_SPOT"},
	}
	var tasks []task
	next := 0
	for _, s := range services {
		switch {
		case s.daemon:
			for k, in := range insts {
				in.usedCPU += s.td.cpu
				in.usedMem += s.td.mem
				in.tasks++
				tasks = append(tasks, task{id: hexOf(fmt.Sprintf("%s-%d", s.name, k), 32), service: s.name, td: s.td, in: in, zone: in.zone, started: in.registered.Add(time.Minute)})
			}
		case s.provider == "FARGATE_SPOT":
			for k := range s.desired {
				tasks = append(tasks, task{id: hexOf(fmt.Sprintf("%s-%d", s.name, k), 32), service: s.name, td: s.td, zone: zones[k%2], spot: true,
					started: Start.Add(-time.Duration(1+k) * time.Hour)})
			}
		default:
			if err := place(insts, s.provider, s, s.desired, &next, &tasks); err != nil {
				panic(err) // the fixed fleet holds the fixed services
			}
		}
	}
	var instDocs []obj
	for _, in := range insts {
		instDocs = append(instDocs, in.doc())
	}
	f["describe-container-instances.json"] = encode(obj{"containerInstances": instDocs, "failures": []obj{}})
	for i, part := range chunk(tasks, 50) {
		var docs []obj
		for _, t := range part {
			docs = append(docs, t.doc())
		}
		f[fmt.Sprintf("describe-tasks-%d.json", i+1)] = encode(obj{"tasks": docs, "failures": []obj{}})
	}
	var svcDocs []obj
	for _, s := range services {
		n := 0
		for _, t := range tasks {
			if t.service == s.name {
				n++
			}
		}
		svcDocs = append(svcDocs, s.doc(n))
		f["taskdef-"+s.td.family+".json"] = encode(s.td.doc())
	}
	old := services[3].td
	old.revision, old.image = 13, img("web", "1.4.1")
	f["taskdef-web-13.json"] = encode(old.doc())
	f["describe-services.json"] = encode(obj{"services": svcDocs, "failures": []obj{}})
	f["describe-capacity-providers.json"] = encode(capacityProviders())
	f["describe-auto-scaling-groups.json"] = encode(autoScalingGroups(insts))
	scaling(f)
	metrics(f, services)
	return f
}

func asgArn(name string) string {
	return fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s-%s-%s-%s-%s:autoScalingGroupName/%s", region, account,
		hexOf(name, 8), hexOf(name+"1", 4), hexOf(name+"2", 4), hexOf(name+"3", 4), hexOf(name+"4", 12), name)
}

func capacityProviders() obj {
	cp := func(name, asg string) obj {
		return obj{"capacityProviderArn": fmt.Sprintf("arn:aws:ecs:%s:%s:capacity-provider/%s", region, account, name), "name": name, "status": "ACTIVE",
			"autoScalingGroupProvider": obj{"autoScalingGroupArn": asgArn(asg),
				"managedScaling":               obj{"status": "ENABLED", "targetCapacity": 100, "minimumScalingStepSize": 1, "maximumScalingStepSize": 10, "instanceWarmupPeriod": 300},
				"managedTerminationProtection": "ENABLED", "managedDraining": "ENABLED"},
			"updateStatus": "UPDATE_COMPLETE", "tags": []obj{}}
	}
	fargate := func(name string) obj {
		return obj{"capacityProviderArn": fmt.Sprintf("arn:aws:ecs:%s:%s:capacity-provider/%s", region, account, name), "name": name, "status": "ACTIVE", "tags": []obj{}}
	}
	return obj{"capacityProviders": []obj{cp("cp-general", "asg-general"), cp("cp-memory", "asg-memory"), fargate("FARGATE"), fargate("FARGATE_SPOT")}}
}

func autoScalingGroups(insts []*instance) obj {
	group := func(name, provider string, max int) obj {
		var members []obj
		for _, in := range insts {
			if in.provider == provider {
				members = append(members, obj{"InstanceId": in.ec2, "InstanceType": in.typ.name, "AvailabilityZone": in.zone, "LifecycleState": "InService",
					"HealthStatus": "Healthy", "LaunchTemplate": obj{"LaunchTemplateId": "lt-0" + hexOf(name, 16), "LaunchTemplateName": "ecs-" + name, "Version": "3"},
					"ProtectedFromScaleIn": true})
			}
		}
		g := obj{"AutoScalingGroupName": name, "AutoScalingGroupARN": asgArn(name), "MinSize": 3, "MaxSize": max, "DesiredCapacity": len(members),
			"DefaultCooldown": 300, "AvailabilityZones": zones, "LoadBalancerNames": []string{}, "TargetGroupARNs": []string{}, "HealthCheckType": "EC2",
			"HealthCheckGracePeriod": 0, "Instances": members, "CreatedTime": ts(Start.Add(-120 * 24 * time.Hour)), "SuspendedProcesses": []obj{},
			"VPCZoneIdentifier": "subnet-0" + hexOf(zones[0], 16) + ",subnet-0" + hexOf(zones[1], 16) + ",subnet-0" + hexOf(zones[2], 16),
			"EnabledMetrics":    []obj{}, "Tags": []obj{{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": "AmazonECSManaged", "Value": "", "PropagateAtLaunch": true}},
			"TerminationPolicies": []string{"Default"}, "NewInstancesProtectedFromScaleIn": true,
			"ServiceLinkedRoleARN": fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", account),
			"CapacityRebalance":    false, "TrafficSources": []obj{}}
		lt := obj{"LaunchTemplateId": "lt-0" + hexOf(name, 16), "LaunchTemplateName": "ecs-" + name, "Version": "3"}
		if provider == "cp-general" {
			g["MixedInstancesPolicy"] = obj{"LaunchTemplate": obj{"LaunchTemplateSpecification": lt,
				"Overrides": []obj{{"InstanceType": "m5.large"}, {"InstanceType": "c5.large"}}},
				"InstancesDistribution": obj{"OnDemandAllocationStrategy": "prioritized", "OnDemandBaseCapacity": 0,
					"OnDemandPercentageAboveBaseCapacity": 100, "SpotAllocationStrategy": "price-capacity-optimized"}}
		} else {
			g["LaunchTemplate"] = lt
		}
		return g
	}
	return obj{"AutoScalingGroups": []obj{group("asg-general", "cp-general", 60), group("asg-memory", "cp-memory", 24)}}
}

func policyArn(service, name string) string {
	return fmt.Sprintf("arn:aws:autoscaling:%s:%s:scalingPolicy:%s:resource/ecs/service/%s/%s:policyName/%s", region, account,
		hexOf(name, 8)+"-"+hexOf(name+"1", 4)+"-"+hexOf(name+"2", 4)+"-"+hexOf(name+"3", 4)+"-"+hexOf(name+"4", 12), cluster, service, name)
}

func alarmArn(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name)
}

func scaling(f Files) {
	rid := func(s string) string { return "service/" + cluster + "/" + s }
	created := ts(Start.Add(-60 * 24 * time.Hour))
	target := func(s string, min, max int) obj {
		return obj{"ServiceNamespace": "ecs", "ResourceId": rid(s), "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": min, "MaxCapacity": max,
			"RoleARN":      fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService", account),
			"CreationTime": created, "SuspendedState": obj{"DynamicScalingInSuspended": false, "DynamicScalingOutSuspended": false, "ScheduledScalingSuspended": false}}
	}
	f["describe-scalable-targets.json"] = encode(obj{"ScalableTargets": []obj{target("web", 6, 30), target("api", 4, 20), target("worker", 2, 12), target("batch-spot", 2, 10)}})
	tt := func(s, name, metric string, value float64) obj {
		alarm := func(kind string) obj {
			n := fmt.Sprintf("TargetTracking-%s-%s-%s", rid(s), kind, hexOf(name+kind, 8)+"-"+hexOf(name+kind+"1", 4))
			return obj{"AlarmName": n, "AlarmARN": alarmArn(n)}
		}
		return obj{"PolicyARN": policyArn(s, name), "PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": rid(s), "ScalableDimension": "ecs:service:DesiredCount",
			"PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": obj{"TargetValue": value,
				"PredefinedMetricSpecification": obj{"PredefinedMetricType": metric}, "ScaleOutCooldown": 60, "ScaleInCooldown": 300},
			"Alarms": []obj{alarm("AlarmHigh"), alarm("AlarmLow")}, "CreationTime": created}
	}
	step := func(s, name, alarm string, lower, upper *float64, adj int) obj {
		sa := obj{"ScalingAdjustment": adj}
		if lower != nil {
			sa["MetricIntervalLowerBound"] = *lower
		}
		if upper != nil {
			sa["MetricIntervalUpperBound"] = *upper
		}
		return obj{"PolicyARN": policyArn(s, name), "PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": rid(s), "ScalableDimension": "ecs:service:DesiredCount",
			"PolicyType": "StepScaling", "StepScalingPolicyConfiguration": obj{"AdjustmentType": "ChangeInCapacity", "StepAdjustments": []obj{sa},
				"Cooldown": 300, "MetricAggregationType": "Average"},
			"Alarms": []obj{{"AlarmName": alarm, "AlarmARN": alarmArn(alarm)}}, "CreationTime": created}
	}
	zero := 0.0
	f["describe-scaling-policies.json"] = encode(obj{"ScalingPolicies": []obj{
		tt("web", "web-cpu50", "ECSServiceAverageCPUUtilization", 50),
		step("api", "api-scale-out", "api-cpu-high", &zero, nil, 2),
		step("api", "api-scale-in", "api-cpu-low", nil, &zero, -1),
		tt("worker", "worker-mem60", "ECSServiceAverageMemoryUtilization", 60),
		tt("batch-spot", "batch-cpu60", "ECSServiceAverageCPUUtilization", 60),
	}})
	action := func(s, name, cron string, min, max int) obj {
		return obj{"ScheduledActionName": name, "ScheduledActionARN": fmt.Sprintf("arn:aws:autoscaling:%s:%s:scheduledAction:%s:resource/ecs/%s:scheduledActionName/%s", region, account, hexOf(name, 8), rid(s), name),
			"ServiceNamespace": "ecs", "Schedule": cron, "Timezone": "UTC", "ResourceId": rid(s), "ScalableDimension": "ecs:service:DesiredCount",
			"ScalableTargetAction": obj{"MinCapacity": min, "MaxCapacity": max}, "CreationTime": created}
	}
	f["describe-scheduled-actions.json"] = encode(obj{"ScheduledActions": []obj{
		action("web", "web-day", "cron(0 8 * * ? *)", 12, 30), action("web", "web-night", "cron(0 20 * * ? *)", 6, 30)}})
	alarm := func(name, op string, threshold float64, periods int, policy string) obj {
		return obj{"AlarmName": name, "AlarmArn": alarmArn(name), "AlarmDescription": "api CPU", "AlarmConfigurationUpdatedTimestamp": created,
			"ActionsEnabled": true, "OKActions": []string{}, "AlarmActions": []string{policyArn("api", policy)}, "InsufficientDataActions": []string{},
			"StateValue": "OK", "StateReason": "Threshold Crossed", "StateUpdatedTimestamp": ts(Start.Add(-2 * time.Hour)),
			"MetricName": "CPUUtilization", "Namespace": "AWS/ECS", "Statistic": "Average",
			"Dimensions": []obj{{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": "api"}},
			"Period":     60, "EvaluationPeriods": periods, "DatapointsToAlarm": periods, "Threshold": threshold, "ComparisonOperator": op,
			"TreatMissingData": "missing", "StateTransitionedTimestamp": ts(Start.Add(-2 * time.Hour))}
	}
	f["describe-alarms.json"] = encode(obj{"MetricAlarms": []obj{
		alarm("api-cpu-high", "GreaterThanThreshold", 70, 3, "api-scale-out"),
		alarm("api-cpu-low", "LessThanThreshold", 25, 10, "api-scale-in")}, "CompositeAlarms": []obj{}})
}

// ServiceUtilization is each service's CPU and memory utilization
// (percent, as measured with the dump's task counts) at hour h of the
// day, before the noise: piecewise constant, so that the desired counts
// the policies give can be computed by hand.
func ServiceUtilization(service string, h float64) (cpu, mem float64) {
	pick := func(bounds []float64, vals []float64) float64 {
		for i, b := range bounds {
			if h < b {
				return vals[i]
			}
		}
		return vals[len(vals)-1]
	}
	switch service {
	case "web":
		return pick([]float64{8, 10, 14}, []float64{40, 55, 70, 40}), 50
	case "api":
		return pick([]float64{9, 12}, []float64{50, 90, 15}), 40
	case "worker":
		return 35, pick([]float64{6, 18}, []float64{28, 85, 28})
	case "cache":
		return 20, 70
	case "batch-spot":
		return pick([]float64{12}, []float64{42, 87}), 30
	}
	return 0, 0
}

func metrics(f Files, services []*service) {
	end := Start.Add(24 * time.Hour)
	r := rand.New(rand.NewPCG(7, 7))
	var queries, results []obj
	var albQueries, albResults []obj
	series := func(value func(h float64) float64) ([]string, []float64) {
		var tss []string
		var vals []float64
		for m := 24*60 - 1; m >= 0; m-- { // newest first, as CloudWatch returns them
			t := Start.Add(time.Duration(m) * time.Minute)
			tss = append(tss, t.Format("2006-01-02T15:04:05-07:00"))
			vals = append(vals, value(float64(m)/60))
		}
		return tss, vals
	}
	query := func(id, ns, name, stat string, dims []obj) obj {
		return obj{"Id": id, "MetricStat": obj{"Metric": obj{"Namespace": ns, "MetricName": name, "Dimensions": dims}, "Period": 60, "Stat": stat}, "ReturnData": true}
	}
	for _, s := range services {
		if s.daemon {
			continue
		}
		id := func(m string) string { return m + "_" + strings.ReplaceAll(s.name, "-", "_") }
		dims := []obj{{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": s.name}}
		queries = append(queries, query(id("cpu"), "AWS/ECS", "CPUUtilization", "Average", dims), query(id("mem"), "AWS/ECS", "MemoryUtilization", "Average", dims))
		tss, cpu := series(func(h float64) float64 { c, _ := ServiceUtilization(s.name, h); return round(c + noise(r)) })
		_, mem := series(func(h float64) float64 { _, m := ServiceUtilization(s.name, h); return round(m + noise(r)) })
		results = append(results,
			obj{"Id": id("cpu"), "Label": "CPUUtilization", "Timestamps": tss, "Values": cpu, "StatusCode": "Complete"},
			obj{"Id": id("mem"), "Label": "MemoryUtilization", "Timestamps": tss, "Values": mem, "StatusCode": "Complete"})
		if s.lb != "" {
			tg := "targetgroup/" + s.lb + "/" + hexOf(s.lb, 16)
			lb := fmt.Sprintf("app/%s-alb/%s", s.name, hexOf(s.name+"alb", 16))
			ldims := []obj{{"Name": "TargetGroup", "Value": tg}, {"Name": "LoadBalancer", "Value": lb}}
			albQueries = append(albQueries, query("req_per_target_"+s.name, "AWS/ApplicationELB", "RequestCountPerTarget", "Sum", []obj{{"Name": "TargetGroup", "Value": tg}}),
				query("healthy_"+s.name, "AWS/ApplicationELB", "HealthyHostCount", "Average", ldims))
			_, per := series(func(h float64) float64 {
				c, _ := ServiceUtilization(s.name, h)
				return float64(int(25*c + 40*noise(r)))
			})
			_, healthy := series(func(float64) float64 { return float64(s.desired) })
			albResults = append(albResults,
				obj{"Id": "req_per_target_" + s.name, "Label": "RequestCountPerTarget", "Timestamps": tss, "Values": per, "StatusCode": "Complete"},
				obj{"Id": "healthy_" + s.name, "Label": "HealthyHostCount", "Timestamps": tss, "Values": healthy, "StatusCode": "Complete"})
		}
	}
	input := func(qs []obj) obj {
		return obj{"MetricDataQueries": qs, "StartTime": Start.Format(time.RFC3339), "EndTime": end.Format(time.RFC3339), "ScanBy": "TimestampDescending"}
	}
	f["ecs-metric-queries.json"] = encode(input(queries))
	f["ecs-metrics.json"] = encode(obj{"MetricDataResults": results, "Messages": []obj{}})
	f["alb-metric-queries.json"] = encode(input(albQueries))
	f["alb-metrics.json"] = encode(obj{"MetricDataResults": albResults, "Messages": []obj{}})
}

func round(v float64) float64 { return float64(int(v*100+0.5)) / 100 }
