package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"socle"
	"socle/internal/oidctest"
	"socle/oauth"
)

// sessions records the sessions the SSO callback opens.
type sessions struct {
	agentID string
	mfa     bool
	n       int
}

func (s *sessions) StartSSOSession(w http.ResponseWriter, r *http.Request, agentID string, mfa bool) error {
	s.agentID, s.mfa, s.n = agentID, mfa, s.n+1
	return nil
}

const redirectURL = "https://socle.test/sso/callback"

func TestSSO(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	agent := &socle.Agent{OrganisationID: e.org.ID, Email: "Claire.Martin@tremplin.example", GivenName: "Claire", FamilyName: "Martin", Roles: []socle.Role{socle.RoleAdviser}}
	if err := e.db.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	gone := &socle.Agent{OrganisationID: e.org.ID, Email: "parti@tremplin.example", GivenName: "Paul", FamilyName: "Parti", Roles: []socle.Role{socle.RoleAdviser}, Disabled: true}
	if err := e.db.CreateAgent(ctx, gone); err != nil {
		t.Fatal(err)
	}
	op := oidctest.New("socle", "op-secret", redirectURL)
	t.Cleanup(op.Close)
	sso, err := oauth.NewSSO(ctx, oauth.SSOConfig{Issuer: op.URL, ClientID: "socle", ClientSecret: "op-secret", RedirectURL: redirectURL, MFAACRValues: []string{"eidas2"}}, e.db, e.audit)
	if err != nil {
		t.Fatal(err)
	}
	claire := oidctest.User{Subject: "u1", Email: "claire.martin@tremplin.example", EmailVerified: true}
	withAMR := func(u oidctest.User, amr ...string) oidctest.User { u.AMR = amr; return u }
	tests := []struct {
		name     string
		user     oidctest.User
		attack   func(cb *http.Request)
		status   int
		location string
		mfa      bool
	}{
		{name: "amr mfa", user: withAMR(claire, "pwd", "mfa"), status: 302, location: oauth.AfterSSO, mfa: true},
		{name: "amr hwk", user: withAMR(claire, "hwk"), status: 302, location: oauth.AfterSSO, mfa: true},
		{name: "acr configured", user: func() oidctest.User { u := claire; u.ACR = "eidas2"; return u }(), status: 302, location: oauth.AfterSSO, mfa: true},
		{name: "password only: our second factor", user: withAMR(claire, "pwd"), status: 302, location: oauth.SecondFactorPath, mfa: false},
		{name: "no amr: our second factor", user: claire, status: 302, location: oauth.SecondFactorPath, mfa: false},
		{name: "bad state", user: withAMR(claire, "mfa"), attack: func(cb *http.Request) {
			q := cb.URL.Query()
			q.Set("state", "forged")
			cb.URL.RawQuery = q.Encode()
		}, status: 401},
		{name: "no flow cookie (login CSRF)", user: withAMR(claire, "mfa"), attack: func(cb *http.Request) { cb.Header.Del("Cookie") }, status: 401},
		{name: "bad nonce", user: withAMR(claire, "mfa"), attack: func(*http.Request) { op.ForgeNonce("replayed-nonce") }, status: 401},
		{name: "code replayed", user: withAMR(claire, "mfa"), attack: func(cb *http.Request) {
			// Redeem the code first, so the callback meets a used code.
			rec := httptest.NewRecorder()
			oauth.SSOCallbackHandler(sso, &sessions{}).ServeHTTP(rec, cb.Clone(ctx))
		}, status: 401},
		{name: "unverified e-mail", user: oidctest.User{Subject: "u1", Email: claire.Email, AMR: []string{"mfa"}}, status: 401},
		{name: "unknown e-mail", user: oidctest.User{Subject: "u2", Email: "inconnu@tremplin.example", EmailVerified: true, AMR: []string{"mfa"}}, status: 401},
		{name: "disabled agent", user: oidctest.User{Subject: "u3", Email: gone.Email, EmailVerified: true, AMR: []string{"mfa"}}, status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op.SignIn(tt.user)
			cb := startFlow(t, sso)
			if tt.attack != nil {
				tt.attack(cb)
			}
			rec, ss := callback(t, sso, cb, tt.status)
			if tt.status != 302 {
				return
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("redirect to %q, want %q", got, tt.location)
			}
			if ss.n != 1 || ss.agentID != agent.ID || ss.mfa != tt.mfa {
				t.Errorf("session %+v, want agent %s mfa %v", ss, agent.ID, tt.mfa)
			}
		})
	}
	// 5 successes, and the first redemption of the replayed code.
	if n := e.audit.count("sso_login", true); n != 6 {
		t.Errorf("%d sso_login allowed events, want 6", n)
	}
}

// callback sends the callback request cb to the SSO and checks the
// status it answers; a refused callback must not open a session.
func callback(t *testing.T, sso *oauth.SSO, cb *http.Request, status int) (*httptest.ResponseRecorder, *sessions) {
	t.Helper()
	ss := &sessions{}
	rec := httptest.NewRecorder()
	oauth.SSOCallbackHandler(sso, ss).ServeHTTP(rec, cb)
	if rec.Code != status {
		t.Fatalf("callback status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if status != http.StatusFound && ss.n != 0 {
		t.Fatal("a session was opened")
	}
	return rec, ss
}

// startFlow runs /sso/start and the provider's authorization, and returns
// the callback request the browser would send, with its cookie.
func startFlow(t *testing.T, sso *oauth.SSO) *http.Request {
	t.Helper()
	rec := httptest.NewRecorder()
	oauth.SSOStartHandler(sso).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://socle.test/sso/start", nil))
	if rec.Code != http.StatusFound {
		t.Fatalf("start: %d", rec.Code)
	}
	authorize := rec.Header().Get("Location")
	u, _ := url.Parse(authorize)
	if u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("nonce") == "" || u.Query().Get("state") == "" {
		t.Fatalf("authorization request lacks PKCE, nonce or state: %s", authorize)
	}
	cb, err := oidctest.Authorize(authorize, rec.Result().Cookies())
	if err != nil {
		t.Fatal(err)
	}
	return cb
}
