package indicators

import (
	"regexp"
	"strconv"
	"testing"
	"unicode/utf8"
)

// TestChartLabelsFitTheirColumn: the label column is as wide as the
// longest label needs, so that no label is cut at the chart's left edge
// (the refusal reasons of the hand-offs were).
func TestChartLabelsFitTheirColumn(t *testing.T) {
	long := "Hors du périmètre de la structure"
	tbl := Table{Title: "Motifs", Columns: []Column{{Label: "Autre"}, {Label: long}}, Totals: []Cell{{n: 3}, {n: 12}}}
	m := regexp.MustCompile(`<text x="(\d+)"[^>]*text-anchor="end"`).FindStringSubmatch(string(tbl.Chart()))
	if m == nil {
		t.Fatalf("no label in %s", tbl.Chart())
	}
	// A label ends at x and takes about 7 px a character at 13 px.
	if x, _ := strconv.Atoi(m[1]); x < 7*utf8.RuneCountInString(long) {
		t.Errorf("labels end at x=%d: %q (%d characters) is cut", x, long, utf8.RuneCountInString(long))
	}
}
