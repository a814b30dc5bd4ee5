package docker

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestParseHostRule(t *testing.T) {
	tests := []struct {
		name, in string
		want     HostRule
		err      string
	}{
		{name: "url only", in: "unix:///var/run/docker.sock", want: HostRule{URL: "unix:///var/run/docker.sock"}},
		{name: "pattern", in: "m5-large-*=tcp://10.0.0.5:2376", want: HostRule{Pattern: "m5-large-*", URL: "tcp://10.0.0.5:2376"}},
		{name: "no scheme", in: "host1:2375", err: `endpoint "host1:2375", expected unix:///path or tcp://host:port`},
		{name: "ssh", in: "ssh://me@host", err: `scheme "ssh", expected unix or tcp`},
		{name: "bad pattern", in: "[x=tcp://h:1", err: `pattern "[x" is malformed`},
		{name: "empty url", in: "g4dn-*=", err: `endpoint "", expected`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHostRule(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "docker: ") {
					t.Fatalf("ParseHostRule(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHostRule(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseHostRule(%q) (-want +got):\n%s", tt.in, diff)
			}
			if back, _ := ParseHostRule(got.String()); back != got {
				t.Errorf("ParseHostRule(%q.String()) = %+v, want %+v", got, back, got)
			}
		})
	}
}

func TestEndpointFor(t *testing.T) {
	rules := []HostRule{{Pattern: "g4dn-*", URL: "tcp://gpu:2376"}, {Pattern: "m5-*", URL: "tcp://cpu:2376"}}
	tests := []struct{ name, instance, want string }{
		{"first match by id", "arn:aws:ecs:sim:000000000000:container-instance/sim/g4dn-xlarge-00003", "tcp://gpu:2376"},
		{"second rule", "m5-large-00000", "tcp://cpu:2376"},
		{"default", "c5-large-00001", "unix:///default.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := endpointFor(rules, tt.instance, "unix:///default.sock"); got != tt.want {
				t.Errorf("endpointFor(%q) = %q, want %q", tt.instance, got, tt.want)
			}
		})
	}
}

func TestCompareLogs(t *testing.T) {
	simLog := `{"time":0,"kind":"place","task":"a","instance":"i-1"}
{"time":0,"kind":"place","task":"b","instance":"i-2"}
{"time":0,"kind":"place","task":"c","instance":"i-1"}
{"time":2,"kind":"finish","task":"a","instance":"i-1","reason":"Essential container in task exited"}
{"time":3,"kind":"finish","task":"b","instance":"i-2","exitCode":1,"reason":"Essential container in task exited"}
{"time":4,"kind":"finish","task":"c","instance":"i-1","reason":"Essential container in task exited"}
`
	dockerLog := `{"time":0,"kind":"place","task":"a","instance":"i-1"}
{"time":0,"kind":"place","task":"b","instance":"i-1"}
{"time":0,"kind":"place","task":"c","instance":"i-1"}
{"time":3.5,"kind":"finish","task":"b","instance":"i-1","exitCode":1,"reason":"Essential container in task exited"}
{"time":4,"kind":"finish","task":"a","instance":"i-1","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage"}
{"time":4,"kind":"finish","task":"c","instance":"i-1","reason":"Essential container in task exited"}
`
	a, err := CompareLogs(strings.NewReader(simLog), strings.NewReader(dockerLog))
	if err != nil {
		t.Fatal(err)
	}
	want := &Agreement{
		Tasks: 3, SamePlacement: 2, Finished: 3, SameOutcome: 2, Discordant: 1, Pairs: 3,
		TimingMean: 833 * time.Millisecond, TimingMax: 2 * time.Second,
		Diffs: []string{
			`task a: exit (137, "OutOfMemoryError: Container killed due to memory usage"), simulated (0, "Essential container in task exited")`,
			"task b: placed on i-1, simulated on i-2",
		},
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("CompareLogs (-want +got):\n%s", diff)
	}
	if a.PlacementsEqual() {
		t.Errorf("PlacementsEqual() = true with a task placed elsewhere")
	}
	wantLine := "placements differ (2/3), outcomes 2/3 equal, completion order 1 of 3 pairs swapped, timing error mean 0.83s max 2.00s"
	if got := a.String(); got != wantLine {
		t.Errorf("String() = %q, want %q", got, wantLine)
	}
	if _, err := CompareLogs(strings.NewReader("{"), strings.NewReader("")); err == nil || !strings.HasPrefix(err.Error(), "docker: simulated event log") {
		t.Errorf("CompareLogs of a broken log: error %v", err)
	}
}

// inversions counts exactly the pairs out of order, as the quadratic
// definition does.
func TestInversionsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.SliceOf(rapid.IntRange(0, 20)).Draw(t, "a")
		var want int64
		for i := range a {
			for j := i + 1; j < len(a); j++ {
				if a[i] > a[j] {
					want++
				}
			}
		}
		b := append([]int(nil), a...)
		if got := inversions(b, make([]int, len(b))); got != want {
			t.Fatalf("inversions(%v) = %d, want %d", a, got, want)
		}
		for i := 1; i < len(b); i++ {
			if b[i-1] > b[i] {
				t.Fatalf("inversions left %v unsorted", b)
			}
		}
	})
}

func TestImageTagNamesItsContent(t *testing.T) {
	a, b := imageTag("amd64", nil), imageTag("arm64", nil)
	if a == b || !strings.HasPrefix(a, imageRepo+":") {
		t.Errorf("imageTag(amd64) = %q, imageTag(arm64) = %q: want distinct berth-workload tags", a, b)
	}
	if imageTag("amd64", nil) != a {
		t.Errorf("imageTag is not stable")
	}
	if p, q := imageTag("amd64", []byte("x")), imageTag("amd64", []byte("y")); p == q || p == a {
		t.Errorf("prebuilt binaries tagged %q and %q (source %q): want distinct", p, q, a)
	}
}

func TestWorkloadMiB(t *testing.T) {
	for _, tt := range []struct{ in, want int64 }{{0, 0}, {6, 0}, {16, 8}, {64, 48}, {1024, 768}} {
		if got := workloadMiB(tt.in); got != tt.want {
			t.Errorf("workloadMiB(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// A TLS setup that fails (DOCKER_CERT_PATH without certificates) is an
// error naming the endpoint the user meant: the URL given, else
// DOCKER_HOST's. It used to name `endpoint ""`.
func TestDialTLSErrorNamesTheEndpoint(t *testing.T) {
	certs := filepath.Join(t.TempDir(), "no-certs")
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	t.Setenv("DOCKER_TLS_VERIFY", "1")
	t.Setenv("DOCKER_CERT_PATH", certs)
	tests := []struct {
		name string
		host string
		want string
	}{
		{name: "DOCKER_HOST", host: "", want: "docker: endpoint tcp://127.0.0.1:1: configure TLS from \"DOCKER_CERT_PATH=" + certs + "\": "},
		{name: "given URL", host: "tcp://127.0.0.2:2376", want: "docker: endpoint tcp://127.0.0.2:2376: configure TLS from \"DOCKER_CERT_PATH=" + certs + "\": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Ping(t.Context(), Config{Host: tt.host})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Ping(Host: %q) = %v, want one line starting %q", tt.host, err, tt.want)
			}
		})
	}
}
