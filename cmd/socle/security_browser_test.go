package main

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSecurityQueues: the pages issue 11 added, opened by the role
// that uses them: a privacy officer's list of blocked accounts and an
// organisation administrator's queue of changes waiting for a second
// administrator. Each is French, labelled and shows no internal id.
func TestBrowserSecurityQueues(t *testing.T) {
	base, out := startServer(t, "--demo", "--demo-persons", "1500", "--data", t.TempDir())
	for _, tc := range []struct {
		who, role, path, name, heading string
	}{
		{"privacy officer", "Délégué à la protection des données", "alertes/blocages", "blocages", "main h1"},
		{"administrator", "Administrateur", "demandes", "demandes", "main h1"},
	} {
		t.Run(tc.who, func(t *testing.T) {
			m := regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+TOTP \S+\s+` + tc.role + `, `).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no %s printed:\n%s", tc.who, out)
			}
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(base)); err != nil {
				t.Fatal(err)
			}
			staffLogin(t, ctx, base, out.String(), m[1])
			step(t, ctx, tc.path, chromedp.Navigate(base+tc.path), chromedp.WaitVisible(tc.heading))
			checkPage(t, ctx, tc.path)
			screenshots(t, ctx, tc.name)
		})
	}
}
