package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"socle"
)

// accessTokenType is the typ header of access tokens (RFC 9068), so that
// no other JWT signed by a trusted key passes for one.
const accessTokenType = "at+jwt"

// Claims are the claims of a Socle access token (RFC 9068 names).
type Claims struct {
	jwt.RegisteredClaims
	ClientID string `json:"client_id"`
	Org      string `json:"org"`
	Scope    string `json:"scope"`
	// Scopes is Scope split, filled by Verify.
	Scopes []string `json:"-"`
}

// ErrUnknownKey means a token names a key that is not in the key set.
var ErrUnknownKey = errors.New("unknown signing key")

// accessKey is the key function of access tokens: the kid must name a key
// of the set that still verifies, and typ must be at+jwt.
func (s *Service) accessKey(t *jwt.Token) (any, error) {
	if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, accessTokenType) {
		return nil, errors.New("not an access token")
	}
	kid, _ := t.Header["kid"].(string)
	k, ok := s.keys.Load().verify[kid]
	if !ok {
		return nil, ErrUnknownKey
	}
	if !k.until.IsZero() && !s.now().Before(k.until) {
		return nil, errors.New("signing key retired")
	}
	return k.pub, nil
}

// Verify checks an access token: EdDSA signature by a key of the set,
// issuer, audience, expiry, revocation and the client not disabled. Any
// failure is EUNAUTHENTICATED. The returned claims are shared: do not
// modify them.
//
// A token verified once is cached, keyed by its whole text, until it
// expires: the signature and claims cannot change for the same text, so
// only expiry, revocation and the client's state are checked again, on
// every call. The cache is dropped whenever the key set changes.
func (s *Service) Verify(ctx context.Context, token string) (*Claims, error) {
	now := s.now()
	c := s.cache.get(token, now.Unix())
	if c == nil {
		var err error
		if c, err = s.verifySignature(ctx, token); err != nil {
			return nil, err
		}
		s.cache.put(token, c, now.Unix())
	}
	if !now.Before(c.ExpiresAt.Add(leeway)) {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "access token expired")
	}
	s.mu.RLock()
	_, revoked := s.revoked[c.ID]
	disabled := s.disabled[c.ClientID]
	s.mu.RUnlock()
	if revoked {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "access token revoked")
	}
	if disabled {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "client disabled")
	}
	return c, nil
}

// refreshEvery bounds the refreshes an unknown kid triggers, so that
// forged kids cannot hammer the store.
const refreshEvery = 10 * time.Second

func (s *Service) verifySignature(ctx context.Context, token string) (*Claims, error) {
	c, err := s.parseAccess(token)
	if errors.Is(err, ErrUnknownKey) && s.now().UnixNano()-s.lastRefresh.Load() > int64(refreshEvery) {
		// Another instance may have rotated the key: reload once.
		if rerr := s.Refresh(ctx); rerr != nil {
			s.log.ErrorContext(ctx, "oauth refresh on unknown kid", "err", rerr)
		}
		c, err = s.parseAccess(token)
	}
	if err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "invalid access token")
	}
	return c, nil
}

func (s *Service) parseAccess(token string) (*Claims, error) {
	c := new(Claims)
	if _, err := s.access.ParseWithClaims(token, c, s.accessKey); err != nil {
		return nil, err
	}
	if c.ID == "" || c.ClientID == "" || c.Subject != c.ClientID || c.ExpiresAt == nil {
		return nil, errors.New("incomplete claims")
	}
	c.Scopes = strings.Fields(c.Scope)
	return c, nil
}

// issue signs an access token for a client with the granted scopes.
func (s *Service) issue(client *socle.OAuthClient, scopes []string) (string, *Claims, error) {
	ks := s.keys.Load()
	if ks.active == nil {
		return "", nil, errors.New("oauth: no active signing key")
	}
	now := s.now().Truncate(time.Second)
	c := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.cfg.Issuer,
			Subject:   client.ID,
			Audience:  jwt.ClaimStrings{s.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.TokenTTL)),
			ID:        randomString(16),
		},
		ClientID: client.ID,
		Org:      client.OrganisationID,
		Scope:    strings.Join(scopes, " "),
		Scopes:   scopes,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = ks.activeKID
	t.Header["typ"] = accessTokenType
	signed, err := t.SignedString(ks.active)
	if err != nil {
		return "", nil, fmt.Errorf("oauth: signing: %w", err)
	}
	return signed, c, nil
}

// Revoke revokes an access token by its id until it expires, in the store
// and at once in this instance; other instances learn it at their next
// Refresh. An administrator revoking for a client uses it directly.
func (s *Service) Revoke(ctx context.Context, jti, clientID string, expiresAt time.Time) error {
	if err := s.store.RevokeToken(ctx, socle.RevokedToken{JTI: jti, ClientID: clientID, ExpiresAt: expiresAt}); err != nil {
		return fmt.Errorf("oauth: revoking: %w", err)
	}
	s.mu.Lock()
	s.revoked[jti] = expiresAt
	s.mu.Unlock()
	return nil
}

// verifiedCache remembers verified tokens by their text until they expire.
type verifiedCache struct {
	mu sync.RWMutex
	m  map[string]*Claims
}

// maxCached bounds the cache: past it, expired entries are swept, and the
// cache is emptied if that is not enough (tokens then verify again).
const maxCached = 1 << 16

func (vc *verifiedCache) init() { vc.m = make(map[string]*Claims) }

func (vc *verifiedCache) get(token string, now int64) *Claims {
	vc.mu.RLock()
	c := vc.m[token]
	vc.mu.RUnlock()
	if c == nil || c.ExpiresAt.Unix() <= now {
		return nil
	}
	return c
}

func (vc *verifiedCache) put(token string, c *Claims, now int64) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if len(vc.m) >= maxCached {
		vc.sweepLocked(now)
		if len(vc.m) >= maxCached {
			clear(vc.m)
		}
	}
	vc.m[token] = c
}

func (vc *verifiedCache) sweep(now int64) {
	vc.mu.Lock()
	vc.sweepLocked(now)
	vc.mu.Unlock()
}

func (vc *verifiedCache) sweepLocked(now int64) {
	maps := vc.m
	for k, c := range maps {
		if c.ExpiresAt.Unix() <= now {
			delete(maps, k)
		}
	}
}

func (vc *verifiedCache) clear() {
	vc.mu.Lock()
	clear(vc.m)
	vc.mu.Unlock()
}

// grantScopes returns the requested scopes the client may have now: those
// configured for it that its organisation's agreements still allow.
func (s *Service) grantScopes(ctx context.Context, client *socle.OAuthClient, requested []string) ([]string, error) {
	org, err := s.orgs.Organisation(ctx, client.OrganisationID)
	if err != nil {
		return nil, fmt.Errorf("oauth: organisation of client: %w", err)
	}
	agreements := s.cfg.Agreements()
	var granted []string
	for _, sc := range requested {
		if slices.Contains(client.Scopes, sc) && agreementAllows(agreements, org, sc) {
			granted = append(granted, sc)
		}
	}
	return granted, nil
}
