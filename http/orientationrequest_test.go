package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
)

// apiCall sends a JSON request to the API as the adviser of organisation
// orgID (her session, from its own origin) for the purpose orientation.
func (e *parcoursEnv) apiCall(orgID, method, path, body string, header map[string]string) (int, http.Header, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Purpose", "orientation")
	req.Header.Set("Origin", e.srv.URL)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.staff[orgID].Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, readBody(e.t, resp)
}

// TestOrientationRequestsThroughTheAPI sends a request from the mission
// locale to the département (twice with one Idempotency-Key), refuses bad
// input with the status that names it, and answers it from the queue.
func TestOrientationRequestsThroughTheAPI(t *testing.T) {
	e := newParcoursEnv(t)
	ml, dep := e.ml.OrganisationID, e.dep.OrganisationID
	create := `{"to_organisation_id":"` + dep + `","parcours":"social","motive":"Difficultés de logement."}`
	path := "/api/v1/persons/" + e.alice.ID + "/orientation-requests"
	key := map[string]string{"Idempotency-Key": "handoff-0001"}
	status, h1, body := e.apiCall(ml, "POST", path, create, key)
	if status != http.StatusCreated {
		t.Fatalf("send: %d %s", status, body)
	}
	status, h2, _ := e.apiCall(ml, "POST", path, create, key)
	if status != http.StatusCreated || h1.Get("Location") == "" || h1.Get("Location") != h2.Get("Location") {
		t.Fatalf("a retry with the key: %d, %q vs %q", status, h2.Get("Location"), h1.Get("Location"))
	}
	id := strings.TrimPrefix(h1.Get("Location"), "/api/v1/orientation-requests/")

	bad := []struct {
		name, org, method, path, body string
		status                        int
		says                          string
	}{
		{"an unknown field", ml, "POST", "/api/v1/persons/" + e.bob.ID + "/orientation-requests", `{"to_organisation_id":"` + dep + `","parcours":"social","motive":"x","status":"acceptee"}`, 400, "status"},
		{"no motive", ml, "POST", "/api/v1/persons/" + e.bob.ID + "/orientation-requests", `{"to_organisation_id":"` + dep + `","parcours":"social","motive":" "}`, 400, "motive"},
		{"an unknown parcours", ml, "POST", "/api/v1/persons/" + e.bob.ID + "/orientation-requests", `{"to_organisation_id":"` + dep + `","parcours":"libre","motive":"Logement."}`, 400, "parcours"},
		{"a second open request", ml, "POST", path, `{"to_organisation_id":"` + dep + `","parcours":"professionnel","motive":"Autre."}`, 409, "already open"},
		{"a refusal without reason", dep, "POST", "/api/v1/orientation-requests/" + id + "/answer", `{"accept":false}`, 400, "reason"},
		{"an answer by the orienting structure", ml, "POST", "/api/v1/orientation-requests/" + id + "/answer", `{"accept":true}`, 404, "not found"},
		{"an outcome while open", ml, "POST", "/api/v1/orientation-requests/" + id + "/outcome", `{"outcome":"maintien"}`, 409, "refused"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := e.apiCall(tt.org, tt.method, tt.path, tt.body, nil)
			if status != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("%d %s; want %d naming %q", status, body, tt.status, tt.says)
			}
		})
	}

	status, _, body = e.apiCall(dep, "GET", "/api/v1/orientation-requests", "", nil)
	var queue struct {
		Items []struct {
			ID         string `json:"id"`
			FamilyName string `json:"family_name"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &queue); status != http.StatusOK || err != nil || len(queue.Items) != 1 ||
		queue.Items[0].ID != id || queue.Items[0].FamilyName != e.alice.Identity.FamilyName {
		t.Fatalf("the département's queue: %d %s", status, body)
	}
	status, _, body = e.apiCall(dep, "GET", "/api/v1/orientation-requests/"+id, "", nil)
	if status != http.StatusOK || !strings.Contains(body, id) || strings.Contains(body, `"contact"`) || !strings.Contains(body, "orientation_request_id") {
		t.Fatalf("the receiving structure opens the request: %d %s", status, body)
	}
	status, _, body = e.apiCall(dep, "POST", "/api/v1/orientation-requests/"+id+"/answer", `{"accept":false,"reason":"autre","comment":"Suivi social déjà engagé par le CCAS."}`, nil)
	if status != http.StatusOK || !strings.Contains(body, `"refusee"`) {
		t.Fatalf("refusal: %d %s", status, body)
	}
	if status, _, body = e.apiCall(dep, "GET", "/api/v1/orientation-requests/"+id, "", nil); status != http.StatusNotFound {
		t.Fatalf("after the refusal, the receiving structure opens the request: %d %s", status, body)
	}
	status, _, body = e.apiCall(ml, "POST", "/api/v1/orientation-requests/"+id+"/outcome", `{"outcome":"maintien","reason":"La personne reste suivie ici."}`, nil)
	if status != http.StatusOK || !strings.Contains(body, `"maintien"`) {
		t.Fatalf("maintien: %d %s", status, body)
	}
	status, _, body = e.apiCall(ml, "GET", path, "", nil)
	var list struct{ Items []json.RawMessage }
	if err := json.NewDecoder(bytes.NewReader([]byte(body))).Decode(&list); status != http.StatusOK || err != nil || len(list.Items) != 1 {
		t.Fatalf("the person's requests: %d %s", status, body)
	}
}

// TestCommitteeQueuePage: a request left unanswered past its deadline is in
// the département's committee queue, named by its person; the queue is
// refused to a mission locale with a French page.
func TestCommitteeQueuePage(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	sent := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	e.gate.Now = func() time.Time { return sent }
	r := &socle.OrientationRequest{PersonID: e.alice.ID, ToOrganisationID: e.dep.OrganisationID, Parcours: socle.ParcoursProfessional, Motive: "RQTH en cours."}
	req := gate.Request{Actor: e.ml, Purpose: "orientation", RequestID: "test"}
	if err := e.parcours.SendOrientationRequest(ctx, req, r); err != nil {
		t.Fatal(err)
	}
	if status, body := e.staffGet(e.dep.OrganisationID, "/commission-orientation"); status != http.StatusOK || !strings.Contains(body, `id="aucune"`) {
		t.Fatalf("the committee's queue before the deadline: %d", status)
	}
	e.gate.Now = func() time.Time { return sent.AddDate(0, 0, 20) }
	if _, err := e.parcours.SweepOrientationRequests(ctx, e.parcours.HandoffDeadlines()); err != nil {
		t.Fatal(err)
	}
	status, body := e.staffGet(e.dep.OrganisationID, "/commission-orientation")
	if status != http.StatusOK || !strings.Contains(body, e.alice.Identity.FamilyName) || !strings.Contains(body, "Mission Locale de Lyon") {
		t.Fatalf("the committee's queue after the deadline: %d %s", status, body)
	}
	if status, body := e.staffGet(e.dep.OrganisationID, "/demandes-orientation"); status != http.StatusOK || !strings.Contains(body, `id="lien-commission"`) {
		t.Fatalf("a département's queue links to the committee: %d", status)
	}
	if status, body := e.staffGet(e.ml.OrganisationID, "/commission-orientation"); status != http.StatusForbidden || strings.Contains(body, e.alice.Identity.FamilyName) {
		t.Fatalf("a mission locale opens the committee's queue: %d", status)
	}
}
