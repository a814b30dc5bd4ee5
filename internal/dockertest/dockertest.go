// Package dockertest decides whether the tests that need a Docker engine
// run: the one policy behind sim/docker's and cli's Docker tests.
//
// The Docker tests start real containers and take minutes, so they are
// heavy tests: `go test -short` skips them, and so does any run with
// BERTH_SKIP_DOCKER=1 in its environment (CI runs them in a step of their
// own and sets it for its full pass, so that they run once). Otherwise
// they run whenever an engine answers, and skip with a message when none
// does (that part is the caller's: this package does not import the Docker
// SDK).
package dockertest

import (
	"os"
	"testing"
)

// EnvSkip names the environment variable that, set to a non-empty value
// other than "0", skips the Docker tests.
const EnvSkip = "BERTH_SKIP_DOCKER"

// SkipReason returns why the Docker tests do not run, or "" when they do:
// short is testing.Short(), getenv looks up the environment.
func SkipReason(short bool, getenv func(string) string) string {
	switch v := getenv(EnvSkip); {
	case short:
		return "a Docker test is heavy: skipped under -short (run it without -short)"
	case v != "" && v != "0":
		return "Docker tests skipped: " + EnvSkip + "=" + v
	}
	return ""
}

// Skip skips t when SkipReason gives a reason.
func Skip(t testing.TB) {
	t.Helper()
	if why := SkipReason(testing.Short(), os.Getenv); why != "" {
		t.Skip(why)
	}
}
