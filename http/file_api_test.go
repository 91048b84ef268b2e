package http

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"socle"
	"socle/gate"
)

// TestPersonUpdateNeedsTheVersionRead reads a person over the API (ETag),
// then PATCHes her contact details: without If-Match (428), with a
// malformed one (400), with the version read (200, new ETag), and again
// with the version read, now stale (412, nothing overwritten).
func TestPersonUpdateNeedsTheVersionRead(t *testing.T) {
	e := newNetworkEnv(t)
	c := e.clients[socle.KindYouth]
	path := "/api/v1/persons/" + e.person.ID + "?purpose=accompagnement"
	resp, _ := e.get(c, path, "")
	read := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || read != `"v1"` {
		t.Fatalf("GET: status %d, ETag %q; want 200 and \"v1\"", resp.StatusCode, read)
	}
	patch := func(ifMatch, phone string) (*http.Response, string) {
		t.Helper()
		contact := *e.person.Contact
		contact.Phone = phone
		return sendJSON(t, c, "PATCH", e.srv.URL, path, map[string]any{"contact": contact}, "If-Match", ifMatch)
	}
	tests := []struct {
		name, ifMatch, phone string
		status               int
		code, etag           string
	}{
		{"without If-Match", "", "0611111111", http.StatusPreconditionRequired, socle.EPRECONDITION, ""},
		{"a weak ETag", `W/"v1"`, "0611111111", http.StatusPreconditionFailed, socle.ESTALE, ""},
		{"v0, before any version", `"v0"`, "0611111111", http.StatusPreconditionFailed, socle.ESTALE, ""},
		{"the version read", read, "0622222222", http.StatusOK, "", `"v2"`},
		{"the version read, now stale", read, "0633333333", http.StatusPreconditionFailed, socle.ESTALE, ""},
	}
	for _, tt := range tests {
		resp, body := patch(tt.ifMatch, tt.phone)
		if resp.StatusCode != tt.status || (tt.code != "" && !strings.Contains(body, `"`+tt.code+`"`)) {
			t.Fatalf("%s: status %d, body %s; want %d %s", tt.name, resp.StatusCode, body, tt.status, tt.code)
		}
		if got := resp.Header.Get("ETag"); got != tt.etag {
			t.Errorf("%s: ETag %q, want %q", tt.name, got, tt.etag)
		}
	}
	p, err := e.db.Person(t.Context(), e.person.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	if p.Contact.Phone != "0622222222" || p.Version != 2 {
		t.Errorf("stored phone %q at version %d, want the one update that matched at version 2", p.Contact.Phone, p.Version)
	}
}

// sendJSON sends body as JSON with method to base+path as a same-origin
// page would, with the headers given as name, value pairs (an empty value
// is not sent), and returns the response and its body.
func sendJSON(t *testing.T, c *http.Client, method, base, path string, body any, headers ...string) (*http.Response, string) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, base+path, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

// TestNotesOverTheAPI writes notes as the disability operator (a health
// note, one for its structure, one for the network, and a retry with the
// same Idempotency-Key) and reads them as it and as a mission locale,
// which sees only the network note; a health note by the mission locale
// is refused.
func TestNotesOverTheAPI(t *testing.T) {
	e := newNetworkEnv(t)
	operator, ml := e.clients[socle.KindDisability], e.clients[socle.KindYouth]
	path := "/api/v1/persons/" + e.person.ID + "/notes?purpose=accompagnement"
	writes := []struct {
		name   string
		c      *http.Client
		body   map[string]any
		key    string
		status int
	}{
		{"a health note", operator, map[string]any{"category": "health", "network_visible": true, "text": "Station debout déconseillée."}, "", http.StatusCreated},
		{"a note for the structure", operator, map[string]any{"text": "Entretien de suivi."}, "cle-1", http.StatusCreated},
		{"the same request again", operator, map[string]any{"text": "Entretien de suivi."}, "cle-1", http.StatusCreated},
		{"the same key, another request", operator, map[string]any{"text": "Autre chose."}, "cle-1", http.StatusConflict},
		{"a network note", operator, map[string]any{"network_visible": true, "text": "Atelier numérique le 12 janvier."}, "", http.StatusCreated},
		{"a health note by the mission locale", ml, map[string]any{"category": "health", "text": "Suivi psychologique."}, "", http.StatusForbidden},
		{"an unknown field", ml, map[string]any{"texte": "Note."}, "", http.StatusBadRequest},
	}
	ids := map[string]string{}
	for _, w := range writes {
		resp, body := sendJSON(t, w.c, "POST", e.srv.URL, path, w.body, "Idempotency-Key", w.key)
		if resp.StatusCode != w.status {
			t.Fatalf("%s: status %d, want %d: %s", w.name, resp.StatusCode, w.status, body)
		}
		var n socle.Note
		_ = json.Unmarshal([]byte(body), &n)
		ids[w.name] = n.ID
	}
	if ids["the same request again"] != ids["a note for the structure"] {
		t.Errorf("the retry created note %s, want the first %s", ids["the same request again"], ids["a note for the structure"])
	}
	reads := []struct {
		name string
		c    *http.Client
		want int
	}{{"the operator", operator, 3}, {"the mission locale", ml, 1}}
	for _, r := range reads {
		resp, body := e.get(r.c, path, "")
		var got struct{ Items []socle.Note }
		if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, %v", r.name, resp.StatusCode, err)
		}
		if len(got.Items) != r.want {
			t.Errorf("%s reads %d notes, want %d: %s", r.name, len(got.Items), r.want, body)
		}
		if r.c == ml && strings.Contains(body, "Station debout") {
			t.Error("the mission locale reads the health note")
		}
	}
}

// TestRectificationsOverTheAPI has Alice ask for a correction; the
// mission locale that follows her lists it, accepts it with the
// correction from the version it read (If-Match required, a stale one
// refused with the request left open) and the file is corrected; a
// second answer is refused, and the département, which does not follow
// her, lists nothing.
func TestRectificationsOverTheAPI(t *testing.T) {
	e := newParcoursEnv(t)
	ml := e.staff[e.ml.OrganisationID]
	r, err := e.parcours.RequestRectification(t.Context(), e.self(e.alice), socle.CatContact, "Mon numéro est le 06 98 76 54 32.")
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/persons/" + e.alice.ID
	resp, body := e.net.get(ml, base+"/rectifications?purpose=accompagnement", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, r.ID) || !strings.Contains(body, `"ouverte"`) {
		t.Fatalf("list: status %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.net.get(e.staff[e.dep.OrganisationID], base+"/rectifications?purpose=accompagnement", ""); resp.StatusCode == http.StatusOK {
		t.Error("the département, which does not follow her, lists her requests")
	}
	resp, _ = e.net.get(ml, base+"?purpose=accompagnement", "")
	etag := resp.Header.Get("ETag")
	contact := *e.alice.Contact
	contact.Phone = "0698765432"
	answer := map[string]any{"decision": "accept", "answer": "Numéro corrigé dans votre dossier.", "correction": map[string]any{"contact": contact}}
	path := base + "/rectifications/" + r.ID + "/answer?purpose=accompagnement"
	tests := []struct {
		name, ifMatch string
		body          map[string]any
		status        int
	}{
		{"no decision", etag, map[string]any{"answer": "Réponse."}, http.StatusBadRequest},
		{"a correction without If-Match", "", answer, http.StatusPreconditionRequired},
		{"a correction from another version", `"v99"`, answer, http.StatusPreconditionFailed},
		{"a correction from the version read", etag, answer, http.StatusOK},
		{"a second answer", "", map[string]any{"decision": "refuse", "answer": "Finalement non."}, http.StatusConflict},
	}
	// A refusal (or an answer) without its reason is refused, naming the
	// field, and leaves the request open for the answer below.
	for _, decision := range []string{"refuse", "accept"} {
		resp, body := sendJSON(t, ml, "POST", e.srv.URL, path, map[string]any{"decision": decision, "answer": "  "}, "If-Match", "")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "answer") {
			t.Fatalf("%s without a reason: status %d, body %s; want 400 naming answer", decision, resp.StatusCode, body)
		}
	}
	for _, tt := range tests {
		resp, body := sendJSON(t, ml, "POST", e.srv.URL, path, tt.body, "If-Match", tt.ifMatch)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.status, body)
		}
	}
	p, _, err := e.gate.ReadPerson(t.Context(), gate.Request{Actor: e.ml, Purpose: "accompagnement"}, e.alice.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	if p.Contact.Phone != contact.Phone {
		t.Errorf("phone %q after the accepted correction, want %q", p.Contact.Phone, contact.Phone)
	}
}
