// Package tracedir finds the real traces (the openb, DLRM, PAI and SWF
// files) that berth's heavy tests, benchmarks and examples read, and that
// the repository does not hold: the environment variable BERTH_TRACES
// first, then ../shared/traces beside the repository root. Either is a
// directory holding openb/, fgd-atc23-results/, alibaba-gpu-v2025-dlrm/,
// alibaba-pai-2020-machine-spec/, pwa-nasa-ipsc-1993/...
//
// Tests that need the traces call Require, which skips with a message
// naming both places and how to provide the traces when neither holds
// them.
package tracedir

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Env names the environment variable that points at the traces directory.
const Env = "BERTH_TRACES"

// module is the module path whose go.mod marks the repository root.
const module = "github.com/berthsched/berth"

// Dir returns the traces directory: $BERTH_TRACES when it names a
// directory, else ../shared/traces beside the repository root (found from
// the working directory up) when that is one; ok is false when neither
// is.
func Dir() (dir string, ok bool) {
	return lookup(os.Getenv, os.Getwd)
}

// Require returns the traces directory, or skips tb with a message that
// names both places looked at and says how to get the traces.
func Require(tb testing.TB) string {
	tb.Helper()
	dir, ok := Dir()
	if !ok {
		tb.Skip(missing(os.Getenv(Env), repoTraces(os.Getwd)))
	}
	return dir
}

// Trim returns the part of path below a ../shared/traces directory (as
// the example scenarios write their trace paths, relative to the
// scenario), so that it can be joined to Dir; ok is false for a path
// outside it.
func Trim(path string) (rest string, ok bool) {
	const marker = "shared/traces/"
	p := filepath.ToSlash(path)
	i := strings.Index(p, marker)
	if i < 0 || (i > 0 && p[i-1] != '/') {
		return "", false
	}
	return p[i+len(marker):], true
}

func lookup(getenv func(string) string, getwd func() (string, error)) (string, bool) {
	if d := getenv(Env); d != "" && isDir(d) {
		return d, true
	}
	if d := repoTraces(getwd); d != "" && isDir(d) {
		return d, true
	}
	return "", false
}

// missing is the skip message when neither place holds the traces; env is
// $BERTH_TRACES and repo the place beside the repository ("" when no
// repository root was found).
func missing(env, repo string) string {
	var b strings.Builder
	b.WriteString("real traces not found: ")
	if env == "" {
		b.WriteString(Env + " is not set")
	} else {
		b.WriteString(Env + "=" + env + " is not a directory")
	}
	if repo == "" {
		b.WriteString(", and no repository root (go.mod of " + module + ") is above the working directory")
	} else {
		b.WriteString(", and " + repo + " is absent")
	}
	b.WriteString("; set " + Env + "=DIR to a directory holding openb/, fgd-atc23-results/, alibaba-gpu-v2025-dlrm/, alibaba-pai-2020-machine-spec/ and pwa-nasa-ipsc-1993/, or put them in ../shared/traces beside the repository")
	return b.String()
}

// repoTraces returns ../shared/traces beside the repository root that
// holds the working directory, or "" when none is found.
func repoTraces(getwd func() (string, error)) string {
	wd, err := getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; {
		if isModuleRoot(dir) {
			return filepath.Join(filepath.Dir(dir), "shared", "traces")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// isModuleRoot reports whether dir holds berth's go.mod.
func isModuleRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == module
		}
	}
	return false
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
