package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle/rome"
)

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
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "appellation du métier « Secrétariat »") {
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
