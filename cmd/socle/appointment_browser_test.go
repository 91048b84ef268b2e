package main

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socle/appointment"
	"socle/internal/smtptest"
)

// TestBrowserSelfBookedAppointment runs the demo with a real SMTP relay
// in the test: the adviser publishes two slots of her structure, the
// person opens "Mes rendez-vous" from her space, books the first one, and
// the invitation arrives at the relay, at her address, in French with the
// date in Paris and how to cancel; the adviser's agenda names her. Every
// page passes axe-core and reflows at 390 px.
func TestBrowserSelfBookedAppointment(t *testing.T) {
	ctx := browser(t)
	relay := smtptest.Start(t, smtptest.Config{})
	base, out := startServer(t, "--demo", "--demo-persons", "1500", "--data", t.TempDir(),
		"--smtp-addr", relay.Addr, "--smtp-from", "rendez-vous@socle.test", "--smtp-plain-localhost")
	m := demoParcoursLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve --demo printed no person to follow:\n%s", out)
	}
	personID, email, adviser := m[1], m[2], m[3]
	if err := chromedp.Do(ctx, chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}

	staffLogin(t, ctx, base, out.String(), adviser)
	step(t, ctx, "slots page", chromedp.Navigate(base+"creneaux"), chromedp.WaitVisible("#publier"))
	step(t, ctx, "publishing two slots",
		chromedp.SetValue("#heure", "10:30"),
		chromedp.SetValue("#nombre", "2"),
		chromedp.SetValue("#modalite", "sur_place"),
		chromedp.SendKeys("#lieu", "Antenne Lyon 8e, 12 avenue Mermoz"),
		chromedp.Click("#pour-structure"),
		chromedp.Click(`#publier button[type=submit]`),
		// The table is on the page before the post too: wait for the rows
		// the post added, not for the table.
		chromedp.WaitVisible(`//table[@id="creneaux"]//td[contains(., "Antenne Lyon 8e")]`))
	if rows := text(t, ctx, "#creneaux tbody"); strings.Count(rows, "Antenne Lyon 8e") != 2 || !strings.Contains(rows, "10:30–11:00") {
		t.Fatalf("published slots: %q", rows)
	}
	checkPage(t, ctx, "open slots")
	screenshots(t, ctx, "creneaux")

	link := requestPersonLink(t, ctx, base, email, out)
	origin := link[:strings.Index(link, "/usager/")]
	step(t, ctx, "person's appointments",
		chromedp.Navigate(link),
		chromedp.WaitVisible("main h1"),
		chromedp.Navigate(origin+appointment.SpacePath),
		chromedp.WaitVisible("#reserver"))
	checkPage(t, ctx, "Mes rendez-vous with slots")
	screenshots(t, ctx, "usager-rendez-vous")
	offered := text(t, ctx, "#reserver")
	if !strings.Contains(offered, "10:30–11:00") || !strings.Contains(offered, "sur place") {
		t.Fatalf("slots offered: %q", offered)
	}
	step(t, ctx, "booking",
		chromedp.Click(`#reserver input[type=radio]`),
		chromedp.Click(`#reserver button[type=submit]`),
		chromedp.WaitVisible("#confirmation"))
	if upcoming := text(t, ctx, "main"); !strings.Contains(upcoming, "Votre rendez-vous est réservé") || !strings.Contains(upcoming, "Annuler ce rendez-vous") {
		t.Fatalf("after booking: %q", upcoming)
	}
	checkPage(t, ctx, "Mes rendez-vous after booking")
	screenshots(t, ctx, "usager-rendez-vous-reserve")

	var invitation *smtptest.Delivery
	for deadline := time.Now().Add(15 * time.Second); invitation == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, d := range relay.Deliveries() {
			if d.To == email && invitation == nil {
				invitation = &d
			}
		}
	}
	if invitation == nil {
		t.Fatalf("no invitation reached the relay for %s; it got %d messages", email, len(relay.Deliveries()))
	}
	msg, err := mail.ReadMessage(strings.NewReader(invitation.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.HasPrefix(subject, "Votre rendez-vous du ") || !strings.HasSuffix(subject, " à 10:30") {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"Modalité : sur place", "Lieu : Antenne Lyon 8e, 12 avenue Mermoz", "(heure de Paris)", appointment.SpacePath, "rendez-vous.ics"} {
		if !strings.Contains(invitation.Data, want) {
			t.Errorf("the invitation lacks %q", want)
		}
	}

	// The adviser's session is still open in this browser (the person's
	// space has its own): signing in again would replay the TOTP code.
	step(t, ctx, "the person's appointments for the adviser",
		chromedp.Navigate(base+"usagers/"+personID+"/rendez-vous"),
		chromedp.WaitVisible("#absences"))
	if page := text(t, ctx, "main"); !strings.Contains(page, "Prévu") || !strings.Contains(page, "Antenne Lyon 8e") || !strings.Contains(page, "Invitation par courriel") {
		t.Errorf("the adviser's view lacks the booked appointment or its invitation: %q", page)
	}
	checkPage(t, ctx, "rendez-vous et engagements")
	screenshots(t, ctx, "rendez-vous")
}
