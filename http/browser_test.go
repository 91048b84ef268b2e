package http

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/identity"
)

// This file holds what the tests of the pages and the API share to act as
// a browser: the browser type, its client, the identity service that
// signs it in, and the reading of an answer.

// browser is a test client that acts as a browser on one server: its own
// cookies, no redirect followed (the tests check where one leads), every
// answer read whole.
type browser struct {
	t    testing.TB
	c    *http.Client
	base string // the server's URL, put before every path
}

func newBrowser(t testing.TB, base string) *browser {
	return &browser{t: t, base: base, c: browserClient()}
}

// browserClient is the client of a browser: its own cookies, no redirect
// followed.
func browserClient() *http.Client {
	return &http.Client{Jar: newJar(), CheckRedirect: stopRedirects}
}

// cheapPasswords make the tests' password hashes fast.
var cheapPasswords = identity.Params{MemoryKiB: 64, Time: 1, Threads: 1}

// newIdentity is the identity service (sign-in, sessions, forms) of a test
// server, with cheap password hashes.
func newIdentity(t testing.TB, store identity.Store, auditor socle.Auditor, mailer identity.Mailer, logger *slog.Logger) *identity.Service {
	t.Helper()
	ids, err := identity.New(store, auditor, mailer, logger, identity.Config{Password: cheapPasswords})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// stopRedirects makes a client return a redirect as it is.
func stopRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newJar() *cookiejar.Jar {
	j, err := cookiejar.New(nil)
	if err != nil {
		panic(err)
	}
	return j
}

// get loads path, or an absolute URL, and returns the answer and its body.
func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = b.base + path
	}
	return b.read(b.c.Get(path))
}

// post sends form to path and returns the answer and its body.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	return b.read(b.c.PostForm(b.base+path, form))
}

// csrf loads path and returns the CSRF token of its first form.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	_, body := b.get(path)
	return csrfToken(b.t, path, body)
}

// read returns resp with its body, read and closed; err, from the call
// that gave resp, fails the test.
func (b *browser) read(resp *http.Response, err error) (*http.Response, string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, readBody(b.t, resp)
}

// readBody reads and closes the body of resp.
func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// sendWithCookies sends a request to u with c, form as its body when set,
// and the cookies the test chooses (a cookie jar would also keep the
// Secure __Host- cookies off the test server's plain HTTP). The body
// closes when the test ends.
func sendWithCookies(t testing.TB, c *http.Client, method, u string, form url.Values, cookies []*http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
