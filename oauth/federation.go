package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"socle"
)

// RelyingPartyConfig configures Socle as the relying party of an OpenID
// Connect provider: the staff SSO (generic or ProConnect) and FranceConnect
// for persons share it.
type RelyingPartyConfig struct {
	// Issuer is the provider's issuer URL, where discovery starts.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Socle's callback, as registered at the provider.
	RedirectURL string
	// PostLogoutRedirectURL is where the provider sends the browser back
	// after a logout there; no logout at the provider when empty or when
	// it publishes no end_session_endpoint.
	PostLogoutRedirectURL string
	Scopes                []string
	// SigningAlgs pins the ID token algorithms; RS256 and ES256 when nil.
	SigningAlgs []string
	// Userinfo requires the provider to publish a userinfo endpoint.
	Userinfo bool
	// Cookie prefixes the names of the flow's cookies; it starts with
	// __Host- so that they are bound to our origin.
	Cookie string
	// Now is the clock, time.Now when nil.
	Now func() time.Time
}

// RelyingParty runs the authorization code flow with PKCE, state and
// nonce, reads the signed userinfo and logs out at the provider.
type RelyingParty struct {
	cfg      RelyingPartyConfig
	oauth2   oauth2.Config
	verifier *oidc.IDTokenVerifier
	// userinfoURL, keys and endSessionURL come from discovery; keys
	// verify the signed userinfo; endSessionURL is empty when Socle does
	// not log out at the provider.
	userinfoURL   string
	keys          *oidc.RemoteKeySet
	endSessionURL string
}

// Login is a completed authorization: the verified ID token, its raw form
// (the id_token_hint of a later logout) and the access token for the
// userinfo.
type Login struct {
	IDToken *oidc.IDToken
	Raw     string
	Token   *oauth2.Token
}

// NewRelyingParty discovers the provider (ctx carries the HTTP client, see
// oidc.ClientContext).
func NewRelyingParty(ctx context.Context, cfg RelyingPartyConfig) (*RelyingParty, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("needs an issuer, a client id and a redirect URL")
	}
	if !strings.HasPrefix(cfg.Cookie, "__Host-") {
		return nil, errors.New("the flow cookie needs the __Host- prefix")
	}
	if cfg.SigningAlgs == nil {
		cfg.SigningAlgs = []string{oidc.RS256, oidc.ES256}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var meta struct {
		JWKS       string `json:"jwks_uri"`
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery metadata: %w", err)
	}
	if cfg.Userinfo && p.UserInfoEndpoint() == "" {
		return nil, errors.New("the provider publishes no userinfo_endpoint")
	}
	rp := &RelyingParty{
		cfg: cfg,
		oauth2: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes},
		verifier:    p.VerifierContext(ctx, &oidc.Config{ClientID: cfg.ClientID, SupportedSigningAlgs: cfg.SigningAlgs, Now: cfg.Now}),
		userinfoURL: p.UserInfoEndpoint(),
		keys:        oidc.NewRemoteKeySet(ctx, meta.JWKS),
	}
	if cfg.PostLogoutRedirectURL != "" {
		rp.endSessionURL = meta.EndSession
	}
	return rp, nil
}

// Issuer is the provider's issuer: federation links are keyed by it.
func (rp *RelyingParty) Issuer() string { return rp.cfg.Issuer }

const flowTTL = 10 * time.Minute

// cookie sets (or with an empty value deletes) one of the flow's cookies.
// Lax lets it come back on the provider's top-level redirect.
func (rp *RelyingParty) cookie(w http.ResponseWriter, suffix, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: rp.cfg.Cookie + suffix, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// Start redirects the browser to the provider, keeping state, nonce and
// PKCE verifier in a cookie.
func (rp *RelyingParty) Start(w http.ResponseWriter, r *http.Request, opts ...oauth2.AuthCodeOption) {
	state, nonce, verifier := randomString(32), randomString(32), oauth2.GenerateVerifier()
	rp.cookie(w, "", state+"."+nonce+"."+verifier, flowTTL)
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}, opts...)
	http.Redirect(w, r, rp.oauth2.AuthCodeURL(state, opts...), http.StatusFound)
}

// Finish completes the flow at the callback: it checks the state,
// exchanges the code with the PKCE verifier, and verifies the ID token
// (signature, issuer, audience, expiry, nonce). Failures are
// EUNAUTHENTICATED.
func (rp *RelyingParty) Finish(w http.ResponseWriter, r *http.Request) (*Login, error) {
	ctx := r.Context()
	c, err := r.Cookie(rp.cfg.Cookie)
	rp.cookie(w, "", "", 0) // single use
	if err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "sign-in flow expired, start again")
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "sign-in flow malformed, start again")
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "the identity provider refused: %s", e)
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "state mismatch")
	}
	tok, err := rp.oauth2.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "code exchange failed")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "no ID token")
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "invalid ID token")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "nonce mismatch")
	}
	return &Login{IDToken: idt, Raw: raw, Token: tok}, nil
}

// maxUserinfo bounds the userinfo response read.
const maxUserinfo = 64 << 10

// SignedUserinfo fetches the userinfo of l and decodes its claims into v
// after verifying its signature against the provider's keys (go-oidc's
// key set): both federations answer a JWT (application/jwt), and an
// unsigned answer is refused. The claims must name the ID token's subject
// (OpenID Connect Core 5.3.2), our provider and us.
func (rp *RelyingParty) SignedUserinfo(ctx context.Context, l *Login, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rp.userinfoURL, nil)
	if err != nil {
		return fmt.Errorf("userinfo request: %w", err)
	}
	l.Token.SetAuthHeader(req)
	client := http.DefaultClient
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
		client = c
	}
	resp, err := client.Do(req)
	if err != nil {
		return socle.Errorf(socle.EUNAUTHENTICATED, "userinfo unreachable")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserinfo))
	if err != nil || resp.StatusCode != http.StatusOK {
		return socle.Errorf(socle.EUNAUTHENTICATED, "userinfo refused")
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/jwt" {
		return socle.Errorf(socle.EUNAUTHENTICATED, "the userinfo is not a signed JWT")
	}
	payload, err := rp.keys.VerifySignature(ctx, strings.TrimSpace(string(body)))
	if err != nil {
		return socle.Errorf(socle.EUNAUTHENTICATED, "the userinfo signature is invalid")
	}
	var about struct {
		Issuer   string          `json:"iss"`
		Audience json.RawMessage `json:"aud"`
		Subject  string          `json:"sub"`
	}
	if json.Unmarshal(payload, &about) != nil || json.Unmarshal(payload, v) != nil {
		return socle.Errorf(socle.EUNAUTHENTICATED, "malformed userinfo claims")
	}
	if about.Subject != l.IDToken.Subject || about.Issuer != rp.cfg.Issuer || !audienceHas(about.Audience, rp.cfg.ClientID) {
		return socle.Errorf(socle.EUNAUTHENTICATED, "the userinfo is not about this login")
	}
	return nil
}

// audienceHas reports whether a JWT aud claim (a string or a list) holds id.
func audienceHas(aud json.RawMessage, id string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == id
	}
	var many []string
	return json.Unmarshal(aud, &many) == nil && slices.Contains(many, id)
}

// KeepIDToken keeps the raw ID token of a login for the logout at the
// provider (id_token_hint), when Socle logs out there.
func (rp *RelyingParty) KeepIDToken(w http.ResponseWriter, raw string) {
	if rp.endSessionURL != "" {
		rp.cookie(w, "_idt", raw, 0)
	}
}

// LogoutURL returns where to send a browser whose Socle session was just
// ended: the provider's end_session_endpoint with id_token_hint, state and
// post_logout_redirect_uri when the session came from this provider and it
// offers logout, else ok is false. It forgets the ID token and keeps the
// state for LogoutReturn.
func (rp *RelyingParty) LogoutURL(w http.ResponseWriter, r *http.Request) (u string, ok bool) {
	c, err := r.Cookie(rp.cfg.Cookie + "_idt")
	if err != nil || c.Value == "" || rp.endSessionURL == "" {
		return "", false
	}
	end, err := url.Parse(rp.endSessionURL)
	if err != nil {
		return "", false
	}
	rp.cookie(w, "_idt", "", 0)
	state := randomString(32)
	rp.cookie(w, "_logout", state, flowTTL)
	q := end.Query()
	q.Set("id_token_hint", c.Value)
	q.Set("state", state)
	q.Set("post_logout_redirect_uri", rp.cfg.PostLogoutRedirectURL)
	end.RawQuery = q.Encode()
	return end.String(), true
}

// LogoutReturn checks the provider's return from a logout: the state must
// be the one LogoutURL kept, so that nobody else's redirect lands
// unnoticed.
func (rp *RelyingParty) LogoutReturn(w http.ResponseWriter, r *http.Request) bool {
	c, err := r.Cookie(rp.cfg.Cookie + "_logout")
	rp.cookie(w, "_logout", "", 0)
	return err == nil && subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(c.Value)) == 1
}
