// Package browsertest decides whether the tests that need a real browser
// run, and finds the browser: the one policy behind the browser tests
// (TestBrowser*, headless Chromium through chromedp).
//
// A browser test starts Chromium and takes seconds, so it is a heavy
// test: `go test -short` skips it, and so does any run with
// BERTH_SKIP_BROWSER=1 in its environment (CI runs the browser tests in a
// step of their own, after installing Debian's chromium package, and sets
// it for its full pass, so that they run once). Otherwise they run
// whenever a Chromium is on the PATH, and skip with a message naming what
// was looked for when none is.
package browsertest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// EnvSkip names the environment variable that, set to a non-empty value
// other than "0", skips the browser tests.
const EnvSkip = "BERTH_SKIP_BROWSER"

// Names are the executables looked up on the PATH, in order: Debian's
// chromium package, then other distributions' and Google's names.
var Names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// SkipReason returns why the browser tests do not run, or "" when they
// do: short is testing.Short(), getenv looks up the environment, and
// path is the browser found ("" when none).
func SkipReason(short bool, getenv func(string) string, path string) string {
	switch v := getenv(EnvSkip); {
	case short:
		return "a browser test is heavy: skipped under -short (run it without -short)"
	case v != "" && v != "0":
		return "browser tests skipped: " + EnvSkip + "=" + v
	case path == "":
		return "no Chromium to start: none of " + strings.Join(Names, ", ") + " is on the PATH (Debian: apt-get install chromium)"
	}
	return ""
}

// Find returns the path of the first of Names on the PATH, or "".
func Find() string {
	for _, n := range Names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Browser returns the browser's path, or skips t when SkipReason gives a
// reason.
func Browser(t testing.TB) string {
	t.Helper()
	path := ""
	if !testing.Short() {
		path = Find()
	}
	if why := SkipReason(testing.Short(), os.Getenv, path); why != "" {
		t.Skip(why)
	}
	return path
}
