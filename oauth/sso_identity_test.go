package oauth_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"socle"
	"socle/identity"
	"socle/internal/oidctest"
	"socle/oauth"
)

// TestSSOOpensIdentitySessions runs the whole single sign-on, /sso/start →
// provider → /sso/callback, into the real identity service: the session it
// opens is first-factor only without the provider's MFA, full with it, and
// replaces the session the browser carried.
func TestSSOOpensIdentitySessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	agent := &socle.Agent{OrganisationID: e.org.ID, Email: "claire.martin@tremplin.example", GivenName: "Claire", FamilyName: "Martin", Roles: []socle.Role{socle.RoleAdviser}}
	if err := e.db.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	ids, err := identity.New(e.db, e.audit, nil, slog.New(slog.NewTextHandler(io.Discard, nil)),
		identity.Config{Password: identity.Params{MemoryKiB: 64, Time: 1, Threads: 1}, BaseURL: "https://socle.test"})
	if err != nil {
		t.Fatal(err)
	}
	op := oidctest.New("socle", "op-secret", redirectURL)
	t.Cleanup(op.Close)
	sso, err := oauth.NewSSO(ctx, oauth.SSOConfig{Issuer: op.URL, ClientID: "socle", ClientSecret: "op-secret", RedirectURL: redirectURL}, e.db, e.audit)
	if err != nil {
		t.Fatal(err)
	}

	// signIn runs the flow with the browser carrying previous (if any) and
	// returns the new session cookie and where the callback sends the agent.
	signIn := func(amr []string, previous *http.Cookie) (*http.Cookie, string) {
		t.Helper()
		op.SignIn(oidctest.User{Subject: "u1", Email: agent.Email, EmailVerified: true, AMR: amr})
		cb := startFlow(t, sso)
		if previous != nil {
			cb.AddCookie(previous)
		}
		rec := httptest.NewRecorder()
		oauth.SSOCallbackHandler(sso, ids).ServeHTTP(rec, cb)
		if rec.Code != http.StatusFound {
			t.Fatalf("callback: %d %s", rec.Code, rec.Body)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == ids.CookieName() && c.Value != "" {
				return c, rec.Header().Get("Location")
			}
		}
		t.Fatal("the callback set no session cookie")
		return nil, ""
	}
	actor := func(c *http.Cookie) socle.Actor {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "https://socle.test/", nil)
		r.AddCookie(c)
		act, err := ids.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		return act
	}

	first, next := signIn([]string{"pwd"}, nil)
	if act := actor(first); act.AgentID != agent.ID || act.Strength != socle.AuthPassword {
		t.Fatalf("SSO without MFA: %+v, want the agent at AuthPassword", act)
	}
	if next != oauth.SecondFactorPath {
		t.Errorf("SSO without MFA sends to %q, want the second factor", next)
	}

	full, next := signIn([]string{"pwd", "mfa"}, first)
	if act := actor(full); act.AgentID != agent.ID || act.Strength != socle.AuthMFA {
		t.Fatalf("SSO with MFA: %+v, want the agent at AuthMFA", act)
	}
	if next != oauth.AfterSSO {
		t.Errorf("SSO with MFA sends to %q", next)
	}
	if act := actor(first); act.Authenticated() {
		t.Fatal("the session the browser carried survived the SSO login")
	}
}
