package http

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"socle"
	"socle/gate"
	"socle/policy"
)

// latin1 is "Urgence : demande écrite de la personne" with the é in
// ISO-8859-1, as a misconfigured client sends it.
const latin1 = "Urgence : demande \xe9crite de la personne"

// TestInvalidUTF8NeverReachesTheLog replays the issue: a Latin-1 byte in
// X-Break-Glass was stored in the audit log, after which that entry's
// inclusion proof and the person's /usager/acces.json answered 500 ("not in
// canonical form"). Such text is now refused with a 400 naming what is
// wrong, at the HTTP edge and again at the gate, and the person's history
// keeps verifying.
func TestInvalidUTF8NeverReachesTheLog(t *testing.T) {
	e := newSpaceEnv(t)
	ctx := context.Background()
	e.adviserReads(e.bob)

	// At the HTTP edge: the header, a user agent, a query parameter, a
	// form field; on the API and on a page.
	requests := []struct {
		name, method, path, body, header, value, want string
	}{
		{"X-Break-Glass on the API", "GET", "/api/v1/persons/" + e.bob.ID + "?purpose=accompagnement", "", "X-Break-Glass", latin1, "header X-Break-Glass"},
		{"a user agent on a page", "GET", "/usager", "", "User-Agent", "Navigateur \xe9trange", ""},
		{"a query parameter", "GET", "/api/v1/persons?purpose=accompagnement&family_name=%E9", "", "", "", "field family_name"},
		{"a form field", "POST", "/usager/lien", "email=b%E9b%40example.fr", "Content-Type", "application/x-www-form-urlencoded", ""},
	}
	for _, tt := range requests {
		req, err := http.NewRequest(tt.method, e.srv.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if tt.header != "" {
			req.Header.Set(tt.header, tt.value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusBadRequest || tt.want != "" && errorOf(t, []byte(body)).Message != tt.want+": not valid UTF-8 text" {
			t.Errorf("%s: %d %s, want 400 naming %q", tt.name, resp.StatusCode, body, tt.want)
		}
	}

	// At the gate, whoever calls it: nothing is recorded nor returned.
	before := e.log.Size()
	req := gate.Request{Actor: e.adviser, Purpose: policy.PurposeAccompagnement, BreakGlass: latin1, RequestID: "adviser", RemoteAddr: "10.0.0.1"}
	if p, _, err := e.gate.ReadPerson(ctx, req, e.bob.ID, 0); p != nil || socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("a read with a Latin-1 justification = %v, %v; want EINVALID", p, err)
	}
	if after := e.log.Size(); after != before {
		t.Fatalf("the audit log grew from %d to %d entries", before, after)
	}

	// Bob's history still downloads and every entry's inclusion proof
	// verifies.
	c := e.client()
	c.login("bob@example.fr")
	if resp, _ := c.get("/usager/dossier"); resp.StatusCode != http.StatusOK {
		t.Fatalf("Bob's file: %d", resp.StatusCode)
	}
	e.verify(c.download("/usager/acces.json"), e.bob)
}
