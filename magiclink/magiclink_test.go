package magiclink

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"socle"
)

func TestNewToken(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if hash != Hash(tok) || hash == tok || !Plausible(tok) {
		t.Fatalf("token %q hash %q: want the hash of the token, distinct from it", tok, hash)
	}
	if Plausible("") || Plausible(strings.Repeat("a", 101)) {
		t.Error("empty or overlong tokens must not be looked up")
	}
}

func TestLimitsAllow(t *testing.T) {
	counts := map[string]int{}
	hit := func(_ context.Context, key string, _ time.Time, _ time.Duration) (int, error) {
		counts[key]++
		return counts[key], nil
	}
	l := Limits{Prefix: "x-", MaxPerAddress: 3, MaxPerEmail: 1}.WithDefaults()
	ctx, now := context.Background(), time.Now()
	if ok, err := l.Allow(ctx, hit, "1.2.3.4", "a@example.fr", now); !ok || err != nil {
		t.Fatalf("first request: %v, %v", ok, err)
	}
	if ok, err := l.Allow(ctx, hit, "1.2.3.4", "a@example.fr", now); ok || err != nil {
		t.Fatalf("second request for the mailbox: %v, %v; want silently refused", ok, err)
	}
	if ok, err := l.Allow(ctx, hit, "1.2.3.4", "b@example.fr", now); !ok || err != nil {
		t.Fatalf("third request, another mailbox: %v, %v", ok, err)
	}
	if _, err := l.Allow(ctx, hit, "1.2.3.4", "c@example.fr", now); socle.ErrorCode(err) != socle.ETOOMANY {
		t.Fatalf("fourth request from the address: %v, want ETOOMANY", err)
	}
	if counts["x-addr:1.2.3.4"] != 4 {
		t.Errorf("counters %v: want the prefix on the keys", counts)
	}
}

func TestCSRF(t *testing.T) {
	c := Cookies{Name: "usager", Key: []byte("0123456789abcdef")}
	w := httptest.NewRecorder()
	tok, err := c.FormToken(w, httptest.NewRequest(http.MethodGet, "/", nil), "")
	if err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "socle_usager_csrf" {
		t.Fatalf("pre-session cookies %v", cookies)
	}
	post := func(token string, session string) error {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(url.Values{CSRFField: {token}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(cookies[0])
		return c.VerifyCSRF(r, session)
	}
	if err := post(tok, ""); err != nil {
		t.Errorf("pre-session token refused: %v", err)
	}
	if err := post(tok+"x", ""); err != ErrCSRF {
		t.Errorf("forged token: %v, want ErrCSRF", err)
	}
	if err := post(tok, "session-token"); err != ErrCSRF {
		t.Errorf("pre-session token within a session: %v, want ErrCSRF", err)
	}
	if err := post("session-token", "session-token"); err != nil {
		t.Errorf("session token refused: %v", err)
	}
	if other := (Cookies{Name: "employeur", Key: c.Key}); other.preToken(cookies[0].Value) == tok {
		t.Error("the spaces' pre-session tokens must differ")
	}
}
