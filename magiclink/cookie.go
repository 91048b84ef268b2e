package magiclink

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"socle"
)

// CSRFField is the name of the form field that carries the CSRF token.
const CSRFField = "csrf"

// ErrCSRF answers a form without a valid token.
var ErrCSRF = socle.Errorf(socle.EFORBIDDEN, "Le formulaire a expiré ou ne vient pas de Socle : rechargez la page et recommencez.")

// Cookies are the session cookie and the pre-session CSRF cookie of one
// space, named socle_<Name> and socle_<Name>_csrf, with the __Host- prefix
// over HTTPS so that no subdomain can set or shadow them.
type Cookies struct {
	Name   string // "usager", "employeur"
	Secure bool
	// Key signs the pre-session CSRF cookie; at least 16 bytes.
	Key []byte
}

// SessionName is the name of the session cookie.
func (c Cookies) SessionName() string {
	if c.Secure {
		return "__Host-socle_" + c.Name
	}
	return "socle_" + c.Name
}

// Session returns the cookie that carries token; an empty token returns
// the cookie that deletes it. SameSite Lax, not Strict: the link is opened
// from a mail client, a cross-site navigation after which the redirect
// must carry the new cookie. The POST forms carry their CSRF token.
func (c Cookies) Session(token string) *http.Cookie {
	k := &http.Cookie{Name: c.SessionName(), Value: token, Path: "/", HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode}
	if token == "" {
		k.MaxAge = -1
	}
	return k
}

// SessionToken returns the session token r carries, "" if none.
func (c Cookies) SessionToken(r *http.Request) string {
	k, err := r.Cookie(c.SessionName())
	if err != nil {
		return ""
	}
	return k.Value
}

func (c Cookies) preName() string { return c.SessionName() + "_csrf" }

func (c Cookies) preToken(cookie string) string {
	m := hmac.New(sha256.New, c.Key)
	m.Write([]byte("socle-" + c.Name + "-csrf:" + cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// FormToken returns the CSRF token of a form of r's page: sessionCSRF, the
// token of the live session, or before any session ("") a token bound to
// a signed pre-session cookie, which it sets on w when missing.
func (c Cookies) FormToken(w http.ResponseWriter, r *http.Request, sessionCSRF string) (string, error) {
	if sessionCSRF != "" {
		return sessionCSRF, nil
	}
	v := ""
	if k, err := r.Cookie(c.preName()); err == nil && len(k.Value) == base64.RawURLEncoding.EncodedLen(TokenBytes) {
		v = k.Value
	} else {
		if v, _, err = NewToken(); err != nil {
			return "", err
		}
		http.SetCookie(w, &http.Cookie{Name: c.preName(), Value: v, Path: "/", HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteStrictMode})
	}
	return c.preToken(v), nil
}

// VerifyCSRF checks the token of a form: it must equal sessionCSRF, the
// token of the live session, or without a session ("") the token of the
// signed pre-session cookie. ErrCSRF otherwise.
func (c Cookies) VerifyCSRF(r *http.Request, sessionCSRF string) error {
	got := r.PostFormValue(CSRFField)
	if got == "" {
		return ErrCSRF
	}
	want := sessionCSRF
	if want == "" {
		if k, err := r.Cookie(c.preName()); err == nil && k.Value != "" {
			want = c.preToken(k.Value)
		}
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrCSRF
	}
	return nil
}
