package scenario

import "time"

// Limits on what a scenario may ask for. No real plan reaches them, and
// each keeps a run within memory and time that a laptop has: a mistyped
// number is an error naming its field before anything is allocated, not
// an out-of-memory crash or a run without end. docs/scenario.md lists
// them.
const (
	// MaxInstances bounds the instances one run may register: the
	// pools, every add event and every capacity provider's maxSize
	// together, the nodes of a trace, and those a native trace adds.
	MaxInstances = 1_000_000
	// MaxServiceTasks bounds one service's desiredCount, its scaling
	// maxCapacity and the desiredCount of its service events;
	// MaxTotalServiceTasks bounds their sum over the services.
	MaxServiceTasks      = 100_000
	MaxTotalServiceTasks = 1_000_000
	// MaxSamples bounds duration / sampleEvery, the points of each time
	// series (a year of one-minute samples is 525,600).
	MaxSamples = 1_000_000
	// MinReconcileEvery is the shortest reconcileEvery, and
	// MaxReconciles bounds duration / reconcileEvery.
	MinReconcileEvery = time.Second
	MaxReconciles     = 10_000_000
	// MaxGeneratedTasks bounds the tasks a generator is expected to
	// submit: ratePerHour x (1 + dailyCycle) x the hours until it stops.
	MaxGeneratedTasks = 10_000_000
	// MaxSweepRuns bounds the runs of a sweep: the combinations of the
	// swept values times the placement variants.
	MaxSweepRuns = 10_000
	// MaxPricePerHour bounds a price per hour, so that every cost of a
	// run stays a finite number.
	MaxPricePerHour = 1e6
)

// maxSpotPriceFactor bounds a capacity provider's spotPriceFactor, which
// multiplies a price (Spot costs less than on-demand: the default is
// 0.35).
const maxSpotPriceFactor = 10
