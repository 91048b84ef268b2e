package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var (
	demoPersonEmail = regexp.MustCompile(`avec l'adresse (\S+) `)
	demoLink        = regexp.MustCompile(`https?://\S+/usager/connexion\?jeton=[A-Za-z0-9_-]+`)
)

// TestBrowserPersonSpace requests a login link for a demo person in the
// page, reads it from the demo's printed mail, opens it and finds the
// accesses to her file.
func TestBrowserPersonSpace(t *testing.T) {
	ctx := browser(t)
	base, out := startServer(t, "--demo", "--demo-persons", "200", "--data", t.TempDir())
	m := demoPersonEmail.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve --demo printed no person's e-mail:\n%s", out)
	}
	email := m[1]
	printed := len(demoLink.FindAllString(out.String(), -1))
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"usager"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email),
		chromedp.Click(`form[action="/usager/lien"] button[type=submit]`),
		chromedp.WaitVisible("p.info"),
	)
	if err != nil {
		t.Fatalf("requesting a link: %v", err)
	}
	if notice := text(t, ctx, "p.info"); !strings.Contains(notice, "Si cette adresse est connue") {
		t.Fatalf("notice %q", notice)
	}
	// The demo prints the mail on the server's output.
	var links []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if links = demoLink.FindAllString(out.String(), -1); len(links) > printed {
			break
		}
	}
	if len(links) <= printed {
		t.Fatalf("no mail with a link was printed:\n%s", out)
	}
	link := links[len(links)-1]
	origin := link[:strings.Index(link, "/usager/")]
	err = chromedp.Do(ctx,
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
	if rows := text(t, ctx, "table.acces tbody"); !strings.Contains(rows, "Connexion à votre espace") || !strings.Contains(rows, "Consultation de votre dossier") {
		t.Errorf("the accesses lack her login and her file's consultation: %q", rows)
	}
}
