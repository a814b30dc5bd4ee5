package cli

import (
	"strings"
	"testing"
)

// The flags of berth sim --executor docker; none of these cases needs a
// Docker engine (runs on one are tested in sim/docker).
func TestSimDockerFlags(t *testing.T) {
	sock := "unix://" + t.TempDir() + "/nobody.sock"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{name: "unknown executor", args: []string{"sim", "--executor", "k8s"}, code: 2,
			stderr: `--executor "k8s": expected sim or docker`},
		{name: "host without docker", args: []string{"sim", "--docker-host", sock}, code: 2,
			stderr: "--docker-host needs --executor docker"},
		{name: "malformed host", args: []string{"sim", "--executor", "docker", "--docker-host", "host1:2375"}, code: 2,
			stderr: `--docker-host: host rule "host1:2375": endpoint "host1:2375", expected unix:///path or tcp://host:port`},
		{name: "bad time scale", args: []string{"sim", "--executor", "docker", "--time-scale", "0"}, code: 2,
			stderr: "--time-scale 0: expected a positive number"},
		{name: "scale resources without docker", args: []string{"sim", "--scale-resources", "0.5"}, code: 2,
			stderr: "--scale-resources needs --executor docker"},
		{name: "cpu quota without docker", args: []string{"sim", "--cpu-quota"}, code: 2,
			stderr: "--cpu-quota needs --executor docker"},
		{name: "resource scale above 1", args: []string{"sim", "--executor", "docker", "--scale-resources", "2"}, code: 2,
			stderr: "--scale-resources 2: expected a factor in (0, 1]"},
		{name: "resource scale 0", args: []string{"sim", "--executor", "docker", "--scale-resources", "0"}, code: 2,
			stderr: "--scale-resources 0: expected a factor in (0, 1]"},
		{name: "stop timeout", args: []string{"sim", "--executor", "docker", "--stop-timeout", "0s"}, code: 2,
			stderr: "--stop-timeout 0s: expected a positive duration"},
		{name: "stretch tolerance", args: []string{"sim", "--executor", "docker", "--stretch-tolerance", "-1"}, code: 2,
			stderr: "--stretch-tolerance -1: expected 0 or more"},
		{name: "contention with sweep", args: []string{"sim", "--contention", "--sweep", "seed=1,2"}, code: 2,
			stderr: `--contention with --sweep, --replicates or --shard: set "contention": true in the scenario instead`},
		{name: "sweep on docker", args: []string{"sim", "--executor", "docker", "--sweep", "seed=1,2"}, code: 2,
			stderr: "--sweep runs on the virtual clock only"},
		{name: "unreachable engine", args: []string{"sim", "--executor", "docker", "--docker-host", sock}, code: 1,
			stderr: "berth sim: docker: no Docker engine answers at " + sock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBerth(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("berth %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.stderr)
			}
			if stdout != "" {
				t.Errorf("berth %s: stdout %q, want none", strings.Join(tt.args, " "), stdout)
			}
			if tt.code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("berth %s: the error takes several lines:\n%s", strings.Join(tt.args, " "), stderr)
			}
		})
	}
}
