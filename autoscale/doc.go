// Package autoscale reproduces Application Auto Scaling for ECS services
// (step scaling, target tracking, scheduled actions), the CloudWatch
// alarms that drive it, ECS capacity-provider managed scaling, and the
// Kubernetes HPA algorithm, as pure functions of their inputs.
//
// # Model
//
// A Scaler is a ScalableTarget with Policies and ScheduledActions. Each
// call to Scaler.Evaluate takes the previous State (capacity, bounds,
// cooldowns), the time and the metric samples, and returns the new State
// and the reason the capacity changed. Nothing is remembered elsewhere:
// there is no clock, no goroutine and no randomness, so the same inputs
// always give the same outputs. Alarms are recomputed from the samples at
// every evaluation, so datapoints count toward an alarm when they occur:
// a cooldown delays an action and never resets an alarm's window.
//
// An evaluation runs the scheduled actions due since the previous one
// (time order, then the order given; they ignore cooldowns), then the
// policies whose alarms are in ALARM. Scale-out wins over scale-in; among
// scale-outs and among scale-ins the largest capacity wins; target
// tracking scales in only when every target-tracking policy with scale-in
// enabled agrees (docs/ecs-behaviour.md 4.2). A step scale-in is not blocked by target
// tracking. Policies never leave [MinCapacity, MaxCapacity]; a capacity
// below the minimum is raised to it by a scale-out and left alone by a
// scale-in, and symmetrically above the maximum (docs/ecs-behaviour.md 4.1).
//
// # Specifications and defaults
//
// Specifications are plain structs with the AWS field names. Each type's
// comment says which zero values mean the AWS default and which fields
// are required; call Validate (Scaler.Validate validates everything).
// Durations are time.Duration: a zero cooldown or warm-up means the ECS
// default (300 s) and a negative one means none. Capacities are task or
// instance counts; percentages hold 0-100; CPU is in CPU units (1024 = 1
// vCPU), memory in MiB.
//
// # Decisions where AWS is silent
//
//   - Target tracking: scale out to ceil(capacity x metric /
//     target) after 3 consecutive one-minute datapoints above target (the
//     latest datapoint is used); scale in after 15 below it, to the same
//     formula applied to the highest datapoint of those 15, which never
//     pushes the metric above target. Both counts are settings
//     (HighDatapoints, LowDatapoints). TargetValue must be positive.
//   - MinAdjustmentMagnitude bounds the size of the change in either
//     direction.
//   - Cooldowns are kept per target. A scale-out cooldown starts with a
//     scale-out outside it; during it, scale-outs are computed from the
//     capacity before that first scale-out and act only when they ask for
//     more than the current capacity, without restarting the cooldown. A
//     scale-out ends the scale-in cooldown. Each cooldown's length comes
//     from the policy that acted.
//   - A step policy aggregates the present datapoints of its alarm's
//     evaluation window with MetricAggregationType; at the threshold
//     itself a step matches if it contains 0 under either bound rule.
//   - Alarms treat missing data as CloudWatch's "missing": a missing
//     datapoint never breaches. ALARM needs DatapointsToAlarm breaching
//     datapoints; fewer present datapoints than that is
//     INSUFFICIENT_DATA. So missing data never scales anything.
//   - A scheduled action that would leave MinCapacity above MaxCapacity
//     fails and changes nothing. Scheduled actions run before policies in
//     the same evaluation. An occurrence that passes while scheduled
//     scaling is suspended is skipped for good.
//   - Capacity provider split: the base first, then each
//     task to the provider furthest below its weighted share; ties to the
//     earlier provider. CapacityProviderReservation is M / N x 100 (not
//     the "100 minus empty instances" variant).
//   - A MixedInstancesPolicy's Spot allocation strategies are
//     approximated by price, there being no Spot capacity pools to
//     compare: price-capacity-optimized and lowest-price take the cheapest
//     override, capacity-optimized-prioritized the first (see
//     InstancesDistribution). The on-demand share above the base is
//     rounded up. Instance weighting is not supported with ECS capacity
//     providers (ErrWeightedCapacity).
//   - Managed scale-out from no instances launches FromZeroInstances
//     (two, within the step sizes) and then waits for their warm-up, as
//     the cluster auto scaling considerations of the ECS guide say
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html).
//   - Managed scale-in starts once 15 datapoints are below target and
//     lowers the group toward ceil(100 x M / targetCapacity) instances by
//     at most ScaleInStep(N) = max(1, (N-1)/2) a minute: the ECS guide's
//     "more than one instance and less than 50%" each minute
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html),
//     read as the largest count below half of the group, at least one.
//     Without managed termination protection the oldest instances go
//     first.
//
// # Schedules
//
// ParseSchedule accepts at(yyyy-mm-ddThh:mm:ss), rate(N unit) with N a
// positive integer and unit minute(s), hour(s) or day(s), and
// cron(Minutes Hours Day-of-month Month Day-of-week Year). Cron fields
// take *, single values, ranges a-b, steps */n, a/n and a-b/n, and
// comma-separated lists of those; months JAN-DEC and days SUN-SAT (1 =
// SUN, 7 = SAT) by name in any case; years 1970-2199. Exactly one of
// Day-of-month and Day-of-week must be '?'. The supported AWS extensions
// are L (last day of the month) and LW (its last weekday) and nW (the
// weekday nearest day n) in Day-of-month, and dL (last weekday d of the
// month) and d#k (k-th weekday d) in Day-of-week; they stand alone, not in
// lists, and anything else (L-n offsets, wrapping ranges) is an error. A
// seven-field form with leading seconds is accepted and the seconds are
// ignored. Time zones are IANA names; the zone database is embedded
// (time/tzdata), so zones work on any machine. A local time skipped by a
// daylight-saving change does not occur; a repeated one occurs once.
//
// # Metric math
//
// CompileMetricMath compiles the arithmetic part of CloudWatch metric
// math that target tracking's customized metric specifications use:
// numbers, query Ids, + - * /, unary minus and parentheses, with the
// usual precedence and left-to-right evaluation ("m1 / m2"). A datapoint
// with a missing input, a division by zero or an overflow is missing, as
// CloudWatch drops it. Functions (SUM, METRICS, IF, ...) are errors, a
// *MathError with the byte offset. Evaluating a compiled expression
// neither parses nor allocates.
//
// # Errors and concurrency
//
// Errors are one line, start with "autoscale: " and name the field, such
// as "autoscale: StepAdjustments[1].MetricIntervalLowerBound: 5 overlaps
// step 0 [0, 10)". Behind the prefix is a *fielderr.Error (errors.As)
// whose Path is the field, in the API's names, when the message starts
// with one; a schedule that does not parse has a *ScheduleError as its
// cause. Invalid input never panics; MustParseSchedule panics by
// design. Every type is a value whose methods do not modify it, so one
// Scaler, policy or provider may be used from several goroutines.
//
// # References
//
// The ECS behaviour reproduced here is catalogued, with the AWS page each
// rule comes from, in the repository's docs/ecs-behaviour.md, sections 4 to 6 and the edge cases of 8.5 to 8.7.
// Comments cite its sections ("docs/ecs-behaviour.md 4.1") and numbered
// edge cases ("case 63"); a test named after a case checks that case.
//
// # Non-goals
//
// Predictive scaling, metric math functions, CloudWatch's other missing-data
// treatments, anomaly-detection alarms, the high-resolution predefined
// metrics, the activity history API, the HPA's pod readiness handling
// (the caller supplies each metric's value).
package autoscale
