package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var demoDiagnosticLine = regexp.MustCompile(`Diagnostic à établir : usager (\S+) \(adresse (\S+)\), compte (\S+)\.`)

// checkKept checks a page sent back with an error: the fields of sels
// hold the answers given (want, joined by "|"; a checkbox selected with
// :checked reads its value only when checked), and the page passes
// checkPage.
func checkKept(t *testing.T, ctx context.Context, what, want string, sels ...string) {
	t.Helper()
	quoted := make([]string, len(sels))
	for i, sel := range sels {
		quoted[i] = strconv.Quote(sel)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[`+strings.Join(quoted, ",")+`].map(s => (document.querySelector(s) || {value: ""}).value).join("|")`))
	if err != nil {
		t.Fatal(err)
	}
	if kept != want {
		t.Errorf("%s: answers kept %q, want %q", what, kept, want)
	}
	checkPage(t, ctx, what)
}

// TestBrowserDiagnosticPlanAndContract: the adviser fills a person's
// diagnostic (a field error first, the answers kept), draws up her plan
// (a missing provider first), records her agreement and generates the
// contract from the plan, which names its actions; the person sees her
// diagnostic and plan in her space and adds to it, marked as hers.
func TestBrowserDiagnosticPlanAndContract(t *testing.T) {
	d := walkDemo(t)
	m := d.line(t, demoDiagnosticLine, "person to diagnose")
	base := d.base
	personID, email, adviser := m[1], m[2], m[3]
	ctx := d.staff(t, adviser)

	step(t, ctx, "diagnostic with an error",
		chromedp.Navigate(base+"usagers/"+personID+"/diagnostic"),
		chromedp.WaitVisible("#diagnostic"),
		chromedp.SetValue("#niveau-mobilite", "important"),
		chromedp.SendKeys("#commentaire-mobilite", "Pas de permis ; bus le matin seulement."),
		chromedp.SetValue("#niveau-logement", ""),
		chromedp.SetValue("#commentaire-logement", "Hébergée chez sa sœur."),
		chromedp.SetValue("#situation", "sans_emploi"),
		chromedp.SendKeys("#metier-1", "Aide-soignant / Aide-soignante"),
		chromedp.Click(`#diagnostic button[type=submit]`),
		chromedp.WaitVisible("#erreur-logement"))
	checkKept(t, ctx, "diagnostic with an error", "Pas de permis ; bus le matin seulement.|important|Aide-soignant / Aide-soignante",
		"#commentaire-mobilite", "#niveau-mobilite", "#metier-1")
	screenshots(t, ctx, "diagnostic-erreur")
	step(t, ctx, "diagnostic saved",
		chromedp.SetValue("#niveau-logement", "leger"),
		chromedp.Click(`#diagnostic button[type=submit]`),
		chromedp.WaitVisible("#notice"))
	if f := text(t, ctx, "#frein-mobilite"); !strings.Contains(f, "Important") || !strings.Contains(f, "Pas de permis") {
		t.Errorf("the mobility frein after saving: %q", f)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#metier-1").value`)); v != "Aide-soignant / Aide-soignante" {
		t.Errorf("the project after saving: %q", v)
	}
	checked(t, ctx, "diagnostic", "diagnostic")

	step(t, ctx, "plan with an error",
		chromedp.Navigate(base+"usagers/"+personID+"/plan"),
		chromedp.WaitVisible("#nouveau-plan"),
		chromedp.SendKeys("#objectif-titre-1", "Se rendre seule sur les lieux de travail"),
		chromedp.Click("#objectif-1-mobilite"),
		chromedp.SetValue("#action-objectif-1", "1"),
		chromedp.SendKeys("#action-titre-1", "Code de la route"),
		chromedp.SetValue("#action-debut-1", "2027-01-04"),
		chromedp.SetValue("#action-fin-1", "2027-03-31"),
		chromedp.Click(`#nouveau-plan button[type=submit]`),
		chromedp.WaitVisible("#erreur-action-prestataire-1"))
	checkKept(t, ctx, "plan with an error", "Se rendre seule sur les lieux de travail|mobilite|Code de la route|2027-03-31",
		"#objectif-titre-1", "#objectif-1-mobilite:checked", "#action-titre-1", "#action-fin-1")
	screenshots(t, ctx, "plan-erreur")
	step(t, ctx, "plan saved",
		chromedp.SendKeys("#action-prestataire-1", "Auto-école sociale de Lyon"),
		chromedp.Click(`#nouveau-plan button[type=submit]`),
		chromedp.WaitVisible("#notice"),
		chromedp.Click(`#accord button[type=submit]`),
		chromedp.WaitVisible("#generer-contrat"))
	waitText(t, ctx, "#notice", "L'accord de la personne est enregistré")
	checked(t, ctx, "plan", "plan")
	step(t, ctx, "contract generated",
		chromedp.Click(`#generer-contrat button[type=submit]`),
		chromedp.WaitVisible("#contrat-1"))
	if c := text(t, ctx, "#contrat-1"); !strings.Contains(c, "Code de la route") || !strings.Contains(c, "Auto-école sociale de Lyon") {
		t.Errorf("the contract lacks the plan's action: %q", c)
	}
	visit(t, ctx, base+"usagers/"+personID+"/plan", "#contrat-du-plan")
	if c := text(t, ctx, "#contrat-du-plan"); !strings.Contains(c, "version 1") {
		t.Errorf("the plan does not name its contract: %q", c)
	}

	// The person, in her space: a browser of her own (each has 90 s).
	ctx = d.openBrowser(t, 90*time.Second)
	origin := d.personSignIn(t, ctx, email)
	step(t, ctx, "person's diagnostic",
		chromedp.Navigate(origin+"/usager/diagnostic"),
		chromedp.WaitVisible("#ajout-frein"),
		chromedp.SendKeys("#commentaire", "Je cherche une place en crèche."),
		chromedp.Click(`#ajout-frein button[type=submit]`),
		chromedp.WaitVisible("#erreur-theme"))
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#commentaire").value`)); v != "Je cherche une place en crèche." {
		t.Errorf("her text after the error: %q", v)
	}
	checked(t, ctx, "person's diagnostic with an error", "usager-diagnostic-erreur")
	step(t, ctx, "person adds to her diagnostic",
		chromedp.SetValue("#theme", "contraintes_familiales"),
		chromedp.SetValue("#niveau", "important"),
		chromedp.Click(`#ajout-frein button[type=submit]`),
		chromedp.WaitVisible("#notice"))
	if f := text(t, ctx, "#mes-freins"); !strings.Contains(f, "ajouté par vous") || !strings.Contains(f, "Pas de permis") {
		t.Errorf("her freins: %q", f)
	}
	checked(t, ctx, "person's diagnostic", "usager-diagnostic")

	// A second sign-in of the same account: totpCode takes a later step.
	ctx = d.staff(t, adviser)
	visit(t, ctx, base+"usagers/"+personID+"/diagnostic", "#frein-contraintes_familiales")
	if f := text(t, ctx, "#frein-contraintes_familiales"); !strings.Contains(strings.ToLower(f), "ajout de la personne") {
		t.Errorf("the adviser's view of her addition: %q", f)
	}
}
