package space

import (
	"context"
	"net/http"
	"time"

	"socle"
	"socle/magiclink"
)

// CookieName is the name of the person's session cookie: with the __Host-
// prefix over HTTPS, so that no subdomain can set or shadow it.
func (s *Service) CookieName() string { return s.cookies.SessionName() }

// SessionCookie returns the cookie that carries token; an empty token
// returns the cookie that deletes it (magiclink.Cookies.Session).
func (s *Service) SessionCookie(token string) *http.Cookie { return s.cookies.Session(token) }

// SessionToken returns the session token r carries, "" if none.
func (s *Service) SessionToken(r *http.Request) string { return s.cookies.SessionToken(r) }

// live returns the unexpired session of token, nil if none. An expired
// session is deleted on the way.
func (s *Service) live(ctx context.Context, token string) (*socle.PersonSession, error) {
	if !magiclink.Plausible(token) {
		return nil, nil
	}
	sess, err := s.store.PersonSession(ctx, magiclink.Hash(token))
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
func (s *Service) CurrentSession(r *http.Request) (*socle.PersonSession, error) {
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
const CSRFField = magiclink.CSRFField

// FormToken returns the CSRF token of a form of r's page: the person
// session's, or before any session a token bound to a signed pre-session
// cookie, which it sets on w when missing.
func (s *Service) FormToken(w http.ResponseWriter, r *http.Request) (string, error) {
	csrf, err := s.sessionCSRF(r)
	if err != nil {
		return "", err
	}
	return s.cookies.FormToken(w, r, csrf)
}

// VerifyCSRF checks the token of a form: it must equal the person
// session's, or, without a session, the token of the signed pre-session
// cookie. EFORBIDDEN otherwise.
func (s *Service) VerifyCSRF(r *http.Request) error {
	if r.PostFormValue(CSRFField) == "" {
		return magiclink.ErrCSRF
	}
	csrf, err := s.sessionCSRF(r)
	if err != nil {
		return err
	}
	return s.cookies.VerifyCSRF(r, csrf)
}

// sessionCSRF returns the CSRF token of r's live session, "" when none.
func (s *Service) sessionCSRF(r *http.Request) (string, error) {
	sess, err := s.CurrentSession(r)
	if err != nil || sess == nil {
		return "", err
	}
	return sess.CSRF, nil
}
