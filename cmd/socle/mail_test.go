package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	demoAdmin     = regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+TOTP (\S+)\s+Administrateur,`)
	formCSRF      = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	demoEnrolLink = regexp.MustCompile(`/enrolement\?jeton=[A-Za-z0-9_-]+`)
)

// pageClient is a cookie-keeping HTTP client that does not follow
// redirects, for the demo's pages.
type pageClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newPageClient(t *testing.T, base string) *pageClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &pageClient{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// form loads path and returns the CSRF token of its first form.
func (p *pageClient) form(path string) string {
	p.t.Helper()
	resp, err := p.c.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formCSRF.FindSubmatch(body)
	if m == nil {
		p.t.Fatalf("GET /%s: %d, no form", path, resp.StatusCode)
	}
	return string(m[1])
}

func (p *pageClient) post(path string, v url.Values) (int, string) {
	p.t.Helper()
	resp, err := p.c.PostForm(p.base+path, v)
	if err != nil {
		p.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(body)
}

// waitFor waits until re matches out more than n times.
func waitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if len(re.FindAllString(out.String(), -1)) > n {
			return
		}
	}
	t.Fatalf("%s never printed:\n%s", re, out)
}

// TestDemoServerLogHoldsNoLink runs `serve --demo`, has an administrator
// create an agent and a person ask for her sign-in link: the page that
// creates the agent does not show the activation link, the demo prints
// both mails on its terminal, and the server's log holds no token.
func TestDemoServerLogHoldsNoLink(t *testing.T) {
	logs := &syncBuffer{}
	base, out := startServerLogging(t, logs, "--demo", "--demo-persons", "50", "--data", t.TempDir())
	m := demoAdmin.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no demo administrator printed:\n%s", out)
	}
	staff := newPageClient(t, base)
	if code, _ := staff.post("connexion", url.Values{"csrf": {staff.form("connexion")}, "email": {m[1]}, "password": {demoPassword}}); code != http.StatusSeeOther {
		t.Fatalf("password: %d", code)
	}
	if code, _ := staff.post("second-facteur", url.Values{"csrf": {staff.form("second-facteur")}, "code": {totpCode(t, m[2])}}); code != http.StatusSeeOther {
		t.Fatalf("second factor: %d", code)
	}
	printed := len(demoEnrolLink.FindAllString(out.String(), -1))
	code, page := staff.post("agents", url.Values{"csrf": {staff.form("agents")}, "given_name": {"Noé"}, "family_name": {"Nouveau"},
		"email": {"noe.nouveau@demo.invalid"}, "roles": {"conseiller"}})
	if code != http.StatusCreated || strings.Contains(page, "jeton=") {
		t.Fatalf("creating an agent: %d; the page shows the link: %v", code, strings.Contains(page, "jeton="))
	}
	waitFor(t, out, demoEnrolLink, printed)

	email := demoPersonEmail.FindStringSubmatch(out.String())
	if email == nil {
		t.Fatalf("no demo person printed:\n%s", out)
	}
	person := newPageClient(t, base)
	printed = len(demoLink.FindAllString(out.String(), -1))
	if code, _ := person.post("usager/lien", url.Values{"csrf": {person.form("usager")}, "email": {email[1]}}); code >= 400 {
		t.Fatalf("link request: %d", code)
	}
	waitFor(t, out, demoLink, printed)

	if l := logs.String(); strings.Contains(l, "jeton") || !strings.Contains(l, "demo mailer") {
		t.Fatalf("the server log holds a link, or does not say mails are the demo's:\n%s", l)
	}
}
