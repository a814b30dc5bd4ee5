package ecsimport

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
)

// ecsError puts an error of ecsjson in the file, under path.
func ecsError(err error, file, under string) error {
	var fe *fielderr.Error
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %v", file, err)
	}
	out := *fe
	out.Line, out.Column = 0, 0
	if under != "" {
		return out.Under(under).WithFile(file)
	}
	return out.WithFile(file)
}

// containerInstances reads a describe-container-instances output through
// ecsjson, one file at a time so that errors name the file's own paths.
func (d *dump) containerInstances(dc *doc, elems []jsondoc.Node) error {
	snap, err := ecsjson.ReadSnapshot(bytes.NewReader(dc.data))
	if err != nil {
		return ecsError(err, dc.file, "")
	}
	for i, ci := range snap.ContainerInstances {
		at := src{dc.file, fielderr.Index("containerInstances", i)}
		if j, dup := d.instIndex[ci.ARN]; dup {
			return fmt.Errorf("%s.containerInstanceArn: %q is also %s, expected each instance once", at, ci.ARN, d.instSrc[j])
		}
		var doc instanceDoc
		if err := decode(&elems[i], dc, "containerInstances", i, &doc); err != nil {
			return err
		}
		if err := d.sameCluster(clusterOf(ci.ARN), at, ".containerInstanceArn"); err != nil {
			return err
		}
		d.seen(doc.RegisteredAt)
		d.instIndex[ci.ARN] = len(d.instances)
		d.instances, d.instDocs, d.instSrc = append(d.instances, ci), append(d.instDocs, doc), append(d.instSrc, at)
	}
	return nil
}

// Task statuses as describe-tasks prints them.
var (
	lastStatuses    = []string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED", "DELETED"}
	desiredStatuses = []string{"PENDING", "RUNNING", "STOPPED"}
)

// describeTasks reads a describe-tasks output: what runs where. The
// import needs a task's ARN, group, statuses, task definition and
// instance, which must be one of the dump's (a task's containers and
// resources come from its task definition, read by ecsjson).
func (d *dump) describeTasks(dc *doc, elems []jsondoc.Node) error {
	for i := range elems {
		at := src{dc.file, fielderr.Index("tasks", i)}
		var doc taskDoc
		if err := decode(&elems[i], dc, "tasks", i, &doc); err != nil {
			return err
		}
		t := ecsjson.Task{ARN: doc.TaskArn, ContainerInstanceARN: doc.ContainerInstanceArn, Group: doc.Group,
			LastStatus: doc.LastStatus, DesiredStatus: doc.DesiredStatus, TaskDefinitionARN: doc.TaskDefinitionArn}
		switch {
		case t.ARN == "":
			return fmt.Errorf("%s.taskArn: missing", at)
		case t.LastStatus != "" && !slices.Contains(lastStatuses, t.LastStatus):
			return fmt.Errorf("%s.lastStatus: %q, expected one of %s", at, fielderr.Shorten(t.LastStatus, 40), strings.Join(lastStatuses, ", "))
		case t.DesiredStatus != "" && !slices.Contains(desiredStatuses, t.DesiredStatus):
			return fmt.Errorf("%s.desiredStatus: %q, expected one of %s", at, fielderr.Shorten(t.DesiredStatus, 40), strings.Join(desiredStatuses, ", "))
		}
		if j, dup := d.taskIndex[t.ARN]; dup {
			return fmt.Errorf("%s.taskArn: %q is also %s, expected each task once", at, t.ARN, d.taskSrc[j])
		}
		if arn := t.ContainerInstanceARN; arn != "" {
			if _, ok := d.instIndex[arn]; !ok {
				return fmt.Errorf("%s.containerInstanceArn: %q is in no describe-container-instances output of the dump", at, arn)
			}
		}
		// ECS's defaults, as ecsjson reads them.
		if t.LastStatus == "" {
			t.LastStatus = "RUNNING"
		}
		if t.DesiredStatus == "" {
			t.DesiredStatus = "RUNNING"
		}
		if t.Group == "" {
			if _, rest, ok := strings.Cut(t.TaskDefinitionARN, ":task-definition/"); ok {
				family, _, _ := strings.Cut(rest, ":")
				t.Group = "family:" + family
			}
		}
		if err := d.sameCluster(clusterOf(doc.ClusterArn), at, ".clusterArn"); err != nil {
			return err
		}
		d.seen(doc.StartedAt)
		d.taskIndex[t.ARN] = len(d.tasks)
		d.tasks, d.taskDocs, d.taskSrc = append(d.tasks, t), append(d.taskDocs, doc), append(d.taskSrc, at)
	}
	return nil
}

// describeServices keeps each service element whole for the scenario
// (package scenario reads it) and what the import needs of it.
func (d *dump) describeServices(dc *doc, elems []jsondoc.Node) error {
	for i := range elems {
		at := src{dc.file, fielderr.Index("services", i)}
		var s serviceDoc
		if err := decode(&elems[i], dc, "services", i, &s); err != nil {
			return err
		}
		if s.ServiceName == "" {
			return fmt.Errorf("%s.serviceName: missing", at)
		}
		for j, o := range d.services {
			if o.ServiceName == s.ServiceName {
				return fmt.Errorf("%s.serviceName: %q is also %s, expected each service once", at, s.ServiceName, d.svcSrc[j])
			}
		}
		if err := d.sameCluster(clusterOf(s.ClusterArn), at, ".clusterArn"); err != nil {
			return err
		}
		d.services, d.svcNodes, d.svcSrc = append(d.services, s), append(d.svcNodes, &elems[i]), append(d.svcSrc, at)
	}
	return nil
}

// taskDefinition reads a describe-task-definition output through ecsjson.
func (d *dump) taskDefinition(dc *doc) error {
	n := dc.root.Get("taskDefinition")
	if n.Kind != jsondoc.Object {
		return &fielderr.Error{File: dc.file, Line: n.Pos.Line, Column: n.Pos.Col, Path: "taskDefinition", Msg: "expected an object, found " + jsondoc.Found(n)}
	}
	td, err := ecsjson.ReadTaskDefinition(bytes.NewReader(n.AppendJSON(nil)))
	if err != nil {
		return ecsError(err, dc.file, "taskDefinition")
	}
	arn := ""
	if v := n.Get("taskDefinitionArn"); v != nil && v.Kind == jsondoc.String {
		arn = v.Text
	}
	key := td.Family + ":" + strconv.Itoa(max(td.Revision, 1))
	if o := d.taskDefs[key]; o != nil {
		return fmt.Errorf("%s: taskDefinition: %s is also %s, expected each revision once", dc.file, key, o.src.file)
	}
	it := &taskDefItem{arn: arn, key: key, node: n, td: td, src: src{dc.file, "taskDefinition"}}
	d.taskDefs[key] = it
	if arn != "" {
		d.taskDefs[arn] = it
	}
	d.tdOrder = append(d.tdOrder, it)
	return nil
}
