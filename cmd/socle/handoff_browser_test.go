package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// youthAdviser finds the demo adviser of the mission locale.
var youthAdviser = regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+TOTP \S+\s+Conseiller, .+ \(Mission locale\)$`)

// TestBrowserHandoffBetweenTwoStructures walks an orientation hand-off
// between two demo structures: the employment service's adviser sends a
// request from the person's file; the mission locale refuses it with a
// reason; the request comes back refused and the adviser sends a
// réorientation; the mission locale accepts it and its adviser becomes the
// référent. Every page passes checkPage (axe, reflow at 390 and 320 px).
func TestBrowserHandoffBetweenTwoStructures(t *testing.T) {
	d := walkDemo(t)
	m := d.walkPerson(t, 2)
	base, personID := d.base, m[1]
	ym := youthAdviser.FindStringSubmatch(d.out.String())
	if ym == nil {
		t.Fatalf("no mission locale adviser printed:\n%s", d.out)
	}
	// One browser per adviser.
	orienting, receiving := d.staff(t, m[3]), d.staff(t, ym[1])
	// script runs JavaScript in the page, for what a step cannot do.
	script := func(ctx context.Context, what, js string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	send := func(what string) {
		ctx := orienting
		visit(t, ctx, base+"usagers/"+personID+"/demandes-orientation", "#nouvelle-demande")
		script(ctx, what, `(() => { const s = document.querySelector("#to_organisation_id");
			const o = [...s.options].find(o => o.parentElement.label === "Mission locale"); s.value = o.value; return o.value; })()`)
		step(t, ctx, what,
			chromedp.SetValue("#parcours", "professionnel"),
			chromedp.SendKeys("#motive", "Projet d'apprentissage dans la restauration, besoin d'un accompagnement jeune."),
			chromedp.Click(`#nouvelle-demande button[type=submit]`),
			chromedp.WaitVisible("#avis"))
	}

	// 1. The employment service's adviser sends the request from the file.
	ctx := orienting
	visit(t, ctx, base+"usagers/"+personID+"?finalite=accompagnement", "#bloc-demandes-orientation a")
	visit(t, ctx, base+"usagers/"+personID+"/demandes-orientation", "#nouvelle-demande")
	script(ctx, "missing motive", `(() => { const s = document.querySelector("#to_organisation_id"); s.value = [...s.options].find(o => o.value).value;
		document.querySelector("#motive").removeAttribute("required"); return s.value; })()`)
	step(t, ctx, "missing motive", chromedp.SetValue("#parcours", "professionnel"),
		chromedp.Click(`#nouvelle-demande button[type=submit]`), chromedp.WaitVisible("#erreur-motive"))
	// The error stands beside the field it is about.
	if e := text(t, ctx, "#erreur-motive"); !strings.Contains(e, "Expliquez") {
		t.Errorf("a request without a motive: %q", e)
	}
	checkPage(t, ctx, "orientation request with an error")
	send("request")
	if s := text(t, ctx, "#etape"); !strings.Contains(s, "Étape 1 sur 3") || !strings.Contains(s, "Demande envoyée") {
		t.Errorf("stepper after sending: %q", s)
	}
	checked(t, ctx, "orientation request sent", "orientation-demande-envoyee")
	name := text(t, ctx, "#usager")
	// openRequest opens, in the receiving queue, the request of the person.
	openRequest := func(what string) {
		visit(t, receiving, base+"demandes-orientation", "#file-demandes")
		href := script(receiving, what, `[...document.querySelectorAll("#file-demandes tbody a")].find(a => a.textContent.trim() === `+strconv.Quote(name)+`)?.href ?? ""`)
		if href == "" {
			t.Fatalf("%s: %s is not in the receiving queue", what, name)
		}
		visit(t, receiving, href, "#reponse")
	}

	// 2. The mission locale finds it in its queue and refuses it.
	ctx = receiving
	visit(t, ctx, base+"demandes-orientation", "#file-demandes")
	checked(t, ctx, "receiving queue", "orientation-file-recue")
	openRequest("open the request")
	if s := script(ctx, "explanation", `document.querySelector("main details").textContent`); !strings.Contains(s, "demande d'orientation") {
		t.Errorf("the explanation does not name the request: %q", s)
	}
	checked(t, ctx, "request to answer", "orientation-demande-a-traiter")
	step(t, ctx, "refuse without a reason",
		chromedp.Click(`#reponse input[value="refuser"]`), chromedp.Click(`#reponse button[type=submit]`), chromedp.WaitVisible("#erreur-reason"))
	if e := text(t, ctx, "#erreur-reason"); !strings.Contains(e, "motif") {
		t.Errorf("a refusal without a reason: %q", e)
	}
	step(t, ctx, "refuse with a reason",
		chromedp.Click(`#reponse input[value="refuser"]`), chromedp.SetValue("#reason", "capacite"),
		chromedp.SendKeys("#comment", "Plus de place en garantie jeunes avant mars."),
		chromedp.Click(`#reponse button[type=submit]`), chromedp.WaitVisible("#avis"))
	if s := text(t, ctx, "main"); strings.Contains(s, name) {
		t.Errorf("the refused request stays in the queue: %q", s)
	}

	// 3. The orienting adviser sees the refusal and sends a réorientation.
	ctx = orienting
	visit(t, ctx, base+"usagers/"+personID+"/demandes-orientation", "#apres-refus")
	if s := text(t, ctx, "#apres-refus"); !strings.Contains(s, "Capacité d'accueil atteinte") || !strings.Contains(s, "Plus de place") {
		t.Errorf("the refusal's reason is not shown: %q", s)
	}
	checked(t, ctx, "refused request", "orientation-refusee")
	send("réorientation")
	if s := text(t, ctx, "#demandes"); !strings.Contains(s, "Refusée") || !strings.Contains(s, "Réorientation") {
		t.Errorf("the requests after the réorientation: %q", s)
	}

	// 4. The mission locale accepts: its adviser becomes the référent.
	ctx = receiving
	openRequest("open the réorientation")
	step(t, ctx, "accept",
		chromedp.Click(`#reponse input[value="accepter"]`), chromedp.Click(`#reponse button[type=submit]`),
		chromedp.WaitVisible("#rubrique-identity"))
	if s := script(ctx, "référent", `document.querySelector("#rubrique-parcours").textContent`); !strings.Contains(s, "Vous êtes le référent de cette personne.") {
		t.Errorf("after acceptance, the file does not name the new référent: %q", s)
	}
	checkPage(t, ctx, "file after acceptance")

	// 5. The orienting side sees the hand-off done.
	ctx = orienting
	visit(t, ctx, base+"usagers/"+personID+"/demandes-orientation", "#etape")
	if s := text(t, ctx, "#etape"); !strings.Contains(s, "Prise en charge") || !strings.Contains(s, "Étape 3 sur 3") {
		t.Errorf("stepper after acceptance: %q", s)
	}
	checked(t, ctx, "accepted request", "orientation-acceptee")
}
