package web

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/indicators"
	"socle/naf"
	"socle/rome"
)

// rawCode finds what a page must not show: internal ids, bare ROME codes
// outside their label, Go's formatting errors and UTC instants.
var rawCode = regexp.MustCompile(`\b(agt|per|org|cmp)_[0-9a-zA-Z]+|\b[A-N][0-9]{4}\b|%!|\+0000 UTC`)

func TestFrenchTimeIsInParis(t *testing.T) {
	tests := []struct {
		in               time.Time
		time, day, clock string
	}{
		{time.Date(2026, 12, 3, 13, 5, 0, 0, time.UTC), "03/12/2026 à 14:05", "03/12/2026", "14:05"},
		{time.Date(2026, 7, 14, 22, 30, 0, 0, time.UTC), "15/07/2026 à 00:30", "15/07/2026", "00:30"},
		{time.Time{}, "", "", ""},
	}
	for _, tt := range tests {
		if got := frenchTime(tt.in); got != tt.time {
			t.Errorf("frenchTime(%v) = %q, want %q", tt.in, got, tt.time)
		}
		if got := frenchDay(tt.in); got != tt.day {
			t.Errorf("frenchDay(%v) = %q, want %q", tt.in, got, tt.day)
		}
		if got := frenchClock(tt.in); got != tt.clock {
			t.Errorf("frenchClock(%v) = %q, want %q", tt.in, got, tt.clock)
		}
	}
}

func TestFormatNIR(t *testing.T) {
	tests := []struct{ in, want string }{
		{"185057800608436", "1 85 05 78 006 084 36"},
		{"1 85 05 78 006 084 36", "1 85 05 78 006 084 36"},
		{"2850599123456" + "12", "2 85 05 99 123 456 12"},
		{"1850578006084", "1850578006084"}, // no key: left as is
		{"", ""},
	}
	for _, tt := range tests {
		if got := formatNIR(tt.in); got != tt.want {
			t.Errorf("formatNIR(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A masked NIR keeps its mask, grouped like the digits.
	if got := formatNIR("1850578••••••36"); got != "1 85 05 78 ••• ••• 36" {
		t.Errorf("formatNIR(masked) = %q", got)
	}
	if got := formatNIR("2A0578006084 36"); got != "2A0578006084 36" {
		t.Errorf("formatNIR(14 characters) = %q, want it unchanged", got)
	}
}

func TestFormatPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0612345678", "06 12 34 56 78"},
		{"06.12.34.56.78", "06 12 34 56 78"},
		{"+33612345678", "+33 6 12 34 56 78"},
		{"06 12 34 56 7", "06 12 34 56 7"},
		{"0612a45678", "0612a45678"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := formatPhone(tt.in); got != tt.want {
			t.Errorf("formatPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEveryCodeOfTheDomainHasALabel checks the label maps against the
// domain's lists: a code added to the domain without its French label
// would show raw.
func TestEveryCodeOfTheDomainHasALabel(t *testing.T) {
	for _, c := range socle.Constraints {
		if constraintLabels[c] == "" {
			t.Errorf("constraint %q has no label", c)
		}
	}
	for _, lvl := range []string{"3", "4", "5", "6", "7", "8"} {
		if l := educationLabels[lvl]; !strings.HasPrefix(l, "Niveau "+lvl+" (") {
			t.Errorf("education level %s: %q", lvl, l)
		}
	}
	if got := labelOf(educationLabels, "4"); got != "Niveau 4 (baccalauréat)" {
		t.Errorf("level 4 = %q", got)
	}
	for _, s := range socle.Situations {
		if s.Label() == string(s) || s.Label() == "" {
			t.Errorf("situation %q has no label", s)
		}
	}
	w := newWords(nil)
	for _, c := range rome.Full().Codes {
		if got := w.job(c.Code); got == c.Code || rawCode.MatchString(got) {
			t.Errorf("job(%s) = %q", c.Code, got)
		}
	}
	for _, band := range naf.BandCodes() {
		if workforce(band) == "" {
			t.Errorf("workforce band %s has no label", band)
		}
	}
	if got := activity("56.10A"); got != "Restauration traditionnelle" {
		t.Errorf("activity(56.10A) = %q", got)
	}
}

// TestIndicatorsPageRendersFigures renders the indicators page of a
// report with a median delay and a suppressed one: the page printed
// %!f(*float64=0x…) for every median.
func TestIndicatorsPageRendersFigures(t *testing.T) {
	var rec socle.IndicatorRecords
	for i := range 30 {
		rec.FirstAppointments = append(rec.FirstAppointments, socle.IndicatorFirstAppointment{Departement: "69", Month: "2026-03", Days: 6 + i%3})
		rec.Commitments = append(rec.Commitments, socle.IndicatorCommitment{Departement: "69", Month: "2026-03", Signed: i%2 == 0})
	}
	rec.FirstAppointments = append(rec.FirstAppointments, socle.IndicatorFirstAppointment{Departement: "75", Month: "2026-03", Days: 3})
	rep := indicators.Compute(rec, indicators.ByDepartement, time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := loadPages().byName["indicateurs"].ExecuteTemplate(&buf, "layout", view{Data: newIndicatorsView(rep, indicators.ByDepartement, []socle.Departement{{Code: "69", Name: "Rhône"}})}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<td>7,0</td>", "<td>secret</td>", "Calculés le 03/12/2026 à 14:00", "<td>50 %</td>", `<th scope="row">Rhône (69)</th>`, `<th scope="row">Ensemble</th>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if m := rawCode.FindString(page); m != "" {
		t.Errorf("the page shows %q", m)
	}
}

func TestGroupLabel(t *testing.T) {
	deps := map[string]string{"69": "Rhône (69)", "2A": "Corse-du-Sud (2A)"}
	tests := []struct{ key, want string }{
		{"69", "Rhône (69)"},
		{"2026-03", "mars 2026"},
		{"2A 2025-12", "Corse-du-Sud (2A), décembre 2025"},
		{"ensemble", "Ensemble"},
		{"99", "99"},
	}
	for _, tt := range tests {
		if got := groupLabel(tt.key, deps); got != tt.want {
			t.Errorf("groupLabel(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
