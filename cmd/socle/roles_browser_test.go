package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEveryPageOfEveryRole signs in each role of the demo, one
// browser per role, and opens every entry of its menu and the other pages
// it uses: each passes checkPage (axe-core WCAG 2 A/AA, reflow at 390 and
// 320 px, labels, no internal id). A menu entry that answered the
// forbidden page would fail: the menu shows only what the role opens. A
// page outside the role's menu answers the forbidden page, which names
// the roles that open it.
func TestBrowserEveryPageOfEveryRole(t *testing.T) {
	d := sharedDemo(t)
	base, out := d.base, d.out
	// The links the demo printed when it started.
	personLink := demoLink.FindString(out.String())
	employerLink := demoEmployerLink.FindString(out.String())
	if personLink == "" || employerLink == "" {
		t.Fatalf("serve --demo printed no person or employer link:\n%s", out)
	}
	for _, tc := range []struct {
		who string
		// role is the label the demo prints before the account's
		// organisation; empty for the visitors who sign in otherwise.
		role string
		// link signs the person or the employer in.
		link string
		// home is what the role's home page shows.
		home string
		// extra pages, beyond the menu, that the role opens.
		extra []string
		// forbidden is a page of another role.
		forbidden string
		// refused are forms of the role's sent with wrong answers (the
		// browser's own checks off): the error stands beside the field.
		refused []refusedForm
	}{
		{who: "visitor", home: "Se connecter", extra: []string{"accessibilite", "mentions-legales", "donnees-personnelles", "connexion", "page-inconnue"}},
		{who: "adviser", role: "Conseiller", home: "Mes rendez-vous", extra: []string{"mes-explications"}, forbidden: "alertes",
			refused: []refusedForm{
				{page: "declarations", form: "#form-declaration", fill: `document.querySelector("#type").value = "call"; document.querySelector("#dossiers").value = "per_inconnu"; document.querySelector("#reference").value = "Appel 3949";`, field: "dossiers"},
				// Two wrong criteria: each beside its field, and a summary.
				{page: "usagers", form: "#recherche", fill: `document.querySelector("#nom").value = "Martin"; document.querySelector("#nir").value = "1 85 05";`, field: "nir", summary: true},
			}},
		{who: "company adviser", role: "Conseiller entreprise", home: "Mes entreprises", forbidden: "usagers"},
		{who: "administrator", role: "Administrateur", home: "Les agents", forbidden: "bris-de-glace",
			refused: []refusedForm{{page: "agents", form: "#nouvel-agent", fill: `document.querySelector("#new_email").value = "pas-une-adresse";`, field: "prenom"}}},
		{who: "privacy officer", role: "Délégué à la protection des données", home: "Ma file", extra: []string{"alertes/blocages"}, forbidden: "agenda"},
		{who: "platform administrator", role: "Administrateur de la plateforme", home: "Les conventions", forbidden: "entreprises"},
		{who: "person", link: personLink, home: "Mon dossier", extra: []string{"usager/diagnostic"}},
		{who: "employer", link: employerLink, home: "Les offres de"},
	} {
		t.Run(tc.who, func(t *testing.T) {
			// A walk through every page of the role, each checked.
			ctx := d.openBrowser(t, 3*time.Minute)
			origin := strings.TrimSuffix(base, "/")
			switch {
			case tc.role != "":
				staffLogin(t, ctx, base, out.String(), d.account(t, tc.role))
				visit(t, ctx, base, "main h1")
			case tc.link != "":
				// The link names the site's base URL, whose host the
				// session cookie is for.
				origin = linkOrigin(tc.link)
				visit(t, ctx, tc.link, "main h1")
			default:
				visit(t, ctx, base, "main h1")
			}
			if home := text(t, ctx, "main"); !strings.Contains(home, tc.home) || strings.Contains(home, "n'ont pas pu être lu") {
				t.Errorf("the home of the %s lacks %q or could not read a block: %q", tc.who, tc.home, home)
			}
			if tc.link != "" {
				// The person's and the employer's headers name who is signed in.
				if who := text(t, ctx, ".utilisateur"); !strings.Contains(who, " — Espace ") || strings.HasPrefix(who, "Espace") {
					t.Errorf("the %s's header does not name her: %q", tc.who, who)
				}
			}
			screenshots(t, ctx, "accueil-"+strings.ReplaceAll(tc.who, " ", "-"))
			if tc.who == "visitor" {
				// On a phone the menu folds into a button that the DSFR's
				// script opens: the script runs under the CSP.
				step(t, ctx, "phone menu",
					chromedp.EmulateViewport(390, 800),
					chromedp.Click("#bouton-menu"),
					chromedp.WaitVisible(`#menu-principal a[href="/structures"]`),
					chromedp.ResetViewport())
			}
			menu, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#navigation a")].map(a => a.getAttribute("href"))`))
			if err != nil || len(menu) == 0 {
				t.Fatalf("reading the menu: %v %q", err, menu)
			}
			pages := append([]string{}, menu...)
			for _, p := range tc.extra {
				pages = append(pages, "/"+p)
			}
			for _, p := range pages {
				visit(t, ctx, origin+p, "main h1")
				if h := text(t, ctx, "main h1"); h == "Accès réservé" || h == "Accès refusé" {
					t.Errorf("the %s's page %s answers %q", tc.who, p, h)
				}
				checked(t, ctx, tc.who+" "+p, strings.ReplaceAll(tc.who, " ", "-")+strings.ReplaceAll(p, "/", "-"))
			}
			for _, f := range tc.refused {
				visit(t, ctx, origin+"/"+f.page, f.form)
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](f.fill+`document.querySelector("`+f.form+`").noValidate = true;
					document.querySelector("`+f.form+` button[type=submit]").click(); true`)); err != nil {
					t.Fatalf("sending the %s form: %v", f.page, err)
				}
				step(t, ctx, "refused "+f.page, chromedp.WaitVisible("#erreur-"+f.field))
				if invalid := text(t, ctx, "#erreur-"+f.field); invalid == "" {
					t.Errorf("the %s's refused form shows no error beside %s", tc.who, f.field)
				}
				if f.summary {
					if s := text(t, ctx, "#resume-erreurs"); !strings.Contains(s, "erreurs") {
						t.Errorf("the %s's refused %s has no summary of its errors: %q", tc.who, f.page, s)
					}
				}
				checked(t, ctx, tc.who+" refused "+f.page, strings.ReplaceAll(tc.who, " ", "-")+"-erreur-"+f.page)
			}
			if tc.forbidden != "" {
				visit(t, ctx, base+tc.forbidden, "main h1")
				if h, body := text(t, ctx, "main h1"), text(t, ctx, "main"); h != "Accès réservé" || !strings.Contains(body, "réservée") {
					t.Errorf("the %s opening %s: %q, %q", tc.who, tc.forbidden, h, body)
				}
				checkPage(t, ctx, tc.who+" forbidden "+tc.forbidden)
			}
		})
	}
}

// refusedForm is a form sent with a wrong answer: on page, the form's
// selector, the script that fills it, the field whose error shows, and
// whether the page sums up several errors.
type refusedForm struct {
	page, form, fill, field string
	summary                 bool
}
