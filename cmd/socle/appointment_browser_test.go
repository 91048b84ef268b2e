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
	relay := smtptest.Start(t, smtptest.Config{})
	base, out := startServer(t, "--demo", "--demo-persons", demoParcoursPersons, "--data", t.TempDir(),
		"--smtp-addr", relay.Addr, "--smtp-from", "rendez-vous@socle.test", "--smtp-plain-localhost")
	d := demoServer{base: base, out: out}
	m := demoParcoursLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve --demo printed no person to follow:\n%s", out)
	}
	personID, email := m[1], m[2]
	ctx := d.staff(t, m[3])
	visit(t, ctx, base+"creneaux", "#publier")
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
	checked(t, ctx, "open slots", "creneaux")

	origin := d.personSignIn(t, ctx, email)
	visit(t, ctx, origin+appointment.SpacePath, "#reserver")
	checked(t, ctx, "Mes rendez-vous with slots", "usager-rendez-vous")
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
	checked(t, ctx, "Mes rendez-vous after booking", "usager-rendez-vous-reserve")

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
	visit(t, ctx, base+"usagers/"+personID+"/rendez-vous", "#absences")
	if page := text(t, ctx, "main"); !strings.Contains(page, "Prévu") || !strings.Contains(page, "Antenne Lyon 8e") || !strings.Contains(page, "Invitation par courriel") {
		t.Errorf("the adviser's view lacks the booked appointment or its invitation: %q", page)
	}
	checked(t, ctx, "rendez-vous et engagements", "rendez-vous")
}
