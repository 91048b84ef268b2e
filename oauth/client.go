package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"socle"
	"socle/audit"
)

// AssertionType is the client_assertion_type of private_key_jwt (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// PrefixClient prefixes client ids.
const PrefixClient = "cli"

// Error is an OAuth2 error response (RFC 6749 §5.2).
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Status      int    `json:"-"`
	// basic says the client tried HTTP Basic, so that a 401 names it.
	basic bool
	// retryAfter, when set, is sent as Retry-After (a 429).
	retryAfter time.Duration
}

func (e *Error) Error() string { return "oauth: " + e.Code + ": " + e.Description }

func oauthError(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Status: status}
}

func invalidClient(format string, args ...any) *Error {
	return oauthError(http.StatusUnauthorized, "invalid_client", format, args...)
}

// hashSecret returns the keyed hash of a client secret. Client secrets are
// 256 random bits, so no guessing can find one whatever the hash: a slow
// password hash (argon2id) would only cost CPU on every token request. An
// HMAC-SHA-256 keyed with Config.SecretKey (kept out of the database) also
// means a stolen database alone does not even let anyone test a candidate.
func (s *Service) hashSecret(secret string) []byte {
	key := s.cfg.SecretKey
	if key == nil {
		key = []byte("socle oauth client secret") // domain separation only
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// clientCredentials are the credentials a request carries.
type clientCredentials struct {
	id, secret, assertionType, assertion string
	basic                                bool
}

func credentialsOf(r *http.Request, form url.Values) (clientCredentials, *Error) {
	var cc clientCredentials
	if user, pass, ok := r.BasicAuth(); ok {
		// RFC 6749 §2.3.1: Basic credentials are form-urlencoded first.
		var err1, err2 error
		cc.id, err1 = url.QueryUnescape(user)
		cc.secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return cc, &Error{Code: "invalid_client", Description: "malformed Basic credentials", Status: http.StatusUnauthorized, basic: true}
		}
		cc.basic = true
	}
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	cc.assertionType, cc.assertion = form.Get("client_assertion_type"), form.Get("client_assertion")
	methods := 0
	for _, used := range []bool{cc.basic, formSecret != "", cc.assertion != ""} {
		if used {
			methods++
		}
	}
	if methods > 1 {
		return cc, oauthError(http.StatusBadRequest, "invalid_request", "use exactly one client authentication method")
	}
	if !cc.basic {
		cc.secret = formSecret
		cc.id = formID
	} else if formID != "" && formID != cc.id {
		return cc, oauthError(http.StatusBadRequest, "invalid_request", "client_id differs from the Basic credentials")
	}
	if methods == 0 {
		return cc, invalidClient("client authentication required")
	}
	return cc, nil
}

// authenticateClient authenticates the client of a token or revocation
// request with the method registered for it.
func (s *Service) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (*socle.OAuthClient, *Error) {
	cc, oerr := credentialsOf(r, form)
	if oerr != nil {
		return nil, oerr
	}
	if cc.assertion != "" {
		if cc.assertionType != AssertionType {
			return nil, oauthError(http.StatusBadRequest, "invalid_request", "client_assertion_type must be %s", AssertionType)
		}
		return s.authenticateAssertion(ctx, cc.id, cc.assertion)
	}
	client, err := s.loadClient(ctx, cc.id)
	if err != nil {
		return nil, err
	}
	fail := func(msg string) *Error { e := invalidClient("%s", msg); e.basic = cc.basic; return e }
	if client.Method != socle.OAuthClientSecret || len(client.SecretHash) == 0 {
		return nil, fail("this client must authenticate with " + string(client.Method))
	}
	if !hmac.Equal(s.hashSecret(cc.secret), client.SecretHash) {
		return nil, fail("client authentication failed")
	}
	return client, nil
}

// loadClient returns an enabled client; every failure is invalid_client,
// with no hint of whether the id exists.
func (s *Service) loadClient(ctx context.Context, id string) (*socle.OAuthClient, *Error) {
	if id == "" {
		return nil, invalidClient("client authentication failed")
	}
	client, err := s.store.OAuthClient(ctx, id)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, invalidClient("client authentication failed")
	} else if err != nil {
		s.log.ErrorContext(ctx, "oauth: reading client", "err", err)
		return nil, oauthError(http.StatusInternalServerError, "server_error", "try again later")
	}
	if client.Disabled {
		return nil, invalidClient("client disabled")
	}
	return client, nil
}

// authenticateAssertion checks a private_key_jwt client assertion (RFC 7523
// §3): iss = sub = client id, aud = the token endpoint, exp within five
// minutes, a jti never used before, signed EdDSA or ES256 by a registered
// key of the client.
func (s *Service) authenticateAssertion(ctx context.Context, formID, assertion string) (*socle.OAuthClient, *Error) {
	var client *socle.OAuthClient
	var cerr *Error
	var claims jwt.RegisteredClaims
	_, err := s.assertion.ParseWithClaims(assertion, &claims, func(t *jwt.Token) (any, error) {
		// The claims are decoded but not yet trusted: they only select
		// which client's keys must have signed.
		if claims.Issuer == "" || claims.Issuer != claims.Subject || (formID != "" && formID != claims.Subject) {
			return nil, errors.New("iss and sub must both be the client id")
		}
		client, cerr = s.loadClient(ctx, claims.Subject)
		if cerr != nil {
			return nil, cerr
		}
		if client.Method != socle.OAuthPrivateKeyJWT {
			cerr = invalidClient("this client must authenticate with %s", client.Method)
			return nil, cerr
		}
		kid, _ := t.Header["kid"].(string)
		return clientKeys(client.JWKS, t.Method.Alg(), kid)
	})
	if cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, invalidClient("invalid client assertion")
	}
	now := s.now()
	if claims.ExpiresAt.After(now.Add(maxAssertionLifetime + leeway)) {
		return nil, invalidClient("client assertion lives longer than %s", maxAssertionLifetime)
	}
	if claims.ID == "" || len(claims.ID) > 256 {
		return nil, invalidClient("client assertion needs a jti")
	}
	if err := s.store.UseAssertion(ctx, client.ID, claims.ID, claims.ExpiresAt.Add(leeway)); err != nil {
		if socle.ErrorCode(err) == socle.ECONFLICT {
			return nil, invalidClient("client assertion replayed")
		}
		s.log.ErrorContext(ctx, "oauth: recording assertion", "err", err)
		return nil, oauthError(http.StatusInternalServerError, "server_error", "try again later")
	}
	return client, nil
}

// clientKeys returns the client's registered public keys usable with alg
// (and with the kid when the assertion names one).
func clientKeys(jwks, alg, kid string) (any, error) {
	keys, err := parseClientJWKS(jwks)
	if err != nil {
		return nil, err
	}
	var set jwt.VerificationKeySet
	for _, k := range keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if keyAlg(k.Key) == alg {
			set.Keys = append(set.Keys, k.Key)
		}
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("no registered key for this assertion")
	}
	return set, nil
}

// keyAlg is the one algorithm a client key may sign with: pinning it per
// key type rules out algorithm confusion.
func keyAlg(k any) string {
	switch k := k.(type) {
	case ed25519.PublicKey:
		return "EdDSA"
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "ES256"
		}
	}
	return ""
}

// parseClientJWKS parses a client's key set, accepting only public Ed25519
// and P-256 keys.
func parseClientJWKS(doc string) ([]jose.JSONWebKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(doc), &set); err != nil {
		return nil, fmt.Errorf("client JWK set: %w", err)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("client JWK set: no key")
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			return nil, errors.New("client JWK set: private key material must never be sent to Socle")
		}
		if keyAlg(k.Key) == "" {
			return nil, errors.New("client JWK set: only Ed25519 (OKP) and P-256 (EC) keys are accepted")
		}
	}
	return set.Keys, nil
}

// TokenResponse is a successful token response (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// Token runs a client credentials token request (RFC 6749 §4.4) from its
// form and audits the outcome. The error is always an *Error.
func (s *Service) Token(ctx context.Context, r *http.Request, form url.Values) (*TokenResponse, *Error) {
	ev := audit.Act{Action: "token_denied", RemoteAddr: r.RemoteAddr, RequestID: r.Header.Get("X-Request-Id")}
	var resp *TokenResponse
	var client *socle.OAuthClient
	oerr := s.limitTokenRequests(ctx, r, form)
	if oerr == nil {
		resp, client, oerr = s.token(ctx, r, form)
	}
	if client != nil {
		ev.ClientID, ev.OrganisationID = client.ID, client.OrganisationID
	}
	if oerr != nil {
		ev.Explanation = "Jeton refusé : " + oerr.Code + " (" + oerr.Description + ")."
		if err := s.audit(ctx, ev); err != nil {
			s.log.ErrorContext(ctx, "oauth: auditing a refusal", "err", err)
		}
		return nil, oerr
	}
	ev.Action, ev.Allowed = "token_issued", true
	ev.Explanation = "Jeton d'accès émis pour les portées : " + resp.Scope + "."
	if err := s.audit(ctx, ev); err != nil {
		// Fail closed: a token that the log does not know is never handed out.
		s.log.ErrorContext(ctx, "oauth: auditing an issuance", "err", err)
		return nil, oauthError(http.StatusInternalServerError, "server_error", "try again later")
	}
	return resp, nil
}

func (s *Service) token(ctx context.Context, r *http.Request, form url.Values) (*TokenResponse, *socle.OAuthClient, *Error) {
	client, oerr := s.authenticateClient(ctx, r, form)
	if oerr != nil {
		return nil, nil, oerr
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			return nil, client, oauthError(http.StatusBadRequest, "invalid_request", "grant_type required")
		}
		return nil, client, oauthError(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
	}
	requested := splitScopes(form.Get("scope"))
	if len(requested) == 0 {
		return nil, client, oauthError(http.StatusBadRequest, "invalid_scope", "name the scopes you need, as <purpose>:<action>")
	}
	granted, err := s.grantScopes(ctx, client, requested)
	if err != nil {
		s.log.ErrorContext(ctx, "oauth: granting scopes", "err", err)
		return nil, client, oauthError(http.StatusInternalServerError, "server_error", "try again later")
	}
	if len(granted) == 0 {
		return nil, client, oauthError(http.StatusBadRequest, "invalid_scope", "none of the requested scopes is allowed for this client")
	}
	signed, c, err := s.issue(client, granted)
	if err != nil {
		s.log.ErrorContext(ctx, "oauth: issuing", "err", err)
		return nil, client, oauthError(http.StatusInternalServerError, "server_error", "try again later")
	}
	return &TokenResponse{AccessToken: signed, TokenType: "Bearer", ExpiresIn: int(c.ExpiresAt.Sub(s.now()) / time.Second), Scope: c.Scope}, client, nil
}

// RevokeRequest runs a revocation request (RFC 7009) from its form: the
// client revokes one of its own access tokens. An invalid or expired token
// is no error (§2.2).
func (s *Service) RevokeRequest(ctx context.Context, r *http.Request, form url.Values) *Error {
	client, oerr := s.authenticateClient(ctx, r, form)
	if oerr != nil {
		return oerr
	}
	token := form.Get("token")
	if token == "" {
		return oauthError(http.StatusBadRequest, "invalid_request", "token required")
	}
	if hint := form.Get("token_type_hint"); hint != "" && hint != "access_token" {
		return oauthError(http.StatusBadRequest, "unsupported_token_type", "only access tokens exist here")
	}
	c, err := s.parseAccess(token)
	if err != nil {
		return nil
	}
	ev := audit.Act{Action: "token_revoked", ClientID: client.ID, OrganisationID: client.OrganisationID,
		RemoteAddr: r.RemoteAddr, ResourceKind: "access_token", ResourceID: c.ID}
	if c.ClientID != client.ID {
		ev.Explanation = "Révocation refusée : le jeton a été émis pour un autre client."
		if err := s.audit(ctx, ev); err != nil {
			s.log.ErrorContext(ctx, "oauth: auditing a refusal", "err", err)
		}
		return oauthError(http.StatusBadRequest, "invalid_request", "this token was not issued to this client")
	}
	if err := s.Revoke(ctx, c.ID, c.ClientID, c.ExpiresAt.Time.Add(leeway)); err != nil {
		s.log.ErrorContext(ctx, "oauth: revoking", "err", err)
		return oauthError(http.StatusServiceUnavailable, "server_error", "try again later")
	}
	ev.Allowed, ev.Explanation = true, "Jeton d'accès révoqué par son client."
	if err := s.audit(ctx, ev); err != nil {
		s.log.ErrorContext(ctx, "oauth: auditing a revocation", "err", err)
	}
	return nil
}

// NewClient is what an administrator gives to create a client.
type NewClient struct {
	OrganisationID string
	Name           string
	Method         socle.OAuthMethod
	// JWKS is the client's public key set, for MethodPrivateKeyJWT.
	JWKS   string
	Scopes []string
}

// CreateClient registers a partner system. Its scopes must be
// "<purpose>:<action>" that an agreement of its organisation allows. For
// MethodClientSecret, the secret is returned once and only its keyed hash
// is stored.
func (s *Service) CreateClient(ctx context.Context, nc NewClient) (client *socle.OAuthClient, secret string, err error) {
	var p socle.Problems
	if nc.Name == "" || len(nc.Name) > 200 {
		p.Add("name", "required, at most 200 characters")
	}
	org, err := s.orgs.Organisation(ctx, nc.OrganisationID)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		p.Add("organisation_id", "unknown organisation")
	} else if err != nil {
		return nil, "", fmt.Errorf("oauth: creating client: %w", err)
	}
	c := &socle.OAuthClient{ID: socle.NewID(PrefixClient), OrganisationID: nc.OrganisationID, Name: nc.Name, Method: nc.Method, CreatedAt: s.now().UTC()}
	switch nc.Method {
	case socle.OAuthPrivateKeyJWT:
		if _, err := parseClientJWKS(nc.JWKS); err != nil {
			p.Add("jwks", "%v", err)
		}
		c.JWKS = nc.JWKS
	case socle.OAuthClientSecret:
		if nc.JWKS != "" {
			p.Add("jwks", "only for private_key_jwt")
		}
		secret = "socle_cs_" + randomString(32) // 256 bits
		c.SecretHash = s.hashSecret(secret)
	default:
		p.Add("method", "private_key_jwt or client_secret")
	}
	if len(nc.Scopes) == 0 {
		p.Add("scopes", "at least one scope <purpose>:<action>")
	}
	agreements := s.cfg.Agreements()
	for _, sc := range nc.Scopes {
		if _, _, ok := parseScope(sc); !ok {
			p.Add("scopes", "%q is not <purpose>:<action> (actions: read, search, create, update, export)", sc)
		} else if org != nil && !agreementAllows(agreements, org, sc) {
			p.Add("scopes", "%q is not allowed by any agreement of the organisation", sc)
		}
	}
	if err := p.Err("oauth client"); err != nil {
		return nil, "", err
	}
	c.Scopes = splitScopes(strings.Join(nc.Scopes, " "))
	if err := s.store.CreateOAuthClient(ctx, c); err != nil {
		return nil, "", fmt.Errorf("oauth: creating client: %w", err)
	}
	if err := s.audit(ctx, audit.Act{Action: "client_created", Allowed: true, ClientID: c.ID, OrganisationID: c.OrganisationID,
		Explanation: "Client « " + c.Name + " » créé (" + string(c.Method) + ") avec les portées : " + strings.Join(c.Scopes, " ") + "."}); err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

// DisableClient disables a client: it gets no new token, and the tokens it
// holds stop verifying at once here and at the next Refresh elsewhere.
func (s *Service) DisableClient(ctx context.Context, id string) error {
	c, err := s.store.OAuthClient(ctx, id)
	if err != nil {
		return fmt.Errorf("oauth: disabling client: %w", err)
	}
	if err := s.store.SetOAuthClientDisabled(ctx, id, true); err != nil {
		return fmt.Errorf("oauth: disabling client: %w", err)
	}
	s.mu.Lock()
	s.disabled[id] = true
	s.mu.Unlock()
	return s.audit(ctx, audit.Act{Action: "client_disabled", Allowed: true, ClientID: id, OrganisationID: c.OrganisationID,
		Explanation: "Client désactivé ; ses jetons ne sont plus acceptés."})
}
