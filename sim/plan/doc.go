// Package plan answers a capacity planner's question with ECS's own
// semantics: of the configurations a sweep of a scenario spans, which
// has the lowest figure (cost) while keeping every requirement
// (services.web.timeToStartSeconds.p99 <= 120) at the pessimistic end of
// its 95% confidence interval over N replicates?
//
// Figures are paths into one run's summary.json (see package replicate).
// A configuration meets a requirement "F <= V" when the upper end of F's
// interval is at most V, "F >= V" when the lower end is at least V. The
// recommendation is the configuration that meets every requirement with
// the lowest mean of the minimized figure (ties go to the first in
// configuration order); the runners-up are the next ones.
//
// Plan races the configurations rather than running the whole grid
// times the replicates: every configuration gets two replicates, then
// each round gives one more replicate to those still in the race, up to
// N. After each round a configuration is dropped when its interval shows
// that it cannot meet a requirement (the optimistic end of a figure
// already breaks it) or cannot win (the lower end of its minimized
// figure lies above the upper end of a configuration that meets every
// requirement). This is racing in the manner of Maron and Moore's
// Hoeffding races, with Student's t intervals. Once the race ends, a
// configuration dropped as unable to win is taken back into the race if
// the final recommendation's interval no longer excludes it, so that a
// drop made on early evidence cannot stand against the final answer.
// Racing is a heuristic: with few replicates an interval can miss, and
// the answer can differ from the exhaustive grid's (Spec.Exhaustive runs
// that grid).
//
// A Plan is deterministic: replicate k of a configuration always runs
// with the seed Scenario.Seed+k, so the same scenario and Spec give the
// same Result whatever the parallelism.
package plan
