package ecsimport

// The parts of the AWS CLI's outputs the import reads, decoded with
// jsondoc.DecodeKnown: keys are the CLI's, exactly; the other keys of a
// document are skipped here (the ECS documents that go into the scenario
// are read again, whole, by package scenario and ecsjson).

// dimension is a CloudWatch dimension.
type dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// instanceDoc is what ecsjson.Snapshot lacks of a describe-container-instances element.
type instanceDoc struct {
	ContainerInstanceArn string `json:"containerInstanceArn"`
	CapacityProviderName string `json:"capacityProviderName"`
	RegisteredAt         string `json:"registeredAt"`
}

type taskDoc struct {
	TaskArn              string `json:"taskArn"`
	ContainerInstanceArn string `json:"containerInstanceArn"`
	ClusterArn           string `json:"clusterArn"`
	Group                string `json:"group"`
	LastStatus           string `json:"lastStatus"`
	DesiredStatus        string `json:"desiredStatus"`
	TaskDefinitionArn    string `json:"taskDefinitionArn"`
	LaunchType           string `json:"launchType"`
	CapacityProviderName string `json:"capacityProviderName"`
	StartedAt            string `json:"startedAt"`
	AvailabilityZone     string `json:"availabilityZone"`
	Attachments          []struct {
		Type    string `json:"type"`
		Details []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"details"`
	} `json:"attachments"`
}

type strategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           int    `json:"weight"`
	Base             int    `json:"base"`
}

type serviceDoc struct {
	ServiceName              string         `json:"serviceName"`
	ClusterArn               string         `json:"clusterArn"`
	TaskDefinition           string         `json:"taskDefinition"`
	DesiredCount             int            `json:"desiredCount"`
	RunningCount             int            `json:"runningCount"`
	LaunchType               string         `json:"launchType"`
	SchedulingStrategy       string         `json:"schedulingStrategy"`
	CapacityProviderStrategy []strategyItem `json:"capacityProviderStrategy"`
	LoadBalancers            []struct {
		TargetGroupArn string `json:"targetGroupArn"`
	} `json:"loadBalancers"`
	Deployments []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"deployments"`
}

type capacityProviderDoc struct {
	Name                     string `json:"name"`
	AutoScalingGroupProvider struct {
		AutoScalingGroupArn string `json:"autoScalingGroupArn"`
		ManagedScaling      *struct {
			Status                 string `json:"status"`
			TargetCapacity         int    `json:"targetCapacity"`
			MinimumScalingStepSize int    `json:"minimumScalingStepSize"`
			MaximumScalingStepSize int    `json:"maximumScalingStepSize"`
			InstanceWarmupPeriod   *int   `json:"instanceWarmupPeriod"`
		} `json:"managedScaling"`
		ManagedTerminationProtection string `json:"managedTerminationProtection"`
	} `json:"autoScalingGroupProvider"`
}

type asgDoc struct {
	AutoScalingGroupName string   `json:"AutoScalingGroupName"`
	AutoScalingGroupARN  string   `json:"AutoScalingGroupARN"`
	MinSize              int      `json:"MinSize"`
	MaxSize              int      `json:"MaxSize"`
	DesiredCapacity      int      `json:"DesiredCapacity"`
	AvailabilityZones    []string `json:"AvailabilityZones"`
	MixedInstancesPolicy *struct {
		LaunchTemplate struct {
			Overrides []struct {
				InstanceType     string `json:"InstanceType"`
				WeightedCapacity string `json:"WeightedCapacity"`
			} `json:"Overrides"`
		} `json:"LaunchTemplate"`
		InstancesDistribution struct {
			OnDemandAllocationStrategy          string `json:"OnDemandAllocationStrategy"`
			OnDemandBaseCapacity                int    `json:"OnDemandBaseCapacity"`
			OnDemandPercentageAboveBaseCapacity *int   `json:"OnDemandPercentageAboveBaseCapacity"`
			SpotAllocationStrategy              string `json:"SpotAllocationStrategy"`
		} `json:"InstancesDistribution"`
	} `json:"MixedInstancesPolicy"`
	Instances []struct {
		InstanceID   string `json:"InstanceId"`
		InstanceType string `json:"InstanceType"`
	} `json:"Instances"`
}

type scalableTargetDoc struct {
	ServiceNamespace  string `json:"ServiceNamespace"`
	ResourceID        string `json:"ResourceId"`
	ScalableDimension string `json:"ScalableDimension"`
	MinCapacity       int    `json:"MinCapacity"`
	MaxCapacity       int    `json:"MaxCapacity"`
}

type stepAdjustment struct {
	MetricIntervalLowerBound *float64 `json:"MetricIntervalLowerBound"`
	MetricIntervalUpperBound *float64 `json:"MetricIntervalUpperBound"`
	ScalingAdjustment        int      `json:"ScalingAdjustment"`
}

type scalingPolicyDoc struct {
	PolicyName                               string `json:"PolicyName"`
	ResourceID                               string `json:"ResourceId"`
	ScalableDimension                        string `json:"ScalableDimension"`
	PolicyType                               string `json:"PolicyType"`
	TargetTrackingScalingPolicyConfiguration *struct {
		TargetValue                   float64 `json:"TargetValue"`
		PredefinedMetricSpecification *struct {
			PredefinedMetricType string `json:"PredefinedMetricType"`
			ResourceLabel        string `json:"ResourceLabel"`
		} `json:"PredefinedMetricSpecification"`
		ScaleOutCooldown int  `json:"ScaleOutCooldown"`
		ScaleInCooldown  int  `json:"ScaleInCooldown"`
		DisableScaleIn   bool `json:"DisableScaleIn"`
	} `json:"TargetTrackingScalingPolicyConfiguration"`
	StepScalingPolicyConfiguration *struct {
		AdjustmentType        string           `json:"AdjustmentType"`
		StepAdjustments       []stepAdjustment `json:"StepAdjustments"`
		Cooldown              int              `json:"Cooldown"`
		MetricAggregationType string           `json:"MetricAggregationType"`
	} `json:"StepScalingPolicyConfiguration"`
	Alarms []struct {
		AlarmName string `json:"AlarmName"`
	} `json:"Alarms"`
}

type scheduledActionDoc struct {
	ScheduledActionName  string `json:"ScheduledActionName"`
	ResourceID           string `json:"ResourceId"`
	Schedule             string `json:"Schedule"`
	Timezone             string `json:"Timezone"`
	StartTime            string `json:"StartTime"`
	EndTime              string `json:"EndTime"`
	ScalableTargetAction struct {
		MinCapacity *int `json:"MinCapacity"`
		MaxCapacity *int `json:"MaxCapacity"`
	} `json:"ScalableTargetAction"`
}

type alarmDoc struct {
	AlarmName          string      `json:"AlarmName"`
	MetricName         string      `json:"MetricName"`
	Namespace          string      `json:"Namespace"`
	Statistic          string      `json:"Statistic"`
	Dimensions         []dimension `json:"Dimensions"`
	Period             int         `json:"Period"`
	EvaluationPeriods  int         `json:"EvaluationPeriods"`
	DatapointsToAlarm  int         `json:"DatapointsToAlarm"`
	Threshold          float64     `json:"Threshold"`
	ComparisonOperator string      `json:"ComparisonOperator"`
}

type metricQueryDoc struct {
	ID         string `json:"Id"`
	MetricStat *struct {
		Metric struct {
			Namespace  string      `json:"Namespace"`
			MetricName string      `json:"MetricName"`
			Dimensions []dimension `json:"Dimensions"`
		} `json:"Metric"`
		Period int    `json:"Period"`
		Stat   string `json:"Stat"`
	} `json:"MetricStat"`
	Expression string `json:"Expression"`
}

type metricQueriesDoc struct {
	MetricDataQueries []metricQueryDoc `json:"MetricDataQueries"`
	StartTime         string           `json:"StartTime"`
	EndTime           string           `json:"EndTime"`
}

type metricResultDoc struct {
	ID         string    `json:"Id"`
	Label      string    `json:"Label"`
	Timestamps []string  `json:"Timestamps"`
	Values     []float64 `json:"Values"`
	StatusCode string    `json:"StatusCode"`
}
