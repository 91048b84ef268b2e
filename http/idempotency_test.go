package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"socle"
	"socle/policy"
	"socle/store/storetest"
)

// TestRetriedCreateIsSafe: POST /api/v1/persons twice with the same
// Idempotency-Key registers one person and answers both with her.
func TestRetriedCreateIsSafe(t *testing.T) {
	e := newNetworkEnv(t)
	c := e.clients[socle.KindYouth]
	p := storetest.NewPerson(9)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	p.Parcours.Situation = socle.SituationYouth
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	post := func(key string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/persons", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Purpose", policy.PurposeAccompagnement)
		req.Header.Set("Idempotency-Key", key)
		req.Header.Set("Origin", e.srv.URL) // a cookie session writes from its own origin
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	status1, loc1 := post("retry-me-0001")
	status2, loc2 := post("retry-me-0001")
	if status1 != http.StatusCreated || status2 != http.StatusCreated || loc1 == "" || loc1 != loc2 {
		t.Fatalf("two posts with one key: %d %q, %d %q; want 201 and the same person", status1, loc1, status2, loc2)
	}
	status3, loc3 := post("retry-me-0002")
	if status3 != http.StatusCreated || loc3 == loc1 {
		t.Fatalf("post with another key: %d %q, want a new person", status3, loc3)
	}
}
