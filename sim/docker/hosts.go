package docker

import (
	"fmt"
	"path"
	"strings"

	"github.com/berthsched/berth/fielderr"
)

// HostRule sends the instances whose id matches Pattern to the Docker
// endpoint at URL. Instance ids are the last part of the instance ARN;
// the simulator names pool instances "<type with dots as dashes>-<n>", so
// "m5-large-*" selects the instances of an m5.large pool.
type HostRule struct {
	// Pattern is a path.Match pattern over instance ids; "" or "*" matches
	// every instance.
	Pattern string
	// URL is the endpoint, as DOCKER_HOST takes it: unix:///path,
	// tcp://host:port (TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH).
	URL string
}

// ParseHostRule reads "[PATTERN=]URL", the form of berth sim's
// --docker-host.
func ParseHostRule(s string) (HostRule, error) {
	var r HostRule
	r.URL = s
	// A pattern ends at the first '=' before the URL's "://"; a '=' after it
	// belongs to the URL.
	if i := strings.IndexByte(s, '='); i >= 0 && (strings.Index(s, "://") < 0 || i < strings.Index(s, "://")) {
		r.Pattern, r.URL = s[:i], s[i+1:]
	}
	if _, err := path.Match(r.Pattern, ""); err != nil {
		return HostRule{}, fmt.Errorf("docker: %w", fielderr.Errorf("", "host rule %q: pattern %q is malformed, expected a pattern such as m5-large-*", s, r.Pattern))
	}
	scheme, rest, ok := strings.Cut(r.URL, "://")
	if !ok || rest == "" {
		return HostRule{}, fmt.Errorf("docker: %w", fielderr.Errorf("", "host rule %q: endpoint %q, expected unix:///path or tcp://host:port", s, r.URL))
	}
	switch scheme {
	case "unix", "tcp", "npipe", "http", "https":
	default:
		return HostRule{}, fmt.Errorf("docker: %w", fielderr.Errorf("", "host rule %q: scheme %q, expected unix or tcp (ssh: forward the socket, see docs/docker.md)", s, scheme))
	}
	return r, nil
}

// String returns the rule as ParseHostRule reads it.
func (r HostRule) String() string {
	if r.Pattern == "" {
		return r.URL
	}
	return r.Pattern + "=" + r.URL
}

// endpointFor returns the URL of the first rule matching the instance (its
// ARN or id), or def.
func endpointFor(rules []HostRule, instance, def string) string {
	id := instance
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	for _, r := range rules {
		if r.Pattern == "" {
			return r.URL
		}
		if ok, _ := path.Match(r.Pattern, id); ok {
			return r.URL
		}
	}
	return def
}
