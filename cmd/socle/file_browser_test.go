package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// inputValue reads the value of a form field.
func inputValue(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+"`"+sel+"`"+`).value`))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// choosePurpose answers the purpose form of a file with accompagnement
// and waits for the file.
func choosePurpose(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "open the file with a purpose",
		chromedp.WaitVisible("#finalite"),
		chromedp.SetValue("#finalite", "accompagnement"),
		chromedp.Click(`main form[action^="/usagers/"] button[type=submit]`),
		chromedp.WaitVisible("#rubrique-contact"))
}

// TestBrowserAdvisersDay walks an adviser's day: she signs in, sees her
// home, opens a file from her portfolio ("Mes usagers") with a purpose, corrects the contact details (a
// wrong address first: the error is next to the field and her answers
// are kept), writes a note for the network, orients the person, makes an
// appointment, draws up and signs the contract, and signs out. Every page
// is checked (French, labelled, no internal id, axe-core, reflow at 390
// and 320 px).
// demoFamilyName is the demo's line naming the person to follow.
var demoFamilyName = regexp.MustCompile(`Nom de famille de l'usager à dérouler : (.+)\.\n`)

func TestBrowserAdvisersDay(t *testing.T) {
	d := walkDemo(t)
	m := d.walkPerson(t, 0)
	base, out := d.base, d.out
	personID, orgID := m[1], m[4]
	ctx := d.staffFor(t, 4*time.Minute, m[3])
	visit(t, ctx, base, "main h1")
	checkPage(t, ctx, "adviser's home")

	// Her portfolio: "Mes usagers", filtered to her structure and the
	// person's name, opens the file, which asks for a purpose.
	name := demoFamilyName.FindStringSubmatch(out.String())
	if name == nil {
		t.Fatalf("the demo did not print the family name of the person to follow:\n%s", out.String())
	}
	link := `#liste-usagers a[href="/usagers/` + personID + `"]`
	step(t, ctx, "portfolio",
		chromedp.WaitVisible("#filtre-usagers"),
		chromedp.Click(`label[for="suivi-structure"]`),
		chromedp.SetValue("#filtre-nom", name[1]),
		chromedp.Click(`#filtre-usagers button[type=submit]`),
		chromedp.WaitVisible(link))
	step(t, ctx, "open the file from the portfolio", chromedp.Click(link))
	choosePurpose(t, ctx)
	checked(t, ctx, "file", "dossier")

	step(t, ctx, "contact form", chromedp.Click(`#rubrique-contact a.modifier`), chromedp.WaitVisible("#formulaire-rubrique"))
	checkPage(t, ctx, "contact form")
	step(t, ctx, "a wrong e-mail address",
		chromedp.SetValue("#courriel", "pas-une-adresse"),
		chromedp.SetValue("#adresse", "12 rue de la Charité"),
		chromedp.Click(`#formulaire-rubrique button[type=submit]`),
		chromedp.WaitVisible("#erreur-courriel"))
	if got := inputValue(t, ctx, "#adresse"); got != "12 rue de la Charité" {
		t.Errorf("the address typed was not kept after the error: %q", got)
	}
	if e := text(t, ctx, "#erreur-courriel"); !strings.Contains(e, "adresse électronique") {
		t.Errorf("the error next to the e-mail field: %q", e)
	}
	checked(t, ctx, "contact form with an error", "dossier-rubrique-erreur")
	step(t, ctx, "corrected contact details",
		chromedp.SetValue("#courriel", "nouvelle.adresse@example.fr"),
		chromedp.Click(`#formulaire-rubrique button[type=submit]`),
		chromedp.WaitVisible("#enregistre"))
	if c := text(t, ctx, "#rubrique-contact"); !strings.Contains(c, "nouvelle.adresse@example.fr") || !strings.Contains(c, "Modifié par ") || strings.Contains(c, "agt_") {
		t.Errorf("the contact section after the save: %q", c)
	}

	step(t, ctx, "note",
		chromedp.Navigate(base+"usagers/"+personID+"/suivi"),
		chromedp.WaitVisible("#nouvelle-note"),
		chromedp.SendKeys("#texte", "Entretien du jour : projet d'aide-soignante, stage à chercher."),
		chromedp.Click(`label[for="visibilite-reseau"]`),
		chromedp.Click(`#nouvelle-note button[type=submit]`),
		chromedp.WaitVisible("#enregistre"))
	if n := text(t, ctx, "#notes"); !strings.Contains(n, "projet d'aide-soignante") || !strings.Contains(n, "Le réseau") {
		t.Errorf("the notes after writing one: %q", n)
	}
	if c := text(t, ctx, "#referents"); !strings.Contains(strings.ToLower(c), "en cours") {
		t.Errorf("the follow-up history shows no current follow-up: %q", c)
	}
	checked(t, ctx, "follow-up and notes", "dossier-suivi")

	visit(t, ctx, base+"usagers/"+personID+"/orientation", "#questionnaire")
	step(t, ctx, "orientation", append(questionnaireAnswers(""),
		chromedp.Click(`#questionnaire button[type=submit]`),
		chromedp.WaitVisible("#proposition"),
		// Her own organisation follows her: an operator of its kind, with
		// the reason a departure from the proposal needs.
		chromedp.SetValue("#operator_kind", "service_emploi"),
		chromedp.SetValue("#organisation_id", orgID),
		chromedp.SendKeys("#override_reason", "Suivie par notre agence depuis son inscription."),
		chromedp.Click(`#confirmation button[type=submit]`),
		chromedp.WaitVisible("#nouveau-contrat"))...)

	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02") + "T10:00"
	step(t, ctx, "appointment",
		chromedp.SetValue("#debut", tomorrow),
		chromedp.SetValue("#titre", "Point sur la recherche de stage"),
		chromedp.Click(`#rendez-vous button[type=submit]`))
	waitText(t, ctx, "#evenements", "Point sur la recherche de stage")
	step(t, ctx, "contract",
		chromedp.SendKeys("#actions", "Chercher un stage d'aide-soignante\nAtelier CV"),
		chromedp.Click(`#nouveau-contrat button[type=submit]`),
		chromedp.WaitVisible("#contrat-1"),
		chromedp.Click(`#contrat-1 .signer-conseiller button`),
		chromedp.WaitVisible("#contrat-1 .signature-conseiller"))
	if c := text(t, ctx, "#contrat-1"); strings.Contains(c, "agt_") || !strings.Contains(c, "Le conseiller (") {
		t.Errorf("the contract does not name the adviser who signed: %q", c)
	}
	checked(t, ctx, "contract and appointments", "contrat")

	visit(t, ctx, base+"usagers/"+personID+"/suivi", "#chronologie")
	tl := text(t, ctx, "#chronologie")
	for _, want := range []string{"Orientation décidée", "Point sur la recherche de stage", "Contrat d'engagement, version 1", "projet d'aide-soignante"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q: %q", want, tl)
		}
	}

	// A desktop viewport, where the header shows the sign-out button.
	step(t, ctx, "logout", chromedp.EmulateViewport(1280, 1000), chromedp.Click(`.fr-header__tools form.deconnexion button`))
	waitText(t, ctx, ".fr-header__tools", "Se connecter")
	visit(t, ctx, base+"usagers/"+personID, "#email")
}

// TestBrowserStaleEditIsAConflict has the same adviser open the contact
// form of a file in two sessions; the first saves; the second's save is
// answered with a French conflict that shows the values saved meanwhile,
// keeps what she changed and takes the first save's value where she
// changed nothing; saving again from there applies both changes.
func TestBrowserStaleEditIsAConflict(t *testing.T) {
	d := walkDemo(t)
	m := d.walkPerson(t, 3)
	base, out := d.base, d.out
	personID, adviser := m[1], m[3]
	first := d.openBrowser(t, 3*time.Minute)
	// A second session: another browser context, with its own cookies.
	second, cancel := chromedp.NewContext(first, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(second, chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}
	staffLogin(t, first, base, out.String(), adviser)
	staffLogin(t, second, base, out.String(), adviser)

	form := base + "usagers/" + personID + "/rubriques/contact?finalite=accompagnement"
	for _, ctx := range []context.Context{first, second} {
		visit(t, ctx, form, "#formulaire-rubrique")
	}
	step(t, first, "first save",
		chromedp.SetValue("#telephone", "06 11 22 33 44"),
		chromedp.Click(`#formulaire-rubrique button[type=submit]`),
		chromedp.WaitVisible("#enregistre"))
	step(t, second, "second save, from the stale form",
		chromedp.SetValue("#courriel", "ecrit.par.la.seconde@example.fr"),
		chromedp.Click(`#formulaire-rubrique button[type=submit]`),
		chromedp.WaitVisible("#conflit"))
	if c := text(t, second, "#conflit"); !strings.Contains(c, "Quelqu'un d'autre a modifié ce dossier") {
		t.Errorf("the conflict says %q", c)
	}
	if now := text(t, second, "#valeurs-actuelles"); !strings.Contains(now, "06 11 22 33 44") {
		t.Errorf("the current values do not show the first save: %q", now)
	}
	if got := inputValue(t, second, "#courriel"); got != "ecrit.par.la.seconde@example.fr" {
		t.Errorf("what the second session typed was not kept: %q", got)
	}
	if got := inputValue(t, second, "#telephone"); got != "06 11 22 33 44" {
		t.Errorf("the phone she left untouched does not take the first save's value: %q", got)
	}
	checked(t, second, "stale edit conflict", "dossier-rubrique-conflit")
	step(t, second, "saving again from the current version",
		chromedp.Click(`#formulaire-rubrique button[type=submit]`),
		chromedp.WaitVisible("#enregistre"))
	if c := text(t, second, "#rubrique-contact"); !strings.Contains(c, "ecrit.par.la.seconde@example.fr") || !strings.Contains(c, "06 11 22 33 44") {
		t.Errorf("the file after the second save lacks her address or the first save's phone: %q", c)
	}
}
