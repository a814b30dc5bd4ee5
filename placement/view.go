package placement

import "iter"

// View is what a strategy sees of the cluster while it scores or chooses
// GPUs: questions about the instances and the tasks they host, none of
// which changes the cluster or the placement in progress. It is valid for
// the duration of the call it is passed to.
//
// The instances it returns are the cluster's own, for reading: a strategy
// must not modify them.
type View interface {
	// Len returns the number of instances in the cluster.
	Len() int
	// At returns instance i (0 <= i < Len()) in cluster order: the order
	// the instances were added, which is also Instance.Index.
	At(i int) *Instance
	// Instance returns the instance with the given ARN, or nil.
	Instance(arn string) *Instance
	// GroupCount returns how many PENDING and RUNNING tasks of group in
	// hosts.
	GroupCount(in *Instance, group string) int
	// SpreadCount returns how many PENDING and RUNNING tasks of group the
	// instances sharing in's value of field host, where field is a spread
	// field: "instanceId" or "host" (in itself), or "attribute:<name>"
	// (instances without the attribute share one value). An invalid field
	// counts 0.
	SpreadCount(field string, in *Instance, group string) int
	// Hosted yields the tasks in hosts, in the order they came to it.
	Hosted(in *Instance) iter.Seq2[TaskID, Task]
	// Check runs the filters of req on in, as Cluster.Check.
	Check(in *Instance, req *Request) (Reason, error)
}

// view is the cluster as strategies see it. It is a distinct type so that
// a strategy cannot reach the *Cluster by a type assertion.
type view struct{ c *Cluster }

var _ View = view{}

func (v view) Len() int                      { return len(v.c.instances) }
func (v view) At(i int) *Instance            { return v.c.instances[i] }
func (v view) Instance(arn string) *Instance { return v.c.Instance(arn) }

func (v view) GroupCount(in *Instance, group string) int { return v.c.GroupCount(in, group) }

func (v view) SpreadCount(field string, in *Instance, group string) int {
	if !v.c.owns(in) || validSpreadField(field) != nil {
		return 0
	}
	return v.c.spreadCount(Spread{Field: field}, in, group)
}

func (v view) Hosted(in *Instance) iter.Seq2[TaskID, Task] {
	return func(yield func(TaskID, Task) bool) {
		if !v.c.owns(in) {
			return
		}
		for _, id := range in.hosted {
			if !yield(id, v.c.task(&v.c.tasks[id])) {
				return
			}
		}
	}
}

func (v view) Check(in *Instance, req *Request) (Reason, error) { return v.c.Check(in, req) }

// View returns the cluster as strategies see it, for calling a strategy's
// methods outside a placement (to score an instance by hand, or in tests).
func (c *Cluster) View() View { return view{c} }
