package ecsimport

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
)

// The metrics a series is made of.
type metric uint8

const (
	metricCPU       metric = iota // AWS/ECS CPUUtilization, percent
	metricMemory                  // AWS/ECS MemoryUtilization, percent
	metricRequests                // AWS/ApplicationELB RequestCount, per period
	metricPerTarget               // AWS/ApplicationELB RequestCountPerTarget, per period
	metricHealthy                 // AWS/ApplicationELB HealthyHostCount
	numMetrics
)

var metricNames = [numMetrics][2]string{
	{"AWS/ECS", "CPUUtilization"}, {"AWS/ECS", "MemoryUtilization"},
	{"AWS/ApplicationELB", "RequestCount"}, {"AWS/ApplicationELB", "RequestCountPerTarget"}, {"AWS/ApplicationELB", "HealthyHostCount"},
}

// metricQueries reads a get-metric-data input: each query's Id must be
// unique in the dump, so that an output's results join to their queries.
func (d *dump) metricQueries(dc *doc) (int, error) {
	var v metricQueriesDoc
	if err := jsondoc.DecodeKnown(dc.root, dc.file, &v); err != nil {
		return 0, err
	}
	start, err := parseTime(v.StartTime)
	if err != nil {
		return 0, fmt.Errorf("%s: StartTime: %w", dc.file, err)
	}
	end, err := parseTime(v.EndTime)
	if err != nil {
		return 0, fmt.Errorf("%s: EndTime: %w", dc.file, err)
	}
	if !end.After(start) || end.Sub(start) > 31*24*time.Hour {
		return 0, fmt.Errorf("%s: EndTime: %s, expected after StartTime %s and at most 31 days later", dc.file, end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	for i, q := range v.MetricDataQueries {
		at := src{dc.file, fielderr.Index("MetricDataQueries", i)}
		if q.ID == "" {
			return 0, fmt.Errorf("%s.Id: missing", at)
		}
		if o := d.queries[q.ID]; o != nil {
			return 0, fmt.Errorf("%s.Id: %q is also %s, expected each query Id once in the dump (the results join to their queries by Id)", at, q.ID, o.src)
		}
		if q.MetricStat == nil {
			d.skip("%s: %q: a query without MetricStat (Expression %q)", at, q.ID, fielderr.Shorten(q.Expression, 60))
		} else {
			for _, dim := range q.MetricStat.Metric.Dimensions {
				if dim.Name == "ClusterName" {
					if err := d.sameCluster(dim.Value, at, ".MetricStat.Metric.Dimensions"); err != nil {
						return 0, err
					}
				}
			}
		}
		d.queries[q.ID] = &queryItem{q: q, start: start, end: end, src: at}
	}
	return len(v.MetricDataQueries), nil
}

// window is the metrics' time span and period; ok is false without
// metrics.
func (d *dump) window() (start, end time.Time, period time.Duration, err error) {
	for _, r := range d.results {
		q := d.queries[r.r.ID]
		if q == nil {
			return start, end, 0, fmt.Errorf("%s.Id: %q is in no MetricDataQueries document of the dump, expected the input of this get-metric-data beside it", r.src, r.r.ID)
		}
		if q.q.MetricStat == nil {
			continue
		}
		p := time.Duration(q.q.MetricStat.Period) * time.Second
		if p <= 0 || p%time.Minute != 0 {
			return start, end, 0, fmt.Errorf("%s.MetricStat.Period: %d, expected a multiple of 60 seconds", q.src, q.q.MetricStat.Period)
		}
		if period != 0 && p != period {
			return start, end, 0, fmt.Errorf("%s.MetricStat.Period: %d, expected the period of the other queries, %d", q.src, q.q.MetricStat.Period, int(period.Seconds()))
		}
		period = p
		if start.IsZero() || q.start.Before(start) {
			start = q.start
		}
		if q.end.After(end) {
			end = q.end
		}
	}
	return start, end, period, nil
}

// series is one service's measured metrics, one value per period.
type series [numMetrics][]float64

// join turns the results into each service's series of n values from
// start: each result joins to its query by Id, whose metric and
// dimensions name the service (ServiceName, or TargetGroup of its load
// balancer). Minutes without a datapoint take the one before.
func (d *dump) join(start time.Time, period time.Duration, n int) (map[string]*series, error) {
	out := map[string]*series{}
	for _, r := range d.results {
		q := d.queries[r.r.ID]
		if q.q.MetricStat == nil {
			continue
		}
		m, svc, err := d.metricOf(q)
		if err != nil {
			return nil, err
		}
		if m == numMetrics {
			continue
		}
		if len(r.r.Timestamps) != len(r.r.Values) {
			return nil, fmt.Errorf("%s: %d Timestamps and %d Values, expected one value per timestamp", r.src, len(r.r.Timestamps), len(r.r.Values))
		}
		if r.r.StatusCode != "" && r.r.StatusCode != "Complete" {
			d.assume("%s: StatusCode %s: the series is used as far as it goes", r.src, r.r.StatusCode)
		}
		s := out[svc]
		if s == nil {
			s = &series{}
			out[svc] = s
		}
		vals := make([]float64, n)
		have := make([]bool, n)
		for i, ts := range r.r.Timestamps {
			t, err := parseTime(ts)
			if err != nil {
				return nil, fmt.Errorf("%s.Timestamps[%d]: %w", r.src, i, err)
			}
			v := r.r.Values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("%s.Values[%d]: %g, expected a non-negative number", r.src, i, v)
			}
			k := int(t.Sub(start) / period)
			if t.Before(start) || k >= n {
				continue
			}
			vals[k], have[k] = v, true
		}
		if gaps := fill(vals, have); gaps > 0 {
			d.assume("%s: %d of %d periods without a datapoint take the value before them", r.src, gaps, n)
		}
		s[m] = vals
	}
	return out, nil
}

// fill gives each value without a datapoint the one before it (the first
// ones the first datapoint) and returns how many it filled.
func fill(vals []float64, have []bool) int {
	first := -1
	for i, h := range have {
		if h {
			first = i
			break
		}
	}
	if first < 0 {
		return len(vals)
	}
	gaps := 0
	for i := range vals {
		switch {
		case have[i]:
		case i < first:
			vals[i] = vals[first]
			gaps++
		default:
			vals[i] = vals[i-1]
			gaps++
		}
	}
	return gaps
}

// metricOf says which metric a query is and of which service;
// numMetrics for a metric berth does not replay (listed).
func (d *dump) metricOf(q *queryItem) (metric, string, error) {
	ms := q.q.MetricStat
	m := metric(0)
	for ; m < numMetrics; m++ {
		if metricNames[m][0] == ms.Metric.Namespace && metricNames[m][1] == ms.Metric.MetricName {
			break
		}
	}
	if m == numMetrics {
		d.skip("%s: %s %s: not a metric berth replays", q.src, ms.Metric.Namespace, ms.Metric.MetricName)
		return m, "", nil
	}
	if ms.Stat != "" && ms.Stat != "Average" && !(ms.Stat == "Sum" && (m == metricRequests || m == metricPerTarget)) {
		d.assume("%s: Stat %s read as the %s", q.src, ms.Stat, map[bool]string{true: "Sum", false: "Average"}[m == metricRequests || m == metricPerTarget])
	}
	dims := map[string]string{}
	for _, dim := range ms.Metric.Dimensions {
		dims[dim.Name] = dim.Value
	}
	path := q.src.String() + ".MetricStat.Metric.Dimensions"
	if m == metricCPU || m == metricMemory {
		name, ok := dims["ServiceName"]
		if !ok {
			return 0, "", fmt.Errorf("%s: no ServiceName, expected the service of %s", path, ms.Metric.MetricName)
		}
		for _, s := range d.services {
			if s.ServiceName == name {
				return m, name, nil
			}
		}
		return 0, "", fmt.Errorf("%s: ServiceName %q is no service of the dump's describe-services", path, name)
	}
	tg, ok := dims["TargetGroup"]
	if !ok {
		return 0, "", fmt.Errorf("%s: no TargetGroup, expected the target group of %s", path, ms.Metric.MetricName)
	}
	for _, s := range d.services {
		for _, lb := range s.LoadBalancers {
			if strings.HasSuffix(lb.TargetGroupArn, ":"+tg) {
				return m, s.ServiceName, nil
			}
		}
	}
	return 0, "", fmt.Errorf("%s: TargetGroup %q is the target group of no service's loadBalancers", path, tg)
}
