package space

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"socle"
)

// CookieName is the name of the person's session cookie: with the __Host-
// prefix over HTTPS, so that no subdomain can set or shadow it.
func (s *Service) CookieName() string {
	if s.cfg.Secure {
		return "__Host-socle_usager"
	}
	return "socle_usager"
}

// SessionCookie returns the cookie that carries token; an empty token
// returns the cookie that deletes it. SameSite Lax, not Strict: the link
// is opened from a mail client, a cross-site navigation after which the
// redirect to the file must carry the new cookie. The POST forms are
// protected by their CSRF token.
func (s *Service) SessionCookie(token string) *http.Cookie {
	c := &http.Cookie{Name: s.CookieName(), Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

// SessionToken returns the session token r carries, "" if none.
func (s *Service) SessionToken(r *http.Request) string {
	c, err := r.Cookie(s.CookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

// live returns the unexpired session of token, nil if none. An expired
// session is deleted on the way.
func (s *Service) live(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	sess, err := s.store.PersonSession(ctx, tokenID(token))
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) > s.cfg.IdleTimeout {
		return nil, s.store.DeletePersonSession(ctx, sess.ID)
	}
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := s.store.TouchPersonSession(ctx, sess.ID, now); err != nil {
			return nil, err
		}
		sess.LastSeen = now
	}
	return sess, nil
}

// CurrentSession returns the live person session of r, nil when none.
func (s *Service) CurrentSession(r *http.Request) (*Session, error) {
	return s.live(r.Context(), s.SessionToken(r))
}

// Authenticate implements the HTTP Authenticator for persons' sessions: the
// zero Actor without a live session, else the person with strength
// AuthClient.
//
// Why AuthClient: the link proves possession of the mailbox recorded in her
// file, one factor that is not a guessable secret, stronger than a password
// alone (AuthPassword, which the gate refuses for personal data) but not a
// second factor (AuthMFA). It opens only what the person has the right to
// see whatever her strength — her own file and its accesses — and gives no
// organisation, role or agreement, so the policy denies her any other
// access.
func (s *Service) Authenticate(r *http.Request) (socle.Actor, error) {
	sess, err := s.CurrentSession(r)
	if err != nil || sess == nil {
		return socle.Actor{}, err
	}
	return socle.Actor{PersonID: sess.PersonID, Strength: socle.AuthClient, SessionID: sess.ID}, nil
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	sess, err := s.live(ctx, token)
	if err != nil || sess == nil {
		return err
	}
	return s.store.DeletePersonSession(ctx, sess.ID)
}

// CSRFField is the name of the form field that carries the CSRF token.
const CSRFField = "csrf"

func (s *Service) preCookieName() string {
	if s.cfg.Secure {
		return "__Host-socle_usager_csrf"
	}
	return "socle_usager_csrf"
}

// FormToken returns the CSRF token of a form of r's page: the person
// session's, or before any session a token bound to a signed pre-session
// cookie, which it sets on w when missing.
func (s *Service) FormToken(w http.ResponseWriter, r *http.Request) (string, error) {
	sess, err := s.CurrentSession(r)
	if err != nil {
		return "", err
	}
	if sess != nil {
		return sess.CSRF, nil
	}
	v := ""
	if c, err := r.Cookie(s.preCookieName()); err == nil && len(c.Value) == base64.RawURLEncoding.EncodedLen(tokenBytes) {
		v = c.Value
	} else {
		if v, _, err = newToken(); err != nil {
			return "", err
		}
		http.SetCookie(w, &http.Cookie{Name: s.preCookieName(), Value: v, Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	}
	return s.preToken(v), nil
}

func (s *Service) preToken(cookie string) string {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte("socle-usager-csrf:" + cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// errCSRF answers a form without a valid token.
var errCSRF = socle.Errorf(socle.EFORBIDDEN, "Le formulaire a expiré ou ne vient pas de Socle : rechargez la page et recommencez.")

// VerifyCSRF checks the token of a form: it must equal the person
// session's, or, without a session, the token of the signed pre-session
// cookie. EFORBIDDEN otherwise.
func (s *Service) VerifyCSRF(r *http.Request) error {
	got := r.PostFormValue(CSRFField)
	if got == "" {
		return errCSRF
	}
	sess, err := s.CurrentSession(r)
	if err != nil {
		return err
	}
	var want string
	if sess != nil {
		want = sess.CSRF
	} else if c, err := r.Cookie(s.preCookieName()); err == nil && c.Value != "" {
		want = s.preToken(c.Value)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}
