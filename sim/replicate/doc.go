// Package replicate runs a scenario's configurations with several seeds and
// reports every figure of a run's summary.json as a mean with a 95%
// confidence interval.
//
// A figure is a number of one run's summary.json named by its path, the
// JSON keys joined with dots, in which the elements of a list of named
// objects are addressed by their name: cost, timeToPlaceSeconds.p99,
// services.web.timeToStartSeconds.p99, providers.spot.peakInstances,
// instanceTypes.m5.xlarge.cost. A path is matched as a whole string, so
// names with dots (m5.xlarge) need no quoting. Text fields (variant,
// rolloutState) are not figures.
//
// Replicate k of a configuration runs it with the seed scenario.Seed+k;
// a configuration's replicates are independent runs, so that the interval
// is Student's t interval over them. With one replicate the interval is
// the point itself. Everything here is deterministic: the same scenario,
// configurations and replicates give the same figures, whatever the
// parallelism.
//
// The package keeps gonum's distributions out of package sim: a program
// that embeds the simulator without replicates does not link them.
package replicate
