package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	romeref "socle/rome"
)

var (
	demoMatchingLine = regexp.MustCompile(`Mise en relation à dérouler : compte (\S+), métier (\S+), commune (\S+)\.`)
	demoEmployerLink = regexp.MustCompile(`https?://\S+/employeur/connexion\?jeton=[A-Za-z0-9_-]+`)
	// nirLike is any run of 13 digits or more: a NIR, with or without its key.
	nirLike = regexp.MustCompile(`\d{13,}`)
)

// TestBrowserEmployerOfferAndCandidate walks the mise en relation: the
// employer posts an offer from her space; an adviser whose organisation
// follows a person looking for that job finds her on the offer's matching
// page and proposes her with her consent; the employer sees her minimal
// card, without her family name or NIR, and asks for an interview.
func TestBrowserEmployerOfferAndCandidate(t *testing.T) {
	d := walkDemo(t)
	m := d.line(t, demoMatchingLine, "job to match")
	base, out := d.base, d.out
	adviser, rome, commune := m[1], m[2], m[3]
	link := demoEmployerLink.FindString(out.String())
	if link == "" {
		t.Fatalf("serve --demo printed no employer link:\n%s", out)
	}
	// The link names the site's base URL; the employer's session cookie is
	// for that host, the adviser's for base's.
	origin := linkOrigin(link)
	ctx := d.openBrowser(t, 90*time.Second)

	// The demo holds the full ROME 4.0: the title is one of the job's
	// appellations, the job and the commune typed by code (the form
	// accepts a code or a label).
	jobs := romeref.Full()
	appellations := jobs.AppellationsOf(rome)
	if len(appellations) == 0 {
		t.Fatalf("the ROME 4.0 has no appellation of %s", rome)
	}
	title := appellations[0].Label
	step(t, ctx, "employer posts an offer",
		chromedp.Navigate(link),
		chromedp.WaitVisible("#nouvelle-offre"),
		chromedp.SendKeys("#titre", title),
		chromedp.SendKeys("#rome", rome),
		chromedp.SendKeys("#commune", commune),
		chromedp.SetValue("#debut", time.Now().AddDate(0, 1, 0).Format(time.DateOnly)),
		chromedp.Click(`#nouvelle-offre button[type=submit]`),
		chromedp.WaitVisible("#enregistree, #nouvelle-offre .erreur"))
	if e, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#nouvelle-offre .erreur")).map(e => e.textContent).join(" ")`)); e != "" {
		t.Fatalf("the offer was refused: %s", e)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		for (const tr of document.querySelectorAll("table.offres-employeur tbody tr")) {
			if (tr.cells[0].textContent === `+"`"+title+"`"+`) return tr.querySelector("a.candidats").getAttribute("href");
		}
		return "";
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	offerID := strings.TrimSuffix(strings.TrimPrefix(href, "/employeur/offres/"), "/candidats")
	if !strings.HasPrefix(offerID, "off_") {
		t.Fatalf("the employer's offers do not list the new offer: link %q", href)
	}

	staffLogin(t, ctx, base, out.String(), adviser)
	step(t, ctx, "matching page",
		chromedp.Navigate(base+"offres/"+offerID+"/appariement"),
		chromedp.WaitVisible("section.candidat"))
	heading := text(t, ctx, "section.candidat h2")
	fullName, _, _ := strings.Cut(heading, " — ")
	personID, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("section.candidat input[name=personne]").value`))
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "proposal",
		chromedp.Click(`section.candidat input[name=consentement]`),
		chromedp.Click(`section.candidat form.proposer button[type=submit]`),
		chromedp.WaitVisible("#proposee"))

	step(t, ctx, "employer's candidates",
		chromedp.Navigate(origin+"/employeur/offres/"+offerID+"/candidats"),
		chromedp.WaitVisible("section.carte-candidat"))
	card := text(t, ctx, "section.carte-candidat")
	given := text(t, ctx, "section.carte-candidat h2")
	family, ok := strings.CutPrefix(fullName, given+" ")
	if !ok || family == "" {
		t.Fatalf("the card names %q, the adviser proposed %q", given, fullName)
	}
	page := text(t, ctx, "main")
	if strings.Contains(page, family) || strings.Contains(page, personID) {
		t.Errorf("the employer's page shows the family name %q or the person id:\n%s", family, page)
	}
	if nir := nirLike.FindString(page); nir != "" {
		t.Errorf("the employer's page shows a NIR-like number %s", nir)
	}
	// The card names the job, not its code.
	if job := jobs.Label(rome); !strings.Contains(card, job) || strings.Contains(card, rome) || !strings.Contains(card, "Proposée") {
		t.Errorf("the card lacks the job %q (%s), shows its code, or lacks the status: %q", job, rome, card)
	}
	step(t, ctx, "interview",
		chromedp.Click(`section.carte-candidat button[value=entretien]`),
		chromedp.WaitVisible("#reponse-enregistree"))
	if s := text(t, ctx, "section.carte-candidat .etat"); s != "Entretien prévu" {
		t.Errorf("status after the answer: %q", s)
	}
}
