package report

import (
	"testing"

	"github.com/berthsched/berth/sim"
)

// TestTasksLostAgreesWithTable: sweep.png's "no task lost" must mean the
// table's lost and svc lost columns are both 0 (a run that lost 4 service
// tasks was drawn as "no task lost").
func TestTasksLostAgreesWithTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    sim.Summary
		want int
	}{
		{"none", sim.Summary{Services: []sim.ServiceSummary{{Name: "web"}}}, 0},
		{"standalone", sim.Summary{Lost: 2}, 2},
		{"service only", sim.Summary{Services: []sim.ServiceSummary{{Name: "web", Lost: 3}, {Name: "worker", Lost: 1}}}, 4},
		{"both", sim.Summary{Lost: 1, Services: []sim.ServiceSummary{{Name: "web", Lost: 3}}}, 4},
	} {
		if got := tasksLost(&tc.s); got != tc.want {
			t.Errorf("%s: tasksLost = %d, want %d", tc.name, got, tc.want)
		}
	}
}
