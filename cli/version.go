package cli

import (
	"runtime/debug"
	"strings"

	flag "github.com/spf13/pflag"
)

// module is berth's module path, to find its version in a program that
// imports it.
const module = "github.com/berthsched/berth"

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print berth's version and the revision it was built from",
		usage: `Usage:
  berth version

Prints one line: berth's module version ("(devel)" for a build from a
working tree) and, when the build recorded them, the VCS revision, its
commit time and "modified" if the tree had uncommitted changes. In a
program that imports berth's cli package, the line names that program's
module too. "berth --version" prints the same line.

Exit status: 0 when the line is printed; 1 when it could not be written;
2 on a usage error.

Examples:
  berth version
  berth --version
`,
		flags: func(*flag.FlagSet) func(e *env, args []string) error {
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				_, err := e.stdout.Write([]byte(versionLine() + "\n"))
				return err
			}
		},
	}
}

// versionLine is "berth VERSION [(rev REVISION, TIME[, modified])]" for
// the running binary.
func versionLine() string {
	info, _ := debug.ReadBuildInfo()
	return formatVersion(info)
}

// formatVersion formats the version line from info, which may be nil.
func formatVersion(info *debug.BuildInfo) string {
	if info == nil {
		return "berth (devel)"
	}
	version, in := info.Main.Version, ""
	if info.Main.Path != module {
		// A program of its own built on berth's cli: berth is one of its
		// dependencies, and the VCS settings are the program's.
		version = ""
		for _, d := range info.Deps {
			if d.Path == module {
				version = d.Version
				if d.Replace != nil {
					version = d.Replace.Version
				}
			}
		}
		in = " in " + info.Main.Path
		if info.Main.Version != "" {
			in += " " + info.Main.Version
		}
	}
	if version == "" {
		version = "(devel)"
	}
	var vcs []string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.time":
			vcs = append(vcs, s.Value)
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		vcs = append(vcs, "modified")
	}
	line := "berth " + version + in
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	return line
}
