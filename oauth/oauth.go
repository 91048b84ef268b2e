// Package oauth lets partner systems and staff in through standard
// protocols: OAuth2 client credentials for partner systems (RFC 6749 §4.4,
// with private_key_jwt client authentication from RFC 7523 or a client
// secret), short-lived Ed25519-signed access tokens whose scopes come from
// the client's organisation and agreement, revocation (RFC 7009), signing
// key rotation published as a JWK set, and staff single sign-on from the
// network's OpenID Connect provider.
//
// Every issuance, refusal and administrative change is appended to the
// audit log through socle.Auditor.
package oauth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"socle"
	"socle/audit"
	"socle/policy"
)

// DefaultAudience is the audience of Socle's access tokens.
const DefaultAudience = "socle-api"

// Token lifetimes allowed by Config.TokenTTL: short, so that a leaked token
// is worth little and revocation lists stay small.
const (
	MinTokenTTL     = 5 * time.Minute
	MaxTokenTTL     = 15 * time.Minute
	DefaultTokenTTL = 10 * time.Minute
)

// maxAssertionLifetime bounds exp of a client assertion (RFC 7523 §3 lets
// the server limit it): the used-jti table only has to remember this long.
const maxAssertionLifetime = 5 * time.Minute

// leeway absorbs clock skew between Socle's instances and partner systems.
const leeway = 30 * time.Second

// Config configures a Service.
type Config struct {
	// Issuer is the iss of access tokens, Socle's public base URL
	// ("https://socle.example.fr"). Required.
	Issuer string
	// TokenEndpoint is the URL of POST /oauth/token, the audience client
	// assertions must name. Issuer + "/oauth/token" when empty.
	TokenEndpoint string
	// Audience is the aud of access tokens, DefaultAudience when empty.
	Audience string
	// TokenTTL is the lifetime of access tokens, between MinTokenTTL and
	// MaxTokenTTL; DefaultTokenTTL when zero.
	TokenTTL time.Duration
	// KeyEncryptionKey, 32 bytes when set, seals the signing keys at rest
	// with AES-256-GCM so that a copy of the database cannot mint tokens.
	KeyEncryptionKey []byte
	// SecretKey keys the HMAC of client secrets (at least 32 bytes when
	// set), so that a copy of the database alone cannot even check a guess.
	SecretKey []byte
	// Agreements returns the agreements in force, against which a client's
	// scopes are checked; policy.DefaultAgreements when nil.
	Agreements func() []policy.Agreement
	// TokenRateWindow, TokenRequestsPerClient and TokenRequestsPerAddress
	// limit the token endpoint (ratelimit.go); the Default… values when
	// zero.
	TokenRateWindow         time.Duration
	TokenRequestsPerClient  int
	TokenRequestsPerAddress int
	// Now is the clock, time.Now when nil.
	Now func() time.Time
	// Logger receives what cannot be returned (an audit failure while
	// refusing). slog.Default when nil.
	Logger *slog.Logger
}

// Service issues, verifies and revokes access tokens and manages clients
// and signing keys. It keeps the signing keys, the revoked token ids and the
// disabled clients in memory, refreshed from the store by Refresh, so that
// verifying a token never waits on the database.
type Service struct {
	store   Store
	orgs    socle.OrganisationStore
	auditor socle.Auditor
	cfg     Config
	log     *slog.Logger

	access    *jwt.Parser // access tokens: EdDSA only
	assertion *jwt.Parser // client assertions: EdDSA and ES256 only

	keys        atomic.Pointer[keySet]
	rotateMu    sync.Mutex
	lastRefresh atomic.Int64 // unix nanoseconds of the last Refresh

	mu       sync.RWMutex
	revoked  map[string]time.Time // jti -> expiry
	disabled map[string]bool      // client id

	cache verifiedCache
}

// New returns a Service over the store, loading its signing keys and
// creating the first one when there is none.
func New(ctx context.Context, store Store, orgs socle.OrganisationStore, auditor socle.Auditor, cfg Config) (*Service, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("oauth: Config.Issuer is required")
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	if cfg.TokenEndpoint == "" {
		cfg.TokenEndpoint = cfg.Issuer + "/oauth/token"
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.TokenTTL < MinTokenTTL || cfg.TokenTTL > MaxTokenTTL {
		return nil, fmt.Errorf("oauth: TokenTTL %s out of [%s, %s]", cfg.TokenTTL, MinTokenTTL, MaxTokenTTL)
	}
	if cfg.KeyEncryptionKey != nil && len(cfg.KeyEncryptionKey) != 32 {
		return nil, errors.New("oauth: KeyEncryptionKey must be 32 bytes")
	}
	if cfg.SecretKey != nil && len(cfg.SecretKey) < 32 {
		return nil, errors.New("oauth: SecretKey must be at least 32 bytes")
	}
	if cfg.Agreements == nil {
		cfg.Agreements = policy.DefaultAgreements
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{store: store, orgs: orgs, auditor: auditor, cfg: cfg, log: cfg.Logger,
		revoked: map[string]time.Time{}, disabled: map[string]bool{}}
	s.cache.init()
	// The parsers are configured once: the algorithms are pinned, so that
	// alg=none, HS256 keyed with a public key and any other algorithm are
	// refused before a key is even looked up.
	s.access = jwt.NewParser(
		jwt.WithValidMethods([]string{"EdDSA"}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(s.now),
	)
	s.assertion = jwt.NewParser(
		jwt.WithValidMethods([]string{"EdDSA", "ES256"}),
		jwt.WithAudience(cfg.TokenEndpoint),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(s.now),
	)
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	if s.keys.Load().active == nil {
		if _, err := s.RotateKey(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// Issuer returns the iss of the access tokens.
func (s *Service) Issuer() string { return s.cfg.Issuer }

// Refresh reloads the signing keys, the revoked token ids and the disabled
// clients from the store, so that what another instance did applies here.
func (s *Service) Refresh(ctx context.Context) error {
	now := s.now()
	s.lastRefresh.Store(now.UnixNano())
	stored, err := s.store.SigningKeys(ctx, now.Add(-s.keyGrace()))
	if err != nil {
		return fmt.Errorf("oauth: refreshing keys: %w", err)
	}
	ks, err := s.buildKeySet(stored)
	if err != nil {
		return err
	}
	revoked, err := s.store.RevokedTokens(ctx, now)
	if err != nil {
		return fmt.Errorf("oauth: refreshing revocations: %w", err)
	}
	disabled, err := s.store.DisabledOAuthClients(ctx)
	if err != nil {
		return fmt.Errorf("oauth: refreshing clients: %w", err)
	}
	rv := make(map[string]time.Time, len(revoked))
	for _, t := range revoked {
		rv[t.JTI] = t.ExpiresAt
	}
	dis := make(map[string]bool, len(disabled))
	for _, id := range disabled {
		dis[id] = true
	}
	s.mu.Lock()
	// Keep local revocations the store does not return yet (a concurrent
	// write): a revocation is never undone.
	for jti, exp := range s.revoked {
		if _, ok := rv[jti]; !ok && exp.After(now) {
			rv[jti] = exp
		}
	}
	s.revoked, s.disabled = rv, dis
	s.mu.Unlock()
	s.setKeys(ks)
	return nil
}

// Run refreshes s every interval and purges expired revocations and used
// assertions, until ctx is done. Errors are logged: the previous state
// stays in force meanwhile.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Refresh(ctx); err != nil {
			s.log.ErrorContext(ctx, "oauth refresh", "err", err)
		}
		if err := s.store.PurgeOAuth(ctx, s.now()); err != nil {
			s.log.ErrorContext(ctx, "oauth purge", "err", err)
		}
		s.cache.sweep(s.now().Unix())
	}
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// audit records act, stamped with the time.
func (s *Service) audit(ctx context.Context, act audit.Act) error {
	if err := audit.Append(ctx, s.auditor, s.now(), act); err != nil {
		return fmt.Errorf("oauth: audit: %w", err)
	}
	return nil
}

// edKey is an Ed25519 public key with the end of its validity.
type edKey struct {
	pub ed25519.PublicKey
	// until is when tokens it signed have all expired: zero for the active
	// key, retirement + token lifetime for a retired one.
	until time.Time
}
