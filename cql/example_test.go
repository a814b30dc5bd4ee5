package cql_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/berthsched/berth/cql"
)

// instance is a minimal cql.Subject: a container instance with
// attributes and the groups of the tasks it hosts.
type instance struct {
	arn    string
	attrs  map[string]string
	groups []string
}

func (i instance) Attribute(name string) (string, bool) { v, ok := i.attrs[name]; return v, ok }
func (i instance) TaskGroups() []string                 { return i.groups }
func (i instance) AgentConnected() bool                 { return true }
func (i instance) AgentVersion() string                 { return "1.14.5" }
func (i instance) EC2InstanceID() string                { return "i-" + i.arn }
func (i instance) RegisteredAt() time.Time              { return time.Date(2018, 2, 1, 0, 0, 0, 0, time.UTC) }
func (i instance) RunningTasksCount() int               { return len(i.groups) }

func Example() {
	fleet := []instance{
		{"a", map[string]string{"ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1a"}, nil},
		{"b", map[string]string{"ecs.instance-type": "t2.medium", "ecs.availability-zone": "us-east-1d"}, nil},
		{"c", map[string]string{"ecs.instance-type": "m5.large", "ecs.availability-zone": "us-east-1b"}, []string{"database"}},
		{"d", map[string]string{"ecs.instance-type": "t2.micro", "ecs.availability-zone": "us-east-1b"}, []string{"database"}},
	}
	// Compile once; match against every instance.
	e, err := cql.Parse("attribute:ecs.instance-type =~ t2.* && attribute:ecs.availability-zone in [us-east-1a, us-east-1b] " +
		"and not(task:group == database)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	for _, i := range fleet {
		if e.Match(i) {
			fmt.Println("match:", i.arn)
		}
	}
	fmt.Println("reads tasks:", e.Uses()&(cql.UsesTaskGroup|cql.UsesRunningTasksCount) != 0)
	fmt.Println("attributes:", e.Attributes())
	// Output:
	// attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone in [us-east-1a, us-east-1b] and not(task:group == database)
	// match: a
	// reads tasks: true
	// attributes: [ecs.availability-zone ecs.instance-type]
}

func ExampleError_Caret() {
	_, err := cql.Parse("attribute:ecs.os-type in []")
	fmt.Println(err)
	var ce *cql.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Caret())
	}
	// Output:
	// cql: 1:27: expected value after "in", found "]"
	// attribute:ecs.os-type in []
	//                           ^
}

func ExampleExpr_String() {
	e, _ := cql.Parse("ec2InstanceId in ['i-abcd1234','i-wxyx7890'] || !agentConnected equals true")
	fmt.Println(e)
	// Output:
	// ec2InstanceId in [i-abcd1234, i-wxyx7890] or not(agentConnected == true)
}
