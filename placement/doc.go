// Package placement chooses the container instances Amazon ECS would
// choose for tasks, explains the tasks it cannot place, and picks the tasks
// to stop on scale-in.
//
// # The definition
//
// For each task of a Request, one at a time, each seeing the ones placed
// before it:
//
//  1. Filter. Only instances of the request's launch type are candidates:
//     EC2 tasks (the default when a request names no launch type) run on
//     EC2 instances, EXTERNAL tasks on ECS Anywhere instances, those with
//     the attribute ecs.capability.external. Instances of the other launch
//     type are not considered at all: an unplaced task's Removed and
//     Closest never mention them, as RunTask's failures[] never does. A
//     candidate can take the task when, in this order: it is
//     ACTIVE (ReasonStatus), its agent is connected (AGENT), it has the task
//     definition's requiresAttributes (ATTRIBUTE; see
//     TaskDefinition.DerivedAttributes for those ECS adds), enough CPU
//     (RESOURCE:CPU), memory (RESOURCE:MEMORY) and GPU (RESOURCE:GPU), the
//     task's static host ports are free and the instance stays within
//     MaxReservedPorts (RESOURCE:PORTS), a free task ENI for an awsvpc task
//     (RESOURCE:ENI), enough of every named resource (RESOURCE:<name>), an
//     availability zone among those of an awsvpc task's subnets when the
//     request names them (LOCATION), no task of the same group when
//     distinctInstance applies (DistinctInstance placement constraint
//     unsatisfied.), and
//     every memberOf expression holds (MemberOf placement constraint
//     unsatisfied.).
//  2. Rank. The strategies score the survivors in order; each breaks the
//     ties of the ones before it (lexicographic order of the scores).
//     binpack(f) prefers the least remaining f; spread(f) the fewest tasks of
//     the group at the instance's value of f, where instances without the
//     attribute form one more value; random ends the chain.
//  3. Choose. Of the instances left tied, in cluster order, the seeded
//     source picks index rng.IntN(n) — drawing only when n > 1, so a chain
//     that ends in a total order draws nothing.
//
// A task no instance can take is an outcome, not an error: Result.Unplaced
// says, for it, how many instances each filter removed and which filter
// stopped the instance that got furthest (the "closest matching container
// instance" of ECS's service events). Errors are for invalid input only,
// and name the field, the value and the rule.
//
// # awsvpc tasks
//
// A task in awsvpc network mode (Requirements.AWSVPC, set by
// TaskDefinition.Requirements for networkMode awsvpc) takes one of its
// instance's task ENIs (Capacity.ENIs) and gives it back when released.
// placement knows no instance types: the caller says how many task ENIs
// an instance has (its type's EC2 ENI limit minus the primary ENI, or with
// ENI trunking its branch ENIs). The task's ports live on its own ENI, so
// they reserve no host port and never collide with other tasks' ports.
// Request.Zones are the zones of the task's subnets, resolved by the
// caller; an instance in none of them, or without an
// ecs.availability-zone attribute, fails with LOCATION. RESOURCE:ENI and
// LOCATION come after the other resources and before the placement
// constraints, as ECS lists the filters: resources and ports first, then
// the awsvpc ENI slot and the subnet's zone, then the constraints.
//
// # Decisions where ECS is silent
//
// distinctInstance, spread and task:group count the group's PENDING and
// RUNNING tasks. Spread counts tasks on every instance of the cluster,
// whatever its status. Ties left by the last strategy are broken by the
// seeded source as above. A non-ACTIVE instance is reported as "STATUS",
// which is berth's word: ECS does not consider such instances at all.
// Default GPU devices: the lowest-numbered free devices for whole-device
// tasks; for a share of one device, the device with the least free milli
// that fits. A strategy implementing GPUChooser may decide instead.
//
// # Strategies of your own
//
// Any type with Score and String is a Strategy. It scores only instances
// that passed every filter, and sees the cluster through a View: the
// instances, group and spread counts, the tasks an instance hosts, and
// Check. Nothing a View offers changes the cluster or the placement being
// scored, Check included (it prepares the request it is given into state
// of its own, apart from the request being placed), so a strategy may ask
// anything of it. The *Instance values it gets are the cluster's, to read
// only. A strategy may also implement GPUChooser (which devices a task
// gets) and StopScorer (scale-in). It must be deterministic: the same
// cluster state and task give the same score.
//
// # Arguments and errors
//
// Every exported method either does what it says or returns an error
// naming the argument, before it changes anything: a nil *Result or
// *rand.Rand in Place (the source is required even when no tie needs
// breaking, so that a missing one is not found only when data happens to
// tie), an instance that is not the cluster's in Update, Check and Adopt.
// An Instance must be added with one of ECS's statuses; AddInstance
// rejects the zero Status rather than guess one. AgentConnected has no
// default: false is a disconnected agent, as ECS reports it, and such an
// instance takes no task (AGENT) until Update reconnects it. An instance
// belongs to one cluster; Index is -1 until it is added.
//
// An error about a field of what the caller gave (a request's count, a
// task definition's containerDefinitions[0].memory, a constraint's
// expression) is "placement: " around a *fielderr.Error whose Path names
// the field in ECS's keys, so that a reader of a document puts it under
// its own path (fielderr.Wrap) without cutting the prefix off the text.
// A malformed memberOf expression keeps its *cql.Error as the cause:
// errors.As(err, &cqlErr) gives the offset and the caret.
//
// # Units
//
// CPU is an integer in the input's unit: ECS CPU units (1024 per vCPU) or a
// trace's millicores, never converted. Memory is MiB. A GPU device has
// GPUMilliPerDevice (1000) milli; a task takes whole devices or a share of
// one. Ports are host ports.
//
// # Speed
//
// Results are exactly those of the definition above; a plain
// implementation of it lives in the tests and the fast path is checked
// against it on random clusters of 1 to 300 instances (and, for binpack's
// large ties, up to 700 of two shapes) that grow, shrink and change
// between placements, draw for draw, with every cache recomputed plainly
// after each step.
//
// The caches that hold one bit per instance share one invariant: every such
// bit set covers every instance of the cluster. AddInstance grows them all
// (and evaluates cached memberOf expressions, attribute values and binpack
// orders for the new instance) before the instance can be used, so a fleet
// may grow at any time, by any number. The instances that share an
// attribute value are the exception: their set keeps only the words between
// its lowest and highest member, so that an attribute with a value per
// instance stays linear in the fleet; and so are the instances that share a
// remaining amount, whose set keeps only its nonzero words.
//
// The fast path caches each static memberOf expression's result per
// instance, keeps per-value task counts for spread, and for binpack walks,
// in order of remaining amount, only the instances that pass the request's
// static filters, partitioned by the values of the spread fields ranked
// before it. Each partition the spread levels allow is walked on its own,
// from the task's need up to the least amount found so far, passing over
// instances short of the other resource (CPU when packing memory, memory
// when packing CPU) without looking at them, a block of up to 128 at a time
// when the whole block is. When more than a few hundred instances tie at
// the winning amount, the chain ends there and the task's filters come down
// to bit sets (no host ports, named resources, required attributes, awsvpc,
// task-count limits or memberOf expressions over task groups or running
// tasks), they are not visited: the candidates are counted by popcount in
// that amount's bit set, ANDed with the filters' sets (a word per 64
// instances at most, however many tie), and the seeded draw picks among
// them as it would among the visited ties. Chains that begin with random or
// spread(instanceId) scan the cluster. Place does not allocate once the
// caches exist and have grown to the fleet's working set.
//
// # Concurrency
//
// A Cluster is not safe for concurrent use. Requests, compiled constraints
// and the built-in strategies are immutable values and may be shared.
//
// # References
//
// The ECS behaviour reproduced here is catalogued, with the AWS page each
// rule comes from, in the repository's docs/ecs-behaviour.md, section 2 and the edge cases of 8.2 and 8.3.
// Comments cite its sections ("docs/ecs-behaviour.md 4.1") and numbered
// edge cases ("case 63"); a test named after a case checks that case.
//
// # Non-goals
//
// Account quotas (instances per cluster, tasks per service) are not
// enforced: berth places on clusters of any size. RunTask's limit of 10
// tasks per call is the caller's (see the ecsjson package and berth place).
// awsvpc ENI capacity and Fargate are not modelled here.
package placement
