package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"socle/audit"
	"time"

	"socle"
)

// tokenBytes is 256 bits: session ids and one-time links cannot be guessed.
const tokenBytes = 32

// newToken returns a random token and its stored id (hex SHA-256).
func newToken() (token, id string) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic("identity: reading randomness: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenID(token)
}

// tokenID is the stored id of a token.
func tokenID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Client is where a request comes from.
type Client struct {
	RemoteAddr string
	UserAgent  string
	// SignedIn is the agent already signed in on the browser, if any; set
	// by EnrolmentClient for an activation.
	SignedIn string
}

// EnrolmentClient is ClientOf(r) with the agent signed in on r's browser,
// whom an activation records (and refuses when she is someone else).
func (s *Service) EnrolmentClient(r *http.Request) (Client, error) {
	c := ClientOf(r)
	_, a, err := s.CurrentSession(r)
	if err != nil {
		return c, err
	}
	if a != nil {
		c.SignedIn = a.ID
	}
	return c, nil
}

// ClientOf returns the client of r. The address is the connection's: a
// proxy in front must be trusted explicitly, not through a header.
func ClientOf(r *http.Request) Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ua := r.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	return Client{RemoteAddr: host, UserAgent: ua}
}

// newSession creates and stores a session; it returns its token.
func (s *Service) newSession(ctx context.Context, agentID string, strength socle.AuthStrength, method string, c Client) (string, *socle.AgentSession, error) {
	token, id := newToken()
	csrf, _ := newToken()
	now := s.Now().UTC()
	life := s.cfg.AbsoluteTimeout
	if strength < socle.AuthMFA {
		life = s.cfg.PendingTimeout
	}
	sess := &socle.AgentSession{ID: id, AgentID: agentID, Strength: strength, Method: method, CSRF: csrf,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(life), RemoteAddr: c.RemoteAddr, UserAgent: c.UserAgent}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// SessionCookie returns the cookie that carries token. An empty token
// returns the cookie that deletes it.
func (s *Service) SessionCookie(token string) *http.Cookie {
	c := &http.Cookie{Name: s.CookieName(), Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

// sessionToken returns the session token r carries, "" if none.
func (s *Service) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.CookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

// live returns the session of token and its agent if the session is
// unexpired and the agent enabled; nil otherwise. An expired session or a
// disabled agent's sessions are deleted on the way.
func (s *Service) live(ctx context.Context, token string) (*socle.AgentSession, *socle.Agent, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, nil
	}
	now := s.Now().UTC()
	if sess, a, ok := s.sessions.get(tokenID(token), now); ok && now.Before(sess.ExpiresAt) && now.Sub(sess.LastSeen) <= s.cfg.IdleTimeout {
		if now.Sub(sess.LastSeen) > time.Minute {
			if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
				return nil, nil, err
			}
			sess.LastSeen = now
			s.sessions.touched(sess.ID, now)
		}
		return sess, a, nil
	}
	// Not cached, or past a limit by what the cache holds: the store says.
	gen := s.sessions.generation()
	sess, err := s.store.Session(ctx, tokenID(token))
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) > s.cfg.IdleTimeout {
		return nil, nil, s.store.DeleteSession(ctx, sess.ID)
	}
	a, err := s.store.Agent(ctx, sess.AgentID)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, nil, s.store.DeleteSession(ctx, sess.ID)
	} else if err != nil {
		return nil, nil, err
	}
	if a.Disabled {
		// A disabled agent's live sessions stop at once.
		return nil, nil, s.store.DeleteSessionsOf(ctx, a.ID)
	}
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeen = now
	}
	s.sessions.put(sess, a, gen, now)
	return sess, a, nil
}

// CurrentSession returns the live session of r and its agent, nil when r
// has none.
func (s *Service) CurrentSession(r *http.Request) (*socle.AgentSession, *socle.Agent, error) {
	return s.live(r.Context(), s.sessionToken(r))
}

// Authenticate implements the HTTP Authenticator for agents' sessions: the
// zero Actor without a live session, strength AuthPassword before the
// second factor (which the gate refuses for personal data), AuthMFA after.
func (s *Service) Authenticate(r *http.Request) (socle.Actor, error) {
	sess, a, err := s.CurrentSession(r)
	if err != nil || sess == nil {
		return socle.Actor{}, err
	}
	return s.actor(r.Context(), sess, a)
}

func (s *Service) actor(ctx context.Context, sess *socle.AgentSession, a *socle.Agent) (socle.Actor, error) {
	org := s.sessions.organisation(sess.ID, a.OrganisationID)
	if org == nil {
		var err error
		if org, err = s.store.Organisation(ctx, a.OrganisationID); err != nil {
			return socle.Actor{}, err
		}
		s.sessions.setOrganisation(sess.ID, org)
	}
	return socle.Actor{
		AgentID: a.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name,
		Roles: a.Roles, Departements: org.Departements, Strength: sess.Strength, SessionID: sess.ID,
	}, nil
}

// CSRFToken returns the synchronizer token of the session's forms.
func CSRFToken(sess *socle.AgentSession) string { return sess.CSRF }

// CSRFField is the name of the form field that carries the CSRF token.
const CSRFField = "csrf"

// csrfHeader carries the token for script requests (WebAuthn).
const csrfHeader = "X-CSRF-Token"

func (s *Service) preCookieName() string {
	if s.cfg.Secure {
		return "__Host-socle_csrf"
	}
	return "socle_csrf"
}

// FormToken returns the CSRF token to put in a form of r's page: the
// session's, or before any session a token bound to a signed pre-session
// cookie, which it sets on w when missing.
func (s *Service) FormToken(w http.ResponseWriter, r *http.Request) (string, error) {
	sess, _, err := s.CurrentSession(r)
	if err != nil {
		return "", err
	}
	if sess != nil {
		return sess.CSRF, nil
	}
	c, err := r.Cookie(s.preCookieName())
	v := ""
	if err == nil && len(c.Value) == base64.RawURLEncoding.EncodedLen(tokenBytes) {
		v = c.Value
	} else {
		v, _ = newToken()
		http.SetCookie(w, &http.Cookie{Name: s.preCookieName(), Value: v, Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	}
	return s.preToken(v), nil
}

func (s *Service) preToken(cookie string) string {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte("socle-csrf:" + cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// errCSRF is the answer to a form without a valid token.
var errCSRF = socle.Errorf(socle.EFORBIDDEN, "Le formulaire a expiré ou ne vient pas de Socle : rechargez la page et recommencez.")

// VerifyCSRF checks the token of a state-changing request: the form field
// csrf (or the X-CSRF-Token header) must equal the session's token, or,
// without a session, the token of the signed pre-session cookie. EFORBIDDEN
// otherwise.
func (s *Service) VerifyCSRF(r *http.Request) error {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	if got == "" {
		return errCSRF
	}
	sess, _, err := s.CurrentSession(r)
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

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	sess, a, err := s.live(ctx, token)
	if err != nil || sess == nil {
		return err
	}
	if err := s.store.DeleteSession(ctx, sess.ID); err != nil {
		return err
	}
	return s.audit(ctx, audit.Act{AgentID: a.ID, OrganisationID: a.OrganisationID, Action: "logout", Allowed: true})
}

// requireMFA returns the agent of an actor who passed her second factor.
func (s *Service) requireMFA(ctx context.Context, actor socle.Actor) (*socle.Agent, error) {
	if actor.AgentID == "" || !actor.Authenticated() {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "Connexion requise.")
	}
	if actor.Strength < socle.AuthMFA {
		return nil, socle.Errorf(socle.EFORBIDDEN, "Validez d'abord votre second facteur.")
	}
	a, err := s.store.Agent(ctx, actor.AgentID)
	if err != nil {
		return nil, err
	}
	if a.Disabled {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "Compte désactivé.")
	}
	return a, nil
}

// Sessions lists the live sessions of the actor, newest first.
func (s *Service) Sessions(ctx context.Context, actor socle.Actor) ([]*socle.AgentSession, error) {
	a, err := s.requireMFA(ctx, actor)
	if err != nil {
		return nil, err
	}
	all, err := s.store.SessionsOf(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	var out []*socle.AgentSession
	for _, se := range all {
		if now.Before(se.ExpiresAt) && now.Sub(se.LastSeen) <= s.cfg.IdleTimeout {
			out = append(out, se)
		}
	}
	return out, nil
}

// RevokeSession ends one of the actor's own sessions.
func (s *Service) RevokeSession(ctx context.Context, actor socle.Actor, sessionID string) error {
	a, err := s.requireMFA(ctx, actor)
	if err != nil {
		return err
	}
	se, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	if se.AgentID != a.ID {
		return socle.Errorf(socle.ENOTFOUND, "session not found")
	}
	if err := s.store.DeleteSession(ctx, se.ID); err != nil {
		return err
	}
	return s.audit(ctx, audit.Act{AgentID: a.ID, OrganisationID: a.OrganisationID, Action: "session_revoked", Allowed: true})
}

// LogoutEverywhere ends every session of the actor, this one included.
func (s *Service) LogoutEverywhere(ctx context.Context, actor socle.Actor) error {
	a, err := s.requireMFA(ctx, actor)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSessionsOf(ctx, a.ID); err != nil {
		return err
	}
	return s.audit(ctx, audit.Act{AgentID: a.ID, OrganisationID: a.OrganisationID, Action: "logout_everywhere", Allowed: true})
}
