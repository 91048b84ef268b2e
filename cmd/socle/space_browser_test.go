package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPersonSpace requests a login link for a demo person in the
// page, reads it from the demo's printed mail, opens it and finds the
// accesses to her file.
func TestBrowserPersonSpace(t *testing.T) {
	ctx := browser(t)
	base, out, m := startDemo(t, "200", demoPersonEmail, "person's e-mail")
	email := m[1]
	// Start the browser on the test's context: a step's shorter context
	// would end it.
	if err := chromedp.Do(ctx, chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}
	link := requestPersonLink(t, ctx, base, email, out)
	if notice := text(t, ctx, "p.info"); !strings.Contains(notice, "Si cette adresse est connue") {
		t.Fatalf("notice %q", notice)
	}
	origin := link[:strings.Index(link, "/usager/")]
	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible("main h1"),
		chromedp.Navigate(origin+"/usager/acces"),
		chromedp.WaitVisible("table.acces tbody tr"),
	)
	if err != nil {
		t.Fatalf("opening the link and the accesses: %v", err)
	}
	if h := text(t, ctx, "main h1"); h != "Accès à mon dossier" {
		t.Errorf("heading %q", h)
	}
	// Refusals and break-the-glass accesses come first, in their own
	// table: her own accesses are among the others.
	if rows := text(t, ctx, "main"); !strings.Contains(rows, "Connexion à votre espace") || !strings.Contains(rows, "Consultation de votre dossier") {
		t.Errorf("the accesses lack her login and her file's consultation: %q", rows)
	}
}
