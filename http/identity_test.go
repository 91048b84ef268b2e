package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/http/httpx"
	"socle/http/web"
	"socle/identity"
	"socle/internal/stacktest"
)

type identityEnv struct {
	t      *testing.T
	srv    *httptest.Server
	svc    *identity.Service
	agent  *socle.Agent
	admin  *socle.Agent
	secret map[string]string
	now    time.Time
	mail   *recordingMailer
}

const testPassword = "correct cheval agrafe batterie"

func newIdentityEnv(t *testing.T) *identityEnv {
	t.Helper()
	ctx := context.Background()
	st, _ := stacktest.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mail := &recordingMailer{}
	svc := newIdentity(t, st, &stacktest.Recorder{}, mail, logger)
	e := &identityEnv{t: t, svc: svc, mail: mail, secret: map[string]string{}, now: time.Now()}
	svc.Now = func() time.Time { return e.now }
	org := &socle.Organisation{Kind: socle.KindYouth, Name: "Mission Locale de Lyon", Departements: []string{"69"}}
	if err := st.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	mk := func(email string, roles ...socle.Role) *socle.Agent {
		a := &socle.Agent{OrganisationID: org.ID, Email: email, GivenName: "Camille", FamilyName: "Martin", Roles: roles}
		if err := st.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		secret, err := svc.SetupDemoAgent(ctx, a.ID, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		e.secret[a.ID] = secret
		return a
	}
	e.agent = mk("camille@ml-lyon.fr", socle.RoleAdviser)
	e.admin = mk("admin@ml-lyon.fr", socle.RoleOrgAdmin)
	// The pages alone, with a home page that tells the session's strength.
	mux := http.NewServeMux()
	web.New("", web.Services{Directory: st, Identity: svc}).Routes(func(pattern string, h http.Handler) {
		if pattern != "GET /{$}" {
			mux.Handle(pattern, h)
		}
	})
	mux.Handle("GET /{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := httpx.ActorFrom(r.Context())
		io.WriteString(w, "strength="+string(rune('0'+a.Strength)))
	}))
	e.srv = httptest.NewServer(httpx.Authenticate(svc, mux))
	t.Cleanup(e.srv.Close)
	return e
}

// browser is a client with its own cookie jar that does not follow redirects.
// agentBrowser is an agent's browser on the pages of identityEnv.
type agentBrowser struct {
	*browser
	e *identityEnv
}

func (e *identityEnv) browser() *agentBrowser {
	return &agentBrowser{browser: newBrowser(e.t, e.srv.URL), e: e}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfToken returns the CSRF token of the first form of body, the page
// at path.
func csrfToken(t testing.TB, path, body string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in %s:\n%s", path, body)
	}
	return m[1]
}

func (b *agentBrowser) sessionCookie() string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == b.e.svc.CookieName() {
			return c.Value
		}
	}
	return ""
}

// login passes both factors through the pages.
func (b *agentBrowser) login(a *socle.Agent) {
	b.t.Helper()
	tok := b.csrf("/connexion")
	resp, _ := b.post("/connexion", url.Values{"csrf": {tok}, "email": {a.Email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/second-facteur" {
		b.t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.e.now = b.e.now.Add(30 * time.Second)
	code, _ := totp.GenerateCode(b.e.secret[a.ID], b.e.now)
	tok = b.csrf("/second-facteur")
	resp, _ = b.post("/second-facteur", url.Values{"csrf": {tok}, "code": {code}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		b.t.Fatalf("second factor: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestHTTPLoginFlowAndCookie(t *testing.T) {
	e := newIdentityEnv(t)
	b := e.browser()
	tok := b.csrf("/connexion")
	resp, err := b.c.PostForm(e.srv.URL+"/connexion", url.Values{"csrf": {tok}, "email": {e.agent.Email}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "socle_session" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || len(sc.Value) < 43 {
		t.Fatalf("session cookie = %+v", sc)
	}
	if _, body := b.get("/"); body != "strength=1" {
		t.Fatalf("after the password: %q, want AuthPassword", body)
	}
	passwordSession := b.sessionCookie()
	b.e.now = b.e.now.Add(30 * time.Second)
	code, _ := totp.GenerateCode(e.secret[e.agent.ID], e.now)
	b.post("/second-facteur", url.Values{"csrf": {b.csrf("/second-facteur")}, "code": {code}})
	if _, body := b.get("/"); body != "strength=3" {
		t.Fatalf("after the second factor: %q, want AuthMFA", body)
	}
	if b.sessionCookie() == passwordSession {
		t.Fatal("the session id did not change at the second factor")
	}
}

func TestHTTPCSRF(t *testing.T) {
	e := newIdentityEnv(t)
	b := e.browser()
	b.login(e.admin)
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"missing", url.Values{}},
		{"invalid", url.Values{"csrf": {"forged"}}},
	} {
		for _, path := range []string{"/sessions/toutes/fermer", "/agents/" + e.agent.ID + "/desactiver", "/deconnexion"} {
			if resp, _ := b.post(path, tc.form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s token on %s: %d, want 403", tc.name, path, resp.StatusCode)
			}
		}
	}
	// The login form is protected too, before any session.
	anon := e.browser()
	anon.csrf("/connexion")
	if resp, _ := anon.post("/connexion", url.Values{"email": {e.agent.Email}, "password": {testPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", resp.StatusCode)
	}
	// Another browser's token is worth nothing here.
	other := e.browser()
	if resp, _ := anon.post("/connexion", url.Values{"csrf": {other.csrf("/connexion")}, "email": {e.agent.Email}, "password": {testPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with another browser's token: %d, want 403", resp.StatusCode)
	}
}

func TestHTTPDisabledAgentSession(t *testing.T) {
	e := newIdentityEnv(t)
	agent, admin := e.browser(), e.browser()
	agent.login(e.agent)
	admin.login(e.admin)
	if resp, _ := agent.get("/sessions"); resp.StatusCode != http.StatusOK {
		t.Fatalf("sessions page: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/agents/"+e.agent.ID+"/desactiver", url.Values{"csrf": {admin.csrf("/agents")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := agent.get("/sessions"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled agent's session: %d, want 401", resp.StatusCode)
	}
}

func TestHTTPPagesRender(t *testing.T) {
	e := newIdentityEnv(t)
	b := e.browser()
	for _, p := range []string{"/connexion", "/recuperation"} {
		if resp, body := b.get(p); resp.StatusCode != http.StatusOK || !strings.Contains(body, `lang="fr"`) {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	b.login(e.admin)
	for _, p := range []string{"/sessions", "/agents", "/recuperation", "/demandes"} {
		if resp, _ := b.get(p); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

func TestHTTPWebAuthnBegin(t *testing.T) {
	e := newIdentityEnv(t)
	b := e.browser()
	b.login(e.agent)
	tok := b.csrf("/sessions")
	call := func(path, csrf string) int {
		req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := call("/webauthn/enregistrement/debut", tok); code != http.StatusOK {
		t.Fatalf("registration options in an MFA session: %d", code)
	}
	if code := call("/webauthn/enregistrement/debut", ""); code != http.StatusForbidden {
		t.Fatalf("without CSRF token: %d, want 403", code)
	}
	if code := call("/webauthn/enregistrement/fin", tok); code != http.StatusBadRequest {
		t.Fatalf("a forged attestation: %d, want 400", code)
	}
}

var (
	activationLink = regexp.MustCompile(`/enrolement\?jeton=([A-Za-z0-9_-]+)`)
	secretInput    = regexp.MustCompile(`saisissez cette clé : <code>([A-Z2-7]+)</code>`)
)

// TestHTTPActivationLinkNeverShownToItsCreator: the page that creates an
// account says the link was mailed without showing it, and the link does
// not activate the account in the creator's own signed-in browser.
func TestHTTPActivationLinkNeverShownToItsCreator(t *testing.T) {
	e := newIdentityEnv(t)
	admin := e.browser()
	admin.login(e.admin)
	resp, body := admin.post("/agents", url.Values{"csrf": {admin.csrf("/agents")}, "given_name": {"Noé"}, "family_name": {"Nouveau"},
		"email": {"noe.nouveau@ml-lyon.fr"}, "roles": {string(socle.RoleAdviser)}})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "envoyé par courriel") {
		t.Fatalf("creating an agent: %d", resp.StatusCode)
	}
	if strings.Contains(body, "jeton=") {
		t.Fatal("the activation link is shown to the administrator who created the account")
	}
	e.mail.mu.Lock()
	m := activationLink.FindStringSubmatch(e.mail.buf.String())
	e.mail.mu.Unlock()
	if m == nil {
		t.Fatal("no activation link mailed")
	}
	resp, page := admin.get("/enrolement?jeton=" + m[1])
	sm := secretInput.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || sm == nil {
		t.Fatalf("enrolment page: %d", resp.StatusCode)
	}
	totpCode, _ := totp.GenerateCode(sm[1], e.now)
	resp, _ = admin.post("/enrolement", url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]}, "jeton": {m[1]}, "code": {totpCode}, "password": {testPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("activation in the creator's signed-in browser: %d, want 403", resp.StatusCode)
	}
	// The agent herself, in her own browser, activates it.
	own := e.browser()
	_, page = own.get("/enrolement?jeton=" + m[1])
	secret := secretInput.FindStringSubmatch(page)[1]
	totpCode, _ = totp.GenerateCode(secret, e.now)
	resp, _ = own.post("/enrolement", url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]}, "jeton": {m[1]}, "code": {totpCode}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("activation by the agent: %d", resp.StatusCode)
	}
}

// TestHTTPSensitiveRoleWaitsInTheQueue: granting the gestionnaire role
// through the agents page changes nothing yet and lists the request on
// the page of requests to approve, where it can be refused.
func TestHTTPSensitiveRoleWaitsInTheQueue(t *testing.T) {
	e := newIdentityEnv(t)
	admin := e.browser()
	admin.login(e.admin)
	resp, _ := admin.post("/agents/"+e.agent.ID+"/roles", url.Values{"csrf": {admin.csrf("/agents")}, "roles": {string(socle.RoleAdviser), string(socle.RoleContractManager)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/demandes" {
		t.Fatalf("granting gestionnaire: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := admin.get("/demandes")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Gestionnaire") || !strings.Contains(page, "/refuser") {
		t.Fatalf("queue page: %d", resp.StatusCode)
	}
	action := regexp.MustCompile(`action="(/demandes/[^"]+/refuser)"`).FindStringSubmatch(page)
	if resp, _ := admin.post(action[1], url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refusing: %d", resp.StatusCode)
	}
	if _, page := admin.get("/demandes"); !strings.Contains(page, "Aucune demande en attente") {
		t.Fatal("the refused request is still listed")
	}
	if _, page := admin.get("/agents"); strings.Contains(page, `value="gestionnaire" checked`) {
		t.Fatal("the role applied without a second administrator")
	}
}
