package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"
)

// command is one berth subcommand, turned into a *cobra.Command by
// newRoot. Each lives in its own file; builtinCommands lists them.
type command struct {
	name    string
	summary string // one line for the command list
	// usage is the full help text: synopsis, description, exit status and
	// examples. The flags are appended by the framework.
	usage string
	// strategies marks a command that takes the strategies registered
	// with WithStrategy: its help lists them.
	strategies bool
	// flags declares the command's flags on fs and returns the function
	// that runs it once the flags are parsed.
	flags func(fs *flag.FlagSet) func(e *env, args []string) error
}

// builtinCommands returns berth's commands, fresh for each root: a
// command's flags are bound to the variables its flags function makes.
func builtinCommands() []*command {
	return []*command{autoscaleCommand(), completionCommand(), cqlCommand(), importCommand(), mergeCommand(), packCommand(), placeCommand(), planCommand(), simCommand(), versionCommand()}
}

// env is what a command may touch: its streams, its context, the
// strategies it was built with, and nothing ambient.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// stderrIsTerminal reports whether progress output is welcome.
	stderrIsTerminal bool
	// ctx, when cancelled, interrupts the run as SIGINT does under Main.
	ctx context.Context
	// signals adds SIGINT and SIGTERM to ctx while a command watches for
	// an interrupt, and lets it exit the process on one: set by Main only.
	signals bool
	// strategies are the strategies registered with WithStrategy.
	strategies registry
	// getenv reads the environment for --shard auto; nil when berth was
	// given none (Run without WithEnv).
	getenv func(string) string
	// now is the wall clock progress lines read; nil means time.Now.
	now func() time.Time
}

// interruptible returns a context that ends when e.ctx does or, under
// Main, when SIGINT or SIGTERM arrives; stop ends the watch.
func (e *env) interruptible() (ctx context.Context, stop context.CancelFunc) {
	parent := e.ctx
	if parent == nil {
		parent = context.Background()
	}
	if e.signals {
		return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	}
	return context.WithCancel(parent)
}

// usageError marks an error in how the command was called (exit 2), as
// opposed to invalid input documents (exit 1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errNoCommand is berth run without a command: the command list goes to
// stderr and berth exits 2 with no other message.
var errNoCommand = errors.New("no command")

// Main runs berth on the process's arguments, streams and signals and
// returns the exit status, for a main function to pass to os.Exit:
//
//	func main() { os.Exit(cli.Main(cli.WithStrategy("leastloaded", newLeastLoaded))) }
//
// Inside a Slurm job that asked for --cpus-per-task, berth runs Go code
// on at most that many CPUs at once (GOMAXPROCS), unless the GOMAXPROCS
// variable says otherwise.
//
// SIGINT and SIGTERM interrupt a run that writes files (its temporary
// outputs are removed and berth exits 1) or runs containers (they are
// removed first).
func Main(opts ...Option) int {
	n, err := slurmProcs(os.Getenv, runtime.GOMAXPROCS(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "berth: %v\n", err)
		return 1
	}
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stderrIsTerminal: isTerminal(os.Stderr),
		ctx: context.Background(), signals: true}
	return run(e, os.Args[1:], append([]Option{WithEnv(os.Getenv)}, opts...)...)
}

// Run runs berth in-process with args (without the program name) on the
// given streams and returns the exit status. Cancelling ctx interrupts a
// run as SIGINT does under Main, except that the process is never exited:
// a simulation that cannot stop midway finishes, its outputs are not
// written and Run returns 1. Run installs no signal handler and reads
// nothing from the environment unless given WithEnv; runs with their own
// streams may go in parallel.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) int {
	return run(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}, args, opts...)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

const topUsage = `berth reproduces Amazon ECS task placement and scheduling, and simulates fleets.

Usage:
  berth <command> [flags] [arguments]

Commands:
%s
Run "berth <command> --help" for a command's flags and examples.

Exit status: 0 when the command did its job; 1 on invalid input, a failure,
or output that could not be written (stdout included); 2 on a usage error.
`

func topHelp(w io.Writer, root *cobra.Command) {
	var b strings.Builder
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() && c.Name() != "help" {
			fmt.Fprintf(&b, "  %-11s %s\n", c.Name(), c.Short)
		}
	}
	fmt.Fprintf(w, topUsage, b.String())
}

// stdoutWriter keeps the first error writing stdout, so that a command
// whose output was lost (a full disk, a closed pipe) exits 1 even where
// it did not check a write.
type stdoutWriter struct {
	w   io.Writer
	err error
}

func (s *stdoutWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// run executes berth with args (without the program name) and returns the
// exit status: 1 when writing stdout failed, whatever the command said.
func run(e *env, args []string, opts ...Option) int {
	out := &stdoutWriter{w: e.stdout}
	ce := *e
	ce.stdout = out
	if ce.ctx == nil {
		ce.ctx = context.Background()
	}
	root := newRoot(newConfig(opts), &ce)
	// cobra reads os.Args when given nil: no arguments must stay none.
	root.SetArgs(append([]string{}, args...))
	cmd, err := root.ExecuteContextC(ce.ctx)
	name := ""
	if cmd != nil && cmd != root {
		name = strings.TrimPrefix(cmd.CommandPath(), root.Name()+" ")
	}
	code := 0
	var ue *usageError
	var xe *exitError
	switch {
	case errors.Is(err, errNoCommand):
		code = 2
	case errors.As(err, &xe):
		fmt.Fprintln(e.stderr, commandMessage(name, err))
		code = xe.code
	case errors.As(err, &ue):
		fmt.Fprintln(e.stderr, commandMessage(name, err))
		fmt.Fprintf(e.stderr, "Run %q for usage.\n", strings.TrimSpace("berth "+name)+" --help")
		code = 2
	case err != nil:
		fmt.Fprintln(e.stderr, commandMessage(name, err))
		code = 1
	}
	if out.err != nil && code == 0 {
		fmt.Fprintf(e.stderr, "%s: writing stdout: %v\n", strings.TrimSpace("berth "+name), out.err)
		return 1
	}
	return code
}

// exitError is an error with an exit status of its own, other than 1
// (berth merge's 3: a plan needs another round).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// commandMessage is the line berth prints for a command's error: the
// error after "berth <command>: " ("berth: " for the root). The packages
// named as commands (sim, cql, autoscale) prefix their errors with their
// own name, which is the command's: that prefix is the command's and is
// not printed twice.
func commandMessage(name string, err error) string {
	msg := err.Error()
	if name == "" {
		return "berth: " + msg
	}
	if strings.HasPrefix(msg, name+": ") {
		return "berth " + msg
	}
	return "berth " + name + ": " + msg
}

// NewCommand returns berth's root command with its subcommands, for a
// program that adds berth to a cobra tree of its own or runs it with
// Execute. Errors are returned, not printed (SilenceErrors), and map to no
// exit status: Main and Run print them once and exit 0, 1 or 2 as the
// help texts state. The command reads its streams from cobra (SetIn,
// SetOut, SetErr) and its context from ExecuteContext.
//
// NewCommand panics if two options register one strategy name (see
// WithStrategy).
func NewCommand(opts ...Option) *cobra.Command {
	return newRoot(newConfig(opts), nil)
}

// newRoot builds the command tree. base is the run's env, or nil when the
// commands take their streams from cobra.
func newRoot(cfg *config, base *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "berth",
		Short:         "reproduce Amazon ECS task placement and scheduling, and simulate fleets",
		Version:       versionLine(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// The root takes no argument: a word that is no command is a
		// usage error, and no word at all lists the commands.
		Args: func(cc *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			hint := ""
			if s := cc.SuggestionsFor(args[0]); len(s) > 0 {
				hint = fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usagef("unknown command %q%s", args[0], hint)
		},
		RunE: func(cc *cobra.Command, _ []string) error {
			topHelp(cc.ErrOrStderr(), cc.Root())
			return errNoCommand
		},
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(flagError)
	if base != nil {
		root.SetIn(base.stdin)
		root.SetOut(base.stdout)
		root.SetErr(base.stderr)
	}
	root.SetHelpFunc(func(cc *cobra.Command, _ []string) {
		if cc == cc.Root() {
			topHelp(cc.OutOrStdout(), cc)
			return
		}
		printUsage(cc.OutOrStdout(), cc, cfg.strategies)
	})
	root.SetHelpCommand(helpCommand())
	for _, c := range builtinCommands() {
		root.AddCommand(c.cobra(cfg, base))
	}
	return root
}

// cobra turns c into a cobra command that runs with base, or with the
// streams cobra gives it when base is nil.
func (c *command) cobra(cfg *config, base *env) *cobra.Command {
	cc := &cobra.Command{Use: c.name, Short: c.summary, Long: c.usage, Args: cobra.ArbitraryArgs}
	if c.strategies {
		cc.Annotations = map[string]string{annotationStrategies: "true"}
	}
	runFn := c.flags(cc.Flags())
	addCompletions(cc, cfg.strategies)
	cc.RunE = func(cc *cobra.Command, args []string) error {
		var e env
		if base != nil {
			e = *base
		} else {
			e = env{stdin: cc.InOrStdin(), stdout: cc.OutOrStdout(), stderr: cc.ErrOrStderr()}
		}
		e.ctx = cc.Context()
		e.strategies = cfg.strategies
		e.getenv = cfg.getenv
		return runFn(&e, args)
	}
	return cc
}

// flagError turns cobra's and pflag's flag errors into usage errors, an
// invalid value in berth's words: the flag, the value and what was
// expected.
func flagError(_ *cobra.Command, err error) error {
	var ive *flag.InvalidValueError
	if errors.As(err, &ive) {
		expected := map[string]string{
			"uint64": "a non-negative integer", "int64": "an integer", "int": "an integer",
			"float64": "a number", "bool": "true or false",
		}[ive.GetFlag().Value.Type()]
		if expected != "" {
			return usagef("--%s %q: expected %s", ive.GetFlag().Name, ive.GetValue(), expected)
		}
	}
	return &usageError{err.Error()}
}

// annotationStrategies marks a command whose help lists the registered
// strategies.
const annotationStrategies = "berth.strategies"

// helpCommand is "berth help [command]", the same text as --help.
func helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "print the help of berth or of a command",
		Long: `Usage:
  berth help [command]

Prints the help of a command, as "berth <command> --help" does, or the
list of commands.

Exit status: 0 when the help is printed; 1 when it could not be written;
2 on a usage error (a command berth does not have).

Examples:
  berth help
  berth help sim
`,
		RunE: func(cc *cobra.Command, args []string) error {
			target, rest, err := cc.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("unknown command %q", strings.Join(args, " "))
			}
			return target.Help()
		},
	}
}

// printUsage prints cc's help: its text, the strategies registered for
// the commands that take them, and its flags.
func printUsage(w io.Writer, cc *cobra.Command, reg registry) {
	fmt.Fprint(w, strings.TrimLeft(cc.Long, "\n"))
	if cc.Annotations[annotationStrategies] != "" && len(reg.names) > 0 {
		fmt.Fprintf(w, "\nRegistered strategies (this build of berth): %s\n", strings.Join(reg.names, ", "))
	}
	if flags := cc.LocalFlags().FlagUsages(); flags != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", flags)
	}
}
