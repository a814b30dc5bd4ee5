// Package report writes a simulation's results for people and programs:
// the comparison table berth sim prints (WriteTable), summary.json
// (WriteSummary), the time series as CSV (WriteSeriesCSV), the planner's
// per-service and per-provider files (WriteServiceEvents,
// WriteScalingCSV, WriteServicesCSV, WriteProvidersCSV), a sweep's table
// (WriteSweepTable), PNG plots (WritePlot, WritePlannerPlot,
// WriteSweepPlot) and report.html (WriteHTML); for runs with replicates
// (package replicate) the tables of means and 95% intervals
// (WriteReplicatedTable, WriteReplicatedSweepTable), summary.json
// (WriteReplicatedSummary) and a sweep's data, sweep.csv and sweep.json
// (WriteSweepCSV, WriteSweepJSON); and berth plan's answer (package plan)
// as text and plan.json (WritePlan, WritePlanJSON).
//
// report.html is a Page: a title and sections of text, tables, plots and
// lists, which WriteHTML draws as one self-contained HTML file (inline CSS,
// inline SVG drawn by this package; no script, nothing loaded, links only
// within the page). SimPage and SweepPage build berth sim's pages; another
// kind of result is more sections. Plots, PNG and SVG alike, put time on
// whole hours (days for runs over 48 hours), counts on whole numbers and
// a zero-only series on a 0..1 axis, draw legends beside the data, use
// twelve colours and then dashes, and place point labels where they
// overlap nothing.
//
// It is the only simulator package that imports a plotting library
// (gonum/plot), so that a program embedding package sim does not link
// one. Every writer is deterministic: the same results give the same
// bytes, plots included. Writers return the first error of w.
package report
