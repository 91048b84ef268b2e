package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// internalID is an opaque identifier (agt_…, per_…, dcl_…): pages show
// names and links, never these.
var internalID = regexp.MustCompile(`\b(agt|per|org|dos|dcl|prt|alr)_[a-z2-7]{20}\b`)

// checkPage fails when the page lacks what every page must have: French
// as its language, one main heading, a label for every field, an
// alternative text for every image, no internal identifier in its
// visible text, no violation of the WCAG 2 A and AA rules of axe-core,
// and no horizontal scroll at 390 and 320 px wide (RGAA 10.11).
func checkPage(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const p = [];
		if (document.documentElement.lang !== "fr") p.push("the page's language is not fr");
		if (document.querySelectorAll("main h1").length !== 1) p.push("not one main heading");
		for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
			const labelled = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.getAttribute("aria-label") || el.closest("label");
			if (!labelled) p.push("field without a label: " + (el.name || el.id));
		}
		for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) p.push("image without alt");
		return p;
	})()`))
	if err != nil {
		t.Fatalf("%s: checking the page: %v", what, err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", what, p)
	}
	body := text(t, ctx, "main")
	if id := internalID.FindString(body); id != "" {
		t.Errorf("%s shows an internal identifier: %s", what, id)
	}
	checkAccessibility(t, ctx, what)
}

// checkAccessibility is the part of checkPage that axe-core and the
// reflow check do.
func checkAccessibility(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, what) {
		t.Errorf("%s: axe: %s", what, v)
	}
	checkReflow(t, ctx, what)
}

// axeSource is axe-core's script (testdata/axe, refreshed by
// scripts/vendor-axe), read once.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	return string(b), err
})

// axeViolations injects axe-core into the page and returns its WCAG 2 A
// and AA violations, one line each: the rule, its help and the first
// elements concerned. DevTools evaluation is not subject to the page's
// CSP, so the pages keep refusing inline and foreign scripts.
func axeViolations(t *testing.T, ctx context.Context, what string) []string {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("reading axe-core: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (function(){`+src+`; return true})()`)); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", what, err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).then(r =>
		r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + (n.failureSummary || "").replace(/\s+/g, " ")).join(" | ")))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", what, err)
	}
	return out
}

// checkReflow fails when the page scrolls horizontally at 390 px (a
// phone) or 320 px (WCAG 1.4.10's width), then gives back the default
// viewport.
func checkReflow(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	for _, width := range []int64{390, 320} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
			t.Fatal(err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const w = document.documentElement.clientWidth;
			if (document.documentElement.scrollWidth <= w) return "";
			const culprits = [];
			for (const el of document.querySelectorAll("body *")) {
				const r = el.getBoundingClientRect();
				if (r.right > w + 1 && !el.closest(".fr-table__content") && getComputedStyle(el).position !== "fixed" && el.offsetParent !== null) culprits.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""));
			}
			return document.documentElement.scrollWidth + " px wide: " + culprits.slice(0, 5).join(", ");
		})()`))
		if err != nil {
			t.Fatalf("%s: measuring at %d px: %v", what, width, err)
		}
		if wide != "" {
			t.Errorf("%s scrolls horizontally at %d px: the page is %s", what, width, wide)
		}
	}
	if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
		t.Fatal(err)
	}
	// Let the page lay itself out again at the default width before the
	// caller clicks: a click's coordinates taken mid-relayout can miss.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("%s: waiting for the layout at the default width: %v", what, err)
	}
}

// waitText waits until the element's text contains want: a form's
// redirect replaces the page after the click returns.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+"`"+sel+"`"+`)||{}).innerText||""`))
		if err == nil && strings.Contains(got, want) {
			return
		}
	}
	t.Fatalf("%s never showed %q", sel, want)
}

// screenshots saves the page at the widths the check asks, a
// 1366 px laptop and a 390 px phone, into $SOCLE_SCREENSHOTS (nothing
// when unset), to look at.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SOCLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	for _, size := range []struct {
		suffix string
		width  int64
	}{{"1366", 1366}, {"390", 390}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.width, 900)); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+size.suffix+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDirectoryPages: an adviser declares a walk-in and a conflict
// of interest; a privacy officer registers a public figure, opens the
// break-the-glass review and the console. Each page is French, labelled,
// and shows no internal identifier.
func TestBrowserDirectoryPages(t *testing.T) {
	d := walkDemo(t)
	m := d.walkPerson(t, 4)
	base, personID := d.base, m[1]
	adviserCtx := d.staff(t, m[3])
	visit(t, adviserCtx, base+"declarations", "#form-declaration")
	checkPage(t, adviserCtx, "declarations (empty)")
	step(t, adviserCtx, "walk-in without a file",
		chromedp.SetValue("#type", "checkin"),
		chromedp.Click(`#form-declaration button[type=submit]`),
		chromedp.WaitVisible("#erreur-dossiers"))
	// The error stands beside the field it is about.
	if msg := text(t, adviserCtx, "#erreur-dossiers"); !strings.Contains(msg, "identifiants de dossier") {
		t.Errorf("missing file: message %q", msg)
	}
	step(t, adviserCtx, "walk-in",
		chromedp.SetValue("#type", "checkin"),
		chromedp.SendKeys("#dossiers", personID),
		chromedp.Click(`#form-declaration button[type=submit]`),
		chromedp.WaitVisible("#mes-declarations"))
	waitText(t, adviserCtx, "#mes-declarations", "Accueil d'une personne sans rendez-vous")
	step(t, adviserCtx, "conflict",
		chromedp.SetValue("#type", "conflict"),
		chromedp.SendKeys("#dossiers", personID),
		chromedp.SendKeys("#note", "Ma voisine"),
		chromedp.Click(`#form-declaration button[type=submit]`),
		chromedp.WaitVisible("#mes-declarations"))
	waitText(t, adviserCtx, "#mes-declarations", "Conflit d'intérêts")
	table := text(t, adviserCtx, "#mes-declarations")
	for _, want := range []string{"Accueil d'une personne sans rendez-vous", "Conflit d'intérêts"} {
		if !strings.Contains(table, want) {
			t.Errorf("declarations table %q lacks %q", table, want)
		}
	}
	step(t, adviserCtx, "bulk task",
		chromedp.SendKeys("#population", "Relance des demandeurs sans rendez-vous depuis six mois"),
		chromedp.SetValue("#debut_tache", "2030-01-07T08:00"),
		chromedp.SetValue("#fin_tache", "2030-01-07T18:00"),
		chromedp.Click(`#form-tache button[type=submit]`),
		chromedp.WaitVisible("main h1"))
	waitText(t, adviserCtx, "#taches", "Relance des demandeurs")
	if tasks := text(t, adviserCtx, "#taches"); !strings.Contains(tasks, "Relance des demandeurs") || !strings.Contains(tasks, "En attente") {
		t.Errorf("bulk tasks table %q", tasks)
	}
	checked(t, adviserCtx, "declarations", "declarations")
	visit(t, adviserCtx, base+"mes-explications", "#aucune-demande")
	checked(t, adviserCtx, "questions", "mes-explications")

	dpoCtx := d.staff(t, d.account(t, "Délégué à la protection des données"))
	visit(t, dpoCtx, base+"personnes-protegees", "#form-protection")
	step(t, dpoCtx, "register a public figure",
		chromedp.SendKeys("#personne", personID),
		chromedp.SetValue("#categorie", "elected"),
		chromedp.SendKeys("#motif", "Conseillère municipale"),
		chromedp.Click(`#form-protection button[type=submit]`),
		chromedp.WaitVisible("#registre"))
	waitText(t, dpoCtx, "#registre", "Conseillère municipale")
	if reg := text(t, dpoCtx, "#registre"); !strings.Contains(reg, "Élu ou élue") || !strings.Contains(reg, "Conseillère municipale") {
		t.Errorf("register %q", reg)
	}
	step(t, dpoCtx, "register the same person again",
		chromedp.SendKeys("#personne", personID),
		chromedp.SendKeys("#motif", "Doublon"),
		chromedp.Click(`#form-protection button[type=submit]`),
		chromedp.WaitVisible("#erreur-personne"))
	if msg := text(t, dpoCtx, "#erreur-personne"); !strings.Contains(msg, "déjà inscrite") {
		t.Errorf("duplicate: message %q", msg)
	}
	checked(t, dpoCtx, "register", "personnes-protegees")
	visit(t, dpoCtx, base+"bris-de-glace", "main h1")
	checked(t, dpoCtx, "break-the-glass review", "bris-de-glace")
	visit(t, dpoCtx, base+"alertes", "#precision")
	if head := text(t, dpoCtx, "#precision thead"); !strings.Contains(head, "Délai médian de clôture") {
		t.Errorf("per-rule table %q lacks the median time to close", head)
	}
	screenshots(t, dpoCtx, "alertes")
}
