package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// apiCall sends one API request of a signed-in staff browser (from its own
// origin, as a cookie session must write) and returns the answer.
func apiCall(t *testing.T, c *http.Client, base, method, path string, headers map[string]string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, []byte(readBody(t, resp))
}

// listPage is a page of a list of the API.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

// walkPages lists path two items a page, following next_cursor, and
// returns the pages it read, eleven at the most.
func walkPages[T any](t *testing.T, c *http.Client, base, path string) []listPage[T] {
	t.Helper()
	var pages []listPage[T]
	for cursor := ""; ; {
		p := path + "&limit=2"
		if cursor != "" {
			p += "&cursor=" + cursor
		}
		resp, body := apiCall(t, c, base, http.MethodGet, p, nil, nil)
		var page listPage[T]
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil || len(page.Items) > 2 {
			t.Fatalf("GET %s: %d %s", p, resp.StatusCode, body)
		}
		pages = append(pages, page)
		if cursor = page.NextCursor; cursor == "" || len(pages) > 10 {
			return pages
		}
	}
}

// TestSingleResourcesHaveETagsAndUpdatesHonourIfMatch: a person's GET
// carries the version ETag of her file (304 when unchanged); an update
// must say which version it was made from: without If-Match it is 428,
// with a stale or foreign tag 412, and changes nothing; with the current
// one it applies and the ETag changes.
func TestSingleResourcesHaveETagsAndUpdatesHonourIfMatch(t *testing.T) {
	e := newNetworkEnv(t)
	c := e.clients[socle.KindDepartement]
	path := "/api/v1/persons/" + e.person.ID
	purpose := map[string]string{"X-Purpose": policy.PurposeAccompagnement}
	read := func(h map[string]string) (*http.Response, []byte) {
		t.Helper()
		return apiCall(t, c, e.srv.URL, http.MethodGet, path, h, nil)
	}
	resp, body := read(purpose)
	tag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(tag, `"`) {
		t.Fatalf("GET %s: %d ETag %q %s", path, resp.StatusCode, tag, body)
	}
	if resp, _ := read(map[string]string{"X-Purpose": policy.PurposeAccompagnement, "If-None-Match": tag}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with the current If-None-Match: %d, want 304", resp.StatusCode)
	}

	update := func(phone, ifMatch string) (*http.Response, []byte) {
		t.Helper()
		h := map[string]string{"X-Purpose": policy.PurposeAccompagnement}
		if ifMatch != "" {
			h["If-Match"] = ifMatch
		}
		return apiCall(t, c, e.srv.URL, http.MethodPatch, path, h,
			map[string]any{"contact": map[string]string{"phone": phone, "postal_code": "69001", "commune_code": "69123"}})
	}
	tests := []struct {
		name, phone, ifMatch string
		status               int
	}{
		{"no If-Match", "0611111110", "", http.StatusPreconditionRequired},
		{"a hash, no version of ours", "0611111111", `"0123456789abcdef0123456789abcdef"`, http.StatusPreconditionFailed},
		{"a version never reached", "0611111113", `"v999"`, http.StatusPreconditionFailed},
		{"a weak tag never matches", "0611111112", "W/" + tag, http.StatusPreconditionFailed},
		{"the current version", "0622222222", tag, http.StatusOK},
		{"the version before that update", "0633333333", tag, http.StatusPreconditionFailed},
		{"*: over whatever version is current", "0644444444", "*", http.StatusOK},
	}
	for _, tt := range tests {
		resp, body := update(tt.phone, tt.ifMatch)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: PATCH %d %s, want %d", tt.name, resp.StatusCode, body, tt.status)
		}
		_, now := read(purpose)
		if applied := bytes.Contains(now, []byte(tt.phone)); applied != (tt.status == http.StatusOK) {
			t.Errorf("%s: phone applied = %v after %d", tt.name, applied, tt.status)
		}
		if tt.status != http.StatusOK && !bytes.Contains(body, []byte("version")) {
			t.Errorf("%s: %d body %s does not say which version to send", tt.name, tt.status, body)
		}
	}
	if resp, _ := read(purpose); resp.Header.Get("ETag") == tag {
		t.Error("the ETag did not change with the person")
	}
}

// TestCreatesHonourIdempotencyKeys: a retried create with the same key is
// answered the first answer and creates nothing; the same key with another
// body is 409; a create that failed keeps nothing, so its key can be used.
func TestCreatesHonourIdempotencyKeys(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	path := "/api/v1/persons/" + e.alice.ID + "/events?purpose=" + policy.PurposeAccompagnement
	event := func(title string) map[string]any {
		return map[string]any{"kind": socle.EventAppointment, "title": title, "start": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}
	}
	first := event("Entretien de suivi")
	post := func(key string, body any) (*http.Response, []byte) {
		t.Helper()
		return apiCall(t, c, e.srv.URL, http.MethodPost, path, map[string]string{"Idempotency-Key": key}, body)
	}
	resp1, body1 := post("rdv-0001", first)
	if resp1.StatusCode != http.StatusCreated {
		t.Fatalf("first create: %d %s", resp1.StatusCode, body1)
	}
	tests := []struct {
		name   string
		key    string
		body   any
		status int
		same   bool // answered the first answer
	}{
		{"the same request again", "rdv-0001", first, http.StatusCreated, true},
		{"the same key, another body", "rdv-0001", event("Autre entretien"), http.StatusConflict, false},
		{"an invalid key", "clé avec espaces", first, http.StatusBadRequest, false},
		{"a failed create", "rdv-0002", map[string]any{"kind": "nope"}, http.StatusBadRequest, false},
		{"the failed create's key, corrected", "rdv-0002", event("Atelier CV"), http.StatusCreated, false},
	}
	for _, tt := range tests {
		resp, body := post(tt.key, tt.body)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: %d %s, want %d", tt.name, resp.StatusCode, body, tt.status)
		}
		if replayed := resp.Header.Get("Idempotent-Replayed") == "true"; replayed != tt.same || tt.same && !bytes.Equal(body, body1) {
			t.Errorf("%s: replayed %v, body %s; first answer %s", tt.name, replayed, body, body1)
		}
	}
	_, list := apiCall(t, c, e.srv.URL, http.MethodGet, path, nil, nil)
	if n := bytes.Count(list, []byte("Entretien de suivi")); n != 1 {
		t.Errorf("%d events created by the retried request, want 1: %s", n, list)
	}
}

// TestListsPageWithCursors: a list answers limit items and the cursor of
// the next page; following the cursors lists every item once; a cursor
// the API did not issue is 400 naming the parameter.
func TestListsPageWithCursors(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	path := "/api/v1/persons/" + e.alice.ID + "/events?purpose=" + policy.PurposeAccompagnement
	created := map[string]bool{}
	for i := range 5 {
		resp, body := apiCall(t, c, e.srv.URL, http.MethodPost, path, nil, map[string]any{"kind": socle.EventAppointment,
			"title": "Rendez-vous", "start": time.Now().Add(time.Duration(24+i) * time.Hour).UTC().Format(time.RFC3339)})
		var ev socle.Event
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &ev) != nil {
			t.Fatalf("creating an event: %d %s", resp.StatusCode, body)
		}
		created[ev.ID] = true
	}
	seen := map[string]bool{}
	pages := walkPages[socle.Event](t, c, e.srv.URL, path)
	for i, page := range pages {
		var last time.Time
		for _, ev := range page.Items {
			if seen[ev.ID] || ev.Start.Before(last) {
				t.Errorf("page %d repeats or disorders %s", i+1, ev.ID)
			}
			seen[ev.ID], last = true, ev.Start
		}
		if page.HasMore != (page.NextCursor != "") {
			t.Errorf("has_more %v with next_cursor %q", page.HasMore, page.NextCursor)
		}
	}
	if len(pages) != 3 || len(seen) != len(created) {
		t.Errorf("%d pages listing %d events, want 3 pages listing %d", len(pages), len(seen), len(created))
	}
	for _, bad := range []string{"abc", "MTIz", "-1"} {
		resp, body := apiCall(t, c, e.srv.URL, http.MethodGet, path+"&cursor="+bad, nil, nil)
		if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte("cursor")) {
			t.Errorf("cursor %q: %d %s, want 400 naming cursor", bad, resp.StatusCode, body)
		}
	}
}

// TestNewestFirstListsPageWithCursors: a list shown newest first (a
// person's notes) pages the same way: every note once, newest first,
// across pages.
func TestNewestFirstListsPageWithCursors(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	path := "/api/v1/persons/" + e.alice.ID + "/notes?purpose=" + policy.PurposeAccompagnement
	var created []string
	for i := range 5 {
		resp, body := apiCall(t, c, e.srv.URL, http.MethodPost, path, nil, map[string]any{"text": fmt.Sprintf("Note de suivi %d.", i)})
		var n socle.Note
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &n) != nil {
			t.Fatalf("adding a note: %d %s", resp.StatusCode, body)
		}
		created = append(created, n.ID)
	}
	var listed []string
	var last time.Time
	for i, page := range walkPages[socle.Note](t, c, e.srv.URL, path) {
		for _, n := range page.Items {
			if !last.IsZero() && n.CreatedAt.After(last) {
				t.Errorf("page %d: %s is newer than the note before it", i+1, n.ID)
			}
			listed, last = append(listed, n.ID), n.CreatedAt
		}
	}
	slices.Reverse(created)
	if !slices.Equal(listed, created) {
		t.Errorf("pages listed %v, want the notes newest first %v", listed, created)
	}
}

// TestOfferUpdatesHonourIfMatch: an offer's GET carries the ETag its PUT
// names in If-Match; a stale one is 412 and leaves the offer as it was.
func TestOfferUpdatesHonourIfMatch(t *testing.T) {
	e := newCompanyEnv(t)
	base, path := e.net.srv.URL, "/api/v1/offers/"+e.offer.ID
	matching := map[string]string{"X-Purpose": policy.PurposeMatching}
	if resp, body := apiCall(t, e.adviser, base, http.MethodPost, "/api/v1/companies/"+e.offer.CompanyID+"/followups", matching, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("following the company: %d %s", resp.StatusCode, body)
	}
	resp, body := apiCall(t, e.adviser, base, http.MethodGet, path, nil, nil)
	tag := resp.Header.Get("ETag")
	var offer map[string]any
	if resp.StatusCode != http.StatusOK || tag == "" || json.Unmarshal(body, &offer) != nil {
		t.Fatalf("GET %s: %d ETag %q %s", path, resp.StatusCode, tag, body)
	}
	for _, tt := range []struct {
		name, title, ifMatch string
		status               int
	}{
		{"a stale version", "Boulanger de nuit", `"0000"`, http.StatusPreconditionFailed},
		{"the current version", "Boulanger (H/F)", tag, http.StatusOK},
		{"the version before that update", "Boulanger de jour", tag, http.StatusPreconditionFailed},
	} {
		offer["title"] = tt.title
		delete(offer, "id")
		h := map[string]string{"X-Purpose": policy.PurposeMatching, "If-Match": tt.ifMatch}
		resp, body := apiCall(t, e.adviser, base, http.MethodPut, path, h, offer)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: PUT %d %s, want %d", tt.name, resp.StatusCode, body, tt.status)
		}
		_, now := apiCall(t, e.adviser, base, http.MethodGet, path, nil, nil)
		if applied := bytes.Contains(now, []byte(tt.title)); applied != (tt.status == http.StatusOK) {
			t.Errorf("%s: title applied = %v after %d", tt.name, applied, tt.status)
		}
	}
}
