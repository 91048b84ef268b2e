package http

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// TestAdviserHomeListsHerPersonsAndWhatWaits reads an adviser's home: her
// persons with their alerts, her appointments with the persons' names,
// what waits for her, the filters and the pages; an adviser of another
// structure sees none of them.
func TestAdviserHomeListsHerPersonsAndWhatWaits(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	name := func(p *socle.Person) string {
		return html.EscapeString(p.Identity.GivenName + " " + p.Identity.FamilyName)
	}
	if _, err := e.parcours.RequestRectification(ctx, e.self(e.alice), socle.CatContact, "Mon adresse a changé : 3 rue des Lilas."); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
	adviser := gate.Request{Actor: e.ml, Purpose: policy.PurposeAccompagnement, RequestID: "rdv", RemoteAddr: "127.0.0.1"}
	if err := e.parcours.CreateEvent(ctx, adviser, &socle.Event{PersonID: e.bob.ID, Kind: socle.EventAppointment, Title: "Point CV",
		Start: start, End: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	status, body := e.staffGet(e.ml.OrganisationID, "/")
	if status != http.StatusOK {
		t.Fatalf("home: %d", status)
	}
	list := section(t, body, `id="liste-usagers"`, `</table>`)
	for _, want := range []string{
		`<a href="/usagers/` + e.alice.ID + `">` + name(e.alice) + `</a>`,
		`<a href="/usagers/` + e.bob.ID + `">` + name(e.bob) + `</a>`,
		"1 demande de rectification",
		frenchClockForTest(start),
	} {
		if !strings.Contains(list, want) {
			t.Errorf("the list of her persons lacks %q:\n%s", want, list)
		}
	}
	if !strings.Contains(body, `avec <a href="/usagers/`+e.bob.ID+`">`+name(e.bob)+`</a> : Point CV`) {
		t.Error("the appointment does not name the person")
	}
	waiting := section(t, body, `id="ce-qui-attend"`, `</ul>`)
	if !strings.Contains(waiting, `<a href="/rectifications">Demandes de rectification</a> <span class="fr-badge fr-badge--warning fr-badge--sm">1</span>`) {
		t.Errorf("what waits lacks the rectification request:\n%s", waiting)
	}

	filters := []struct {
		name, query string
		want, not   []string
	}{
		{"name", "?nom=" + e.bob.Identity.FamilyName[:3], []string{name(e.bob)}, nil},
		{"alerts only", "?alertes=1", []string{name(e.alice)}, []string{name(e.bob)}},
		{"a page beyond the list", "?page=2", []string{"Aucune personne sur cette page"}, []string{name(e.alice)}},
		{"a page number that is no number", "?page=deux", []string{name(e.alice), name(e.bob)}, nil},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.staffGet(e.ml.OrganisationID, "/"+tt.query)
			if status != http.StatusOK {
				t.Fatalf("home%s: %d", tt.query, status)
			}
			list := section(t, body, `id="liste-usagers"`, `</table>`)
			for _, w := range tt.want {
				if !strings.Contains(list, w) {
					t.Errorf("the list lacks %q:\n%s", w, list)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(list, n) {
					t.Errorf("the list shows %q", n)
				}
			}
		})
	}

	// The département's adviser follows neither.
	_, body = e.staffGet(e.dep.OrganisationID, "/?suivi=structure")
	for _, p := range []*socle.Person{e.alice, e.bob} {
		if strings.Contains(body, p.ID) || strings.Contains(body, name(p)) {
			t.Errorf("another structure's adviser sees %s on her home", p.ID)
		}
	}
}

// section returns the part of body from the first from to the next to.
func section(t *testing.T, body, from, to string) string {
	t.Helper()
	i := strings.Index(body, from)
	if i < 0 {
		t.Fatalf("the page has no %s", from)
	}
	j := strings.Index(body[i:], to)
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// frenchClockForTest is the hour the pages show for t, in Europe/Paris.
func frenchClockForTest(t time.Time) string {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return t.Format("02/01/2006 à 15:04")
	}
	return t.In(paris).Format("02/01/2006 à 15:04")
}

// TestRefusedPurposeNamesTheOneThatOpensAFollowedFile reads a file with a
// purpose that does not open it: for a person her structure follows, the
// page names the purpose that does and selects it; for a person it does
// not follow, the page still cannot tell an absent file from a forbidden
// one.
func TestRefusedPurposeNamesTheOneThatOpensAFollowedFile(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: e.alice.ID, OrganisationID: e.dep.OrganisationID, AgentID: e.dep.AgentID, Start: socle.NewDate(2025, 3, 2)}); err != nil {
		t.Fatal(err)
	}
	// Alice is no RSA beneficiary: the RSA purpose does not open her file.
	status, body := e.staffGet(e.dep.OrganisationID, "/usagers/"+e.alice.ID+"?finalite="+policy.PurposeRSA)
	if status != http.StatusForbidden || !strings.Contains(body, "déclarez la finalité « Accompagnement » pour l&#39;ouvrir") ||
		!strings.Contains(body, `value="`+policy.PurposeAccompagnement+`" selected`) {
		t.Errorf("a followed person's file refused for the RSA purpose: %d, the purpose to use is not named and selected", status)
	}
	if strings.Contains(body, e.alice.Identity.FamilyName) {
		t.Error("the refusal shows the person's data")
	}
	status, body = e.staffGet(e.dep.OrganisationID, "/usagers/"+e.bob.ID+"?finalite="+policy.PurposeRSA)
	if status != http.StatusNotFound || strings.Contains(body, "Accompagnement » pour l") || !strings.Contains(body, `id="introuvable"`) {
		t.Errorf("a person the structure does not follow: %d, the page tells her file exists", status)
	}
}

// TestOfficerHomeListsHerQueue reads a privacy officer's home: her most
// urgent open case and the break-the-glass access to review, named in
// words (the agent's name, the purpose's label), with their counts.
func TestOfficerHomeListsHerQueue(t *testing.T) {
	ctx := context.Background()
	st := newConsoleStack(t)
	org, _, officer := st.officerOf(t, "Mission locale")
	adv := storetest.NewAgent(org.ID, "conseillere@ml.fr")
	if err := st.db.CreateAgent(ctx, adv); err != nil {
		t.Fatal(err)
	}
	low, err := st.cases.Raise(ctx, &socle.Alert{Rule: "volume", Score: 1, Principal: "client:cli_partner", OrganisationID: org.ID, Reason: "Volume."})
	if err != nil {
		t.Fatal(err)
	}
	urgent, err := st.cases.Raise(ctx, &socle.Alert{Rule: "family", Score: 4, Principal: "agent:" + adv.ID, OrganisationID: org.ID, Reason: "Dossier d'un proche."})
	if err != nil {
		t.Fatal(err)
	}
	person := storetest.NewPerson(5)
	person.Health, person.Justice, person.Bank = nil, nil, nil
	if err := st.db.CreatePerson(ctx, person); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.db.AddGrant(ctx, &socle.BreakGlassGrant{ID: socle.NewID("bg"), AgentID: adv.ID, OrganisationID: org.ID, PersonID: person.ID,
		Purpose: policy.PurposeAccompagnement, Justification: "Personne reçue à l'accueil sans rendez-vous.", Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	resp, body := st.env.get(officer, "/", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", resp.StatusCode)
	}
	cases := section(t, body, `id="file-dossiers"`, `</ul>`)
	if u, l := strings.Index(cases, urgent.ID), strings.Index(cases, low.ID); u < 0 || l < 0 || u > l {
		t.Errorf("the queue does not list the urgent case first:\n%s", cases)
	}
	if !strings.Contains(cases, adv.GivenName+" "+adv.FamilyName) || strings.Contains(cases, adv.ID) {
		t.Error("the queue does not name the agent, or shows her id")
	}
	grants := section(t, body, `id="file-acces-exceptionnels"`, `</ul>`)
	if !strings.Contains(grants, "finalité « Accompagnement »") || !strings.Contains(grants, "sans rendez-vous") || strings.Contains(grants, person.ID) {
		t.Errorf("the break-the-glass access to review is not in words:\n%s", grants)
	}
	if !strings.Contains(body, `Alertes ouvertes <span class="fr-badge fr-badge--sm fr-badge--warning">2</span>`) {
		t.Error("the count of open cases is wrong")
	}
}

// TestCompanyAdviserHomeListsHerCompaniesAndOffers reads a company
// adviser's home: the companies her structure follows, each with the open
// offers her structure took, and not another structure's offers.
func TestCompanyAdviserHomeListsHerCompaniesAndOffers(t *testing.T) {
	ctx := context.Background()
	e := newClientsEnv(t)
	company := storetest.NewCompany(7)
	if err := e.db.CreateCompany(ctx, company); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateCompanyFollowup(ctx, &socle.CompanyFollowup{CompanyID: company.ID, OrganisationID: e.ml.ID, Start: socle.NewDate(2025, 1, 6)}); err != nil {
		t.Fatal(err)
	}
	ours, theirs := storetest.NewOffer(company.ID, "M1607", "69123"), storetest.NewOffer(company.ID, "K2111", "69123")
	ours.Title, ours.OrganisationID = "Secrétaire médicale", e.ml.ID
	theirs.Title, theirs.OrganisationID = "Agent d'accueil", e.dep.ID
	for _, o := range []*socle.Offer{ours, theirs} {
		if err := e.db.CreateOffer(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	adviser := e.agent(e.ml, "entreprises@ml-lyon.fr", socle.RoleCompanyAdviser)
	_, body := e.net.get(adviser, "/", "")
	list := section(t, body, `id="mes-entreprises"`, `</section>`)
	if !strings.Contains(list, `<a href="/entreprises/`+company.ID+`">`+html.EscapeString(company.Name)+`</a>`) ||
		!strings.Contains(list, `<a href="/offres/`+ours.ID+`">Secrétaire médicale</a>`) {
		t.Errorf("her company or its offer is missing:\n%s", list)
	}
	if strings.Contains(list, theirs.ID) {
		t.Error("the home lists another structure's offer")
	}
}

// TestAdviserReferentOfNobodySeesHerStructuresPersons reads the home of
// an adviser référent of nobody: without a filter chosen, the list shows
// her structure's persons and says so; chosen explicitly, "mine" stays
// empty.
func TestAdviserReferentOfNobodySeesHerStructuresPersons(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: e.alice.ID, OrganisationID: e.dep.OrganisationID, Start: socle.NewDate(2025, 3, 2)}); err != nil {
		t.Fatal(err)
	}
	_, body := e.staffGet(e.dep.OrganisationID, "/")
	if list := section(t, body, `id="liste-usagers"`, `</table>`); !strings.Contains(list, e.alice.ID) || !strings.Contains(body, `id="liste-elargie"`) {
		t.Errorf("the home of an adviser référent of nobody does not show her structure's persons")
	}
	_, body = e.staffGet(e.dep.OrganisationID, "/?suivi=moi")
	if list := section(t, body, `id="liste-usagers"`, `</table>`); strings.Contains(list, e.alice.ID) || strings.Contains(body, `id="liste-elargie"`) {
		t.Errorf("\"mine\" chosen explicitly shows her structure's persons")
	}
}
