package identity_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"socle"
)

// ssoLogin opens an SSO session in a browser that carries previous (if not
// "") and returns the new session token.
func (e *env) ssoLogin(a *socle.Agent, mfa bool, previous string) (string, error) {
	e.t.Helper()
	r := httptest.NewRequest("GET", "/sso/callback", nil)
	if previous != "" {
		r.AddCookie(e.svc.SessionCookie(previous))
	}
	w := httptest.NewRecorder()
	if err := e.svc.StartSSOSession(w, r, a.ID, mfa); err != nil {
		return "", err
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == e.svc.CookieName() && c.Value != "" {
			return c.Value, nil
		}
	}
	e.t.Fatal("StartSSOSession set no session cookie")
	return "", nil
}

func TestSSOSessionStrength(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	ctx := context.Background()

	// Without the provider's second factor: first factor only, TOTP next.
	tok, err := e.ssoLogin(a, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if act := e.actor(tok); act.Strength != socle.AuthPassword || act.AgentID != a.ID {
		t.Fatalf("SSO without MFA: actor %+v, want AuthPassword", act)
	}
	e.now = e.now.Add(30 * time.Second)
	full, err := e.svc.VerifyTOTP(ctx, tok, e.code(a), client)
	if err != nil {
		t.Fatalf("TOTP after SSO: %v", err)
	}
	if act := e.actor(full); act.Strength != socle.AuthMFA {
		t.Fatalf("after TOTP: strength %v, want AuthMFA", act.Strength)
	}
	if e.authed(tok) {
		t.Fatal("the first-factor SSO session survived the second factor")
	}

	// With the provider's second factor: a full session at once, and the
	// session the browser carried before is dropped.
	tok2, err := e.ssoLogin(a, true, full)
	if err != nil {
		t.Fatal(err)
	}
	if tok2 == full {
		t.Fatal("SSO kept the previous session id")
	}
	if act := e.actor(tok2); act.Strength != socle.AuthMFA {
		t.Fatalf("SSO with MFA: strength %v, want AuthMFA", act.Strength)
	}
	if e.authed(full) {
		t.Fatal("the previous session is still alive after the SSO login")
	}

	// A disabled agent gets no session.
	admin := e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin)
	_, adminActor := e.login(admin)
	if err := e.svc.SetDisabled(ctx, adminActor, a.ID, true, client); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ssoLogin(a, true, ""); code(err) != socle.EFORBIDDEN {
		t.Fatalf("SSO for a disabled agent: %v, want EFORBIDDEN", err)
	}
}
