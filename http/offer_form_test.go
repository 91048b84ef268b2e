package http

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/rome"
)

func TestParseOfferFormAppellation(t *testing.T) {
	ref, err := rome.Parse(strings.NewReader("code_rome;libelle_rome;code_ogr;libelle_appellation_long\n" +
		"M1609;Secrétariat et assistanat médical ou médico-social;;\n" +
		"M1609;;38577;Secrétaire médical / médicale\n" +
		"M1609;;38578;Assistant / Assistante médical(e)\n"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(title, code string) *http.Request {
		t.Helper()
		v := url.Values{"titre": {title}, "rome": {code}, "commune": {"69123"}, "contrat": {"CDI"}, "heures": {"35"}, "debut": {"2026-09-01"}}
		r := httptest.NewRequest(http.MethodPost, "/offres", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	tests := []struct {
		name, title, code string
		ref               *rome.Referential
		wantErr           bool
		wantTitle         string
		wantAppellations  int
	}{
		{"appellation of the code, respelled", "  secrétaire médical / MÉDICALE", "M1609", &ref, false, "Secrétaire médical / médicale", 2},
		{"title that is no appellation of the code", "Plombier", "M1609", &ref, true, "", 2},
		{"code without appellations in the referential", "Plombier", "F1603", &ref, false, "Plombier", 0},
		{"no referential", "Plombier", "M1609", nil, false, "Plombier", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &socle.Offer{CompanyID: socle.NewID(socle.PrefixCompany)}
			f, errs := parseOfferForm(post(tt.title, tt.code), o, tt.ref)
			if got := errs["titre"] != ""; got != tt.wantErr {
				t.Fatalf("title error %q, want error %v", errs["titre"], tt.wantErr)
			}
			if !tt.wantErr && o.Title != tt.wantTitle {
				t.Errorf("title %q, want %q", o.Title, tt.wantTitle)
			}
			if len(f.Appellations) != tt.wantAppellations {
				t.Errorf("%d appellations offered, want %d", len(f.Appellations), tt.wantAppellations)
			}
		})
	}
}

// TestEmployerOfferAppellations posts offers through the employer space
// with a referential that knows the appellations of M1607.
func TestEmployerOfferAppellations(t *testing.T) {
	ref, err := rome.Parse(strings.NewReader("code_rome;libelle_rome;code_ogr;libelle_appellation_long\n" +
		"M1607;Secrétariat;;\n" +
		"M1607;;38575;Secrétaire\n" +
		"M1607;;38576;Secrétaire polyvalent / polyvalente\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := newCompanyEnvWith(t, ref)
	emp := e.employerClient()
	offer := func(title string) url.Values {
		return url.Values{"titre": {title}, "rome": {"M1607"}, "commune": {"69123"}, "contrat": {"CDI"}, "heures": {"35"}, "debut": {"2026-09-01"}}
	}

	// First step: the code alone brings the form back with its appellations.
	step := offer("")
	step.Set("etape", "appellations")
	before := e.idx.Offers()
	resp, html := e.postForm(emp, "/employeur/offres", "/employeur/offres", step)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="etape-appellations"`) ||
		!strings.Contains(html, `<datalist id="appellations">`) || !strings.Contains(html, `<option value="Secrétaire polyvalent / polyvalente">`) {
		t.Fatalf("appellation step: status %d\n%s", resp.StatusCode, html)
	}
	if strings.Contains(html, "Indiquez l&#39;intitulé") {
		t.Error("the appellation step asks for the title it offers")
	}
	if e.idx.Offers() != before {
		t.Fatal("the appellation step saved an offer")
	}

	// A title that is no appellation of the code is refused.
	resp, html = e.postForm(emp, "/employeur/offres", "/employeur/offres", offer("Plombier"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "appellation du code ROME M1607") {
		t.Fatalf("title outside the code: status %d\n%s", resp.StatusCode, html)
	}

	// An appellation of the code is saved with the referential's spelling.
	resp, html = e.postForm(emp, "/employeur/offres", "/employeur/offres", offer("secrétaire POLYVALENT / polyvalente"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("appellation of the code: status %d\n%s", resp.StatusCode, html)
	}
	if _, out := e.net.get(emp, "/employeur/offres", ""); !strings.Contains(out, "<td>Secrétaire polyvalent / polyvalente</td>") {
		t.Errorf("the offer is not listed with the appellation:\n%s", out)
	}

	// The edit page of the existing M1607 offer offers the appellations.
	if _, out := e.net.get(emp, "/employeur/offres/"+e.offer.ID, ""); !strings.Contains(out, `list="appellations"`) {
		t.Errorf("the edit page does not offer the appellations:\n%s", out)
	}
}
