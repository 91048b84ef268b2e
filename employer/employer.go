// Package employer is the employer space (espace employeur): a company
// contact logs in with a one-time link sent to her e-mail address as the
// network recorded it, posts and edits her company's offers and answers on
// the candidates proposed on them. What she may see and do is decided by
// the gate's employer methods (gate/employer.go); this package only
// establishes who she is.
//
// The link is 256 bits of randomness, stored as its SHA-256, valid 15
// minutes and once. The answer to a link request is the same whether or
// not the address is known, so that the form cannot tell who is a contact.
// Sessions are server-side, stored hashed, with a synchronizer CSRF token.
package employer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"socle"
	"socle/audit"
	"socle/identity"
	"socle/magiclink"
)

// Store is what the employer space persists and reads. store/sqlstore
// implements it.
type Store interface {
	// ContactByEmail returns the company contact with that address,
	// ENOTFOUND if none.
	ContactByEmail(ctx context.Context, email string) (*socle.CompanyContact, error)
	CreateEmployerToken(ctx context.Context, hash, contactID string, expires time.Time) error
	// UseEmployerToken consumes a link once: its contact when known,
	// unused and live at at; EUNAUTHENTICATED otherwise.
	UseEmployerToken(ctx context.Context, hash string, at time.Time) (string, error)
	CreateEmployerSession(ctx context.Context, hash, contactID, csrf string, expires time.Time) error
	// EmployerSession returns the contact and CSRF token of a live
	// session, EUNAUTHENTICATED when none.
	EmployerSession(ctx context.Context, hash string, at time.Time) (contactID, csrf string, err error)
	DeleteEmployerSession(ctx context.Context, hash string) error
	// SpaceHit counts one request for key in the current window and
	// returns the count (shared with the person's space).
	SpaceHit(ctx context.Context, key string, at time.Time, window time.Duration) (int, error)
}

// Config is how the space is deployed. Key and BaseURL are required.
type Config struct {
	// BaseURL is the public URL of the site, for the links in mails.
	BaseURL string
	// Secure says the site is served over HTTPS: the cookie is then
	// Secure with the __Host- prefix.
	Secure bool
	// Key signs the pre-session CSRF cookie of the link request form.
	Key []byte
	// LinkKey keys the stored hashes of the one-time links (the
	// platform's link key); Key when nil.
	LinkKey []byte

	LinkTTL    time.Duration // 15 minutes
	SessionTTL time.Duration // 2 hours, absolute
	// Window, MaxPerAddress and MaxPerEmail rate-limit link requests: per
	// client address (10) and per e-mail address (3) in each window (15
	// minutes).
	Window        time.Duration
	MaxPerAddress int
	MaxPerEmail   int
}

func (c Config) withDefaults() Config {
	if c.LinkTTL <= 0 {
		c.LinkTTL = 15 * time.Minute
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 2 * time.Hour
	}
	l := magiclink.Limits{Window: c.Window, MaxPerAddress: c.MaxPerAddress, MaxPerEmail: c.MaxPerEmail}.WithDefaults()
	c.Window, c.MaxPerAddress, c.MaxPerEmail = l.Window, l.MaxPerAddress, l.MaxPerEmail
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	return c
}

// Service runs the employer space's authentication.
type Service struct {
	store   Store
	auditor socle.Auditor
	logger  *slog.Logger
	cfg     Config

	mailer  magiclink.Mailer
	limits  magiclink.Limits
	cookies magiclink.Cookies

	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

// New returns the employer space service; logins are appended to auditor.
func New(store Store, auditor socle.Auditor, mailer identity.Mailer, logger *slog.Logger, cfg Config) (*Service, error) {
	if len(cfg.Key) < 16 {
		return nil, errors.New("employer: a key of at least 16 bytes is required")
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("employer: the base URL is required for the links")
	}
	if logger == nil {
		logger = slog.Default()
	}
	cfg = cfg.withDefaults()
	if len(cfg.LinkKey) == 0 {
		cfg.LinkKey = cfg.Key
	}
	s := &Service{store: store, auditor: auditor, logger: logger, cfg: cfg, Now: time.Now,
		limits:  magiclink.Limits{Prefix: "employer-", Window: cfg.Window, MaxPerAddress: cfg.MaxPerAddress, MaxPerEmail: cfg.MaxPerEmail},
		cookies: magiclink.Cookies{Name: "employeur", Secure: cfg.Secure, Key: cfg.Key}}
	s.mailer.Set(mailer)
	return s, nil
}

// SetMailer replaces the mailer, before the server starts (the demo prints
// the mails).
func (s *Service) SetMailer(m identity.Mailer) { s.mailer.Set(m) }

// LinkSent is what a link request answers whenever the address is well
// formed: the same words whether or not it is known.
const LinkSent = "Si cette adresse est celle d'un contact entreprise connu du réseau, un lien de connexion vient de lui être envoyé."

// RequestLink mails a one-time login link to email when it is a company
// contact's. It returns nil whether or not the address is known and
// whether or not the per-address quota is reached; ETOOMANY when the client
// asks too often, EINVALID for a malformed address.
func (s *Service) RequestLink(ctx context.Context, email string, c identity.Client) error {
	key := strings.ToLower(strings.TrimSpace(email))
	if !socle.ValidEmail(key) {
		return magiclink.ErrInvalidEmail
	}
	if ok, err := s.limits.Allow(ctx, s.store.SpaceHit, c.RemoteAddr, key, s.Now().UTC()); !ok {
		return err
	}
	ct, err := s.store.ContactByEmail(ctx, key)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil
	} else if err != nil {
		return fmt.Errorf("looking up the address: %w", err)
	}
	link, err := s.IssueLink(ctx, ct.ID)
	if err != nil {
		return err
	}
	m := magiclink.Mail(key, "[Socle] Votre lien de connexion à l'espace employeur", "Bonjour "+ct.GivenName,
		"Vous avez demandé à vous connecter à l'espace employeur de Socle pour gérer les offres de votre entreprise.", link, s.cfg.LinkTTL)
	if err := s.mailer.Get().Send(ctx, m); err != nil {
		// Logged, not answered: the answer must not depend on the address.
		s.logger.ErrorContext(ctx, "employer: sending the login link", "err", err)
	}
	return nil
}

// IssueLink stores a new one-time link for the contact and returns its URL.
// RequestLink mails it; the demo prints one.
func (s *Service) IssueLink(ctx context.Context, contactID string) (string, error) {
	token, _, err := magiclink.NewToken()
	if err != nil {
		return "", err
	}
	if err := s.store.CreateEmployerToken(ctx, s.linkHash(token), contactID, s.Now().UTC().Add(s.cfg.LinkTTL)); err != nil {
		return "", fmt.Errorf("storing the login link: %w", err)
	}
	return s.cfg.BaseURL + "/employeur/connexion?jeton=" + token, nil
}

// linkHash is the stored form of a link's token.
func (s *Service) linkHash(token string) string {
	return magiclink.LinkHash(s.cfg.LinkKey, "employeur", token)
}

// ConsumeLink uses a link: it opens a session for its contact and returns
// the session's token for the cookie. ENOTFOUND for a link unknown, used or
// expired.
func (s *Service) ConsumeLink(ctx context.Context, token string, c identity.Client) (string, error) {
	if !magiclink.Plausible(token) {
		return "", magiclink.ErrBadLink
	}
	now := s.Now().UTC()
	contactID, err := s.store.UseEmployerToken(ctx, s.linkHash(token), now)
	if socle.ErrorCode(err) == socle.EUNAUTHENTICATED {
		return "", magiclink.ErrBadLink
	} else if err != nil {
		return "", fmt.Errorf("reading the login link: %w", err)
	}
	tok, hash, err := magiclink.NewToken()
	if err != nil {
		return "", err
	}
	csrf, _, err := magiclink.NewToken()
	if err != nil {
		return "", err
	}
	// Recorded before the session exists: a login that cannot be recorded
	// does not happen.
	ev := audit.Act{ClientID: "contact:" + contactID, Action: "employer_login", Allowed: true,
		Explanation: "Connexion d'un contact entreprise à l'espace employeur avec un lien envoyé à son adresse électronique.",
		RemoteAddr:  c.RemoteAddr}
	if err := audit.Append(ctx, s.auditor, now, ev); err != nil {
		return "", magiclink.ErrUnrecorded
	}
	if err := s.store.CreateEmployerSession(ctx, hash, contactID, csrf, now.Add(s.cfg.SessionTTL)); err != nil {
		return "", fmt.Errorf("storing the session: %w", err)
	}
	return tok, nil
}

// CookieName is the name of the session cookie: with the __Host- prefix
// over HTTPS, so that no subdomain can set or shadow it.
func (s *Service) CookieName() string { return s.cookies.SessionName() }

// SessionCookie returns the cookie that carries token; an empty token
// returns the cookie that deletes it (magiclink.Cookies.Session).
func (s *Service) SessionCookie(token string) *http.Cookie { return s.cookies.Session(token) }

// session returns the contact and CSRF token of r's live session, "" when
// none.
func (s *Service) session(r *http.Request) (contactID, csrf, hash string, err error) {
	token := s.cookies.SessionToken(r)
	if !magiclink.Plausible(token) {
		return "", "", "", nil
	}
	hash = magiclink.Hash(token)
	contactID, csrf, err = s.store.EmployerSession(r.Context(), hash, s.Now().UTC())
	if socle.ErrorCode(err) == socle.EUNAUTHENTICATED {
		return "", "", "", nil
	}
	return contactID, csrf, hash, err
}

// Authenticate returns the company contact of r's session as an Actor with
// ContactID and strength AuthClient (possession of the mailbox, one factor
// that is not a guessable secret), the zero Actor without a live session.
// The actor has no organisation, role nor agreement: only the gate's
// employer methods accept her.
func (s *Service) Authenticate(r *http.Request) (socle.Actor, error) {
	contactID, _, hash, err := s.session(r)
	if err != nil || contactID == "" {
		return socle.Actor{}, err
	}
	return socle.Actor{ContactID: contactID, Strength: socle.AuthClient, SessionID: hash}, nil
}

// Logout ends r's session.
func (s *Service) Logout(r *http.Request) error {
	_, _, hash, err := s.session(r)
	if err != nil || hash == "" {
		return err
	}
	return s.store.DeleteEmployerSession(r.Context(), hash)
}

// CSRFField is the name of the form field that carries the CSRF token.
const CSRFField = magiclink.CSRFField

// FormToken returns the CSRF token of a form of r's page: the session's,
// or before any session a token bound to a signed pre-session cookie,
// which it sets on w when missing.
func (s *Service) FormToken(w http.ResponseWriter, r *http.Request) (string, error) {
	_, csrf, _, err := s.session(r)
	if err != nil {
		return "", err
	}
	return s.cookies.FormToken(w, r, csrf)
}

// VerifyCSRF checks the token of a form: the session's, or without a
// session the token of the signed pre-session cookie. EFORBIDDEN otherwise.
func (s *Service) VerifyCSRF(r *http.Request) error {
	if r.PostFormValue(CSRFField) == "" {
		return magiclink.ErrCSRF
	}
	_, csrf, _, err := s.session(r)
	if err != nil {
		return err
	}
	return s.cookies.VerifyCSRF(r, csrf)
}
