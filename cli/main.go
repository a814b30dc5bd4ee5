// Command berth places, schedules and simulates Amazon ECS workloads.
//
// Each subcommand lives in its own file and registers itself with register.
// Exit status: 0 when the command did its job (a placement with unplaced
// tasks, a filter that matches nothing and a simulation with failures are
// all jobs done), 1 on invalid input or an internal failure, 2 on a usage
// error. stdout carries only the command's result; messages go to stderr.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one berth subcommand.
type command struct {
	name    string
	summary string // one line for the command list
	// usage is the full help text: synopsis, description, flags and
	// examples. The flag defaults are appended by the framework.
	usage string
	// flags declares the command's flags on fs and returns the function
	// that runs it once the flags are parsed.
	flags func(fs *flag.FlagSet) func(e *env, args []string) error
}

// env is what a command may touch: its streams and nothing ambient.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// stderrIsTerminal reports whether progress output is welcome.
	stderrIsTerminal bool
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("berth: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks an error in how the command was called (exit 2), as
// opposed to invalid input documents (exit 1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stderrIsTerminal: isTerminal(os.Stderr)}
	os.Exit(run(e, os.Args[1:]))
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

func topHelp(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].summary)
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
func run(e *env, args []string) int {
	out := &stdoutWriter{w: e.stdout}
	ce := *e
	ce.stdout = out
	code := runCommand(&ce, args)
	if out.err != nil && code == 0 {
		name := "berth"
		if len(args) > 0 && commands[args[0]] != nil {
			name += " " + args[0]
		}
		fmt.Fprintf(e.stderr, "%s: writing stdout: %v\n", name, out.err)
		return 1
	}
	return code
}

func runCommand(e *env, args []string) int {
	if len(args) == 0 {
		topHelp(e.stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			if c, ok := commands[args[1]]; ok {
				printUsage(e.stdout, c, nil)
				return 0
			}
		}
		topHelp(e.stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "berth: unknown command %q\n", args[0])
		topHelp(e.stderr)
		return 2
	}
	fs := flag.NewFlagSet("berth "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFn := c.flags(fs)
	rest, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printUsage(e.stdout, c, fs)
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "berth %s: %v\n", c.name, err)
		fmt.Fprintf(e.stderr, "Run \"berth %s --help\" for usage.\n", c.name)
		return 2
	}
	if err := runFn(e, rest); err != nil {
		fmt.Fprintln(e.stderr, commandMessage(c.name, err))
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(e.stderr, "Run \"berth %s --help\" for usage.\n", c.name)
			return 2
		}
		return 1
	}
	return 0
}

// commandMessage is the line berth prints for a command's error: the
// error after "berth <command>: ". The packages named as commands (sim,
// cql, autoscale) prefix their errors with their own name, which is the
// command's: that prefix is the command's and is not printed twice.
func commandMessage(name string, err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, name+": ") {
		return "berth " + msg
	}
	return "berth " + name + ": " + msg
}

// parseInterspersed parses flags anywhere among the arguments, so that
// "berth cql EXPR --cluster f.json" works as well as the flags-first form.
// A lone "--" ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

func printUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprint(w, strings.TrimLeft(c.usage, "\n"))
	if fs == nil {
		return
	}
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.String())
	}
}
