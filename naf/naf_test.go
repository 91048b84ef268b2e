package naf

import (
	"encoding/csv"
	"os"
	"testing"
)

// shared is the official file the embedded copy must match.
func readShared(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("../../shared/data/naf/" + name)
	if err != nil {
		t.Skipf("shared referential not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestEveryNAFCodeOfTheReferentialHasItsLabel(t *testing.T) {
	rows := readShared(t, "naf.csv")
	if len(rows) != 1707 {
		t.Fatalf("naf.csv has %d rows, want 1707", len(rows))
	}
	for _, row := range rows {
		a, ok := Lookup(row[0])
		if !ok || a.Label != row[2] || string(a.Level) != row[1] {
			t.Errorf("Lookup(%q) = %+v, %v; want %q at level %s", row[0], a, ok, row[2], row[1])
		}
	}
	if n := Count(SousClasse); n != 732 {
		t.Errorf("%d sub-classes, want 732", n)
	}
	if n := Count(Division); n != 88 {
		t.Errorf("%d divisions, want 88", n)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct{ code, want string }{
		{"56.10A", "Restauration traditionnelle"},
		{" 56.10a ", "Restauration traditionnelle"},
		{"62.01Z", "Programmation informatique"},
		{"56", "Restauration"},
		{"99.99Z", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Label(tt.code); got != tt.want {
			t.Errorf("Label(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestEveryWorkforceBandHasItsLabel(t *testing.T) {
	rows := readShared(t, "tranches-effectif.csv")
	codes := BandCodes()
	if len(codes) != len(rows) {
		t.Fatalf("%d bands, want %d", len(codes), len(rows))
	}
	for i, row := range rows {
		if codes[i] != row[0] || BandLabel(row[0]) != row[1] {
			t.Errorf("band %d: %q %q, want %q %q", i, codes[i], BandLabel(row[0]), row[0], row[1])
		}
	}
	if got := BandLabel("12"); got != "20 à 49 salariés" {
		t.Errorf("BandLabel(12) = %q", got)
	}
	if got := BandLabel("99"); got != "" {
		t.Errorf("BandLabel(99) = %q, want empty", got)
	}
}
