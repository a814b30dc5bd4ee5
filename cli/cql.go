package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/berthsched/berth/cql"
	"github.com/berthsched/berth/ecsjson"

	flag "github.com/spf13/pflag"
)

const cqlUsage = `
Usage:
  berth cql [--cluster FILE [--status STATUS]] EXPR

Checks a Cluster Query Language expression, the language of memberOf
placement constraints and of "aws ecs list-container-instances --filter".

Without --cluster, berth cql prints the expression in canonical form
(normalised spacing, operator spelling and quoting, with only the
parentheses precedence needs), which parses back to the same expression;
a form that would exceed the limit below is printed without optional
spaces (&&, ||, !), so that it stays within it.
An invalid expression prints the error and a caret under the offending
column on stderr, and exits 1. Expressions are limited to 2000 bytes, as
in ECS.

With --cluster, berth cql reads a cluster snapshot (the JSON printed by
"aws ecs describe-container-instances", optionally with the "tasks" of
"aws ecs describe-tasks"; "-" reads stdin) and prints the
containerInstanceArn of every instance that matches, one per line, in the
file's order. Like list-container-instances, it lists instances of every
status but INACTIVE unless --status names one. No match prints nothing and
exits 0.

Operators (symbol and word forms are interchangeable):
  ==  equals         !=  not_equals      in   [a, b]   !in  not_in
  >   greater_than   >=  greater_than_equal
  <   less_than      <=  less_than_equal
  =~  matches        !~  not_matches     (RE2, whole value)
  exists             !exists  not_exists (presence; attribute:<name>, task:group)
  and &&   or ||   not !   ( )           (not binds tightest, then and)

Subjects: attribute:<name>, task:group, agentConnected, agentVersion,
ec2InstanceId, registeredAt, runningTasksCount.

Exit status: 0 when the expression is valid (and, with --cluster, the
matches are printed, even none); 1 on an invalid expression or snapshot;
2 on a usage error.

Examples:
  berth cql 'attribute:ecs.instance-type matches t2.* and attribute:ecs.availability-zone != us-east-1d'
  berth cql --cluster examples/cluster.json 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]'
  berth cql --cluster examples/cluster.json 'not(task:group == service:web)'
  berth cql --cluster examples/cluster.json --status DRAINING 'runningTasksCount > 0'
  aws ecs describe-container-instances --cluster prod --container-instances ... |
    berth cql --cluster - 'agentVersion < 1.70.0'
`

// cqlListStatuses are the values list-container-instances --status accepts.
var cqlListStatuses = []string{"ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED"}

func cqlCommand() *command {
	return &command{
		name:    "cql",
		summary: "check a CQL expression, or filter a cluster snapshot with it",
		usage:   cqlUsage,
		flags: func(fs *flag.FlagSet) func(e *env, args []string) error {
			cluster := fs.String("cluster", "", "cluster snapshot `FILE` to filter (\"-\" reads stdin)")
			status := fs.String("status", "", "list only instances with this `STATUS`: "+strings.Join(cqlListStatuses, ", "))
			return func(e *env, args []string) error {
				return runCQL(e, args, *cluster, *status)
			}
		},
	}
}

func runCQL(e *env, args []string, cluster, status string) error {
	switch {
	case len(args) == 0:
		return usagef("missing EXPR")
	case len(args) > 1:
		return usagef("expected one EXPR, found %d arguments (quote the expression)", len(args))
	case status != "" && cluster == "":
		return usagef("--status needs --cluster")
	case status != "" && !slices.Contains(cqlListStatuses, status):
		return usagef("--status: expected one of %s, found %q", strings.Join(cqlListStatuses, ", "), status)
	}
	expr, err := cql.Parse(args[0])
	if err != nil {
		return cqlExprError(err)
	}
	if cluster == "" {
		_, err := fmt.Fprintln(e.stdout, expr.String())
		return err
	}
	s, err := cqlReadSnapshot(e, cluster)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	for i := range s.ContainerInstances {
		c := &s.ContainerInstances[i]
		listed := c.Status == status || status == "" && c.Status != "INACTIVE"
		if listed && expr.Match(c) {
			fmt.Fprintln(w, c.ARN)
		}
	}
	return w.Flush()
}

// cqlExprError adds the caret rendering under a *cql.Error's one-line
// message; the command framework prints it after "berth cql: ".
func cqlExprError(err error) error {
	var ce *cql.Error
	if !errors.As(err, &ce) {
		return err
	}
	return &cqlCaretError{ce}
}

type cqlCaretError struct{ err *cql.Error }

func (e *cqlCaretError) Error() string {
	return e.err.Error() + "\n" + strings.TrimSuffix(e.err.Caret(), "\n")
}
func (e *cqlCaretError) Unwrap() error { return e.err }

func cqlReadSnapshot(e *env, name string) (*ecsjson.Snapshot, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	} else {
		name = "stdin"
	}
	s, err := ecsjson.ReadSnapshot(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}
