// Package space is the person's own space (espace usager): a person logs in
// with a one-time link sent to the e-mail address of her file, sees her file
// as the network holds it and every access to it, and downloads that
// history with inclusion proofs against the latest signed checkpoint of the
// audit log.
//
// Authentication is by possession of the mailbox: the link is 256 bits of
// randomness, stored hashed, valid 15 minutes and once. The answer to a
// link request is the same whether or not the address is known, so that
// the form cannot be used to learn who is registered.
package space

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"socle"
	"socle/audit"
	"socle/identity"
	"socle/magiclink"
)

// Store is what the space persists and reads. store/sqlstore implements it.
type Store interface {
	// PersonsByEmail returns the ids of at most limit persons whose
	// contact e-mail, lowercased, is emailKey.
	PersonsByEmail(ctx context.Context, emailKey string, limit int) ([]string, error)
	// CreateLink stores a link and forgets the expired ones.
	CreateLink(ctx context.Context, l *socle.PersonLink) error
	// TakeLink deletes the link with that hash and returns it, in one
	// statement so that a link serves once; ENOTFOUND if none.
	TakeLink(ctx context.Context, hash string) (*socle.PersonLink, error)
	// CreatePersonSession stores a session and forgets the expired ones.
	CreatePersonSession(ctx context.Context, s *socle.PersonSession) error
	// PersonSession returns the session with that id, ENOTFOUND if none.
	PersonSession(ctx context.Context, id string) (*socle.PersonSession, error)
	TouchPersonSession(ctx context.Context, id string, at time.Time) error
	DeletePersonSession(ctx context.Context, id string) error
	// SpaceHit counts one request for key in the current window (a new
	// window starts when the current one is older than window) and
	// returns the count.
	SpaceHit(ctx context.Context, key string, at time.Time, window time.Duration) (int, error)

	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
	Agent(ctx context.Context, id string) (*socle.Agent, error)
}

// AuditLog is the journal des accès as the space uses it: it records the
// person's logins and proves the entries it shows. *audit.Log implements it.
type AuditLog interface {
	socle.Auditor
	Checkpoint(ctx context.Context) (audit.Checkpoint, error)
	Entry(ctx context.Context, index uint64) (audit.Entry, error)
	InclusionProof(ctx context.Context, index, treeSize uint64) ([][]byte, error)
}

// Config is how the space is deployed. Key and BaseURL are required.
type Config struct {
	// BaseURL is the public URL of the site, for the links in mails.
	BaseURL string
	// Secure says the site is served over HTTPS: cookies are then Secure
	// with the __Host- prefix.
	Secure bool
	// Key signs the pre-session CSRF cookie of the link request form.
	Key []byte
	// LinkKey keys the stored hashes of the one-time links (the
	// platform's link key); Key when nil.
	LinkKey []byte
	// PersonRef turns a person id into the pseudonymous reference of the
	// audit log; it must be the gate's.
	PersonRef func(personID string) string
	// VerifierKey is the note verifier key of the audit checkpoints,
	// handed out with the proofs.
	VerifierKey string

	LinkTTL         time.Duration // 15 minutes
	IdleTimeout     time.Duration // 15 minutes
	AbsoluteTimeout time.Duration // 2 hours
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
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 15 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 2 * time.Hour
	}
	l := magiclink.Limits{Window: c.Window, MaxPerAddress: c.MaxPerAddress, MaxPerEmail: c.MaxPerEmail}.WithDefaults()
	c.Window, c.MaxPerAddress, c.MaxPerEmail = l.Window, l.MaxPerAddress, l.MaxPerEmail
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	return c
}

// Service runs the person's space.
type Service struct {
	store  Store
	log    AuditLog
	logger *slog.Logger
	cfg    Config

	mailer  magiclink.Mailer
	limits  magiclink.Limits
	cookies magiclink.Cookies

	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

// New returns the space service.
func New(store Store, log AuditLog, mailer identity.Mailer, logger *slog.Logger, cfg Config) (*Service, error) {
	if len(cfg.Key) < 16 {
		return nil, errors.New("space: a key of at least 16 bytes is required")
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("space: the base URL is required for the links")
	}
	if cfg.PersonRef == nil {
		return nil, errors.New("space: the person reference function is required")
	}
	if logger == nil {
		logger = slog.Default()
	}
	cfg = cfg.withDefaults()
	if len(cfg.LinkKey) == 0 {
		cfg.LinkKey = cfg.Key
	}
	s := &Service{store: store, log: log, logger: logger, cfg: cfg, Now: time.Now,
		limits:  magiclink.Limits{Window: cfg.Window, MaxPerAddress: cfg.MaxPerAddress, MaxPerEmail: cfg.MaxPerEmail},
		cookies: magiclink.Cookies{Name: "usager", Secure: cfg.Secure, Key: cfg.Key}}
	s.mailer.Set(mailer)
	return s, nil
}

// SetMailer replaces the mailer, before the server starts (the demo prints
// the mails).
func (s *Service) SetMailer(m identity.Mailer) { s.mailer.Set(m) }

// EmailKey is the form of an e-mail address the lookup compares: trimmed
// and lowercased (ASCII, like SQLite's lower()).
func EmailKey(email string) string {
	b := []byte(strings.TrimSpace(email))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// LinkSent is what a link request answers in every case where the address
// is well formed: the same words whether or not it is known.
const LinkSent = "Si cette adresse est connue, un lien vous a été envoyé."

// RequestLink sends a one-time login link to email if it is the address of
// exactly one person's file. It returns nil whether or not the address is
// known, and whether or not the per-address quota is reached, so that
// nothing tells them apart; ETOOMANY when the client asks too often,
// EINVALID for a malformed address.
func (s *Service) RequestLink(ctx context.Context, email string, c identity.Client) error {
	key := EmailKey(email)
	if !socle.ValidEmail(key) {
		return magiclink.ErrInvalidEmail
	}
	if ok, err := s.limits.Allow(ctx, s.store.SpaceHit, c.RemoteAddr, key, s.Now().UTC()); !ok {
		return err
	}
	ids, err := s.store.PersonsByEmail(ctx, key, 2)
	if err != nil {
		return fmt.Errorf("looking up the address: %w", err)
	}
	switch len(ids) {
	case 0:
		return nil
	case 1:
	default:
		// Two files with one mailbox: a link would open one of them on
		// the word of the mailbox alone. The person asks her adviser.
		s.logger.WarnContext(ctx, "space: several persons share an e-mail address; no link sent")
		return nil
	}
	link, err := s.IssueLink(ctx, ids[0])
	if err != nil {
		return err
	}
	m := magiclink.Mail(key, "[Socle] Votre lien de connexion à votre espace", "Bonjour",
		"Vous avez demandé à consulter votre dossier et les accès à votre dossier sur Socle.", link, s.cfg.LinkTTL)
	if err := s.mailer.Get().Send(ctx, m); err != nil {
		// Logged, not answered: the answer must not depend on the address.
		s.logger.ErrorContext(ctx, "space: sending the login link", "err", err)
	}
	return nil
}

// IssueLink stores a new one-time link for the person and returns its URL.
// RequestLink sends it by mail; the demo prints one.
func (s *Service) IssueLink(ctx context.Context, personID string) (string, error) {
	token, _, err := magiclink.NewToken()
	if err != nil {
		return "", err
	}
	now := s.Now().UTC()
	if err := s.store.CreateLink(ctx, &socle.PersonLink{Hash: s.linkHash(token), PersonID: personID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.LinkTTL)}); err != nil {
		return "", fmt.Errorf("storing the login link: %w", err)
	}
	return s.cfg.BaseURL + "/usager/connexion?jeton=" + token, nil
}

// ConsumeLink uses a link: it opens a session for its person and returns the
// session's token for the cookie. A link serves once and only before it
// expires; ENOTFOUND otherwise.
func (s *Service) ConsumeLink(ctx context.Context, token string, c identity.Client) (string, error) {
	if !magiclink.Plausible(token) {
		return "", magiclink.ErrBadLink
	}
	l, err := s.store.TakeLink(ctx, s.linkHash(token))
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return "", magiclink.ErrBadLink
	} else if err != nil {
		return "", fmt.Errorf("reading the login link: %w", err)
	}
	if !s.Now().UTC().Before(l.ExpiresAt) {
		return "", magiclink.ErrBadLink
	}
	return s.openSession(ctx, l.PersonID, c, "Connexion à votre espace avec un lien envoyé à l'adresse électronique de votre dossier.")
}

// openSession records the login of personID with explanation, then opens
// her session and returns its token for the cookie.
func (s *Service) openSession(ctx context.Context, personID string, c identity.Client, explanation string) (string, error) {
	now := s.Now().UTC()
	tok, id, err := magiclink.NewToken()
	if err != nil {
		return "", err
	}
	csrf, _, err := magiclink.NewToken()
	if err != nil {
		return "", err
	}
	sess := &socle.PersonSession{ID: id, PersonID: personID, CSRF: csrf, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(s.cfg.AbsoluteTimeout), RemoteAddr: c.RemoteAddr, UserAgent: c.UserAgent}
	// Recorded before the session exists: a login that cannot be recorded
	// does not happen.
	if err := s.audit(ctx, personID, "space_login", c.RemoteAddr, explanation); err != nil {
		return "", err
	}
	if err := s.store.CreatePersonSession(ctx, sess); err != nil {
		return "", fmt.Errorf("storing the session: %w", err)
	}
	return tok, nil
}

// linkHash is the stored form of a link's token.
func (s *Service) linkHash(token string) string {
	return magiclink.LinkHash(s.cfg.LinkKey, "usager", token)
}

// audit records an event of the person's own space.
func (s *Service) audit(ctx context.Context, personID, action, remoteAddr, explanation string) error {
	ev := socle.AuditEvent{
		Time: s.Now().UTC(), Action: action, ResourceKind: string(socle.ResourcePerson),
		PersonRef: s.cfg.PersonRef(personID), Allowed: true, Explanation: explanation, RemoteAddr: remoteAddr,
	}
	if err := s.log.Append(ctx, ev); err != nil {
		return magiclink.ErrUnrecorded
	}
	return nil
}
