// Package oidctest is a minimal but real OpenID Connect provider for tests:
// discovery, JWKS, an authorize endpoint that signs in a configured user
// and redirects with a code, and a token endpoint that checks the client,
// the redirect URI and PKCE (S256) before issuing an ES256 ID token.
//
// With a Flavour it behaves like one of the État's federations: ProConnect
// (claims in a signed userinfo JWT, no email_verified, an acr only when
// acr_values asks for one, uid/siret/idp_id claims, end_session_endpoint)
// or FranceConnect (the identity set in a signed userinfo JWT).
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Flavour is the federation a Provider behaves like.
type Flavour int

const (
	// Generic is plain OpenID Connect: the claims are in the ID token.
	Generic Flavour = iota
	// ProConnect is the État's federation for agents.
	ProConnect
	// FranceConnect is the État's federation for persons.
	FranceConnect
)

// User is who signs in at the provider's next authorization.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	AMR           []string
	// ACR is the level the login reached; ProConnect returns it only when
	// the relying party asked for acr values.
	ACR string

	// ProConnect claims.
	GivenName, UsualName, UID, SIRET, IdPID string

	// FranceConnect's identity set; GivenName is shared with ProConnect.
	FamilyName, Birthdate, Birthplace, Gender, PreferredUsername string
}

// Provider is an OpenID Connect provider on an httptest server.
type Provider struct {
	*httptest.Server
	ClientID, ClientSecret, RedirectURL string
	// PostLogoutRedirectURL is the registered post_logout_redirect_uri.
	PostLogoutRedirectURL string
	Flavour               Flavour

	key *ecdsa.PrivateKey
	mu  sync.Mutex
	// user signs in at the next authorization.
	user User
	// nonceOverride, when set, replaces the nonce of the next ID token: an
	// attack the relying party must detect.
	nonceOverride string
	codes         map[string]grant
	// tokens are the access tokens issued, for userinfo.
	tokens map[string]User
	// asked is the acr_values of the last authorization request.
	asked string
	// loggedOut counts the sessions ended at end_session.
	loggedOut int
	// unsigned makes userinfo answer plain JSON: a downgrade the relying
	// party must refuse.
	unsigned bool
}

type grant struct {
	user                       User
	nonce, challenge, redirect string
	acrAsked                   bool
	expires                    time.Time
}

// New starts a generic provider for one client; Close it when done.
func New(clientID, clientSecret, redirectURL string) *Provider {
	return NewFederation(Generic, clientID, clientSecret, redirectURL, "")
}

// NewFederation starts a provider of that flavour for one client, with
// postLogoutURL as its registered post_logout_redirect_uri; Close it when
// done.
func NewFederation(f Flavour, clientID, clientSecret, redirectURL, postLogoutURL string) *Provider {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL, PostLogoutRedirectURL: postLogoutURL,
		Flavour: f, key: key, codes: map[string]grant{}, tokens: map[string]User{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /end_session", p.endSession)
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	return p
}

// SignIn sets who signs in at the next authorization.
func (p *Provider) SignIn(u User) {
	p.mu.Lock()
	p.user = u
	p.mu.Unlock()
}

// ForgeNonce makes the next ID token carry this nonce instead of the one
// the relying party sent.
func (p *Provider) ForgeNonce(nonce string) {
	p.mu.Lock()
	p.nonceOverride = nonce
	p.mu.Unlock()
}

// ACRAsked returns the acr_values of the last authorization request.
func (p *Provider) ACRAsked() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.asked
}

// AnswerUnsigned makes the userinfo endpoint answer plain, unsigned JSON
// (on) or a signed JWT (off).
func (p *Provider) AnswerUnsigned(on bool) {
	p.mu.Lock()
	p.unsigned = on
	p.mu.Unlock()
}

// LoggedOut returns how many sessions end_session ended.
func (p *Provider) LoggedOut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.loggedOut
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	meta := map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}
	if p.Flavour != Generic {
		meta["userinfo_endpoint"] = p.URL + "/userinfo"
		meta["userinfo_signing_alg_values_supported"] = []string{"ES256"}
		meta["end_session_endpoint"] = p.URL + "/end_session"
		meta["acr_values_supported"] = []string{"eidas1", "eidas2", "eidas3"}
	}
	writeJSON(w, http.StatusOK, meta)
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "op1", Algorithm: "ES256", Use: "sig"}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("redirect_uri") != p.RedirectURL {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(p.RedirectURL)
	v := url.Values{"state": {q.Get("state")}}
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		v.Set("error", "invalid_request")
	} else {
		code := rand.Text()
		p.mu.Lock()
		p.codes[code] = grant{user: p.user, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"),
			acrAsked: q.Get("acr_values") != "" || q.Get("claims") != "", expires: time.Now().Add(time.Minute)}
		p.asked = q.Get("acr_values")
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code) // single use
	nonce := g.nonce
	if p.nonceOverride != "" {
		nonce, p.nonceOverride = p.nonceOverride, ""
	}
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if r.PostForm.Get("grant_type") != "authorization_code" || !found || time.Now().After(g.expires) ||
		r.PostForm.Get("redirect_uri") != g.redirect || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": p.URL, "sub": g.user.Subject, "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": nonce,
	}
	if p.Flavour == Generic {
		// The federations put no e-mail in the ID token, and ProConnect
		// never sends email_verified.
		claims["email"], claims["email_verified"] = g.user.Email, g.user.EmailVerified
	}
	if g.user.AMR != nil {
		claims["amr"] = g.user.AMR
	}
	if g.user.ACR != "" && (p.Flavour != ProConnect || g.acrAsked) {
		claims["acr"] = g.user.ACR
	}
	idToken, err := p.sign(claims)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	access := rand.Text()
	p.mu.Lock()
	p.tokens[access] = g.user
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func (p *Provider) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = "op1"
	return t.SignedString(p.key)
}

// userinfo answers the claims of the access token's user as a signed JWT
// (application/jwt), as both federations do.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	u, found := p.tokens[token]
	p.mu.Unlock()
	if !ok || !found {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	claims := jwt.MapClaims{"iss": p.URL, "aud": p.ClientID, "sub": u.Subject, "iat": time.Now().Unix()}
	set := func(name, v string) {
		if v != "" {
			claims[name] = v
		}
	}
	switch p.Flavour {
	case ProConnect:
		set("email", u.Email)
		set("given_name", u.GivenName)
		set("usual_name", u.UsualName)
		set("uid", u.UID)
		set("siret", u.SIRET)
		set("idp_id", u.IdPID)
	case FranceConnect:
		set("given_name", u.GivenName)
		set("family_name", u.FamilyName)
		set("birthdate", u.Birthdate)
		set("birthplace", u.Birthplace)
		set("gender", u.Gender)
		set("preferred_username", u.PreferredUsername)
		set("email", u.Email)
	}
	p.mu.Lock()
	unsigned := p.unsigned
	p.mu.Unlock()
	if unsigned {
		writeJSON(w, http.StatusOK, claims)
		return
	}
	jws, err := p.sign(claims)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	w.Write([]byte(jws))
}

// endSession checks that id_token_hint is an ID token it signed and that
// post_logout_redirect_uri is registered, then sends the browser back with
// the state.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	_, err := jwt.Parse(q.Get("id_token_hint"), func(*jwt.Token) (any, error) { return &p.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(p.URL), jwt.WithAudience(p.ClientID), jwt.WithoutClaimsValidation())
	if err != nil || q.Get("post_logout_redirect_uri") != p.PostLogoutRedirectURL || p.PostLogoutRedirectURL == "" || q.Get("state") == "" {
		http.Error(w, "invalid logout request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.loggedOut++
	p.mu.Unlock()
	back, _ := url.Parse(p.PostLogoutRedirectURL)
	back.RawQuery = url.Values{"state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Authorize follows an authorization request (the relying party's
// redirect) like a browser: the provider answers with a redirect to the
// callback, returned as the request the browser would send there,
// carrying cookies (those the relying party set at the start).
func Authorize(authorizeURL string, cookies []*http.Cookie) (*http.Request, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authorizeURL)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorization answered %d", resp.StatusCode)
	}
	cb := httptest.NewRequest(http.MethodGet, resp.Header.Get("Location"), nil)
	for _, c := range cookies {
		cb.AddCookie(c)
	}
	return cb, nil
}
