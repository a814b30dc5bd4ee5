package eni

import (
	"fmt"
	"testing"
)

func TestTaskENIs(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		typ      string
		trunking bool
		want     int
	}{
		{"c5.large", "3 ENIs, so 2 awsvpc tasks without trunking", "c5.large", false, 2},
		{"c5.large trunked", "ENI trunking: 10 branch ENIs", "c5.large", true, 10},
		{"m5.large", "3 ENIs less the primary", "m5.large", false, 2},
		{"m5.xlarge trunked", "20 branch ENIs", "m5.xlarge", true, 20},
		{"m5.16xlarge", "15 ENIs less the primary", "m5.16xlarge", false, 14},
		{"t3.medium trunked", "t3 does not support trunking: its 3 ENIs less the primary", "t3.medium", true, 2},
		{"g4dn.xlarge", "3 ENIs less the primary", "g4dn.xlarge", false, 2},
		{"p3.2xlarge", "4 ENIs less the primary", "p3.2xlarge", false, 3},
		// The rows below follow the ECS guide's trunking table, which
		// excludes these types or gives these limits.
		{"g4dn.xlarge trunked", "the g4dn family does not support trunking", "g4dn.xlarge", true, 2},
		{"m5.metal trunked", "m5.metal does not support trunking", "m5.metal", true, 14},
		{"r5.8xlarge trunked", "r5.8xlarge does not support trunking", "r5.8xlarge", true, 7},
		{"g5.xlarge trunked", "task limit with trunking 6", "g5.xlarge", true, 6},
		{"p3.2xlarge trunked", "task limit with trunking 40", "p3.2xlarge", true, 40},
		{"g5.48xlarge", "7 ENIs less the primary (task limit without trunking 6)", "g5.48xlarge", false, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ok := Lookup(tt.typ)
			if !ok {
				t.Fatalf("Lookup(%q): unknown", tt.typ)
			}
			if got := l.TaskENIs(tt.trunking); got != tt.want {
				t.Errorf("Lookup(%q).TaskENIs(%v) = %d, want %d (%s)", tt.typ, tt.trunking, got, tt.want, tt.reason)
			}
		})
	}
	if _, ok := Lookup("x9.huge"); ok {
		t.Errorf("Lookup(%q) = known, want unknown", "x9.huge")
	}
}

// TestTableSane: every entry has at least the primary ENI, and a trunked
// type hosts more tasks than without trunking.
func TestTableSane(t *testing.T) {
	for typ, l := range table {
		if l.ENIs < 2 || l.Branch != 0 && l.Branch < l.ENIs-1 {
			t.Errorf("table[%q] = %+v: want at least 2 ENIs and more branch ENIs than task ENIs", typ, l)
		}
	}
}

func ExampleLimit_TaskENIs() {
	l, _ := Lookup("c5.large")
	fmt.Println(l.TaskENIs(false), l.TaskENIs(true))
	// Output: 2 10
}
