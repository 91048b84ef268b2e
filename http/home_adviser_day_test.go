package http

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
)

// TestAdviserHomeShowsMissedAppointmentsAndOrientationRequests reads an
// adviser's home once her structure recorded a missed appointment and
// received an orientation request past its deadline: the person's row
// carries the missed appointment, what waits counts both, the request is
// listed with its person's name and a "délai dépassé" badge, and a
// cancelled appointment of the day says so.
func TestAdviserHomeShowsMissedAppointmentsAndOrientationRequests(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	ml := gate.Request{Actor: e.ml, Purpose: policy.PurposeAccompagnement, RequestID: "rdv", RemoteAddr: "127.0.0.1"}
	now := time.Now().Truncate(time.Minute)
	missed := &socle.Appointment{Event: socle.Event{PersonID: e.bob.ID, Title: "Point CV", Start: now.Add(-2 * time.Hour), End: now.Add(-time.Hour)},
		Modalite: socle.ModaliteOnSite}
	cancelled := &socle.Appointment{Event: socle.Event{PersonID: e.alice.ID, Title: "Atelier entretien", Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)},
		Modalite: socle.ModalitePhone}
	for _, a := range []*socle.Appointment{missed, cancelled} {
		if err := e.parcours.ScheduleAppointment(ctx, ml, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.parcours.RecordAttendance(ctx, ml, missed.ID, socle.AttendanceUnexcused); err != nil {
		t.Fatal(err)
	}
	if _, err := e.parcours.CancelAppointment(ctx, ml, cancelled.ID, "Empêchement de la conseillère."); err != nil {
		t.Fatal(err)
	}

	status, body := e.staffGet(e.ml.OrganisationID, "/")
	if status != http.StatusOK {
		t.Fatalf("home: %d", status)
	}
	list := section(t, body, `id="liste-usagers"`, `</table>`)
	bob := section(t, list, `<a href="/usagers/`+e.bob.ID+`">`, `</tr>`)
	if !strings.Contains(bob, "1 rendez-vous manqué sans excuse") {
		t.Errorf("Bob's row lacks his missed appointment:\n%s", bob)
	}
	if alice := section(t, list, `<a href="/usagers/`+e.alice.ID+`">`, `</tr>`); strings.Contains(alice, frenchClockForTest(cancelled.Start)) {
		t.Errorf("Alice's cancelled appointment is her next one:\n%s", alice)
	}
	waiting := section(t, body, `id="ce-qui-attend"`, `</ul>`)
	if !strings.Contains(waiting, `Rendez-vous manqués sans excuse (30 derniers jours)</a> <span class="fr-badge fr-badge--warning fr-badge--sm">1</span>`) {
		t.Errorf("what waits lacks the missed appointment:\n%s", waiting)
	}
	today := body[strings.Index(body, `id="rendez-vous"`):]
	if !strings.Contains(today, "Atelier entretien (par téléphone)") {
		t.Errorf("the cancelled appointment is not among the day's:\n%s", today)
	}
	if !strings.Contains(section(t, today, "Atelier entretien", "</li>"), "Annulé") {
		t.Error("the cancelled appointment is not marked so")
	}

	// An orientation request to the département, sent three weeks ago and
	// still unanswered.
	sentAt := time.Now().AddDate(0, 0, -21)
	e.gate.Now = func() time.Time { return sentAt }
	r := &socle.OrientationRequest{PersonID: e.alice.ID, ToOrganisationID: e.dep.OrganisationID, Parcours: socle.ParcoursProfessional, Motive: "RQTH en cours."}
	if err := e.parcours.SendOrientationRequest(ctx, gate.Request{Actor: e.ml, Purpose: policy.PurposeOrientation, RequestID: "demande"}, r); err != nil {
		t.Fatal(err)
	}
	e.gate.Now = time.Now
	status, body = e.staffGet(e.dep.OrganisationID, "/")
	if status != http.StatusOK {
		t.Fatalf("the département's home: %d", status)
	}
	waiting = section(t, body, `id="ce-qui-attend"`, `</ul>`)
	if !strings.Contains(waiting, `<a href="/demandes-orientation">Demandes d&#39;orientation adressées à votre structure</a> <span class="fr-badge fr-badge--warning fr-badge--sm">1</span>`) {
		t.Errorf("what waits lacks the orientation request:\n%s", waiting)
	}
	requests := section(t, body, `id="demandes-orientation-accueil"`, `</ul>`)
	name := html.EscapeString(e.alice.Identity.GivenName + " " + e.alice.Identity.FamilyName)
	for _, want := range []string{`<a href="/demandes-orientation/` + r.ID + `">` + name + `</a>`, "Mission Locale de Lyon", "Délai dépassé"} {
		if !strings.Contains(requests, want) {
			t.Errorf("the orientation request lacks %q:\n%s", want, requests)
		}
	}
}
