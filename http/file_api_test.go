package http

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"socle"
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
		body, _ := json.Marshal(map[string]any{"contact": contact})
		req, err := http.NewRequest("PATCH", e.srv.URL+path, strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", e.srv.URL)
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	tests := []struct {
		name, ifMatch, phone string
		status               int
		code, etag           string
	}{
		{"without If-Match", "", "0611111111", http.StatusPreconditionRequired, socle.EPRECONDITION, ""},
		{"a weak ETag", `W/"v1"`, "0611111111", http.StatusBadRequest, socle.EINVALID, ""},
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
