package web

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
			f, errs := parseOfferForm(post(tt.title, tt.code), newWords(nil), o, tt.ref)
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
