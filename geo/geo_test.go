package geo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socle"
)

// sharedCOG is the official COG export shared by the project, relative to
// this package's directory.
const sharedCOG = "../../shared/data/cog"

func TestReadDirShared(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sharedCOG, CommunesFile)); err != nil {
		t.Skipf("shared COG files absent (%v): nothing to parse", err)
	}
	g, err := ReadDir(sharedCOG)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.Regions); n != 18 {
		t.Errorf("regions: got %d, want 18 (13 metropolitan, 5 overseas)", n)
	}
	if n := len(g.Departements); n != 101 {
		t.Errorf("départements: got %d, want 101", n)
	}
	if n := len(g.Communes); n < 34000 || n > 36000 {
		t.Errorf("communes: got %d, want about 35,000", n)
	}
	checkGeography(t, g)

	byCode := map[string]socle.Commune{}
	for _, c := range g.Communes {
		byCode[c.Code] = c
	}
	lyon3, ok := byCode["69383"] // an arrondissement municipal
	if !ok || lyon3.PostalCodes[0] != "69003" || lyon3.DepartementCode != "69" || lyon3.RegionCode != "84" {
		t.Errorf("Lyon 3e: got %+v", lyon3)
	}
	if _, ok := byCode["97502"]; ok {
		t.Error("Saint-Pierre (a collectivité d'outre-mer) should be left out")
	}
	if p, ok := g.DepartementPhrase("974"); !ok || p != "de La Réunion" {
		t.Errorf("974: got %q", p)
	}
}

func TestBuiltin(t *testing.T) {
	g := Builtin()
	checkGeography(t, g)
	if len(g.Departements) != 101 {
		t.Errorf("départements: got %d, want 101", len(g.Departements))
	}
	perDep := map[string]int{}
	for _, c := range g.Communes {
		perDep[c.DepartementCode]++
	}
	for _, dep := range []string{"69", "75", "2A", "974", "971"} {
		if perDep[dep] == 0 {
			t.Errorf("département %s has no commune", dep)
		}
	}
	// Builtin hands out copies: a caller's change must not leak.
	g.Communes[0].Name = "changed"
	if Builtin().Communes[0].Name == "changed" {
		t.Error("Builtin shares its slices between callers")
	}
}

func TestDepartementPhrase(t *testing.T) {
	g := Builtin()
	for code, want := range map[string]string{
		"69": "du Rhône", "13": "des Bouches-du-Rhône", "33": "de la Gironde",
		"01": "de l'Ain", "75": "de Paris", "28": "d'Eure-et-Loir", "54": "de Meurthe-et-Moselle",
	} {
		if got, ok := g.DepartementPhrase(code); !ok || got != want {
			t.Errorf("%s: got %q, %v; want %q", code, got, ok, want)
		}
	}
	if _, ok := g.DepartementPhrase("00"); ok {
		t.Error("unknown code: want ok false")
	}
}

func checkGeography(t *testing.T, g Geography) {
	t.Helper()
	deps := map[string]bool{}
	for _, d := range g.Departements {
		if !socle.ValidDepartementCode(d.Code) || d.Name == "" || d.RegionCode == "" {
			t.Errorf("bad département %+v", d)
		}
		deps[d.Code] = true
	}
	seen := map[string]bool{}
	for _, c := range g.Communes {
		if seen[c.Code] {
			t.Errorf("commune %s twice", c.Code)
		}
		seen[c.Code] = true
		if !socle.ValidCommuneCode(c.Code) || c.Name == "" || len(c.PostalCodes) == 0 || !deps[c.DepartementCode] {
			t.Errorf("bad commune %+v", c)
		}
		if socle.DepartementOf(c.Code) != c.DepartementCode && !strings.HasPrefix(c.DepartementCode, "2") {
			t.Errorf("commune %s: département %s", c.Code, c.DepartementCode)
		}
		for _, pc := range c.PostalCodes {
			if !socle.ValidPostalCode(pc) {
				t.Errorf("commune %s: postal code %q", c.Code, pc)
			}
		}
	}
}

func TestReadDirErrors(t *testing.T) {
	const (
		regions  = `[{"code":"84","nom":"Auvergne-Rhône-Alpes","zone":"metro"}]`
		deps     = `[{"code":"69","region":"84","nom":"Rhône","typeLiaison":2,"zone":"metro"}]`
		communes = `[{"code":"69123","nom":"Lyon","departement":"69","region":"84","type":"commune-actuelle","codesPostaux":["69001"],"population":519127}]`
	)
	tests := []struct {
		name                    string
		regions, deps, communes string
		wantFile, wantSubstring string
	}{
		{"bad JSON", regions, deps, "[{\"code\":\"69123\",\n\"nom\":}]", CommunesFile, "invalid JSON at line 2"},
		{"not an array", `{"code":"84"}`, deps, communes, RegionsFile, "expected an array"},
		{"empty", regions, `[]`, communes, DepartementsFile, "empty"},
		{"missing name", regions, deps, `[{"code":"69123","departement":"69","type":"commune-actuelle","codesPostaux":["69001"]}]`, CommunesFile, `record 1 (code "69123"): missing nom`},
		{"unknown département", regions, deps, `[{"code":"01053","nom":"Bourg-en-Bresse","departement":"01","type":"commune-actuelle","codesPostaux":["01000"]}]`, CommunesFile, `département "01"`},
		{"unknown région", `[{"code":"11","nom":"Île-de-France"}]`, deps, communes, DepartementsFile, `région "84"`},
		{"no postal code", regions, deps, `[{"code":"69123","nom":"Lyon","departement":"69","type":"commune-actuelle"}]`, CommunesFile, "no commune with a postal code"},
		{"missing file", regions, deps, "", CommunesFile, "reading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, RegionsFile, tt.regions)
			write(t, dir, DepartementsFile, tt.deps)
			if tt.communes != "" {
				write(t, dir, CommunesFile, tt.communes)
			}
			_, err := ReadDir(dir)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tt.wantFile)) || !strings.Contains(err.Error(), tt.wantSubstring) {
				t.Errorf("got %q, want the path of %s and %q", err, tt.wantFile, tt.wantSubstring)
			}
		})
	}
}

func TestReadDirMinimal(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, RegionsFile, `[{"code":"84","nom":"Auvergne-Rhône-Alpes"},{"code":"988","nom":"Nouvelle-Calédonie"}]`)
	write(t, dir, DepartementsFile, `[{"code":"69","region":"84","nom":"Rhône","typeLiaison":2},{"code":"988","region":"988","nom":"Nouvelle-Calédonie"}]`)
	write(t, dir, CommunesFile, `[
{"code":"69123","nom":"Lyon","departement":"69","region":"84","type":"commune-actuelle","codesPostaux":["69001","69002"],"population":519127},
{"code":"69381","nom":"Lyon 1er Arrondissement","departement":"69","type":"arrondissement-municipal","codesPostaux":["69001"],"population":29000},
{"code":"69001","nom":"Affoux","departement":"69","type":"commune-deleguee","codesPostaux":["69170"]},
{"code":"98818","nom":"Nouméa","departement":"988","type":"commune-actuelle","codesPostaux":["98800"]}]`)
	g, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Regions) != 1 || len(g.Departements) != 1 || len(g.Communes) != 2 {
		t.Fatalf("got %d régions, %d départements, %d communes; want 1, 1, 2", len(g.Regions), len(g.Departements), len(g.Communes))
	}
	if c := g.Communes[1]; c.RegionCode != "84" || c.Population != 29000 {
		t.Errorf("arrondissement: got %+v", c)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
