// Package gpushare scores nodes for GPU-sharing pods with the six policies
// of Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads
// with Fragmentation Gradient Descent" (USENIX ATC'23): Random, DotProd,
// GpuClustering, GpuPacking, BestFit and FGD, exactly as the authors'
// simulator computes them, and with BalancedFit, a policy of berth's own
// built on FGD's typical pods.
//
// # Model and units
//
// A [Node] is the free capacity of one machine: CPU in millicores, memory in
// MiB, one free share per GPU device in milli-GPU (1000 is a whole, idle
// device), the GPU model, and the [Tags] of the GPU pods it already hosts.
// A [Pod] is a request: CPU millicores, memory MiB, a per-device share
// GPUMilli (0 for a CPU-only pod, 1..999 for a pod sharing one device, 1000
// for whole devices), a device count GPUCount, and GPUSpec, the accepted
// models separated by '|' (empty accepts any). A node holds at most
// [MaxDevices] devices.
//
// # Policies
//
// Every policy is a pure function over those plain values ([DotProdScore],
// [GpuClusteringScore], [GpuPackingScore], [BestFitScore], [FGDScore]),
// wrapped in a [Policy]: Score rates a feasible node (higher is better,
// 0..100; the caller breaks ties, the paper by smallest node rank) and
// Device picks the device a GPU-sharing pod takes on the chosen node. Whole
// GPU pods always take the lowest-index idle devices ([WholeDevices]), so no
// policy chooses them. Random is the exception: it chooses among the feasible
// nodes by chance, so it also implements [Chooser].
//
// FGD needs the workload's typical pods ([Typical]) and the fragmentation
// measure ([Frag]), as docs/research-bench.md describes them (Typical pods;
// Fragmentation and the FGD score). The float
// summation order of [Frag] is the authors' (seven buckets, summed in a
// fixed order), so that a fragmentation change of exactly zero scores
// exactly 50.
//
// # Beyond the paper: BalancedFit
//
// [BalancedFit] is berth's own policy, measured against the paper's in
// docs/research-bench.md (Beyond the paper). Like FGD it plans for the
// workload's typical pods; unlike FGD it does not score a node by their
// fragmentation but by two things that measure misses. For pod p on node n
// (for a share, on each device that holds it), with C and G the node's
// free CPU (millicores) and GPU (milli-GPU) before and C', G' after, l the
// device's free share and s = p's share:
//
//	ΔB    = |C − r·G| − |C' − r·G'|                   (millicores)
//	ΔD    = E(l) − E(l − s)                           (shares only, milli-GPU)
//	sum   = 40·ΔB/1000 + 100·ΔD
//	near  = 100 − (l − s) when l − s < 100, else 0    (shares only)
//	score = (near, round(sum/20), round(ΔB))          compared in that order
//
// r is the CPU per GPU the typical GPU pods ask (Σ w·CPU / Σ w·GPU), and
// E(g) ([DeadSpace]) the part of a device with g free that is expected
// never to be used when typical GPU pods, drawn by weight among those that
// fit, fill it. Ties go to the caller, as in the paper (the smallest node
// rank); a share takes the first device with the best score.
//
// Why it should beat FGD. On openb nearly all the GPU left unallocated
// once the cluster is full is split shares. FGD charges a leftover share as
// fragmented for every typical pod larger than it, so it cannot tell a
// leftover that common shares will fill from one that nothing will ever
// fill: ΔD can, and the near-fit level puts a share where it leaves the
// least dust. FGD sees CPU only as a threshold per typical pod, so GPUs on
// a node whose CPU runs out first are stranded before its fragmentation
// shows it; ΔB steers CPU-heavy pods to CPU-rich nodes and light ones to
// CPU-poor nodes, so that free CPU and GPU run out together. The 20-milli
// buckets leave near-equal nodes to the rank rather than chasing small
// differences; the balance breaks ties first. [BalancedFitOptions] removes
// each part in turn, or adds FGD's fragmentation change back (which, on
// openb, leaves slightly more unallocated). BalancedFit is online (it sees
// one node and the pod) and deterministic; its scores use the whole int64,
// not 0..100.
//
// # As placement strategies
//
// [NewStrategy] and the typed constructors ([FGDStrategy], ...) wrap each
// policy as a [Strategy]: a placement.Strategy that also implements
// placement.GPUChooser, so any Go program (and berth's simulator) can place
// tasks on a placement.Cluster with the paper's policies. It scores a
// placement.Instance from its remaining CPU, memory and per-device free
// milli and the GPU model attribute ([DefaultModelAttribute] unless
// configured); feasibility stays placement's (resources plus the memberOf
// constraint on the model attribute that the caller builds from a task's
// accepted models). Placed through a Cluster whose chain is [the policy,
// a strategy scoring each instance by its rank], it takes the same node and
// devices as the capacity-fill driver; benchmarks/capfill tests that on the
// openb traces.
//
// # Concurrency
//
// The pure functions are safe for concurrent use. Policies built by
// [NewFGD] and [NewBalancedFit] keep a fragmentation memo by node state and
// [NewRandom] draws from its source, so those are not; build one per
// goroutine. The other constructors return stateless values that are safe
// for concurrent use.
// A [Strategy] keeps scratch buffers and state: use it with one Cluster at
// a time, from one goroutine.
//
// # Errors
//
// The policies have no errors: an infeasible request is a false from
// [Feasible], and callers are expected to call Score and Device only for
// feasible nodes. A device index of -1 means "none fits". [NewStrategy]
// fails on an unknown name, Random without a source, or FGD or BalancedFit
// without typical pods.
//
// # Non-goals
//
// No GPU memory, topology or bandwidth; no departures (the policies see a
// snapshot). The CPU "non-zero request" rule of Kubernetes (0 counts as
// 100m) is not applied: no openb pod requests 0 CPU.
package gpushare
