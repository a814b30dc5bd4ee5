// Package gpushare scores nodes for GPU-sharing pods with the six policies
// of Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads
// with Fragmentation Gradient Descent" (USENIX ATC'23): Random, DotProd,
// GpuClustering, GpuPacking, BestFit and FGD, exactly as the authors'
// simulator computes them (spec/fgd-bench.md sections 1 to 3).
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
// FGD needs the workload's typical pods ([Typical], section 3.6.1) and the
// fragmentation measure ([Frag], sections 3.6.2 and 3.6.3). The float
// summation order of [Frag] is the authors' (seven buckets, summed in a
// fixed order), so that a fragmentation change of exactly zero scores
// exactly 50.
//
// # Concurrency
//
// The pure functions are safe for concurrent use. Policies built by
// [NewFGD] memoise fragmentation by node state and [NewRandom] draws from
// its source, so those two are not; build one per goroutine. The other
// constructors return stateless values that are safe for concurrent use.
//
// # Errors
//
// The package has no errors: an infeasible request is a false from
// [Feasible], and callers are expected to call Score and Device only for
// feasible nodes. A device index of -1 means "none fits".
//
// # Non-goals
//
// No GPU memory, topology or bandwidth; no departures (the policies see a
// snapshot). The CPU "non-zero request" rule of Kubernetes (0 counts as
// 100m) is not applied: no openb pod requests 0 CPU.
package gpushare
