// Package cql parses and evaluates Amazon ECS's Cluster Query Language,
// the expression language of memberOf placement constraints and of
// `aws ecs list-container-instances --filter`.
//
// Parse compiles an expression once; Match evaluates it against a
// Subject (one container instance) many times:
//
//	e, err := cql.Parse("attribute:ecs.instance-type =~ t2.* and not(task:group == database)")
//	if err != nil {
//		return err // a *cql.Error: line:column, and a caret rendering
//	}
//	ok := e.Match(instance)
//
// # Grammar
//
// AWS publishes no formal grammar. This one accepts every documented
// example; Expr.String prints the canonical spelling (the first of each
// alias pair below).
//
//	expr      = or .
//	or        = and { ( "or" | "||" ) and } .
//	and       = unary { ( "and" | "&&" ) unary } .
//	unary     = ( "not" | "!" ) unary | "(" expr ")" | simple .
//	simple    = subject binary_op argument | subject unary_op .
//	subject   = "attribute:" attr_name | "task:group" | "agentConnected"
//	          | "agentVersion" | "ec2InstanceId" | "registeredAt"
//	          | "runningTasksCount" .
//	binary_op = "==" | "equals" | "!=" | "not_equals"
//	          | ">" | "greater_than" | ">=" | "greater_than_equal"
//	          | "<" | "less_than" | "<=" | "less_than_equal"
//	          | "in" | "!in" | "not_in"
//	          | "=~" | "matches" | "!~" | "not_matches" .
//	unary_op  = "exists" | "!exists" | "not_exists" .
//	argument  = value | "[" value { "," value } "]" .   (a list only after in, !in)
//	value     = bare | "'" { any byte but ' and newline } "'"
//	          | `"` { any byte but " and newline } `"` .
//	bare      = 1 or more bytes other than whitespace, control bytes and ( ) [ ] , ' " ! = < > & | ~,
//	            not spelling a keyword .
//	attr_name = 1 to 128 of the letters, digits and - _ / \ . (ECS's rule for attribute names).
//
// So `not(...)` works with or without a space, `!exists`, `!in`, `!=` and
// `!~` are single tokens, spaces around symbols are optional, and bare
// values may hold `.`, `-`, `:`, `*`, `/` and more (t2.*, us-east-1a,
// service:production, 2018-06-18T22:28:28+00:00). Quoted values have no
// escapes: a value holding ' is written in double quotes. The keywords
// (and, or, not and the word operators) are lowercase and reserved: as a
// value they must be quoted ('and'). There is no `empty` operator (ECS has
// none); `!exists` tests absence. After in or !in a single value without
// brackets is a list of one.
//
// # Subjects and their operators
//
//	subject            operators                          values
//	attribute:<name>   all twelve                         strings; patterns for =~ !~
//	task:group         == != in !in =~ !~ exists !exists  strings; patterns
//	ec2InstanceId      == != in !in =~ !~                 strings; patterns
//	agentConnected     == != in !in =~ !~                 true, false; patterns (matched against "true", "false")
//	agentVersion       == != > >= < <=                    versions: 1 to 4 dot-separated numbers
//	registeredAt       == != > >= < <=                    2018-06-18T22:28:28+00:00, ...Z, 2018-06-18T22:28:28, 2018-06-18
//	runningTasksCount  == != > >= < <=                    whole numbers
//
// This follows the ECS Developer Guide's table of operators; attribute: and
// task:group, for which ECS lists none, take every operator that means
// something for them. Any other pairing, and any value of the wrong type,
// is an error from Parse that names the subject and operator or value.
//
// # Semantics (the decisions where ECS is silent)
//
//  1. Precedence: not binds tightest, then and, then or. Keywords are
//     lowercase; values compare case-sensitively. An empty expression is
//     an error.
//  2. =~ and !~ match the whole value (as if the pattern were wrapped in
//     ^(?: and )$) with Go's RE2 syntax. A pattern RE2 cannot express
//     (back-references, look-around, possessive or atomic groups) is an
//     error from Parse, never a silent mismatch. `.` does not match a
//     newline unless the pattern sets (?s).
//  3. On an attribute the instance does not have, only !exists is true:
//     ==, !=, the orderings, in, !in, =~, !~ and exists are all false. So
//     `attribute:X != v` needs X to be present, while `not(attribute:X ==
//     v)` is true when X is absent. An attribute present without a value
//     has the value "".
//  4. task:group OP v is true when some task the instance hosts (PENDING
//     or RUNNING, as the Subject reports them) has a group satisfying OP:
//     `== G` means some task has group G, `!= G` some task has another
//     group, `!in`/`!~` some task's group is outside the list or pattern.
//     Anti-affinity is `not(task:group == G)`. `exists` means the instance
//     hosts any task, `!exists` none; with no tasks every other operator
//     is false.
//  5. Orderings compare in each subject's domain: runningTasksCount as
//     integers (the instance's own field); agentVersion component by
//     component (1.9.0 < 1.14.5; missing components are 0, so 1.14 ==
//     1.14.0; every operator, == and != included, compares versions, and
//     an instance whose version is unknown or not a version matches none);
//     registeredAt as instants (a form without a zone is UTC, a date alone
//     is midnight UTC, == is the same instant); attributes numerically
//     when both sides are decimal numbers (optional sign, digits, at most
//     one '.': no exponents), exactly and without rounding, else byte-wise
//     lexically. == and != stay string equality on attributes, as ECS
//     documents ("10" != "10.0").
//
// # Compile once, evaluate many
//
// Parse does every piece of parsing: regular expressions are compiled,
// lists become sets, versions, dates and numbers are parsed, and
// agentConnected tests become a two-entry table. Common pattern shapes
// (a literal, prefix.*, .*suffix, prefix.*suffix, with or without ^ and
// $) are matched with string operations that give exactly the regexp's
// answer; others run a compiled regexp. Match neither parses literals
// nor allocates; it does read the subject's own values (an attribute
// value that may be a number, the agent version string), scanning them
// in place.
//
// Expr.Uses and Expr.Attributes say what an expression reads, so that a
// caller can cache results per class of instances with equal attributes
// and know when results depend on the tasks an instance hosts.
//
// # Concurrency
//
// A compiled Expr is immutable and safe for concurrent use. Match calls
// only the Subject's methods, which must be safe to call concurrently if
// Match is.
//
// # Errors and limits
//
// Parse stops at the first error and returns an *Error holding the
// source, the byte offset and a message of the form "expected X, found
// Y". Error() is one line (`cql: 1:27: expected value after "in", found
// "]"`); Pos gives the line and the column in bytes; Caret renders the
// line with a ^ under the offending column. Parse rejects an expression
// longer than MaxLength (2,000) bytes, ECS's limit (exactly 2,000 is
// accepted), and nesting deeper than MaxDepth (100) levels of parentheses
// and negations. The limit applies to the source as written; the
// canonical form of any accepted expression parses again, because when its
// spaced spelling would exceed the limit Expr.String prints the compact
// one (&&, ||, ! and no optional spaces), never longer than the source.
//
// # References
//
// The ECS behaviour reproduced here is catalogued, with the AWS page each
// rule comes from, in the repository's docs/ecs-behaviour.md, section 1 and the edge cases of 8.1.
// Comments cite its sections ("docs/ecs-behaviour.md 4.1") and numbered
// edge cases ("case 63"); a test named after a case checks that case.
//
// # Non-goals
//
// Java regular-expression features that RE2 lacks; case-insensitive
// keywords; escapes inside quoted values; the EventBridge uses of the
// language; and the instance model itself: Subject is implemented by
// package placement and by the snapshot reader.
package cql
