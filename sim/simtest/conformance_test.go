package simtest_test

import (
	"testing"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/simtest"
)

func TestSimulatedConformance(t *testing.T) {
	simtest.Executor(t, simtest.Options{Instances: [2]string{"instance-a", "instance-b"}},
		func(_ *testing.T, eng *sim.Engine) sim.Executor { return sim.NewSimulated(eng) })
}
