package ecsimport

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

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

// snapshotOf builds an ecsjson snapshot document of instances and tasks.
func snapshotOf(instances, tasks []*jsondoc.Node) []byte {
	b := []byte(`{"containerInstances":[`)
	for i, n := range instances {
		if i > 0 {
			b = append(b, ',')
		}
		b = n.AppendJSON(b)
	}
	b = append(b, `],"tasks":[`...)
	for i, n := range tasks {
		if i > 0 {
			b = append(b, ',')
		}
		b = n.AppendJSON(b)
	}
	return append(b, "]}"...)
}

// containerInstances reads a describe-container-instances output through
// ecsjson, one file at a time so that errors name the file's own paths.
func (d *dump) containerInstances(dc *doc, elems []jsondoc.Node) error {
	nodes := make([]*jsondoc.Node, len(elems))
	for i := range elems {
		nodes[i] = &elems[i]
	}
	snap, err := ecsjson.ReadSnapshot(bytes.NewReader(snapshotOf(nodes, nil)))
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
		if err := d.sameCluster(clusterOf(ci.ARN), at.String()+".containerInstanceArn"); err != nil {
			return err
		}
		d.seen(doc.RegisteredAt)
		d.instIndex[ci.ARN] = len(d.instances)
		d.instNodes[ci.ARN] = nodes[i]
		d.instances, d.instDocs, d.instSrc = append(d.instances, ci), append(d.instDocs, doc), append(d.instSrc, at)
	}
	return nil
}

// describeTasks reads a describe-tasks output through ecsjson, with the
// instances its tasks name.
func (d *dump) describeTasks(dc *doc, elems []jsondoc.Node) error {
	tasks := make([]*jsondoc.Node, len(elems))
	var insts []*jsondoc.Node
	have := map[string]bool{}
	for i := range elems {
		tasks[i] = &elems[i]
		if v := elems[i].Get("containerInstanceArn"); v != nil && v.Kind == jsondoc.String {
			if n := d.instNodes[v.Text]; n != nil && !have[v.Text] {
				have[v.Text] = true
				insts = append(insts, n)
			}
		}
	}
	snap, err := ecsjson.ReadSnapshot(bytes.NewReader(snapshotOf(insts, tasks)))
	if err != nil {
		return ecsError(err, dc.file, "")
	}
	for i, t := range snap.Tasks {
		at := src{dc.file, fielderr.Index("tasks", i)}
		var doc taskDoc
		if err := decode(&elems[i], dc, "tasks", i, &doc); err != nil {
			return err
		}
		if err := d.sameCluster(clusterOf(doc.ClusterArn), at.String()+".clusterArn"); err != nil {
			return err
		}
		d.seen(doc.StartedAt)
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
		if err := d.sameCluster(clusterOf(s.ClusterArn), at.String()+".clusterArn"); err != nil {
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
