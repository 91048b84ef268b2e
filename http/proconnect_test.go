package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/internal/oidctest"
	"socle/internal/stacktest"
	"socle/oauth"
	"socle/store/storetest"
)

// TestProConnectLogoutAtTheFederation signs an agent in through a provider
// that behaves like ProConnect, then logs her out: Socle's session ends and
// the browser goes to the federation's end_session_endpoint, whose return
// is accepted with the state Socle kept.
func TestProConnectLogoutAtTheFederation(t *testing.T) {
	ctx := context.Background()
	st, _ := stacktest.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ids := newIdentity(t, st, &stacktest.Recorder{}, nil, logger)
	org := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	org.SIRET = storetest.SIRET(1)
	if err := st.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	agent := storetest.NewAgent(org.ID, "claire@ml-lyon.fr")
	if err := st.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	op := oidctest.NewFederation(oidctest.ProConnect, "socle", "pc-secret", srv.URL+"/sso/callback", srv.URL+oauth.SSOLogoutReturnPath)
	t.Cleanup(op.Close)
	sso, err := oauth.NewSSO(ctx, oauth.SSOConfig{Kind: oauth.SSOProConnect, Issuer: op.URL, ClientID: "socle", ClientSecret: "pc-secret",
		RedirectURL: srv.URL + "/sso/callback", PostLogoutRedirectURL: srv.URL + oauth.SSOLogoutReturnPath}, st, &stacktest.Recorder{})
	if err != nil {
		t.Fatal(err)
	}
	h = NewServer(logger, Config{}, Services{Directory: st, Identity: ids, SSO: sso, Auth: FirstOf(ids)})

	// The browser: cookies by name, sent over plain HTTP too (the test
	// server is not TLS, the __Host- cookies are Secure).
	jar := map[string]*http.Cookie{}
	client := &http.Client{CheckRedirect: stopRedirects}
	do := func(method, u string, form url.Values) *http.Response {
		t.Helper()
		var cookies []*http.Cookie
		if strings.HasPrefix(u, srv.URL) {
			for _, c := range jar {
				cookies = append(cookies, c)
			}
		}
		resp := sendWithCookies(t, client, method, u, form, cookies)
		for _, c := range resp.Cookies() {
			if c.MaxAge < 0 || c.Value == "" {
				delete(jar, c.Name)
			} else {
				jar[c.Name] = &http.Cookie{Name: c.Name, Value: c.Value}
			}
		}
		return resp
	}
	follow := func(resp *http.Response) *http.Response {
		t.Helper()
		return do(http.MethodGet, resp.Header.Get("Location"), nil)
	}

	op.SignIn(oidctest.User{Subject: "pc-claire", Email: agent.Email, SIRET: org.SIRET, ACR: "eidas2"})
	back := follow(follow(do(http.MethodGet, srv.URL+"/sso/start", nil)))
	if back.StatusCode != http.StatusFound || back.Header.Get("Location") != oauth.AfterSSO {
		t.Fatalf("ProConnect login: %d to %q", back.StatusCode, back.Header.Get("Location"))
	}
	page, _ := io.ReadAll(do(http.MethodGet, srv.URL+"/sessions", nil).Body)
	m := csrfInput.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("no CSRF token on the sessions page: %s", page)
	}
	out := do(http.MethodPost, srv.URL+"/deconnexion", url.Values{"csrf": {m[1]}})
	end, _ := url.Parse(out.Header.Get("Location"))
	if out.StatusCode != http.StatusSeeOther || !strings.HasPrefix(end.String(), op.URL+"/end_session") || end.Query().Get("id_token_hint") == "" {
		t.Fatalf("logout sends to %d %q, want the federation's end_session with the hint", out.StatusCode, end)
	}
	if resp := do(http.MethodGet, srv.URL+"/sessions", nil); resp.StatusCode == http.StatusOK {
		t.Fatalf("Socle's session survived the logout: %d", resp.StatusCode)
	}
	home := follow(follow(out))
	if home.StatusCode != http.StatusFound || home.Header.Get("Location") != oauth.AfterLogout || op.LoggedOut() != 1 {
		t.Fatalf("return from the federation: %d to %q (%d logouts there)", home.StatusCode, home.Header.Get("Location"), op.LoggedOut())
	}
}
