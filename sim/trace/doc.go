// Package trace reads workload and fleet traces as neutral records (Task,
// Node) for the simulator, and reads and writes berth's native JSON Lines
// format (Event), in which the simulator also writes its event log.
//
// # Readers
//
// Every reader streams: it holds one line (or record) at a time, so its
// memory does not grow with the file, and it reads plain or gzip input
// (detected by the magic bytes 1f 8b). A line may be at most 1 MiB long:
// a longer one (an endless line, /dev/zero) is an *Error at its line,
// found before more than that is held. All have one shape:
//
//	r := trace.NewOpenBPods(f, "openb_pod_list_default.csv")
//	for {
//		t, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // a *trace.Error: file:line:column: message
//		}
//		use(t)
//	}
//
//	reader            input                                      yields
//	NewOpenBNodes     openb node list CSV                        Node
//	NewOpenBPods      openb pod list CSV (11 or 5 columns)       Task
//	NewSWF            Standard Workload Format, plain or gzip    Task
//	NewDLRM           Alibaba GPU v2025 DLRM CSV                 Task
//	NewPAIMachines    Alibaba PAI 2020 machine spec CSV          Node
//	NewNative         berth's JSON Lines format                  Event (Event.Task, Event.Node convert)
//
// NewOpenBNodeRows and NewOpenBPodRows read the same openb files as rows
// whose fields are parsed but not judged, for readers with conversion
// rules of their own (the capacity-fill benchmark reproduces the FGD
// paper's converter); NewOpenBNodes and NewOpenBPods are built on them.
//
// Readers return records in file order and do not sort them: openb and
// the NASA SWF log are sorted by submit time, the DLRM trace is not. A
// timed openb pod list or an SWF log whose times decrease is an error at
// the line and time column, as for a native trace: a replay would submit
// the late-listed task late.
//
// # Units and mapping decisions
//
// CPU stays in the trace's unit, memory is MiB, times are time.Duration
// from the trace start (traces give seconds):
//
//   - openb: CPU millicores, memory MiB, as given. A pod's GPUMilli is
//     gpu_milli when num_gpu is 1 (1..1000, below 1000 a share of one
//     device), 1000 when num_gpu is more than 1, and 0 without GPUs (a
//     non-zero gpu_milli there is an error). GPUModels is gpu_spec split on
//     '|' without duplicates; GPUSpec keeps the raw string. Submit is
//     creation_time; Duration is deletion_time - creation_time. The
//     5-column multigpu files give HasTimes false: a simulator replaying
//     in time must refuse them with NoTimesError (which wraps ErrNoTimes).
//     Node GPUModel is model; a node with GPUs but no model is an error.
//   - SWF: one processor is one vCPU, 1024 CPU units; memory from the
//     per-processor KB fields; status 0 (failed) exits 1, every other
//     status (cancelled, 5, included) exits 0; jobs whose run time, submit
//     time or processors are unknown (-1) are skipped (SWFReader.Skipped).
//   - DLRM: CPU vCPU x 1024, memory GiB x 1024, whole GPUs, scalars
//     "disk" (GiB) and "rdma" (percent of one NIC); Group "service:" +
//     app_name; MaxPerInstance from max_instance_per_node (-1, no cap, is
//     0); an absent creation_time is the start, an absent deletion_time
//     runs to the end.
//   - PAI: CPU cores x 1024, memory GB x 1024 (read as GiB), gpu_type
//     "CPU" has no GPU model.
//
// Amounts converted to integers (vCPU to CPU units, GiB and KB to MiB)
// are rounded up, so a request never shrinks. A Task's Duration of 0
// means "runs to the end", so a task that ran for no time at all (a
// deletion_time equal to its creation_time, an SWF run time of 0) gets a
// Duration of one nanosecond instead.
//
// # The native format
//
// One JSON object per line: {"time": seconds, "kind": kind, ...}. The
// kinds and their fields are documented in docs/trace-format.md, with an
// example (also testdata/example.jsonl). WriteEvent writes one event per
// line, byte-identical for equal events; NativeReader is strict (see its
// doc) and checks that times do not decrease. TaskEvent and Event.Task
// convert between a Task and a submit line, NodeEvent and Event.Node
// between a Node and an instance-add line, so a trace of any format can
// be written natively.
//
// # Errors
//
// Readers return io.EOF at the end and every other error as an *Error,
// one line: "trace: file:line:column: message", naming the field, the
// value and what was expected. The column is the 1-based field number in
// CSV and SWF files (encoding/csv's byte column for a quoting error) and
// the 1-based byte column in native files; a missing header column is
// reported at line 1 without a column. An *Error unwraps to a
// *fielderr.Error with the same position, so that a caller locates a
// trace's error as it does a scenario's. Errors are sticky: after one,
// Next keeps returning it. No input makes a reader panic.
//
// # Concurrency
//
// A reader is not safe for concurrent use; distinct readers are
// independent. WriteEvent is safe for concurrent use on distinct writers.
//
// # Non-goals
//
// Sorting, joining files (openb node names are renumbered between its
// node files: never join them), and choosing a fleet for a task-only
// trace (DLRM, SWF) are the simulator's job. Neither openb's qos,
// pod_phase and scheduled_time nor DLRM's limits, role and scheduled_time
// are read.
package trace
