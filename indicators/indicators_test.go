package indicators

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"socle"
)

func orientations(n int, dep, month string, kind socle.OrgKind) []socle.IndicatorOrientation {
	out := make([]socle.IndicatorOrientation, n)
	for i := range out {
		out[i] = socle.IndicatorOrientation{OperatorKind: kind, Parcours: socle.ParcoursProfessional, Modalite: socle.ModaliteGuide, Departement: dep, Month: month}
	}
	return out
}

func TestSuppression(t *testing.T) {
	tests := []struct {
		name string
		grid [][]int
	}{
		{"one small cell in a row", [][]int{{20, 5, 30}, {40, 40, 40}}},
		{"small cells everywhere", [][]int{{1, 2, 3}, {4, 5, 6}}},
		{"nothing small", [][]int{{20, 30}, {40, 50}}},
		{"a small row total", [][]int{{3, 4}, {40, 50}}},
		{"zeros", [][]int{{0, 50, 60}, {50, 0, 70}, {12, 13, 14}}},
		{"single row", [][]int{{100, 2, 300, 400}}},
		{"zeros beside a small count", [][]int{{0, 3, 40}, {0, 30, 40}, {0, 25, 50}}},
		{"a row of zeros and one small count", [][]int{{0, 0, 4}, {20, 30, 40}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ncols := len(tt.grid[0])
			cells, rowT, colT, total := suppress(tt.grid, ncols)
			// Rebuild the full matrix with totals.
			m := make([][]Cell, len(cells)+1)
			for i := range cells {
				m[i] = append(append([]Cell{}, cells[i]...), rowT[i])
			}
			m[len(cells)] = append(append([]Cell{}, colT...), total)
			lines := [][]Cell{}
			for i := range m {
				lines = append(lines, m[i])
			}
			for j := range m[0] {
				var col []Cell
				for i := range m {
					col = append(col, m[i][j])
				}
				lines = append(lines, col)
			}
			for i := range m {
				for j, c := range m[i] {
					if c.n > 0 && c.n < Threshold && !c.suppressed {
						t.Errorf("cell (%d,%d) = %d is shown", i, j, c.n)
					}
					if c.n == 0 && c.suppressed {
						t.Errorf("cell (%d,%d) is a zero and is hidden", i, j)
					}
				}
			}
			for _, l := range lines {
				hidden := 0
				for _, c := range l {
					if c.suppressed {
						hidden++
					}
				}
				if hidden == 1 {
					t.Errorf("a line has exactly one hidden count, recomputable from the others: %v", l)
				}
			}
		})
	}
	// Nothing small: nothing hidden.
	cells, _, _, total := suppress([][]int{{20, 30}, {40, 50}}, 2)
	if cells[0][0].suppressed || total.suppressed || total.n != 140 {
		t.Errorf("large counts hidden: %v %v", cells, total)
	}
}

func TestComputeAndExports(t *testing.T) {
	var rec socle.IndicatorRecords
	rec.Orientations = append(rec.Orientations, orientations(30, "69", "2026-03", socle.KindYouth)...)
	rec.Orientations = append(rec.Orientations, orientations(25, "69", "2026-03", socle.KindEmploymentService)...)
	rec.Orientations = append(rec.Orientations, orientations(3, "69", "2026-03", socle.KindDisability)...)
	rec.Orientations = append(rec.Orientations, orientations(40, "75", "2026-03", socle.KindEmploymentService)...)
	for i := range 15 {
		rec.FirstAppointments = append(rec.FirstAppointments, socle.IndicatorFirstAppointment{Departement: "69", Month: "2026-02", Days: i})
	}
	rec.FirstAppointments = append(rec.FirstAppointments, socle.IndicatorFirstAppointment{Departement: "75", Month: "2026-02", Days: 100})
	for i := range 40 {
		rec.Commitments = append(rec.Commitments, socle.IndicatorCommitment{Departement: "69", Month: "2026-03", Signed: i%3 != 0})
	}
	r := Compute(rec, ByDepartement, time.Now())
	op := r.Tables[0]
	if len(op.Rows) != 2 || op.Rows[0].Key != "69" {
		t.Fatalf("rows %+v", op.Rows)
	}
	if n, ok := op.Total.Value(); !ok || n != 98 {
		t.Errorf("grand total = %v", op.Total)
	}
	dis := op.Rows[0].Cells[1]
	if !dis.Suppressed() || dis.String() != "< 11" {
		t.Errorf("3 orientations to the disability operator shown as %s", dis)
	}
	// The zero beside the 3 is shown and protects nothing: a visible count
	// of the same row is hidden with it (secondary suppression).
	if !op.Rows[0].Cells[0].Suppressed() {
		t.Errorf("employment service in 69 = %v, recomputable with the 3 from the row total", op.Rows[0].Cells[0])
	}
	if n, ok := op.Rows[0].Cells[3].Value(); !ok || n != 0 {
		t.Errorf("no orientation to the département in 69 shown as %v, want 0", op.Rows[0].Cells[3])
	}
	if d := r.FirstAppointment[0]; d.MedianDays == nil || *d.MedianDays != 7 {
		t.Errorf("median delay in 69 = %+v", d)
	}
	if d := r.FirstAppointment[1]; d.MedianDays != nil || !d.Persons.Suppressed() {
		t.Errorf("a single person's delay is shown: %+v", d)
	}
	if s := r.SignedContracts[0]; s.Share == nil || *s.Share != 0.65 {
		t.Errorf("share of signed contracts = %+v", s)
	}

	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("null")) || bytes.Contains(b, []byte(`"cells": [\n            25,\n            3`)) {
		t.Errorf("suppressed counts leak in JSON:\n%s", b)
	}
	var csv bytes.Buffer
	if err := r.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"indicateur;groupe;categorie;valeur", "operateur;69;handicap;< 11", "operateur;ensemble;total;98", "contrats;69;part_signes;0,650"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv.String())
		}
	}
	for _, c := range []string{";3\n", ";3;"} {
		if strings.Contains(csv.String(), "handicap"+c) {
			t.Errorf("CSV shows a small count")
		}
	}
	svg := string(op.Chart())
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "&lt; 11") || !strings.Contains(svg, ">65<") {
		t.Errorf("chart %s", svg)
	}
}

func TestParseGrouping(t *testing.T) {
	for _, s := range []string{"", "departement", "mois", "departement_mois"} {
		if _, err := ParseGrouping(s); err != nil {
			t.Errorf("ParseGrouping(%q) = %v", s, err)
		}
	}
	if _, err := ParseGrouping("commune"); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("ParseGrouping(commune) = %v", err)
	}
}
