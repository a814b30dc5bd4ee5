package report_test

import (
	"fmt"
	"strings"

	"github.com/berthsched/berth/sim/report"
)

// A page of one section with a table and a time series, written as one
// self-contained HTML file.
func ExampleWriteHTML() {
	page := report.Page{
		Title: "on-demand capacity",
		Sections: []report.Section{{
			ID: "cost", Heading: "Cost",
			Tables: []report.Table{{ID: "cost", Header: []string{"figure", "A"}, Rows: [][]string{{"cost ($)", "24.75"}}}},
			Plots: []report.Plot{{ID: "instances", Title: "instances", XLabel: "time,", YLabel: "instances", XTime: true, YInteger: true,
				Series: []report.Series{{Name: "on-demand", X: []float64{0, 3600, 7200}, Y: []float64{2, 5, 3}, Colour: -1}}}},
		}},
	}
	var b strings.Builder
	if err := report.WriteHTML(&b, page); err != nil {
		fmt.Println(err)
		return
	}
	html := b.String()
	fmt.Println(strings.Count(html, "<svg"), strings.Contains(html, `<td>24.75</td>`), strings.Contains(html, "http"))
	// Output: 1 true false
}
