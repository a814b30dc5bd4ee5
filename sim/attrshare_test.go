package sim

import (
	"slices"
	"strings"
	"testing"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
)

// TestInstancesShareAttributeLists: the instances a pool registers in a
// zone share one attribute list, instances with other attributes (a
// pool's own, another agent release, another zone) have their own, and
// no list has room to grow into: an append to one instance's list moves
// it instead of writing into another's.
func TestInstancesShareAttributeLists(t *testing.T) {
	sc, err := scenario.ReadScenario(strings.NewReader(`{
  "name": "share", "seed": 1, "duration": "1h",
  "fleet": {
    "instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 7680}],
    "pools": [
      {"type": "m5.large", "zones": {"a": 3, "b": 2}},
      {"type": "m5.large", "zones": {"a": 2}, "attributes": {"stack": "prod"}},
      {"type": "m5.large", "zones": {"a": 2}, "agentVersion": "1.29.0"}
    ]
  },
  "workload": {"generator": {"ratePerHour": 1, "mix": [`+mixWith("")+`]}}
}`), "share.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSimulator(sc, scenario.Variant{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.fleet.build(); err != nil {
		t.Fatal(err)
	}
	ins := s.fleet.cluster.Instances()
	// got numbers the distinct attribute lists (their first elements'
	// addresses) in order of first use.
	var lists []*placement.Attribute
	var got []int
	for _, in := range ins {
		if len(in.Attributes) != cap(in.Attributes) {
			t.Errorf("instance %s: attribute list of length %d has capacity %d", in.ARN, len(in.Attributes), cap(in.Attributes))
		}
		k := slices.Index(lists, &in.Attributes[0])
		if k < 0 {
			k = len(lists)
			lists = append(lists, &in.Attributes[0])
		}
		got = append(got, k)
	}
	want := []int{0, 0, 0, 1, 1, 2, 2, 3, 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attribute lists shared by the instances, numbered by first use (-want +got):\n%s", diff)
	}
	before := slices.Clone(ins[1].Attributes)
	ins[0].Attributes = append(ins[0].Attributes, ins[0].Attributes[0])
	if diff := cmp.Diff(before, ins[1].Attributes); diff != "" {
		t.Errorf("an append to one instance's attributes changed another's (-before +after):\n%s", diff)
	}
}
