package indicators

import (
	"testing"
	"time"

	"socle"
)

func handoffs(n int, dep, status, reason string, days int) []socle.IndicatorOrientationRequest {
	out := make([]socle.IndicatorOrientationRequest, n)
	for i := range out {
		out[i] = socle.IndicatorOrientationRequest{Departement: dep, Month: "2026-11", Status: status, RefusalReason: reason, Days: days}
	}
	return out
}

func table(t *testing.T, r Report, name string) Table {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("no table %s", name)
	return Table{}
}

// TestHandoffFiguresByDepartementWithSmallCellsSuppressed counts the
// hand-offs' outcomes, delays and refusal reasons by département, hiding
// the small counts.
func TestHandoffFiguresByDepartementWithSmallCellsSuppressed(t *testing.T) {
	var rec socle.IndicatorRecords
	rec.OrientationRequests = append(rec.OrientationRequests, handoffs(30, "69", socle.HandoffAccepted, "", 2)...)
	rec.OrientationRequests = append(rec.OrientationRequests, handoffs(12, "69", socle.HandoffRefused, "capacite", 5)...)
	rec.OrientationRequests = append(rec.OrientationRequests, handoffs(2, "69", socle.HandoffRefused, "territoire", 20)...)
	rec.OrientationRequests = append(rec.OrientationRequests, handoffs(20, "13", socle.HandoffAccepted, "", 9)...)
	late := handoffs(11, "13", socle.HandoffSent, "", -1)
	for i := range late {
		late[i].Escalated = true
	}
	rec.OrientationRequests = append(rec.OrientationRequests, late...)
	r := Compute(rec, ByDepartement, time.Now())

	outcomes := table(t, r, "demandes-orientation")
	if len(outcomes.Rows) != 2 || outcomes.Rows[1].Key != "69" {
		t.Fatalf("rows = %+v", outcomes.Rows)
	}
	if n, ok := outcomes.Rows[1].Cells[0].Value(); !ok || n != 30 {
		t.Errorf("accepted in 69 = %v, want 30", outcomes.Rows[1].Cells[0])
	}
	if n, ok := outcomes.Rows[1].Cells[1].Value(); !ok || n != 14 {
		t.Errorf("refused in 69 = %v, want 14", outcomes.Rows[1].Cells[1])
	}
	if n, ok := outcomes.Rows[0].Cells[3].Value(); !ok || n != 11 {
		t.Errorf("escalated requests in 13 = %v, want 11", outcomes.Rows[0].Cells[3])
	}
	if n, ok := outcomes.Total.Value(); !ok || n != 75 {
		t.Errorf("total = %v, want 75", outcomes.Total)
	}

	delays := table(t, r, "delai-reponse-orientation")
	if n, ok := delays.Rows[1].Cells[0].Value(); !ok || n != 30 {
		t.Errorf("answered within 2 days in 69 = %v, want 30", delays.Rows[1].Cells[0])
	}
	if n, ok := delays.Rows[0].Cells[2].Value(); !ok || n != 20 {
		t.Errorf("answered in 8 to 14 days in 13 = %v, want 20", delays.Rows[0].Cells[2])
	}
	if !delays.Rows[1].Cells[3].Suppressed() {
		t.Errorf("2 late answers in 69 shown as %v", delays.Rows[1].Cells[3])
	}
	if n, ok := delays.Total.Value(); !ok || n != 64 {
		t.Errorf("answered requests = %v, want 64 (open ones left out)", delays.Total)
	}

	reasons := table(t, r, "motifs-refus-orientation")
	if len(reasons.Rows) != 1 || reasons.Rows[0].Key != "69" {
		t.Fatalf("reasons rows = %+v", reasons.Rows)
	}
	if !reasons.Rows[0].Cells[2].Suppressed() || !reasons.Rows[0].Cells[1].Suppressed() {
		t.Errorf("2 refusals for the territory shown, or recomputable from the row: %v", reasons.Rows[0].Cells)
	}
}
