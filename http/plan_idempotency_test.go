package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"socle/policy"
)

// TestPlanCreateHonoursIdempotencyKey: a new version of the plan sent
// again with the same key creates no version and is answered the version
// made, read again through the gate (audited); the same key with another
// plan is 409, as is a retry once a later version has replaced its own.
func TestPlanCreateHonoursIdempotencyKey(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	path := "/api/v1/persons/" + e.alice.ID + "/plan?purpose=" + policy.PurposeAccompagnement
	plan := func(title string) map[string]any {
		return map[string]any{"objectives": []any{map[string]any{"title": title}},
			"actions": []any{map[string]any{"objective_id": "1", "title": "Atelier CV", "provider": "Mission locale de Lyon"}}}
	}
	type version struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	post := func(key string, body any) (*http.Response, []byte, version) {
		t.Helper()
		resp, b := apiCall(t, c, e.srv.URL, http.MethodPost, path, map[string]string{"Idempotency-Key": key}, body)
		var v version
		_ = json.Unmarshal(b, &v)
		return resp, b, v
	}
	resp, body, first := post("plan-0001", plan("Trouver un emploi de vendeur"))
	if resp.StatusCode != http.StatusCreated || first.ID == "" {
		t.Fatalf("first create: %d %s", resp.StatusCode, body)
	}
	tests := []struct {
		name    string
		key     string
		body    any
		status  int
		replay  bool   // answered the first version, read again
		version int    // the version answered, when 201
		says    string // what a refusal says
	}{
		{"the same plan again", "plan-0001", plan("Trouver un emploi de vendeur"), http.StatusCreated, true, first.Version, ""},
		{"the same key, another plan", "plan-0001", plan("Passer le permis B"), http.StatusConflict, false, 0, "different request"},
		{"another key, another plan", "plan-0002", plan("Passer le permis B"), http.StatusCreated, false, first.Version + 1, ""},
		{"the first key once its version is replaced", "plan-0001", plan("Trouver un emploi de vendeur"), http.StatusConflict, false, 0, "replaced"},
	}
	for _, tt := range tests {
		before := e.log.Size()
		resp, body, got := post(tt.key, tt.body)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: %d %s, want %d", tt.name, resp.StatusCode, body, tt.status)
		}
		if replayed := resp.Header.Get("Idempotent-Replayed") == "true"; replayed != tt.replay {
			t.Errorf("%s: replayed %v, want %v", tt.name, replayed, tt.replay)
		}
		if tt.replay && (got != first || e.log.Size() != before+1) {
			t.Errorf("%s: answered %+v with %d audit entries, want %+v read again (1 entry)", tt.name, got, e.log.Size()-before, first)
		}
		if tt.status == http.StatusCreated && got.Version != tt.version {
			t.Errorf("%s: version %d, want %d", tt.name, got.Version, tt.version)
		}
		if tt.says != "" && !bytes.Contains(body, []byte(tt.says)) {
			t.Errorf("%s: %s does not say %q", tt.name, body, tt.says)
		}
	}
	_, current := apiCall(t, c, e.srv.URL, http.MethodGet, path, nil, nil)
	var v version
	if err := json.Unmarshal(current, &v); err != nil || v.Version != first.Version+1 {
		t.Errorf("the plan is at %+v after the retries, want version %d: %s", v, first.Version+1, current)
	}
}
