package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/internal/oidctest"
	"socle/oauth"
)

const postLogoutURL = "https://socle.test" + oauth.SSOLogoutReturnPath

func siret(prefix string) string { return prefix + string(socle.SIRETKey(prefix)) }

// TestProConnect signs agents in through a provider that behaves like
// ProConnect: claims only in the signed userinfo JWT, no email_verified,
// an acr only when asked, the SIRET of the chosen establishment.
func TestProConnect(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	org := &socle.Organisation{Kind: socle.KindYouth, Name: "Mission Locale de Lyon", SIRET: siret("7828293200007"), Departements: []string{"69"}}
	noSIRET := &socle.Organisation{Kind: socle.KindPartner, Name: "Sans SIRET", Departements: []string{"69"}}
	for _, o := range []*socle.Organisation{org, noSIRET} {
		if err := e.db.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	newAgent := func(orgID, email string, disabled bool) *socle.Agent {
		a := &socle.Agent{OrganisationID: orgID, Email: email, GivenName: "Claire", FamilyName: "Martin", Roles: []socle.Role{socle.RoleAdviser}, Disabled: disabled}
		if err := e.db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	claire := newAgent(org.ID, "claire.martin@ml-lyon.fr", false)
	orphan := newAgent(noSIRET.ID, "orphan@sans-siret.fr", false)
	gone := newAgent(org.ID, "parti@ml-lyon.fr", true)

	op, sso := newProConnect(t, e)
	agentUser := func(sub, email, siret, acr string) oidctest.User {
		return oidctest.User{Subject: sub, Email: email, GivenName: "Claire", UsualName: "Martin", UID: "42", SIRET: siret, IdPID: "idp-ml", ACR: acr}
	}
	tests := []struct {
		name     string
		user     oidctest.User
		status   int
		location string
		mfa      bool
		agent    *socle.Agent
		message  string
		unsigned bool
	}{
		{name: "eidas1 only: our second factor", user: agentUser("pc-claire", "claire.martin@ml-lyon.fr", org.SIRET, "eidas1"), status: 302, location: oauth.SecondFactorPath, agent: claire},
		{name: "no acr: our second factor", user: agentUser("pc-claire", "claire.martin@ml-lyon.fr", org.SIRET, ""), status: 302, location: oauth.SecondFactorPath, agent: claire},
		{name: "eidas2 proves the second factor", user: agentUser("pc-claire", "claire.martin@ml-lyon.fr", org.SIRET, "eidas2"), status: 302, location: oauth.AfterSSO, mfa: true, agent: claire},
		// Linked at the first login: the subject is enough even though the
		// federation now reports another address.
		{name: "later logins match on the subject", user: agentUser("pc-claire", "claire@nouvelle-adresse.fr", org.SIRET, "eidas3"), status: 302, location: oauth.AfterSSO, mfa: true, agent: claire},
		{name: "another establishment's SIRET", user: agentUser("pc-claire", "claire.martin@ml-lyon.fr", siret("1234567800001"), "eidas2"), status: 403, message: "SIRET"},
		{name: "an organisation without SIRET", user: agentUser("pc-orphan", orphan.Email, siret("1234567800001"), "eidas2"), status: 403, message: "SIRET"},
		{name: "a subject and an e-mail Socle does not know", user: agentUser("pc-x", "inconnu@ml-lyon.fr", org.SIRET, "eidas2"), status: 401},
		{name: "a disabled agent", user: agentUser("pc-gone", gone.Email, org.SIRET, "eidas2"), status: 403, message: "désactivé"},
		{name: "no SIRET claim", user: agentUser("pc-y", claire.Email, "", "eidas2"), status: 401},
		{name: "an unsigned userinfo", user: agentUser("pc-newcomer", claire.Email, org.SIRET, "eidas2"), status: 401, unsigned: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op.SignIn(tt.user)
			op.AnswerUnsigned(tt.unsigned)
			cb := startFlow(t, sso)
			if got := op.ACRAsked(); got != "eidas2 eidas3" {
				t.Fatalf("acr_values asked %q, want the configured MFA levels", got)
			}
			rec, ss := callback(t, sso, cb, tt.status)
			if tt.status != 302 {
				if !strings.Contains(rec.Body.String(), tt.message) {
					t.Errorf("page %q does not say %q", rec.Body, tt.message)
				}
				return
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("redirect to %q, want %q", got, tt.location)
			}
			if ss.n != 1 || ss.agentID != tt.agent.ID || ss.mfa != tt.mfa {
				t.Errorf("session %+v, want agent %s mfa %v", ss, tt.agent.ID, tt.mfa)
			}
		})
	}
	link, err := e.db.FederationLink(ctx, op.URL, "pc-claire")
	if err != nil || link.AgentID != claire.ID {
		t.Errorf("federation link %+v, %v; want Claire", link, err)
	}
	if _, err := e.db.FederationLink(ctx, op.URL, "pc-orphan"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("a refused login was linked: %v", err)
	}
	if n := e.audit.count("sso_login", false); n != 6 {
		t.Errorf("%d refused sso_login events, want 6", n)
	}
}

// newProConnect starts a provider that behaves like ProConnect and Socle's
// SSO against it.
func newProConnect(t *testing.T, e *env) (*oidctest.Provider, *oauth.SSO) {
	t.Helper()
	op := oidctest.NewFederation(oidctest.ProConnect, "socle", "op-secret", redirectURL, postLogoutURL)
	t.Cleanup(op.Close)
	sso, err := oauth.NewSSO(context.Background(), oauth.SSOConfig{Kind: oauth.SSOProConnect, Issuer: op.URL, ClientID: "socle", ClientSecret: "op-secret",
		RedirectURL: redirectURL, PostLogoutRedirectURL: postLogoutURL}, e.db, e.audit)
	if err != nil {
		t.Fatal(err)
	}
	return op, sso
}

// TestGenericProviderStillNeedsAVerifiedEmail: the ProConnect mode does not
// relax the generic one.
func TestGenericProviderStillNeedsAVerifiedEmail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	agent := &socle.Agent{OrganisationID: e.org.ID, Email: "claire@tremplin.example", GivenName: "Claire", FamilyName: "Martin", Roles: []socle.Role{socle.RoleAdviser}}
	if err := e.db.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	op := oidctest.New("socle", "op-secret", redirectURL)
	t.Cleanup(op.Close)
	sso, err := oauth.NewSSO(ctx, oauth.SSOConfig{Kind: oauth.SSOGeneric, Issuer: op.URL, ClientID: "socle", ClientSecret: "op-secret", RedirectURL: redirectURL}, e.db, e.audit)
	if err != nil {
		t.Fatal(err)
	}
	for _, verified := range []bool{false, true} {
		op.SignIn(oidctest.User{Subject: "u1", Email: agent.Email, EmailVerified: verified, AMR: []string{"mfa"}})
		rec := httptest.NewRecorder()
		oauth.SSOCallbackHandler(sso, &sessions{}).ServeHTTP(rec, startFlow(t, sso))
		if want := map[bool]int{false: 401, true: 302}[verified]; rec.Code != want {
			t.Errorf("email_verified %v: status %d, want %d", verified, rec.Code, want)
		}
	}
}

// TestProConnectLogout ends the session at the federation: Socle sends the
// ID token as hint, a state and its registered return address, and
// accepts the return only with that state.
func TestProConnectLogout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	org := &socle.Organisation{Kind: socle.KindYouth, Name: "Mission Locale de Lyon", SIRET: siret("7828293200007"), Departements: []string{"69"}}
	if err := e.db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	agent := &socle.Agent{OrganisationID: org.ID, Email: "claire@ml-lyon.fr", GivenName: "Claire", FamilyName: "Martin", Roles: []socle.Role{socle.RoleAdviser}}
	if err := e.db.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	op, sso := newProConnect(t, e)
	op.SignIn(oidctest.User{Subject: "pc-1", Email: agent.Email, SIRET: org.SIRET, ACR: "eidas2"})
	rec := httptest.NewRecorder()
	oauth.SSOCallbackHandler(sso, &sessions{}).ServeHTTP(rec, startFlow(t, sso))
	if rec.Code != http.StatusFound {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	logout := httptest.NewRequest(http.MethodPost, "https://socle.test/deconnexion", nil)
	for _, c := range rec.Result().Cookies() {
		logout.AddCookie(c)
	}
	out := httptest.NewRecorder()
	end, ok := sso.LogoutURL(out, logout)
	if !ok {
		t.Fatal("no logout at the federation after a ProConnect login")
	}
	if u, _ := url.Parse(end); u.Query().Get("id_token_hint") == "" || u.Query().Get("post_logout_redirect_uri") != postLogoutURL {
		t.Fatalf("end_session request lacks the hint or the return address: %s", end)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(end)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || op.LoggedOut() != 1 {
		t.Fatalf("the federation refused the logout: %d", resp.StatusCode)
	}
	back := resp.Header.Get("Location")
	tests := []struct {
		name    string
		url     string
		cookies bool
		status  int
	}{
		{name: "another state", url: postLogoutURL + "?state=forged", cookies: true, status: 400},
		{name: "no logout started here", url: back, status: 400},
		{name: "the federation's return", url: back, cookies: true, status: 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.url, nil)
			if tt.cookies {
				for _, c := range out.Result().Cookies() {
					r.AddCookie(c)
				}
			}
			rec := httptest.NewRecorder()
			oauth.SSOLogoutReturnHandler(sso).ServeHTTP(rec, r)
			if rec.Code != tt.status {
				t.Fatalf("return: %d, want %d", rec.Code, tt.status)
			}
			if tt.status == 302 && rec.Header().Get("Location") != oauth.AfterLogout {
				t.Errorf("return lands on %q", rec.Header().Get("Location"))
			}
		})
	}
	// The ID token is forgotten: a second logout does not go to the
	// federation.
	again := httptest.NewRequest(http.MethodPost, "https://socle.test/deconnexion", nil)
	for _, c := range out.Result().Cookies() {
		again.AddCookie(c)
	}
	if _, ok := sso.LogoutURL(httptest.NewRecorder(), again); ok {
		t.Error("the ID token survived the logout")
	}
}
