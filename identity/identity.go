// Package identity authenticates the staff of the network: a password
// (argon2id) and a second factor, always (TOTP or WebAuthn); server-side
// sessions with CSRF tokens; brute-force throttling; recovery that never
// bypasses the second factor (a lost factor needs two administrators of the
// agent's own organisation); and the administration of agents by their
// organisation's administrators. Every login, failure, recovery and
// administrative change is appended to the audit log.
package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"socle/audit"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"socle"
)

// Store is what identity persists. store/sqlstore implements it.
type Store interface {
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	AgentByEmail(ctx context.Context, email string) (*socle.Agent, error)
	AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error)
	CreateAgent(ctx context.Context, a *socle.Agent) error
	// UpdateAgent replaces the names, roles and disabled flag of an agent.
	UpdateAgent(ctx context.Context, a *socle.Agent) error
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)

	// Credential returns the credential of an agent; an empty one (not an
	// error) when she has none yet.
	Credential(ctx context.Context, agentID string) (*socle.AgentCredential, error)
	SetPassword(ctx context.Context, agentID, hash string) error
	// SetTOTP replaces the TOTP secret ("" removes it) and resets the last step.
	SetTOTP(ctx context.Context, agentID, secret string) error
	// UseTOTPStep records step as used if it is later than the last one
	// used, atomically, and reports whether it was.
	UseTOTPStep(ctx context.Context, agentID string, step int64) (bool, error)

	AddWebAuthnCredential(ctx context.Context, c *socle.WebAuthnCredential) error
	WebAuthnCredentials(ctx context.Context, agentID string) ([]*socle.WebAuthnCredential, error)
	UpdateWebAuthnCredential(ctx context.Context, c *socle.WebAuthnCredential) error
	DeleteWebAuthnCredentials(ctx context.Context, agentID string) error

	CreateSession(ctx context.Context, s *socle.AgentSession) error
	// Session returns the session with that id, ENOTFOUND if none.
	Session(ctx context.Context, id string) (*socle.AgentSession, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	SetSessionPending(ctx context.Context, id string, pending []byte) error
	DeleteSession(ctx context.Context, id string) error
	DeleteSessionsOf(ctx context.Context, agentID string) error
	SessionsOf(ctx context.Context, agentID string) ([]*socle.AgentSession, error)

	// Throttle returns the failures of key; zero failures when none.
	Throttle(ctx context.Context, key string) (socle.SignInFailures, error)
	// RecordFailure adds a failure to key, starting a new run when the last
	// failure is older than window, and returns the new count.
	RecordFailure(ctx context.Context, key string, at time.Time, window time.Duration) (socle.SignInFailures, error)
	ResetFailures(ctx context.Context, key string) error

	CreateToken(ctx context.Context, t *socle.AgentToken) error
	// ConsumeToken deletes and returns the token if it exists and is
	// unexpired at at; ENOTFOUND otherwise.
	ConsumeToken(ctx context.Context, hash string, at time.Time) (*socle.AgentToken, error)
	// Token returns the token without consuming it.
	Token(ctx context.Context, hash string) (*socle.AgentToken, error)
	// KeepPendingTOTP keeps secret as the TOTP secret proposed for the
	// token of hash until expires, unless one is kept already, and returns
	// the one kept.
	KeepPendingTOTP(ctx context.Context, hash, agentID, secret string, at, expires time.Time) (string, error)
	// PendingTOTP returns the secret kept for the token, unexpired at at;
	// ENOTFOUND otherwise.
	PendingTOTP(ctx context.Context, hash string, at time.Time) (string, error)
	// DropPendingTOTP forgets the secret kept for the token.
	DropPendingTOTP(ctx context.Context, hash string) error

	CreateRecovery(ctx context.Context, r *socle.RecoveryRequest) error
	Recovery(ctx context.Context, id string) (*socle.RecoveryRequest, error)
	RecoveriesOf(ctx context.Context, organisationID string) ([]*socle.RecoveryRequest, error)
	// ApproveRecovery adds an approver (once) to a pending request and
	// returns the request as it is after. When approvals reach need it sets
	// the status to approved and reports decided: true for exactly one call.
	ApproveRecovery(ctx context.Context, id, approverID string, need int, at time.Time) (req *socle.RecoveryRequest, decided bool, err error)

	// AgentOrigin returns where the account comes from; an empty origin
	// (not an error) when nothing was recorded.
	AgentOrigin(ctx context.Context, agentID string) (*socle.AgentOrigin, error)
	// RecordAgentCreated records who created the account, from where.
	RecordAgentCreated(ctx context.Context, agentID, by, from string) error
	// RecordEnrolment records the address, browser and signed-in agent
	// ("" if none) of an activation or re-enrolment.
	RecordEnrolment(ctx context.Context, agentID, from, userAgent, beside string) error
	// RecordFactorSignIn records at as the first sign-in with the agent's
	// own second factor, unless one is recorded already.
	RecordFactorSignIn(ctx context.Context, agentID string, at time.Time) error
	// AgentsWithRole lists at most limit agents holding role, of one
	// organisation or of all ("").
	AgentsWithRole(ctx context.Context, role socle.Role, organisationID string, limit int) ([]*socle.Agent, error)

	ChangeStore

	AddNotification(ctx context.Context, n *socle.Notification) error
	Notifications(ctx context.Context, agentID string, limit int) ([]*socle.Notification, error)
}

// ChangeStore keeps the administrative changes waiting for a second
// administrator's approval.
type ChangeStore interface {
	CreateChange(ctx context.Context, ch *socle.Change) error
	// Change returns a change, ENOTFOUND if none.
	Change(ctx context.Context, id string) (*socle.Change, error)
	// PendingChanges lists the pending changes of kind for an
	// organisation ("" for the register), oldest first.
	PendingChanges(ctx context.Context, kind, organisationID string) ([]*socle.Change, error)
	// DecideChange sets the status of a pending change, atomically: true
	// for exactly one call; false when it was no longer pending.
	DecideChange(ctx context.Context, id, status, by string, at time.Time) (bool, error)
}

// Config is how identity is deployed.
type Config struct {
	// Secure says the site is served over HTTPS: the cookie is then
	// __Host-socle_session with the Secure attribute. Plain HTTP (the local
	// demo) uses socle_session without it.
	Secure bool
	// Password is the argon2id cost; DefaultParams when zero.
	Password Params
	// IdleTimeout ends a session unused for that long (30 min).
	IdleTimeout time.Duration
	// AbsoluteTimeout ends any session that old (10 h: a working day).
	AbsoluteTimeout time.Duration
	// PendingTimeout ends a password-only session that has not presented
	// its second factor (5 min).
	PendingTimeout time.Duration
	// MaxFailures is the number of consecutive failures of an account
	// before it locks (10).
	MaxFailures int
	// LockBase is the first lock's length, doubled at each further failure
	// up to LockMax (1 min, 24 h).
	LockBase, LockMax time.Duration
	// AddrFailures is the number of failures from one address within
	// AddrWindow before that address is refused (30 in 15 min).
	AddrFailures int
	AddrWindow   time.Duration
	// Issuer names the service in authenticator apps ("Socle").
	Issuer string
	// BaseURL is the public URL of the site, for links in mails and the
	// WebAuthn origin ("http://localhost:8080").
	BaseURL string
	// RPID is the WebAuthn relying party id: the host of BaseURL, which
	// must be a domain name (localhost for the demo), not an IP address.
	RPID string
	// Key signs the pre-session CSRF cookie of the login forms; random when
	// nil (login forms open before a restart then fail once).
	Key []byte
	// LinkKey keys the stored hashes of one-time links (activation,
	// recovery); random when nil (links do not survive a restart).
	LinkKey []byte
	// CommonPasswords extends the built-in list of refused passwords.
	CommonPasswords []string
}

func (c Config) withDefaults() Config {
	if c.Password == (Params{}) {
		c.Password = DefaultParams
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 10 * time.Hour
	}
	if c.PendingTimeout <= 0 {
		c.PendingTimeout = 5 * time.Minute
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 10
	}
	if c.LockBase <= 0 {
		c.LockBase = time.Minute
	}
	if c.LockMax <= 0 {
		c.LockMax = 24 * time.Hour
	}
	if c.AddrFailures <= 0 {
		c.AddrFailures = 30
	}
	if c.AddrWindow <= 0 {
		c.AddrWindow = 15 * time.Minute
	}
	if c.Issuer == "" {
		c.Issuer = "Socle"
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost:8080"
	}
	if c.RPID == "" {
		// WebAuthn needs a domain: localhost for the local demo.
		c.RPID = "localhost"
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" && net.ParseIP(u.Hostname()) == nil {
			c.RPID = u.Hostname()
		}
	}
	if len(c.Key) == 0 {
		c.Key = make([]byte, 32)
		_, _ = rand.Read(c.Key)
	}
	if len(c.LinkKey) == 0 {
		c.LinkKey = make([]byte, 32)
		_, _ = rand.Read(c.LinkKey)
	}
	return c
}

// Service is the identity service.
type Service struct {
	store    Store
	auditor  socle.Auditor
	mailer   Mailer
	logger   *slog.Logger
	cfg      Config
	common   map[string]bool
	webauthn *webauthn.WebAuthn
	dummy    string // a hash verified for unknown accounts, for equal timing
	// Now is the clock, replaceable in tests.
	Now func() time.Time

	sessions sessionCache // live sessions recently read (sessioncache.go)
}

// New returns the identity service. mailer may be nil (tests): every mail
// then fails, and the failure is logged without its content.
func New(store Store, auditor socle.Auditor, mailer Mailer, logger *slog.Logger, cfg Config) (*Service, error) {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	if mailer == nil {
		mailer = noMailer{}
	}
	if auditor == nil {
		return nil, errors.New("identity: an auditor is required")
	}
	wa, err := webauthn.New(&webauthn.Config{RPID: cfg.RPID, RPDisplayName: cfg.Issuer, RPOrigins: []string{cfg.BaseURL}})
	if err != nil {
		return nil, fmt.Errorf("identity: webauthn: %w", err)
	}
	s := &Service{store: store, auditor: auditor, mailer: mailer, logger: logger, cfg: cfg, webauthn: wa, Now: time.Now}
	if gens, ok := store.(SessionGenerations); ok {
		s.sessions.gens = gens
	}
	s.common = commonPasswords(cfg.CommonPasswords)
	var pw [18]byte
	_, _ = rand.Read(pw[:])
	if s.dummy, err = HashPassword(string(pw[:]), cfg.Password); err != nil {
		return nil, err
	}
	return s, nil
}

// Config returns the configuration in force, defaults filled.
func (s *Service) Config() Config { return s.cfg }

// CookieName is the name of the session cookie.
func (s *Service) CookieName() string {
	if s.cfg.Secure {
		return "__Host-socle_session"
	}
	return "socle_session"
}

// audit appends an event; its error must stop what it records.
// errAuditUnavailable answers a request whose event the audit log could
// not record: nothing it asked for happens.
var errAuditUnavailable = socle.Errorf(socle.EUNAVAILABLE, "Le journal des accès est momentanément indisponible : l'opération n'a pas pu être enregistrée. Réessayez dans quelques instants.")

func (s *Service) audit(ctx context.Context, act audit.Act) error {
	ev, err := audit.Event(s.Now(), act)
	if err != nil {
		return fmt.Errorf("audit %s: %w", act.Action, err)
	}
	if err := s.auditor.Append(ctx, ev); err != nil {
		// Unavailable like every other access the log cannot record.
		return fmt.Errorf("audit %s: %w: %w", ev.Action, errAuditUnavailable, err)
	}
	return nil
}
