// Package report writes a simulation's results for people and programs:
// the comparison table berth sim prints (WriteTable), summary.json
// (WriteSummary), the time series as CSV (WriteSeriesCSV), the planner's
// per-service and per-provider files (WriteServiceEvents,
// WriteScalingCSV, WriteServicesCSV, WriteProvidersCSV), a sweep's table
// (WriteSweepTable) and PNG plots (WritePlot, WritePlannerPlot,
// WriteSweepPlot); for runs with replicates (package replicate) the
// tables of means and 95% intervals (WriteReplicatedTable,
// WriteReplicatedSweepTable), summary.json (WriteReplicatedSummary) and a
// sweep's data, sweep.csv and sweep.json (WriteSweepCSV, WriteSweepJSON);
// and berth plan's answer (package plan) as text and plan.json (WritePlan,
// WritePlanJSON).
//
// It is the only simulator package that imports a plotting library
// (gonum/plot), so that a program embedding package sim does not link
// one. Every writer is deterministic: the same results give the same
// bytes, plots included. Writers return the first error of w.
package report
