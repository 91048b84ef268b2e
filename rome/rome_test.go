package rome

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

func TestFamily(t *testing.T) {
	tests := []struct{ code, family, domain string }{
		{"K2204", "K22", "K"},
		{"M1607", "M16", "M"},
		{"k2204", "", ""},
		{"K220", "", ""},
	}
	for _, tt := range tests {
		if got := Family(tt.code); got != tt.family {
			t.Errorf("Family(%q) = %q, want %q", tt.code, got, tt.family)
		}
		if got := Domain(tt.code); got != tt.domain {
			t.Errorf("Domain(%q) = %q, want %q", tt.code, got, tt.domain)
		}
	}
}

func TestBuiltin(t *testing.T) {
	r := Builtin()
	if len(r.Codes) < 70 {
		t.Fatalf("built-in referential has %d codes, want at least 70", len(r.Codes))
	}
	if got := r.Label("K2204"); got == "" {
		t.Errorf("Label(K2204) is empty")
	}
	if got := r.Label("Z9999"); got != "" {
		t.Errorf("Label(Z9999) = %q, want empty", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in     string
		codes, appel int
		err          string
	}{
		{"codes semicolon", "code_rome;libelle_rome\nK2204;Nettoyage de locaux\nM1607;Secrétariat\n", 2, 0, ""},
		{"appellations comma", "code_ogr,libelle_appellation_long,code_rome\n12345,Agent / Agente de propreté,K2204\n12346,\"Secrétaire, polyvalent\",M1607\n", 2, 2, ""},
		{"bom and blank line", "\ufeffcode_rome;libelle_rome\nK2204;Nettoyage\n\n", 1, 0, ""},
		{"bad code names line", "code_rome;libelle_rome\nK2204;Nettoyage\nK22;Oops\n", 0, 0, "line 3"},
		{"no code column", "rome;libelle\nK2204;x\n", 0, 0, "no code_rome column"},
		{"two labels", "code_rome;libelle_rome\nK2204;A\nK2204;B\n", 0, 0, "two labels"},
		{"empty", "code_rome;libelle_rome\n", 0, 0, "no code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Codes) != tt.codes || len(r.Appellations) != tt.appel {
				t.Fatalf("Parse = %d codes, %d appellations; want %d, %d", len(r.Codes), len(r.Appellations), tt.codes, tt.appel)
			}
			if r.Codes[0].Family != r.Codes[0].Code[:3] {
				t.Errorf("family of %s = %q", r.Codes[0].Code, r.Codes[0].Family)
			}
		})
	}
}

func TestAppellations(t *testing.T) {
	r, err := Parse(strings.NewReader("code_rome;libelle_rome;code_ogr;libelle_appellation_long\n" +
		"K2204;Nettoyage de locaux;;\n" +
		"K2204;;19364;Laveur / Laveuse de vitres\n" +
		"K2204;;11705;Agent / Agente de propreté\n" +
		"M1607;;38575;Secrétaire\n"))
	if err != nil {
		t.Fatal(err)
	}
	as := r.AppellationsOf("K2204")
	if len(as) != 2 || as[0].Label != "Agent / Agente de propreté" {
		t.Fatalf("AppellationsOf(K2204) = %v, want two sorted by label", as)
	}
	if a, ok := r.Appellation("K2204", " laveur / laveuse de VITRES "); !ok || a.Code != "19364" {
		t.Errorf("Appellation of K2204 by label: %v, %v", a, ok)
	}
	if _, ok := r.Appellation("K2204", "Secrétaire"); ok {
		t.Error("an appellation of M1607 must not belong to K2204")
	}
}

// TestFullHoldsEveryCodeOfTheOfficialFile checks the embedded ROME 4.0
// against the shared copy of France Travail's file: every code and
// appellation, with its label.
func TestFullHoldsEveryCodeOfTheOfficialFile(t *testing.T) {
	f, err := os.Open("../../shared/data/rome/rome.csv")
	if err != nil {
		t.Skipf("shared referential not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	r := Full()
	if len(r.Codes) != 532 || len(r.Appellations) != 11061 {
		t.Fatalf("Full has %d codes and %d appellations, want 532 and 11061", len(r.Codes), len(r.Appellations))
	}
	for _, row := range rows[1:] {
		if got := r.Label(row[0]); got != row[1] || got == "" {
			t.Errorf("Label(%s) = %q, want %q", row[0], got, row[1])
		}
		if row[3] == "" {
			continue
		}
		if code, ok := FullIndex().Resolve(row[3]); !ok {
			t.Errorf("Resolve(%q) found nothing, want a code (%s)", row[3], row[0])
		} else if r.Label(code) == "" {
			t.Errorf("Resolve(%q) = %s, a code without label", row[3], code)
		}
	}
}

func TestSearchAndResolve(t *testing.T) {
	r := FullIndex()
	tests := []struct {
		query    string
		wantCode string // the code of the first suggestion
	}{
		{"K2204", "K2204"},
		{"k2204", "K2204"},
		{"nettoyage de locaux", "K2204"},
		{"ELEVAGE bovin", ""},
		{"", ""},
		{"zzzz", ""},
	}
	for _, tt := range tests {
		got := r.Search(tt.query, 10)
		if tt.wantCode == "" {
			if tt.query == "ELEVAGE bovin" && len(got) == 0 {
				t.Errorf("Search(%q) found nothing", tt.query)
			}
			if tt.query != "ELEVAGE bovin" && len(got) != 0 {
				t.Errorf("Search(%q) = %v, want nothing", tt.query, got)
			}
			continue
		}
		if len(got) == 0 || got[0].ROME != tt.wantCode {
			t.Errorf("Search(%q) = %v, want %s first", tt.query, got, tt.wantCode)
		}
	}
	if got := r.Search("agent", 5); len(got) != 5 {
		t.Errorf("Search(agent, 5) returned %d suggestions", len(got))
	}
	for _, v := range []string{"K2204", " nettoyage de locaux ", r.Label("K2204")} {
		if code, ok := r.Resolve(v); !ok || code != "K2204" {
			t.Errorf("Resolve(%q) = %s, %v; want K2204", v, code, ok)
		}
	}
	for _, v := range []string{"", "Z9999", "nettoyage"} {
		if code, ok := r.Resolve(v); ok {
			t.Errorf("Resolve(%q) = %s, want nothing", v, code)
		}
	}
}

func BenchmarkSearchFull(b *testing.B) {
	r := FullIndex()
	for b.Loop() {
		r.Search("cuis rest", 20)
	}
}
