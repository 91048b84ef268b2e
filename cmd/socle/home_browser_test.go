package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPrivacyOfficerDay follows a privacy officer's day on the
// demo: her home shows her queue, she opens the cases, then the most
// urgent case from her home, then reviews a break-the-glass access, which
// leaves her queue.
// Each page is checked (axe-core, 390 and 320 px, no internal id).
func TestBrowserPrivacyOfficerDay(t *testing.T) {
	d := sharedDemo(t)
	base := d.base
	ctx := d.staff(t, d.account(t, "Délégué à la protection des données"))

	visit(t, ctx, base, "#file-bris-de-glace")
	checked(t, ctx, "officer's home", "journee-dpo-accueil")
	grants := text(t, ctx, "#file-acces-exceptionnels")
	if !strings.Contains(grants, "finalité « ") {
		t.Fatalf("the home lists no break-the-glass access to review: %q", grants)
	}

	// Her questions to agents and the rights requests waiting in her structure.
	if q := text(t, ctx, "#file-explications"); !strings.Contains(q, "demandes d'explication") {
		t.Errorf("the home lacks her questions: %q", q)
	}
	if rights := text(t, ctx, "#file-droits"); !strings.Contains(rights, "rectification") {
		t.Errorf("the home lacks the rectification requests waiting: %q", rights)
	}

	cases := text(t, ctx, "#file-dossiers")
	if !strings.Contains(cases, "Dossier") {
		t.Fatalf("the home lists no open case: %q", cases)
	}
	// The link of her queue (the menu's is folded on a narrow window);
	// the home has a heading too: wait for the console's own table.
	step(t, ctx, "cases", chromedp.Click(`main a[href="/alertes"]`), chromedp.WaitVisible("#precision"))
	checked(t, ctx, "cases", "journee-dpo-alertes")
	step(t, ctx, "the most urgent case", chromedp.Navigate(base), chromedp.WaitVisible("#file-dossiers"),
		chromedp.Click(`#file-dossiers a`), chromedp.WaitVisible("main h1"))
	if h := text(t, ctx, "main"); !strings.Contains(h, "hors des horaires") {
		t.Errorf("the case page lacks its alert's reason: %q", h)
	}
	checked(t, ctx, "a case", "journee-dpo-dossier")

	visit(t, ctx, base+"bris-de-glace", "#bris-de-glace tbody tr")
	checked(t, ctx, "break-the-glass review", "journee-dpo-bris-de-glace")
	before, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#bris-de-glace tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "review one", chromedp.Click(`#bris-de-glace tbody tr button[type=submit]`))
	// The form's redirect replaces the page after the click returns.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		after, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.readyState === "complete" ? document.querySelectorAll("#bris-de-glace tbody tr").length : -1`))
		if err == nil && after == before-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d accesses to review after reviewing one of %d (%v)", after, before, err)
		}
	}
	visit(t, ctx, base, "#file-bris-de-glace")
	if badge := text(t, ctx, "#file-bris-de-glace span"); badge == "" || strings.TrimSpace(badge) == "" {
		t.Error("the home lost the count of accesses to review")
	}
}

// TestBrowserPersonDay follows a person on the demo: she signs in by
// link, finds first what is asked of her, reads her file with its
// sources, filters her access history to the refusals, reads her data
// and downloads it as PDF and HTML.
func TestBrowserPersonDay(t *testing.T) {
	d := sharedDemo(t)
	ctx := d.openBrowser(t, 90*time.Second)
	origin := d.personSignIn(t, ctx, d.personEmail(t))
	step(t, ctx, "what is asked of her", chromedp.WaitVisible("#ce-qui-est-demande"))
	if h := text(t, ctx, "main h1"); h != "Mon dossier" {
		t.Errorf("the link lands on %q", h)
	}
	// The header names her, then her space.
	if who := text(t, ctx, ".utilisateur"); !strings.HasSuffix(who, " — Espace usager") || len(who) <= len(" — Espace usager") {
		t.Errorf("the header does not name her: %q", who)
	}
	order, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const asked = document.querySelector("#ce-qui-est-demande"), first = document.querySelector("main h2:not(#demande)");
		return !!asked && !!first && !!(asked.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
	})()`))
	if err != nil || !order {
		t.Errorf("what is asked of her does not come first: %v", err)
	}
	checked(t, ctx, "her file", "journee-usager-dossier")

	visit(t, ctx, origin+"/usager/acces", "#filtre-acces")
	checked(t, ctx, "her accesses", "journee-usager-acces")
	step(t, ctx, "refusals only",
		chromedp.SetValue("#filtre", "refus"),
		chromedp.Click(`#filtre-acces button[type=submit]`))
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		search, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" && document.querySelector("#filtre-acces") ? location.search : ""`))
		if err == nil && strings.Contains(search, "filtre=refus") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the filtered page never loaded: %q %v", search, err)
		}
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.acces tbody tr")].map(tr => tr.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !strings.Contains(strings.ToLower(r), "refusé") {
			t.Errorf("the refusals' filter shows an allowed access: %q", r)
		}
	}
	checked(t, ctx, "her refused accesses", "journee-usager-acces-refus")

	visit(t, ctx, origin+"/usager/mes-donnees", "#telechargements")
	checked(t, ctx, "her data", "journee-usager-donnees")
	for _, d := range []struct{ path, start string }{{"/usager/mes-donnees.pdf", "%PDF-"}, {"/usager/mes-donnees.html", "<!DOCTYPE html>"}} {
		// The download, fetched by the page with her session.
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("`+d.path+`").then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)).then(b => String.fromCharCode(...new Uint8Array(b.slice(0, 15))))`, chromedp.EvalAwaitPromise))
		if err != nil || !strings.HasPrefix(got, d.start) {
			t.Errorf("downloading %s: %q, %v", d.path, got, err)
		}
	}
}
