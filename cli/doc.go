// Package cli is berth's command line as a library: the commands sim,
// place, cql, autoscale, pack, version and completion, built on
// spf13/cobra, for cmd/berth and for programs that build a berth of their
// own, with placement strategies of their own:
//
//	func main() {
//		os.Exit(cli.Main(cli.WithStrategy("leastloaded", newLeastLoaded)))
//	}
//
// A strategy registered with WithStrategy is a strategy type of berth sim
// (--strategy 'leastloaded', scenario variants {"type": "leastloaded"})
// and a policy of berth pack (--policy leastloaded); both commands' help
// lists it. Its StrategyFactory is called once per run with a
// StrategyEnv: the field it was given and the workload's typical GPU
// pods, which FGD-like strategies need. examples/custom-strategy is a
// complete program.
//
// # Exit status
//
// Main and Run return 0 when the command did its job (a placement with
// unplaced tasks, a filter that matches nothing, a simulation with
// failures are all jobs done), 1 on invalid input, a failure, an
// interrupt or an output that could not be written (stdout included), 2
// on a usage error: an unknown command or flag, a missing or malformed
// flag value. Every command's --help states its own.
//
// # Streams
//
// stdout carries only the command's result (help text included, when
// asked for); everything else goes to stderr. An error is printed once,
// as one line "berth <command>: ..." (a message rendered with a caret, by
// cql, takes two); a usage error adds the line
// `Run "berth <command> --help" for usage.`. Progress lines are printed
// only when Main finds stderr is a terminal; Run never prints them.
//
// # Flags
//
// Flags are GNU style (pflag): --name value or --name=value, anywhere
// among the arguments; "--" ends them; "-" as a value is stdin where a
// flag says so. Single-dash long flags (-cluster) are not accepted.
//
// # Options
//
// Options configure the berth that NewCommand, Main or Run builds; a
// nil or empty list is the plain berth. WithStrategy panics on a name
// that clashes with one of berth's strategies or policies or is given
// twice: a programmer error, found the first time the program runs.
//
// # Concurrency and ambient state
//
// Nothing in the package is global: each call of NewCommand, Main or Run
// builds its own command tree, and Runs with their own streams may go in
// parallel (a command's work, such as berth sim's variants, may itself
// use every core). Main alone reads the process's arguments, streams and
// terminal, and handles SIGINT and SIGTERM: a run writing files removes
// its temporary outputs and exits 1, a Docker run removes its containers
// first. Under Run, cancelling the context is the interrupt: nothing is
// exited, the command returns 1 once it can (a simulation under way
// finishes first, and its outputs are not written). Commands read files
// and write the outputs their flags name, and berth sim --executor docker
// talks to a Docker engine; nothing else leaves the process.
//
// # Non-goals
//
// Commands of one's own are added to the *cobra.Command NewCommand
// returns (AddCommand); the package offers no other hook. berth's own
// command names and flags are not configurable.
package cli
