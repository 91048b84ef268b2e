package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"socle/oauth"
)

// TestTokenEndpointIsRateLimited: /oauth/token had no limit, so a client
// secret or a key could be guessed at network speed. Requests are now
// counted per client id they name (before any credential is checked) and
// per remote address; beyond the limit the answer is 429 with Retry-After,
// until the window ends.
func TestTokenEndpointIsRateLimited(t *testing.T) {
	e := newEnvWith(t, func(c *oauth.Config) {
		c.TokenRateWindow, c.TokenRequestsPerClient, c.TokenRequestsPerAddress = time.Minute, 3, 6
	})
	sc, secret := e.secretClient(t, "accompagnement:read")
	other, otherSecret := e.secretClient(t, "accompagnement:read")
	form := func() url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}}
	}
	for i := range 3 {
		if r := e.post(t, "/oauth/token", form(), sc.ID, "a wrong secret"); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %v, want 401", i, r.status, r.body)
		}
	}
	// The fourth request naming the client is refused, the right secret too.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth/token", strings.NewReader(form().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(sc.ID), url.QueryEscape(secret))
	r, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "60" {
		t.Fatalf("beyond the client's limit: %d, Retry-After %q; want 429 and 60", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// Another client from the same address still gets its token, until
	// the address's limit.
	if r := e.post(t, "/oauth/token", form(), other.ID, otherSecret); r.status != http.StatusOK {
		t.Fatalf("another client: %d %v", r.status, r.body)
	}
	if r := e.post(t, "/oauth/token", form(), other.ID, otherSecret); r.status != http.StatusOK {
		t.Fatalf("another client, again: %d %v", r.status, r.body)
	}
	if r := e.post(t, "/oauth/token", form(), other.ID, otherSecret); r.status != http.StatusTooManyRequests {
		t.Fatalf("beyond the address's limit: %d %v, want 429", r.status, r.body)
	}
	// The refusals are audited; after the window the client gets its token.
	if n := e.audit.count("token_denied", false); n < 5 {
		t.Errorf("%d refusals audited, want every one", n)
	}
	e.clock.Advance(time.Minute + time.Second)
	if r := e.post(t, "/oauth/token", form(), sc.ID, secret); r.status != http.StatusOK {
		t.Fatalf("after the window: %d %v", r.status, r.body)
	}
}
