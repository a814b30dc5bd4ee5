package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
)

// Page is one report.html: a title, a line under it, and sections in
// order. It holds what to show, not how: WriteHTML draws it as one
// self-contained file. SimPage and SweepPage build the pages of berth
// sim; a new kind of result adds sections of its own.
type Page struct {
	Title    string
	Subtitle string
	Sections []Section
}

// Section is a heading with, in this order, its paragraphs, tables,
// plots and lists; any of them may be empty.
type Section struct {
	// ID is the section's element id (id="section-<ID>"), for the table of
	// contents, links and tests.
	ID      string
	Heading string
	Text    []string
	Tables  []Table
	Plots   []Plot
	Lists   []List
}

// Table is a table of text cells. The first column is a row heading;
// the others hold figures and are aligned right.
type Table struct {
	ID      string // id="table-<ID>"
	Caption string
	Header  []string
	Rows    [][]string
	// Indent holds, per row, how far its heading is indented (a reason
	// under "never placed", a provider under "by provider"); nil means
	// none.
	Indent []int
}

// List is a titled list of plain strings: the ECS fields a scenario
// gave that berth does not model, what an import had to assume.
type List struct {
	ID    string // id="list-<ID>"
	Title string
	Items []string
}

// WriteHTML writes page as one HTML document whose styles and plots
// (SVG) are inline: it loads nothing, so it opens the same from a disk,
// a mail or an archive. The same page gives the same bytes.
func WriteHTML(w io.Writer, page Page) error {
	type plotView struct{ SVG template.HTML }
	type sectionView struct {
		Section
		SVGs []plotView
	}
	view := struct {
		Page
		Views []sectionView
	}{Page: page}
	for _, s := range page.Sections {
		v := sectionView{Section: s}
		for i := range s.Plots {
			// svg escapes every text it draws.
			v.SVGs = append(v.SVGs, plotView{template.HTML(s.Plots[i].svg())})
		}
		view.Views = append(view.Views, v)
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, view); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"indent": func(t Table, i int) int {
		if i < len(t.Indent) {
			return t.Indent[i]
		}
		return 0
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f; margin: 24px auto; max-width: 1000px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0; }
p.subtitle { color: #555; margin-top: 4px; }
nav ul { padding-left: 1.2em; columns: 2; }
section { margin-top: 28px; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; white-space: nowrap; }
thead th { border-bottom: 2px solid #ccc; text-align: right; }
thead th:first-child, tbody th { text-align: left; font-weight: normal; }
tbody td { text-align: right; }
tbody tr:hover { background: #f5f8fc; }
.i1 { padding-left: 24px; } .i2 { padding-left: 40px; }
.scroll { overflow-x: auto; }
svg.plot { display: block; margin: 8px 0 20px; max-width: 100%; height: auto; }
svg .title { font-size: 13px; font-weight: 600; fill: #1d1d1f; }
svg .tick, svg .legend, svg .plabel { font-size: 11px; fill: #333; }
svg .label { font-size: 12px; fill: #333; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .frame { fill: none; stroke: #999; stroke-width: 1; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
ul.plain li { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="subtitle">{{.}}</p>{{end}}
</header>
<nav><ul>{{range .Views}}<li><a href="#section-{{.ID}}">{{.Heading}}</a></li>{{end}}</ul></nav>
{{range .Views}}<section id="section-{{.ID}}">
<h2>{{.Heading}}</h2>
{{range .Text}}<p>{{.}}</p>
{{end}}{{range $t := .Tables}}<div class="scroll"><table id="table-{{$t.ID}}">
{{with $t.Caption}}<caption>{{.}}</caption>{{end}}
<thead><tr>{{range $t.Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range $i, $r := $t.Rows}}<tr>{{range $j, $c := $r}}{{if eq $j 0}}<th{{with indent $t $i}} class="i{{.}}"{{end}}>{{$c}}</th>{{else}}<td>{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table></div>
{{end}}{{range .SVGs}}{{.SVG}}
{{end}}{{range .Lists}}<h3>{{.Title}}</h3>
<ul id="list-{{.ID}}" class="plain">{{range .Items}}<li>{{.}}</li>{{end}}</ul>
{{end}}</section>
{{end}}</body>
</html>
`))
