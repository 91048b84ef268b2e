package http

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// apiJSON posts (or gets, with a nil body) path as the adviser of orgID,
// with an Idempotency-Key when key is set; it returns the status and the
// decoded answer.
func (e *parcoursEnv) apiJSON(orgID, method, path, key string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Purpose", policy.PurposeAccompagnement)
	req.Header.Set("Origin", e.srv.URL)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := e.staff[orgID].Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestAppointmentsAPI publishes a slot (a retry with its key publishes
// nothing more), sets Alice's appointment on it, refuses a second booking,
// a bad modalité and an early attendance with clear errors, cancels, and
// reads her rights and duties; another structure finds nothing.
func TestAppointmentsAPI(t *testing.T) {
	e := newParcoursEnv(t)
	ml, dep := e.ml.OrganisationID, e.dep.OrganisationID
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	slot := map[string]any{"start": start, "end": start.Add(30 * time.Minute), "location": "Antenne Lyon 8e", "modalite": "sur_place"}

	status, first := e.apiJSON(ml, http.MethodPost, "/api/v1/slots", "slot-0001", slot)
	if status != http.StatusCreated || first["id"] == nil {
		t.Fatalf("publishing: %d %v", status, first)
	}
	if status, again := e.apiJSON(ml, http.MethodPost, "/api/v1/slots", "slot-0001", slot); status != http.StatusCreated || again["id"] != first["id"] {
		t.Fatalf("retry: %d %v, want the first slot %v", status, again["id"], first["id"])
	}
	if status, list := e.apiJSON(ml, http.MethodGet, "/api/v1/slots", "", nil); status != http.StatusOK || len(list["items"].([]any)) != 1 {
		t.Fatalf("slots: %d %v, want one", status, list)
	}
	for _, tt := range []struct {
		name   string
		method string
		path   string
		body   any
		status int
		says   string
	}{
		{"a bad modalité", http.MethodPost, "/api/v1/slots", map[string]any{"start": start, "end": start.Add(time.Hour), "modalite": "pigeon"}, http.StatusBadRequest, "modalite"},
		{"an unknown field", http.MethodPost, "/api/v1/slots", map[string]any{"debut": start}, http.StatusBadRequest, "debut"},
		{"a booking", http.MethodPost, "/api/v1/persons/" + e.alice.ID + "/appointments", map[string]any{"slot_id": first["id"]}, http.StatusCreated, ""},
		{"the same slot again", http.MethodPost, "/api/v1/persons/" + e.bob.ID + "/appointments", map[string]any{"slot_id": first["id"]}, http.StatusConflict, "no longer available"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.apiJSON(ml, tt.method, tt.path, "", tt.body)
			if status != tt.status {
				t.Fatalf("%s %s: %d %v, want %d", tt.method, tt.path, status, out, tt.status)
			}
			detail, _ := out["error"].(map[string]any)
			if msg, _ := detail["message"].(string); tt.says != "" && !strings.Contains(msg, tt.says) {
				t.Errorf("message %q does not name %q", msg, tt.says)
			}
		})
	}
	_, duties := e.apiJSON(ml, http.MethodGet, "/api/v1/persons/"+e.alice.ID+"/appointments", "", nil)
	appts, _ := duties["appointments"].([]any)
	if len(appts) != 1 {
		t.Fatalf("rights and duties: %v", duties)
	}
	id := appts[0].(map[string]any)["id"].(string)
	if status, out := e.apiJSON(ml, http.MethodPost, "/api/v1/appointments/"+id+"/attendance", "", map[string]string{"attendance": "honore"}); status != http.StatusConflict {
		t.Errorf("attendance before the appointment: %d %v, want 409", status, out)
	}
	if status, out := e.apiJSON(dep, http.MethodPost, "/api/v1/appointments/"+id+"/cancellation", "", map[string]string{"reason": "x"}); status != http.StatusNotFound {
		t.Errorf("another structure cancels: %d %v, want 404", status, out)
	}
	if status, out := e.apiJSON(ml, http.MethodPost, "/api/v1/appointments/"+id+"/cancellation", "", map[string]string{"reason": "Conseillère absente."}); status != http.StatusOK || out["status"] != socle.AppointmentCancelled {
		t.Errorf("cancelling: %d %v", status, out)
	}
	if status, _ := e.apiJSON(dep, http.MethodGet, "/api/v1/persons/"+e.alice.ID+"/appointments", "", nil); status != http.StatusNotFound {
		t.Errorf("another structure reads her rights and duties: %d, want 404", status)
	}
}

// TestPersonBooksFromHerSpace: Alice sees her référent's slot in "Mes
// rendez-vous", books it, sees it among her appointments with the name of
// her adviser, cancels it, and the slot is offered again.
func TestPersonBooksFromHerSpace(t *testing.T) {
	e := newParcoursEnv(t)
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	status, slot := e.apiJSON(e.ml.OrganisationID, http.MethodPost, "/api/v1/slots", "", map[string]any{"start": start, "end": start.Add(30 * time.Minute),
		"location": "Antenne Lyon 8e", "modalite": "visio"})
	if status != http.StatusCreated {
		t.Fatalf("publishing: %d %v", status, slot)
	}
	c := e.client()
	c.login("alice.usager@example.fr")
	_, page := c.get("/usager/rendez-vous")
	if !strings.Contains(page, `value="`+slot["id"].(string)+`"`) || !strings.Contains(page, "Claire Fontaine") || !strings.Contains(page, "en visioconférence") {
		t.Fatalf("the slot is not offered:\n%s", page)
	}
	resp, _ := c.post("/usager/rendez-vous", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}, "creneau": {slot["id"].(string)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("booking: %d", resp.StatusCode)
	}
	_, page = c.get(resp.Header.Get("Location"))
	if !strings.Contains(page, "Votre rendez-vous est réservé") || !strings.Contains(page, "/annulation") || strings.Contains(page, `name="creneau"`) {
		t.Fatalf("after booking:\n%s", page)
	}
	resp, page = c.post("/usager/rendez-vous", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}, "creneau": {slot["id"].(string)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "choisissez-en un autre") {
		t.Fatalf("booking twice: %d\n%s", resp.StatusCode, page)
	}
	i := strings.Index(page, "/usager/rendez-vous/evt_")
	eid := page[i+len("/usager/rendez-vous/") : i+len("/usager/rendez-vous/")+len(socle.NewID(socle.PrefixEvent))]
	resp, _ = c.post("/usager/rendez-vous/"+eid+"/annulation", url.Values{"csrf": {c.csrf("/usager/rendez-vous")}, "motif": {"Je commence une formation."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancelling: %d", resp.StatusCode)
	}
	_, page = c.get(resp.Header.Get("Location"))
	if !strings.Contains(page, "Annulé par la personne") || !strings.Contains(page, `name="creneau"`) {
		t.Fatalf("after cancelling:\n%s", page)
	}
	// Her adviser's agenda names her, and says the appointment is cancelled.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	week := "/agenda?du=" + start.In(paris).Format("2006-01-02")
	if status, body := e.staffGet(e.ml.OrganisationID, week); status != http.StatusOK || !strings.Contains(body, e.alice.Identity.GivenName+" "+e.alice.Identity.FamilyName) || !strings.Contains(body, "(annulé)") {
		t.Fatalf("agenda: %d\n%s", status, body)
	}
	// The adviser reads the same record with the person's reason.
	if status, body := e.staffGet(e.ml.OrganisationID, "/usagers/"+e.alice.ID+"/rendez-vous"); status != http.StatusOK || !strings.Contains(body, "Je commence une formation.") {
		t.Fatalf("adviser's page: %d\n%s", status, body)
	}
}
