package http

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"socle"
	"socle/identity"
	"socle/store/storetest"
)

// rawCode finds what a page must not show a person: internal ids, bare ROME
// codes outside their label, Go's formatting errors, UTC instants and raw
// domain codes.
var rawCode = regexp.MustCompile(`\b(agt|per|org|cmp|off)_[0-9a-zA-Z]+|\b[A-N][0-9]{4}\b|%!|\+0000 UTC|Niveau de formation [0-9]|\bmobilite\b|\bmise_en_relation\b`)

// shownText is the text of a page a person reads: the tags (with their
// links and form values, which carry ids by design) removed.
func shownText(page string) string {
	return regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`).ReplaceAllString(page, " ")
}

// checkWords fails when the page shows a raw code or lacks a wanted label.
func checkWords(t *testing.T, path, page string, wants ...string) {
	t.Helper()
	text := shownText(page)
	if m := rawCode.FindAllString(text, 5); m != nil {
		t.Errorf("%s shows %q", path, m)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", path, w)
		}
	}
}

// TestPagesShowWordsNotCodes reads the pages of an adviser's day over the
// real server and checks that they name jobs, communes, levels and
// constraints and show no internal id or raw code.
func TestPagesShowWordsNotCodes(t *testing.T) {
	e := newNetworkEnv(t)
	adviser := e.clients[socle.KindYouth]
	tests := []struct {
		path  string
		wants []string
	}{
		{"/usagers/" + e.person.ID + "?finalite=accompagnement", []string{
			"Lyon (69)", "Niveau 4 (baccalauréat)", "Mobilité, Logement", "Formation professionnelle",
			"06 12 34 56 78", "Bénéficiaire du RSA"}},
		{"/usagers/" + e.person.ID, []string{"Accompagnement"}},
		{"/offres", nil},
		{"/entreprises", nil},
	}
	for _, tt := range tests {
		resp, body := e.get(adviser, tt.path, "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", tt.path, resp.StatusCode)
			continue
		}
		checkWords(t, tt.path, body, tt.wants...)
	}
	// The NIR is grouped as on the carte Vitale.
	_, body := e.get(adviser, "/usagers/"+e.person.ID+"?finalite=accompagnement", "")
	if nir := e.person.Identity.NIR; strings.Contains(body, nir) {
		t.Errorf("the file shows the NIR %s ungrouped", nir)
	}
}

// TestRefusedPurposeNamesTheOpenOnes asks a file for a purpose the
// adviser's role may not use: the page says so and names the purposes she
// may declare, the same way for a followed person, a stranger and an id
// that does not exist; a purpose she may use on a file she may not see
// still answers as if it did not exist.
func TestRefusedPurposeNamesTheOpenOnes(t *testing.T) {
	e := newNetworkEnv(t)
	adviser := e.clients[socle.KindYouth]
	var bodies []string
	for _, id := range []string{e.person.ID, e.stranger.ID, socle.NewID(socle.PrefixPerson)} {
		resp, body := e.get(adviser, "/usagers/"+id+"?finalite=controle", "")
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("controle on %s: %d, want 403", id, resp.StatusCode)
		}
		for _, want := range []string{"n&#39;est pas ouverte à votre rôle", "« Accompagnement »", "« Orientation »"} {
			if !strings.Contains(body, want) {
				t.Errorf("controle on %s: the page lacks %q", id, want)
			}
		}
		if strings.Contains(body, "n&#39;existe pas") {
			t.Errorf("controle on %s: the page says the file does not exist", id)
		}
		bodies = append(bodies, strings.ReplaceAll(body, id, "ID"))
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Error("the refusal of a purpose differs between a followed person, a stranger and an absent id")
	}
	resp, body := e.get(adviser, "/usagers/"+e.stranger.ID+"?finalite=accompagnement", "")
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "n&#39;est pas ouverte") {
		t.Errorf("accompagnement on a stranger: %d, want 404 without naming the purpose", resp.StatusCode)
	}
}

// TestOrientationKeepsTheAnswersOnAnError posts a questionnaire with two
// required answers missing: the page names each next to its question and
// keeps every answer given checked.
func TestOrientationKeepsTheAnswersOnAnError(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	page := "/usagers/" + e.alice.ID + "/orientation"
	_, body := e.net.get(c, page, "")
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in %s:\n%s", page, body)
	}
	form := url.Values{"csrf": {m[1]}, "projet": {"a_construire"}, "freins": {"mobilite", "logement"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}
	resp, err := c.PostForm(e.srv.URL+page, form)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST %s: %d, want 400", page, resp.StatusCode)
	}
	for _, want := range []string{
		`name="projet" value="a_construire" checked`,
		`name="freins" value="mobilite" checked`,
		`name="freins" value="logement" checked`,
		`name="hebergement_stable" value="oui" checked`,
		`id="erreur-derniere_activite"`,
		`id="erreur-autonomie"`,
		"2 question(s) obligatoire(s) sans réponse",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, unwanted := range []string{`value="aucun" checked`, `id="erreur-projet"`, `name="freins" value="sante" checked`} {
		if strings.Contains(body, unwanted) {
			t.Errorf("the page has %s", unwanted)
		}
	}
}

// TestAlertConsoleNamesAgentsAndStructures raises a case on an agent and
// checks that the console and the case file name the agent and her
// structure, never their ids.
func TestAlertConsoleNamesAgentsAndStructures(t *testing.T) {
	ctx := context.Background()
	st := newConsoleStack(t)
	org, _, officer := st.officerOf(t, "Mission locale de Vénissieux")
	adv := storetest.NewAgent(org.ID, "conseillere@ml.fr")
	if err := st.db.CreateAgent(ctx, adv); err != nil {
		t.Fatal(err)
	}
	c, err := st.cases.Raise(ctx, &socle.Alert{Rule: "family", Score: 4, Principal: "agent:" + adv.ID, OrganisationID: org.ID, Reason: "Dossier d'un proche."})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/alertes", "/alertes/" + c.ID} {
		resp, body := st.env.get(officer, path, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		// The case's reference is the object of these pages: it may show.
		body = strings.ReplaceAll(body, c.ID, "REF")
		checkWords(t, path, body, adv.FullName(), "Mission locale de Vénissieux")
	}
}

// TestRecoveryQueueNamesTheAgent opens a recovery of an agent's second
// factor and checks that her administrator's queue names her.
func TestRecoveryQueueNamesTheAgent(t *testing.T) {
	e := newIdentityEnv(t)
	if err := e.svc.RequestRecovery(context.Background(), e.agent.Email, identity.Client{RemoteAddr: "192.0.2.1", UserAgent: "test"}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login(e.admin)
	resp, page := b.get("/recuperation")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /recuperation: %d", resp.StatusCode)
	}
	checkWords(t, "/recuperation", page, e.agent.FullName(), "0 sur 2")
}

// TestCompanyPagesShowWordsNotCodes reads an offer, the open offers, the
// company's file and the employer's offers: the job, the activity and the
// workforce band by their labels, no code.
func TestCompanyPagesShowWordsNotCodes(t *testing.T) {
	e := newCompanyEnv(t)
	emp := e.employerClient()
	tests := []struct {
		client *http.Client
		path   string
		wants  []string
	}{
		{e.adviser, "/offres/" + e.offer.ID, []string{"Secrétariat", "CDI"}},
		{e.adviser, "/offres", []string{"Secrétariat"}},
		{e.adviser, "/entreprises/" + e.offer.CompanyID, []string{"Programmation informatique", "10 à 19 salariés", "Secrétariat"}},
		{emp, "/employeur/offres", []string{"Secrétariat"}},
	}
	for _, tt := range tests {
		resp, body := e.net.get(tt.client, tt.path, "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", tt.path, resp.StatusCode)
			continue
		}
		checkWords(t, tt.path, body, tt.wants...)
	}
}
