package geo

import (
	"cmp"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"socle"
)

// TestCommuneIndexNamesCommunesOfTheCOG reads the official COG and checks a
// sample of communes by INSEE code, then searches and resolves by name.
func TestCommuneIndexNamesCommunesOfTheCOG(t *testing.T) {
	if _, err := os.Stat("../../shared/data/cog/communes.json"); err != nil {
		t.Skipf("shared COG not available: %v", err)
	}
	g, err := ReadDir("../../shared/data/cog")
	if err != nil {
		t.Fatal(err)
	}
	communes := slices.Clone(g.Communes)
	slices.SortStableFunc(communes, func(a, b socle.Commune) int { return cmp.Compare(b.Population, a.Population) })
	x := NewIndex(communes)
	labels := []struct{ code, want string }{
		{"69386", "Lyon 6e Arrondissement (69)"},
		{"69123", "Lyon (69)"},
		{"75056", "Paris (75)"},
		{"13055", "Marseille (13)"},
		{"33063", "Bordeaux (33)"},
		{"2A004", "Ajaccio (2A)"},
		{"97411", "Saint-Denis (974)"},
		{"42218", "Saint-Étienne (42)"},
		{"00000", ""},
	}
	for _, tt := range labels {
		if got := x.Label(tt.code); got != tt.want {
			t.Errorf("Label(%s) = %q, want %q", tt.code, got, tt.want)
		}
	}
	// Every commune kept from the file is named, with its département.
	raw, err := os.ReadFile("../../shared/data/cog/communes.json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct{ Code, Nom, Departement, Type string }
	if err := json.Unmarshal(raw, &recs); err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, r := range recs {
		if r.Type != typeCommune && r.Type != typeArrondissement {
			continue // a delegated commune shares the code of its new commune
		}
		if l := x.Label(r.Code); l != "" {
			named++
			if l != r.Nom+" ("+r.Departement+")" {
				t.Errorf("Label(%s) = %q, want %s (%s)", r.Code, l, r.Nom, r.Departement)
			}
		}
	}
	if named != x.Len() || named < 34000 {
		t.Errorf("%d communes named of %d indexed", named, x.Len())
	}

	searches := []struct{ query, first string }{
		{"saint etienne", "42218"},
		{"BORDEAUX", "33063"},
		{"33000", "33063"},
		{"2A004", "2A004"},
		{"marseille 1er", "13201"},
	}
	for _, tt := range searches {
		got := x.Search(tt.query, 5)
		if len(got) == 0 || got[0].Code != tt.first {
			t.Errorf("Search(%q) = %v, want %s first", tt.query, got, tt.first)
		}
	}
	resolves := []struct {
		value, code string
		ok          bool
	}{
		{"Bordeaux (33)", "33063", true},
		{"saint-étienne (42)", "42218", true},
		{"33063", "33063", true},
		{"Saint-Denis", "", false}, // several communes bear it
		{"Nulle-Part", "", false},
	}
	for _, tt := range resolves {
		code, ok := x.Resolve(tt.value)
		if code != tt.code || ok != tt.ok {
			t.Errorf("Resolve(%q) = %s, %v; want %s, %v", tt.value, code, ok, tt.code, tt.ok)
		}
	}
}

// BenchmarkCommuneSearch searches the full COG as the autocomplete does.
func BenchmarkCommuneSearch(b *testing.B) {
	g, err := ReadDir("../../shared/data/cog")
	if err != nil {
		b.Skipf("shared COG not available: %v", err)
	}
	x := NewIndex(g.Communes)
	for b.Loop() {
		x.Search("saint et", 20)
	}
}
