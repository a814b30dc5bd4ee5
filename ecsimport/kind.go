package ecsimport

import (
	"strings"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
)

// Kind is the kind of an AWS document, named by the command whose output
// (or input) it is.
type Kind uint8

// The documents an import reads.
const (
	KindUnknown Kind = iota
	KindContainerInstances
	KindTasks
	KindServices
	KindTaskDefinition
	KindCapacityProviders
	KindAutoScalingGroups
	KindScalableTargets
	KindScalingPolicies
	KindScheduledActions
	KindAlarms
	KindMetricData
	KindMetricQueries
	numKinds
)

// kinds describes each kind: the top-level key that recognises it, the
// command, and the other top-level keys the command prints.
var kinds = [numKinds]struct {
	key, command string
	others       []string
}{
	KindUnknown:            {},
	KindContainerInstances: {"containerInstances", "aws ecs describe-container-instances", []string{"failures"}},
	KindTasks:              {"tasks", "aws ecs describe-tasks", []string{"failures"}},
	KindServices:           {"services", "aws ecs describe-services", []string{"failures"}},
	KindTaskDefinition:     {"taskDefinition", "aws ecs describe-task-definition", []string{"tags"}},
	KindCapacityProviders:  {"capacityProviders", "aws ecs describe-capacity-providers", []string{"failures", "nextToken"}},
	KindAutoScalingGroups:  {"AutoScalingGroups", "aws autoscaling describe-auto-scaling-groups", []string{"NextToken"}},
	KindScalableTargets:    {"ScalableTargets", "aws application-autoscaling describe-scalable-targets", []string{"NextToken"}},
	KindScalingPolicies:    {"ScalingPolicies", "aws application-autoscaling describe-scaling-policies", []string{"NextToken"}},
	KindScheduledActions:   {"ScheduledActions", "aws application-autoscaling describe-scheduled-actions", []string{"NextToken"}},
	KindAlarms:             {"MetricAlarms", "aws cloudwatch describe-alarms", []string{"CompositeAlarms", "NextToken"}},
	KindMetricData:         {"MetricDataResults", "aws cloudwatch get-metric-data", []string{"Messages", "NextToken"}},
	KindMetricQueries:      {"MetricDataQueries", "aws cloudwatch get-metric-data --cli-input-json", []string{"StartTime", "EndTime", "NextToken", "ScanBy", "MaxDatapoints", "LabelOptions"}},
}

// String returns the command that prints a document of the kind.
func (k Kind) String() string {
	if k >= numKinds || k == KindUnknown {
		return "unknown document"
	}
	return kinds[k].command
}

// Recognise returns the kinds of the document n by its top-level keys.
// A snapshot as package ecsjson reads it (containerInstances and tasks) is
// both KindContainerInstances and KindTasks. A document with no key of a
// known kind, or with a top-level key its kind's command does not print,
// is an error naming the key and what was expected.
func Recognise(n *jsondoc.Node, file string) ([]Kind, error) {
	if n.Kind != jsondoc.Object {
		return nil, &fielderr.Error{File: file, Line: n.Pos.Line, Column: n.Pos.Col,
			Msg: "expected an AWS CLI output (an object), found " + jsondoc.Found(n)}
	}
	var out []Kind
	for k := KindContainerInstances; k < numKinds; k++ {
		if n.Get(kinds[k].key) != nil {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		var keys []string
		for k := KindContainerInstances; k < numKinds; k++ {
			keys = append(keys, kinds[k].key)
		}
		return nil, &fielderr.Error{File: file, Line: n.Pos.Line, Column: n.Pos.Col,
			Msg: "no AWS document berth knows: expected a top-level key " + strings.Join(keys, ", ")}
	}
	snapshot := len(out) == 2 && out[0] == KindContainerInstances && out[1] == KindTasks
	if len(out) > 1 && !snapshot {
		return nil, &fielderr.Error{File: file, Line: n.Pos.Line, Column: n.Pos.Col,
			Msg: "keys of two documents, " + kinds[out[0]].key + " and " + kinds[out[1]].key + ": expected one command's output per file"}
	}
	for i := range n.Members {
		m := &n.Members[i]
		if known(m.Key, out) {
			continue
		}
		return nil, &fielderr.Error{File: file, Line: m.KeyPos.Line, Column: m.KeyPos.Col, Value: fielderr.Quote(m.Key), Err: fielderr.ErrUnknown,
			Msg: "unknown field " + fielderr.Quote(m.Key) + " in the output of " + out[0].String()}
	}
	return out, nil
}

func known(key string, ks []Kind) bool {
	for _, k := range ks {
		if key == kinds[k].key {
			return true
		}
		for _, o := range kinds[k].others {
			if key == o {
				return true
			}
		}
	}
	return false
}
