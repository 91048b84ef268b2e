package http

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
)

// TestSlotPublishingErrorsStandBesideTheirFields posts the slots form with
// one wrong answer at a time: the error stands beside its field, marked
// invalid, the other answers and the audience chosen come back, and no
// slot is published.
func TestSlotPublishingErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	// A day within the page's horizon, so that a slot wrongly published
	// would show in its list.
	day := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	good := func() url.Values {
		return url.Values{"jour": {day}, "heure": {"10:15"}, "duree": {"45"}, "nombre": {"3"}, "modalite": {"visio"},
			"lieu": {"Salle des Canuts"}, "pour": {"structure"}}
	}
	tests := []struct {
		name                 string
		change               func(url.Values)
		field, message, kept string
	}{
		{"a day that is no date", func(v url.Values) { v.Set("jour", "mardi") }, "jour", "jour du premier créneau", `value="Salle des Canuts"`},
		{"an hour that is none", func(v url.Values) { v.Set("heure", "25:00") }, "heure", "heure du premier créneau", `value="` + day + `"`},
		{"a duration out of bounds", func(v url.Values) { v.Set("duree", "600") }, "duree", "de 5 à 480 minutes", `value="600"`},
		{"a duration that is no number", func(v url.Values) { v.Set("duree", "une heure") }, "duree", "de 5 à 480 minutes", `value="une heure"`},
		{"too many slots", func(v url.Values) { v.Set("nombre", "40") }, "nombre", "de 1 à 16", `value="10:15"`},
		{"a place too long", func(v url.Values) { v.Set("lieu", strings.Repeat("x", 301)) }, "lieu", "300 caractères", `value="45"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := good()
			tt.change(form)
			resp, body := e.net.postForm(c, "/creneaux", "/creneaux", form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, tt.kept)
			if !strings.Contains(body, `value="visio" selected`) || !strings.Contains(body, `value="structure" checked`) {
				t.Error("the modalité or the audience chosen did not come back")
			}
		})
	}
	if _, body := e.staffGet(e.ml.OrganisationID, "/creneaux"); strings.Contains(body, "Salle des Canuts") || !strings.Contains(body, `value="30"`) {
		t.Error("a refused form published slots, or the form lost its defaults")
	}
}

// TestMyAppointmentsErrorsStandBesideTheirFields: in her space, Alice
// books without choosing a slot, then cancels with a reason too long: each
// error stands beside its field (the list of slots, the reason of that
// appointment), her reason comes back, and nothing is booked or cancelled.
func TestMyAppointmentsErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	status, slot := e.apiJSON(e.ml.OrganisationID, http.MethodPost, "/api/v1/slots", "", map[string]any{"start": start, "end": start.Add(30 * time.Minute), "modalite": "visio"})
	if status != http.StatusCreated {
		t.Fatalf("publishing: %d %v", status, slot)
	}
	c := e.client()
	c.login("alice.usager@example.fr")
	resp, page := c.post("/usager/rendez-vous", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("booking nothing: %d, want 400", resp.StatusCode)
	}
	slots := section(t, page, `id="creneaux-proposes"`, `</fieldset>`)
	if !strings.Contains(slots, `aria-describedby="erreur-creneau"`) || !strings.Contains(section(t, slots, `id="erreur-creneau"`, `</p>`), "Choisissez un créneau") {
		t.Errorf("the error does not stand beside the slots:\n%s", slots)
	}
	if strings.Contains(page, "/annulation") {
		t.Error("a booking without a slot booked one")
	}

	if resp, _ = c.post("/usager/rendez-vous", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}, "creneau": {slot["id"].(string)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("booking: %d", resp.StatusCode)
	}
	_, page = c.get("/usager/rendez-vous")
	i := strings.Index(page, "/usager/rendez-vous/evt_")
	if i < 0 {
		t.Fatalf("no appointment to cancel:\n%s", page)
	}
	eid := page[i+len("/usager/rendez-vous/") : i+len("/usager/rendez-vous/")+len(socle.NewID(socle.PrefixEvent))]
	reason := strings.Repeat("Je suis en formation. ", 30)
	resp, page = c.post("/usager/rendez-vous/"+eid+"/annulation", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}, "motif": {reason}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("cancelling with a reason too long: %d, want 400", resp.StatusCode)
	}
	checkFieldError(t, page, "motif-"+eid, "au plus 500 caractères", `value="`+reason+`"`)
	if _, page = c.get("/usager/rendez-vous"); strings.Contains(page, "Annulé par la personne") || !strings.Contains(page, "/usager/rendez-vous/"+eid+"/annulation") {
		t.Error("a refused cancellation cancelled the appointment")
	}
}

// TestMyExplanationErrorStandsBesideItsField: Alice explains herself
// about her contract's engagements in three letters: the error stands
// beside that text, which comes back, and no explanation is recorded.
func TestMyExplanationErrorStandsBesideItsField(t *testing.T) {
	e := newParcoursEnv(t)
	contract := e.drawContract(t, "Chercher un stage")
	c := e.client()
	c.login("alice.usager@example.fr")
	resp, page := c.post("/usager/explications", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}, "sujet": {"contrat"}, "id": {contract.ID}, "explication": {"Euh"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a short explanation: %d, want 400", resp.StatusCode)
	}
	checkFieldError(t, page, "explication-"+contract.ID, "de 5 à 2 000 caractères", ">Euh</textarea>")
	if _, page = c.get("/usager/rendez-vous"); strings.Contains(page, `class="explication"`) {
		t.Error("a refused explanation was recorded")
	}
}

// TestAdviserCancellationErrorStandsBesideItsField: the adviser cancels
// Alice's appointment with a reason too long: the error stands beside that
// appointment's reason, which comes back, and the appointment stays.
func TestAdviserCancellationErrorStandsBesideItsField(t *testing.T) {
	e := newParcoursEnv(t)
	ml := e.ml.OrganisationID
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	status, slot := e.apiJSON(ml, http.MethodPost, "/api/v1/slots", "", map[string]any{"start": start, "end": start.Add(30 * time.Minute), "modalite": "visio"})
	if status != http.StatusCreated {
		t.Fatalf("publishing: %d %v", status, slot)
	}
	status, appt := e.apiJSON(ml, http.MethodPost, "/api/v1/persons/"+e.alice.ID+"/appointments", "", map[string]any{"slot_id": slot["id"]})
	if status != http.StatusCreated {
		t.Fatalf("booking: %d %v", status, appt)
	}
	id := appt["id"].(string)
	page := "/usagers/" + e.alice.ID + "/rendez-vous"
	reason := strings.Repeat("Conseillère en formation. ", 25)
	resp, body := e.net.postForm(e.staff[ml], page, page+"/"+id+"/annulation", url.Values{"motif": {reason}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("cancelling with a reason too long: %d, want 400", resp.StatusCode)
	}
	checkFieldError(t, body, "motif-"+id, "au plus 500 caractères", `value="`+reason+`"`)
	if _, body = e.staffGet(ml, page); !strings.Contains(body, page+"/"+id+"/annulation") {
		t.Error("a refused cancellation cancelled the appointment")
	}
}

// TestAttendanceErrorStandsBesideItsChoices: the adviser records the
// attendance of Bob's past appointment without choosing, then with a
// choice that is none of the three: the error stands beside that
// appointment's choices (marked invalid, no summary for one error), and
// nothing is recorded; a real choice is recorded. Recording the
// attendance of an appointment still to come is refused above the page,
// the choice kept.
func TestAttendanceErrorStandsBesideItsChoices(t *testing.T) {
	e := newParcoursEnv(t)
	net := &networkEnv{t: t, srv: e.srv}
	c := e.staff[e.ml.OrganisationID]
	ml := gate.Request{Actor: e.ml, Purpose: policy.PurposeAccompagnement, RequestID: "rdv", RemoteAddr: "127.0.0.1"}
	now := time.Now().Truncate(time.Minute)
	past := &socle.Appointment{Event: socle.Event{PersonID: e.bob.ID, Title: "Point CV", Start: now.Add(-2 * time.Hour), End: now.Add(-time.Hour)}, Modalite: socle.ModaliteOnSite}
	coming := &socle.Appointment{Event: socle.Event{PersonID: e.bob.ID, Title: "Atelier", Start: now.Add(26 * time.Hour), End: now.Add(27 * time.Hour)}, Modalite: socle.ModaliteOnSite}
	for _, a := range []*socle.Appointment{past, coming} {
		if err := e.parcours.ScheduleAppointment(t.Context(), ml, a); err != nil {
			t.Fatal(err)
		}
	}
	page := "/usagers/" + e.bob.ID + "/rendez-vous"
	key := "presence-" + past.ID
	for _, choice := range []string{"", "peut-etre"} {
		resp, body := net.postForm(c, page, page+"/"+past.ID+"/presence", url.Values{"presence": {choice}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("attendance %q: status %d, want 400", choice, resp.StatusCode)
		}
		choices := section(t, body, `id="`+key+`"`, `</fieldset>`)
		if !strings.Contains(body, `fr-fieldset--error" id="`+key+`"`) || !strings.Contains(choices, `aria-describedby="erreur-`+key+`"`) ||
			!strings.Contains(choices, `aria-invalid="true"`) || !strings.Contains(section(t, choices, `id="erreur-`+key+`"`, `</p>`), "Choisissez la présence") {
			t.Errorf("attendance %q: the error does not stand beside the choices:\n%s", choice, choices)
		}
		if strings.Contains(body, `id="resume-erreurs"`) || strings.Contains(body, `role="alert" id="erreur"`) {
			t.Errorf("attendance %q: one error is also summed up above the page", choice)
		}
	}
	if _, body := e.staffGet(e.ml.OrganisationID, page); !strings.Contains(body, "Présence à renseigner") {
		t.Fatal("a refused attendance was recorded")
	}

	resp, body := net.postForm(c, page, page+"/"+coming.ID+"/presence", url.Values{"presence": {socle.AttendanceExcused}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "une fois le rendez-vous commencé") {
		t.Errorf("attendance of an appointment to come: status %d, want 409 with the reason:\n%s", resp.StatusCode, body)
	}

	if resp, _ := net.postForm(c, page, page+"/"+past.ID+"/presence", url.Values{"presence": {socle.AttendanceExcused}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a real choice: status %d, want 303", resp.StatusCode)
	}
	if _, body := e.staffGet(e.ml.OrganisationID, page); !strings.Contains(body, "Excusé") {
		t.Error("the attendance chosen was not recorded")
	}
}
