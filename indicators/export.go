package indicators

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteCSV writes the report in long format, one figure per line:
// indicateur;groupe;categorie;valeur, a suppressed count written "< 11".
// Semicolons, because French spreadsheets read commas as decimal marks.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	rec := func(fields ...string) { _ = cw.Write(fields) }
	rec("indicateur", "groupe", "categorie", "valeur")
	for _, t := range r.Tables {
		for _, row := range t.Rows {
			for j, c := range row.Cells {
				rec(t.Name, row.Key, t.Columns[j].Key, c.String())
			}
			rec(t.Name, row.Key, "total", row.Total.String())
		}
		for j, c := range t.Totals {
			rec(t.Name, "ensemble", t.Columns[j].Key, c.String())
		}
		rec(t.Name, "ensemble", "total", t.Total.String())
	}
	for _, d := range r.FirstAppointment {
		rec("delai_premier_rdv", d.Key, "personnes", d.Persons.String())
		rec("delai_premier_rdv", d.Key, "mediane_jours", floatOrSecret(d.MedianDays))
	}
	for _, s := range r.SignedContracts {
		rec("contrats", s.Key, "total", s.Contracts.String())
		rec("contrats", s.Key, "signes", s.Signed.String())
		rec("contrats", s.Key, "non_signes", s.Unsigned.String())
		rec("contrats", s.Key, "part_signes", floatOrSecret(s.Share))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing the indicators: %w", err)
	}
	return nil
}

func floatOrSecret(f *float64) string {
	if f == nil {
		return "secret"
	}
	return strings.Replace(strconv.FormatFloat(*f, 'f', 3, 64), ".", ",", 1)
}

// Chart returns an SVG horizontal bar chart of the table's column totals,
// drawn on the server (no script). A suppressed bar is drawn empty and
// labelled "< 11".
func (t Table) Chart() template.HTML {
	const barH, gap = 22, 8
	// The labels' column fits the longest label (about 7 px a character at
	// 13 px), so that none is cut at the chart's left edge.
	labelW := 120
	for _, c := range t.Columns {
		labelW = max(labelW, 16+7*utf8.RuneCountInString(c.Label))
	}
	width := labelW + 350
	max := 1
	for _, c := range t.Totals {
		if n, ok := c.Value(); ok && n > max {
			max = n
		}
	}
	h := len(t.Totals)*(barH+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="graphique" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		template.HTMLEscapeString(t.Title), width, h, width, h)
	for i, c := range t.Totals {
		y := gap + i*(barH+gap)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#222">%s</text>`,
			labelW-8, y+barH-6, template.HTMLEscapeString(t.Columns[i].Label))
		n, ok := c.Value()
		if !ok {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="40" height="%d" fill="none" stroke="#888" stroke-dasharray="4 3"/>`, labelW, y, barH)
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#555">&lt; %d</text>`, labelW+48, y+barH-6, Threshold)
			continue
		}
		w := (width - labelW - 60) * n / max
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#000091"/>`, labelW, y, w, barH)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#222">%d</text>`, labelW+w+6, y+barH-6, n)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
