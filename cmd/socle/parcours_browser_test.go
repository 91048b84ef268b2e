package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socle"
)

// demoParcoursPersons is the size of a demo of its own whose person to
// follow a test walks: a few hundred persons give every structure its
// accounts and persons to follow.
const demoParcoursPersons = "300"

// walkDemoPersons is the size of the demo the walking tests share
// (walkDemo): enough orientations for the indicators to show counts of 11
// and more, which TestBrowserParcours reads.
const walkDemoPersons = "1500"

var demoParcoursLine = regexp.MustCompile(`Parcours à dérouler : usager (\S+) \(adresse (\S+)\), compte (\S+), structure (\S+)\.`)

// questionnaireAnswers are the clicks that answer the orientation
// questionnaire for a person with a defined project and no health limit,
// but the question skip.
func questionnaireAnswers(skip string) []chromedp.Action[chromedp.Void] {
	var out []chromedp.Action[chromedp.Void]
	for _, a := range []struct{ question, answer string }{{"projet", "defini"}, {"derniere_activite", "moins_6_mois"}, {"autonomie", "autonome"},
		{"hebergement_stable", "oui"}, {"rqth", "non"}, {"sante_limite_emploi", "non"}} {
		if a.question != skip {
			out = append(out, chromedp.Click(`#q-`+a.question+` input[value="`+a.answer+`"]`))
		}
	}
	return out
}

// orientationsCounted reads the grand total of the orientations by operator.
func orientationsCounted(t *testing.T, ctx context.Context, base string) int {
	t.Helper()
	visit(t, ctx, base+"indicateurs?groupe=departement", "#tableau-operateur svg")
	s := text(t, ctx, "#tableau-operateur .total-general")
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("the grand total of orientations is %q, not a count", s)
	}
	return n
}

// TestBrowserParcours walks the whole path: the adviser fills the
// questionnaire, departs from the proposal (a reason is required),
// confirms, draws up the contract and signs it; the person logs in to her
// space with a fresh link and signs; the indicators count the orientation.
func TestBrowserParcours(t *testing.T) {
	d := walkDemo(t)
	m := d.walkPerson(t, 1)
	base, out := d.base, d.out
	personID, email, adviser, orgID := m[1], m[2], m[3], m[4]
	admin := d.account(t, "Administrateur de la plateforme")

	// The indicators before: the demo is shared, other tests orient their
	// own persons.
	ctx := d.staffFor(t, 3*time.Minute, admin)
	before := orientationsCounted(t, ctx, base)
	// Every demo orientation is confirmed: the indicators count them all.
	counted := d.line(t, regexp.MustCompile(`Parcours de démonstration : (\d+) orientations`), "demo parcours")
	if demo, _ := strconv.Atoi(counted[1]); before < demo {
		t.Fatalf("the indicators count %d orientations, fewer than the demo's %d", before, demo)
	}

	staffLogin(t, ctx, base, out.String(), adviser)
	visit(t, ctx, base+"usagers/"+personID+"/orientation", "#questionnaire")
	step(t, ctx, "questionnaire without the RQTH", append(questionnaireAnswers("rqth"),
		chromedp.Click(`#questionnaire button[type=submit]`),
		chromedp.WaitVisible("#erreur"))...)
	// A required answer missing: the error names it next to its question
	// and every answer given is kept.
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#questionnaire input:checked")].map(i => i.name + "=" + i.value)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"projet=defini", "derniere_activite=moins_6_mois", "autonomie=autonome", "hebergement_stable=oui", "sante_limite_emploi=non"}; strings.Join(kept, " ") != strings.Join(want, " ") {
		t.Errorf("answers kept after the error: %q, want %q", kept, want)
	}
	if e := text(t, ctx, "#erreur-rqth"); !strings.Contains(e, "obligatoire") {
		t.Errorf("the unanswered question shows no error next to it: %q", e)
	}
	checkPage(t, ctx, "questionnaire with an error")
	step(t, ctx, "questionnaire completed",
		chromedp.Click(`#q-rqth input[value="non"]`),
		chromedp.Click(`#questionnaire button[type=submit]`),
		chromedp.WaitVisible("#proposition"))
	checkPage(t, ctx, "orientation proposal")
	if reasons := text(t, ctx, "#raisons"); reasons == "" {
		t.Errorf("the proposal gives no reason")
	}
	// Depart from the proposal: another modalité, without a reason first.
	modalite := socle.ModaliteRenforce
	if strings.Contains(text(t, ctx, "#propose-modalite"), modalite) {
		modalite = socle.ModaliteGlobal
	}
	step(t, ctx, "override without a reason",
		chromedp.SetValue("#operator_kind", string(socle.KindEmploymentService)),
		chromedp.SetValue("#modalite", modalite),
		chromedp.SetValue("#organisation_id", orgID),
		chromedp.Click(`#confirmation button[type=submit]`),
		chromedp.WaitVisible("#erreur"))
	if e := text(t, ctx, "#erreur"); !strings.Contains(e, "motif") {
		t.Errorf("error %q does not ask for the reason", e)
	}
	step(t, ctx, "override with a reason",
		chromedp.SetValue("#organisation_id", orgID),
		chromedp.SendKeys("#override_reason", "La personne demande un accompagnement plus soutenu."),
		chromedp.Click(`#confirmation button[type=submit]`),
		chromedp.WaitVisible("#nouveau-contrat"))

	step(t, ctx, "contract",
		chromedp.SendKeys("#actions", "Mettre à jour le CV\nPostuler à trois offres par semaine"),
		chromedp.Click(`#nouveau-contrat button[type=submit]`),
		chromedp.WaitVisible("#contrat-1"),
		chromedp.Click(`#contrat-1 .signer-conseiller button`),
		chromedp.WaitVisible("#contrat-1 .signature-conseiller"),
		chromedp.Click(`#contrat-1 .lien-personne button`),
		chromedp.WaitVisible("#lien-signature a"))
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#lien-signature a").href`))
	if err != nil {
		t.Fatal(err)
	}
	if c := text(t, ctx, "#contrat-1"); !strings.Contains(c, "Mettre à jour le CV") || !strings.Contains(c, "plus soutenu") {
		t.Errorf("the contract lacks its actions or the adviser's reason: %q", c)
	}

	// The person authenticates afresh with a link mailed to her address
	// (printed by the demo) and signs within the five minutes.
	// The mail's link names the site's base URL; the session cookie is
	// for that host.
	origin := d.personSignIn(t, ctx, email)
	step(t, ctx, "person signs",
		chromedp.Navigate(origin+link[strings.Index(link, "/usager/"):]),
		chromedp.WaitVisible("#signer"),
		chromedp.Click("#accord"),
		chromedp.Click(`#signer button[type=submit]`),
		chromedp.WaitVisible("#info"))
	if c := text(t, ctx, "#contrat"); !strings.Contains(c, "La personne") || !strings.Contains(c, "Le conseiller") {
		t.Errorf("the signed contract lacks a signature: %q", c)
	}
	visit(t, ctx, origin+"/usager/parcours", "#contrats")
	if c := text(t, ctx, "#contrats"); !strings.Contains(c, "Signé") {
		t.Errorf("her contracts: %q", c)
	}
	// Who follows her, and the timeline of her parcours in words.
	if c := text(t, ctx, "#mon-referent"); !strings.Contains(c, "depuis le") {
		t.Errorf("who follows her: %q", c)
	}
	if c := text(t, ctx, "#ma-chronologie"); !strings.Contains(c, "Contrat d'engagement") {
		t.Errorf("her timeline: %q", c)
	}
	checked(t, ctx, "person's parcours", "usager-parcours")

	staffLogin(t, ctx, base, out.String(), admin)
	if after := orientationsCounted(t, ctx, base); after != before+1 {
		t.Errorf("orientations counted: %d before, %d after, want one more", before, after)
	}
}
