// Package capfill runs the capacity-fill experiment of Weng et al.,
// "Beware of Fragmentation" (USENIX ATC'23), on the Alibaba openb traces,
// and reproduces the paper's published per-run rows bit for bit for its
// deterministic policies (docs/research-bench.md describes the method).
//
// One run ([Workload.Run]): the pod list sorted by name is shuffled, then
// tuned up (pods sampled with replacement and appended) or down (pods
// removed) to tune x the fleet's GPU capacity ([Workload.Arrange]); the
// nodes get random tie-break ranks; each pod is then placed once, in
// order, on the feasible node with the highest score of the policy, ties
// to the smallest rank, with no departures and no retries; one [Event] is
// recorded per pod. [Result.Discrete] turns the events into the published
// 0..130 columns, and [Result.Record] into a row of the published CSV.
//
// # Strategies
//
// A [Strategy] is a gpushare.Policy ([Paper] gives the paper's six,
// [Beyond] berth's gpushare.BalancedFit and [Ablations] its ablations), or a
// chain of placement strategies run by a placement.Cluster that mirrors the
// fleet (Strategy.Placement): [ECS] gives Amazon ECS's binpack(cpu),
// binpack(memory) and spread(instanceId) that way, and random; the
// gpushare package's placement strategies run the paper's policies that
// way with the same results, event for event. Either way the node ranks
// break the ties the strategy leaves. Each [Event] records the node and
// devices chosen, so that runs can be compared pod by pod.
//
// # Random numbers
//
// The driver uses math/rand (v1), rand.New(rand.NewSource(seed)), not
// math/rand/v2: the published rows come from that stream, including draws
// the paper's simulator makes for no visible reason (one Int before the
// shuffle, [HiddenDraws] Float64 before the node permutation). It is the
// one documented exception to math/rand/v2 in berth. Nothing reads a global
// source or the clock.
//
// # Units and conventions
//
// CPU in millicores, memory in MiB, GPU in milli-GPU (1000 = one device).
// Arrived and allocated GPU are % of the fleet's capacity. Names are
// compared byte-wise. The fragmentation of the cluster is the sum over
// nodes, in name order, of gpushare.Frag against the typical pods of the
// untuned pod list.
//
// # Speed
//
// Scores are pure functions of a node and a pod, so a run caches each
// node's score per distinct request until that node changes (only the
// chosen node changes per pod), and fragmentation is memoised by node
// state. The results are exactly those of scoring every feasible node for
// every pod; the tests check that against a plain implementation.
//
// # Concurrency
//
// A [Workload] is immutable and may be run from many goroutines at once;
// each run builds its own state, policy and, for a placement chain, its
// own Cluster and strategies (Strategy.Placement is called once per run).
//
// # Errors
//
// ReadNodes and ReadPods read the CSV files with sim/trace's openb row
// readers (trace.NewOpenBNodeRows, trace.NewOpenBPodRows): the column
// lookup, the parsing of each field, the limits and the errors are
// berth sim's, and only the conversion rules are the benchmark's own. Their
// errors are *trace.Error values, one line naming the file, line and field
// number ("trace: pods.csv:7:2: cpu_milli "x" is not an integer"). A pod
// that fits no node is a failed pod in the result, not an error.
//
// # Non-goals
//
// Time and departures (the paper does not replay time), preemption, and
// bit-exact Random: the paper's simulator feeds Random a feasible-node list
// in a nondeterministic order, so only its statistics can match.
package capfill
