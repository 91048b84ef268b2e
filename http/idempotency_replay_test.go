package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
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
