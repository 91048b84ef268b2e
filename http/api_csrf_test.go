package http

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle"
	"socle/store/storetest"
)

// bearerOrSession stands for the partners' OAuth authenticator in front of
// the staff sessions, as socle serve chains them: a request with
// "Authorization: Bearer partner" is a partner system with the create scope.
type bearerOrSession struct{ session Authenticator }

func (b bearerOrSession) Authenticate(r *http.Request) (socle.Actor, error) {
	if r.Header.Get("Authorization") == "Bearer partner" {
		return socle.Actor{ClientID: "cli_partner", OrganisationID: "org_partner", OrgKind: socle.KindPartner,
			Scopes: []string{"accompagnement:create"}, Strength: socle.AuthClient}, nil
	}
	return b.session.Authenticate(r)
}

// TestJSONAPIRefusesCrossSiteWrites replays the attack: with only the
// session cookie, a text/plain body and a foreign Origin, POST
// /api/v1/persons created a person (201). A JSON endpoint now refuses a
// body that is not JSON (415), and a write authenticated by a cookie needs
// the session's X-CSRF-Token header or a same-origin Origin; a partner's
// bearer-token write is unaffected.
func TestJSONAPIRefusesCrossSiteWrites(t *testing.T) {
	e := newNetworkEnv(t)
	person := `{"identity":{"family_name":"Durand","given_name":"Zoé","birth_date":"1990-04-02","sex":"F","nir":"` + storetest.NIR(77) + `"}}`
	foreign, own := "https://attaquant.example", e.srv.URL
	csrf := func() string {
		_, page := e.get(e.clients[socle.KindYouth], "/sessions", "")
		return csrfToken(t, "/sessions", page)
	}
	tests := []struct {
		name                string
		contentType, origin string
		csrf, bearer        bool
		status              int
		code                string
	}{
		{name: "the attack: text/plain from a foreign origin", contentType: "text/plain", origin: foreign, status: http.StatusUnsupportedMediaType, code: socle.EUNSUPPORTED},
		{name: "a form body", contentType: "application/x-www-form-urlencoded", origin: own, status: http.StatusUnsupportedMediaType, code: socle.EUNSUPPORTED},
		{name: "JSON from a foreign origin", contentType: "application/json", origin: foreign, status: http.StatusForbidden, code: socle.EFORBIDDEN},
		{name: "JSON without origin nor token", contentType: "application/json", status: http.StatusForbidden, code: socle.EFORBIDDEN},
		{name: "JSON with a null origin", contentType: "application/json", origin: "null", status: http.StatusForbidden, code: socle.EFORBIDDEN},
		{name: "JSON from the same origin", contentType: "application/json; charset=utf-8", origin: own, status: http.StatusCreated},
		{name: "JSON with the session's CSRF header", contentType: "application/json", csrf: true, status: http.StatusCreated},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(person, storetest.NIR(77), storetest.NIR(700+i), 1)
			req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/persons?purpose=accompagnement", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tt.contentType)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.csrf {
				req.Header.Set("X-CSRF-Token", csrf())
			}
			resp, err := e.clients[socle.KindYouth].Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || tt.code != "" && errorOf(t, b).Code != tt.code {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, b, tt.status, tt.code)
			}
		})
	}

	// A partner's bearer-token write is not a browser's: no Origin needed;
	// it is still JSON only.
	srv := httptest.NewServer(NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), Config{},
		Services{Gate: e.gate, Directory: e.db, Identity: e.identity, Auth: bearerOrSession{e.identity}}))
	defer srv.Close()
	for _, tt := range []struct {
		contentType string
		status      int
	}{{"application/json", 0}, {"text/plain", http.StatusUnsupportedMediaType}} {
		req, err := http.NewRequest("POST", srv.URL+"/api/v1/persons?purpose=accompagnement", strings.NewReader(person))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", tt.contentType)
		req.Header.Set("Authorization", "Bearer partner")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tt.status != 0 && resp.StatusCode != tt.status {
			t.Errorf("bearer %s: %d %s, want %d", tt.contentType, resp.StatusCode, b, tt.status)
		}
		if tt.status == 0 && (resp.StatusCode == http.StatusUnsupportedMediaType || strings.Contains(string(b), "X-CSRF-Token")) {
			t.Errorf("bearer JSON write refused by the cross-site guard: %d %s", resp.StatusCode, b)
		}
	}
}
