package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/orientation"
	"socle/policy"
)

// TestIdempotentReplayReadsThroughTheGate: the key of a create keeps only
// what identifies the created event (its id, the person, the status), no
// personal data; a retry is answered the event read again, and that read
// is in the audit log like any other.
func TestIdempotentReplayReadsThroughTheGate(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	path := "/api/v1/persons/" + e.alice.ID + "/events?purpose=" + policy.PurposeAccompagnement
	event := map[string]any{"kind": socle.EventAppointment, "title": "Point sur la santé de Alice",
		"start": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}
	key := map[string]string{"Idempotency-Key": "replay-0001"}
	resp, first := apiCall(t, c, e.srv.URL, http.MethodPost, path, key, event)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, first)
	}
	var created socle.Event
	if err := json.Unmarshal(first, &created); err != nil {
		t.Fatal(err)
	}

	rec, err := e.db.Idempotency(context.Background(), gate.PrincipalKey(e.adviser), "replay-0001")
	if err != nil {
		t.Fatal(err)
	}
	if rec.ResourceID != created.ID || rec.PersonID != e.alice.ID || rec.Status != http.StatusCreated {
		t.Errorf("kept %+v, want event %s of person %s, 201", rec, created.ID, e.alice.ID)
	}
	if kept := strings.Join([]string{rec.Operation, rec.RequestHash, rec.ResourceID, rec.PersonID, rec.Location}, " "); strings.Contains(kept, "santé") {
		t.Errorf("the key keeps the event's text: %s", kept)
	}

	before := e.log.Size()
	resp, again := apiCall(t, c, e.srv.URL, http.MethodPost, path, key, event)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again, first) {
		t.Fatalf("replay: %d replayed=%q %s, want the first answer %s", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), again, first)
	}
	if after := e.log.Size(); after != before+1 {
		t.Errorf("the replay added %d audit entries, want 1 (the read of the event)", after-before)
	}
}

// TestIdempotentReplaysOfEachKind: the replay of each create answers its
// resource read again through the gate (one more audit entry) with the
// created id, and a create whose answer is a secret (a signing link)
// keeps and replays none of it.
func TestIdempotentReplaysOfEachKind(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	alice := "/api/v1/persons/" + e.alice.ID
	acc, orient := "?purpose="+policy.PurposeAccompagnement, "?purpose="+policy.PurposeOrientation
	answers := orientation.Answers{"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}
	idOf := func(body []byte, path ...string) string {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		s, _ := v.(string)
		return s
	}
	// A contract needs a confirmed orientation.
	_, proposed := apiCall(t, c, e.srv.URL, http.MethodPost, alice+"/orientations"+orient, nil, map[string]any{"answers": answers})
	if resp, body := apiCall(t, c, e.srv.URL, http.MethodPost, "/api/v1/orientations/"+idOf(proposed, "orientation", "id")+"/confirm"+orient, nil,
		map[string]any{"operator_kind": socle.KindYouth, "parcours": socle.ParcoursProfessional, "modalite": socle.ModaliteRenforce,
			"organisation_id": e.ml.OrganisationID, "override_reason": "Demande un suivi rapproché pendant trois mois."}); resp.StatusCode != http.StatusOK {
		t.Fatalf("confirming the orientation: %d %s", resp.StatusCode, body)
	}
	_, made := apiCall(t, c, e.srv.URL, http.MethodPost, alice+"/commitments"+acc, nil, map[string]any{"actions": []string{"Atelier CV"}})
	contract := idOf(made, "id")
	tests := []struct {
		name    string
		path    string
		body    any
		id      []string // where the answer names the created resource
		audited bool     // the replay reads the resource through the gate
		secret  []string // where the first answer holds what the replay must not
	}{
		{"an event", alice + "/events" + acc, map[string]any{"kind": socle.EventAppointment, "title": "Entretien", "start": time.Now().Add(50 * time.Hour).UTC().Format(time.RFC3339)}, []string{"id"}, true, nil},
		{"an orientation", alice + "/orientations" + orient, map[string]any{"answers": answers}, []string{"orientation", "id"}, true, nil},
		{"a signing link", "/api/v1/commitments/" + contract + "/signing-link" + acc, nil, nil, false, []string{"token"}},
		{"a contract (superseding the first)", alice + "/commitments" + acc, map[string]any{"actions": []string{"Atelier cuisine"}}, []string{"id"}, true, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := map[string]string{"Idempotency-Key": "kind-" + strconv.Itoa(i)}
			resp, first := apiCall(t, c, e.srv.URL, http.MethodPost, tt.path, key, tt.body)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", resp.StatusCode, first)
			}
			before := e.log.Size()
			resp, again := apiCall(t, c, e.srv.URL, http.MethodPost, tt.path, key, tt.body)
			if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay: %d %s", resp.StatusCode, again)
			}
			if tt.id != nil && (idOf(again, tt.id...) == "" || idOf(again, tt.id...) != idOf(first, tt.id...)) {
				t.Errorf("replay names %q, the create %q", idOf(again, tt.id...), idOf(first, tt.id...))
			}
			if audited := e.log.Size() > before; audited != tt.audited {
				t.Errorf("replay audited: %v, want %v", audited, tt.audited)
			}
			if tt.secret != nil {
				if s := idOf(first, tt.secret...); s == "" || bytes.Contains(again, []byte(s)) {
					t.Errorf("the replay %s repeats the first answer's secret (%q)", again, s)
				}
			}
		})
	}
}
