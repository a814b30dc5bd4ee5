package sim

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
)

// A mix entry's capacityProviderStrategy replaces the workload's for its
// tasks: in the default scenario the cache tasks (12 GiB) go to m5-xlarge
// and r5-large only, two to one as their weights say, GPU tasks to
// g4dn-xlarge, and the rest to the workload's four providers.
func TestMixCapacityProviderStrategy(t *testing.T) {
	sc := scenario.DefaultScenario()
	sc.Duration = scenario.Duration(6 * time.Hour)
	var log bytes.Buffer
	v := scenario.Variant{Strategies: []scenario.StrategySpec{{Type: "binpack", Field: "memory"}}}
	if _, err := Simulate(sc, v, Options{Log: &log}); err != nil {
		t.Fatal(err)
	}
	// kind of task -> provider -> tasks placed there. Instance ids are
	// the provider's name and a number (m5-xlarge-00180).
	got := map[string]map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var e struct{ Kind, Task, Instance string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Kind != "place" {
			continue
		}
		kind := e.Task[:strings.LastIndexByte(e.Task, '-')]
		prov := e.Instance[:strings.LastIndexByte(e.Instance, '-')]
		if got[kind] == nil {
			got[kind] = map[string]int{}
		}
		got[kind][prov]++
	}
	providers := func(kind string) []string { return slices.Sorted(maps.Keys(got[kind])) }
	for _, tt := range []struct {
		kind string
		want []string
	}{
		{"cache", []string{"m5-xlarge", "r5-large"}},
		{"infer", []string{"g4dn-xlarge"}},
		{"web", []string{"c5-xlarge", "m5-large", "m5-xlarge", "r5-large"}},
	} {
		if diff := cmp.Diff(tt.want, providers(tt.kind)); diff != "" {
			t.Errorf("providers of the %s tasks (-want +got):\n%s", tt.kind, diff)
		}
	}
	// Split's rule keeps the tasks given to each provider within one of
	// 2:1; a few may still be waiting for capacity at the end.
	x, r := got["cache"]["m5-xlarge"], got["cache"]["r5-large"]
	if x+r < 30 || x < 2*r-3 || x > 2*r+3 {
		t.Errorf("cache tasks placed on m5-xlarge %d, r5-large %d: want about 2:1", x, r)
	}
}
