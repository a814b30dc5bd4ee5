package scenario

import (
	"strconv"
	"strings"
)

// DefaultAgentVersion is the ECS agent version of a simulated instance
// whose instance type and pool give none: a current release.
const DefaultAgentVersion = "1.90.0"

// validVersion reports whether v is an agent version: three
// dot-separated numbers.
func validVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 1e6 || p != strconv.Itoa(n) {
			return false
		}
	}
	return true
}
