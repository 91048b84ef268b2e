package oauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"socle"
	"socle/internal/stacktest"
	"socle/oauth"
	"socle/store/sqlstore"
)

// recorder is an Auditor that keeps the events, so that tests can check
// what was recorded.
type recorder struct{ stacktest.Recorder }

func (r *recorder) count(action string, allowed bool) int {
	n := 0
	for _, ev := range r.Events() {
		if ev.Action == action && ev.Allowed == allowed {
			n++
		}
	}
	return n
}

// clock is a settable time source.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
func newClock(t time.Time) *clock        { c := &clock{}; c.ns.Store(t.UnixNano()); return c }

type env struct {
	svc   *oauth.Service
	db    *sqlstore.DB
	org   *socle.Organisation
	audit *recorder
	clock *clock
	srv   *httptest.Server
	auth  *oauth.Authenticator
}

const issuer = "https://socle.test"

func newEnv(t testing.TB) *env { t.Helper(); return newEnvWith(t, nil) }

// newEnvWith is newEnv with the configuration changed by edit.
func newEnvWith(t testing.TB, edit func(*oauth.Config)) *env {
	t.Helper()
	ctx := context.Background()
	db := stacktest.OpenEngine(t)
	org := &socle.Organisation{Kind: socle.KindPartner, Name: "Association Tremplin", Departements: []string{"69"}}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatalf("creating organisation: %v", err)
	}
	e := &env{db: db, org: org, audit: &recorder{}, clock: newClock(time.Now())}
	cfg := oauth.Config{Issuer: issuer, Now: e.clock.Now, SecretKey: make([]byte, 32)}
	if edit != nil {
		edit(&cfg)
	}
	var err error
	e.svc, err = oauth.New(ctx, db, db, e.audit, cfg)
	if err != nil {
		t.Fatalf("oauth.New: %v", err)
	}
	e.auth = oauth.NewAuthenticator(e.svc, db)
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token", oauth.TokenHandler(e.svc))
	mux.Handle("POST /oauth/revoke", oauth.RevokeHandler(e.svc))
	mux.Handle("GET /.well-known/jwks.json", oauth.JWKSHandler(e.svc))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// keyClient is a private_key_jwt client with its private key.
type keyClient struct {
	*socle.OAuthClient
	key    any // ed25519.PrivateKey or *ecdsa.PrivateKey
	method jwt.SigningMethod
}

func (e *env) keyClient(t testing.TB, ec bool, scopes ...string) keyClient {
	t.Helper()
	var kc keyClient
	var pub any
	if ec {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		kc.key, pub, kc.method = k, &k.PublicKey, jwt.SigningMethodES256
	} else {
		p, k, _ := ed25519.GenerateKey(rand.Reader)
		kc.key, pub, kc.method = k, p, jwt.SigningMethodEdDSA
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: "k1"}}})
	c, _, err := e.svc.CreateClient(context.Background(), oauth.NewClient{OrganisationID: e.org.ID, Name: "SI partenaire",
		Method: socle.OAuthPrivateKeyJWT, JWKS: string(jwks), Scopes: scopes})
	if err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	kc.OAuthClient = c
	return kc
}

func (e *env) secretClient(t testing.TB, scopes ...string) (*socle.OAuthClient, string) {
	t.Helper()
	c, secret, err := e.svc.CreateClient(context.Background(), oauth.NewClient{OrganisationID: e.org.ID, Name: "SI partenaire",
		Method: socle.OAuthClientSecret, Scopes: scopes})
	if err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	return c, secret
}

// assertion builds a client assertion; edit changes its claims first.
func (e *env) assertion(kc keyClient, edit func(*jwt.RegisteredClaims)) string {
	now := e.clock.Now()
	c := jwt.RegisteredClaims{Issuer: kc.ID, Subject: kc.ID, Audience: jwt.ClaimStrings{issuer + "/oauth/token"},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(2 * time.Minute)), ID: rand.Text()}
	if edit != nil {
		edit(&c)
	}
	t := jwt.NewWithClaims(kc.method, c)
	t.Header["kid"] = "k1"
	s, err := t.SignedString(kc.key)
	if err != nil {
		panic(err)
	}
	return s
}

func assertionForm(a, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {oauth.AssertionType}, "client_assertion": {a}, "scope": {scope}}
}

type response struct {
	status int
	body   map[string]any
}

func (e *env) post(t testing.TB, path string, form url.Values, basicUser, basicPass string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	r := response{status: resp.StatusCode, body: map[string]any{}}
	json.NewDecoder(resp.Body).Decode(&r.body)
	return r
}

func (e *env) token(t testing.TB, kc keyClient, scope string) string {
	t.Helper()
	r := e.post(t, "/oauth/token", assertionForm(e.assertion(kc, nil), scope), "", "")
	if r.status != 200 {
		t.Fatalf("token: %d %v", r.status, r.body)
	}
	return r.body["access_token"].(string)
}

func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t)
	ed := e.keyClient(t, false, "accompagnement:read", "accompagnement:search")
	es := e.keyClient(t, true, "accompagnement:read")
	sc, secret := e.secretClient(t, "accompagnement:read", "mise_en_relation:search")
	disabled := e.keyClient(t, false, "accompagnement:read")
	if err := e.svc.DisableClient(context.Background(), disabled.ID); err != nil {
		t.Fatal(err)
	}
	replayed := e.assertion(ed, nil)
	e.post(t, "/oauth/token", assertionForm(replayed, "accompagnement:read"), "", "")
	otherKey := ed
	_, otherKey.key, _ = ed25519.GenerateKey(rand.Reader)

	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		err        string
		scope      string
	}{
		{name: "private_key_jwt EdDSA", form: assertionForm(e.assertion(ed, nil), "accompagnement:read accompagnement:search"), status: 200, scope: "accompagnement:read accompagnement:search"},
		{name: "private_key_jwt ES256", form: assertionForm(e.assertion(es, nil), "accompagnement:read"), status: 200, scope: "accompagnement:read"},
		{name: "client_secret_basic", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"mise_en_relation:search"}}, user: sc.ID, pass: secret, status: 200, scope: "mise_en_relation:search"},
		{name: "client_secret_post", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}, "client_id": {sc.ID}, "client_secret": {secret}}, status: 200, scope: "accompagnement:read"},
		{name: "granted is requested ∩ allowed", form: assertionForm(e.assertion(es, nil), "accompagnement:read mise_en_relation:search"), status: 200, scope: "accompagnement:read"},
		{name: "wrong secret", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}}, user: sc.ID, pass: secret + "x", status: 401, err: "invalid_client"},
		{name: "secret client using an assertion-less id", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}, "client_id": {ed.ID}, "client_secret": {secret}}, status: 401, err: "invalid_client"},
		{name: "unknown client", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}}, user: "cli_nobody", pass: secret, status: 401, err: "invalid_client"},
		{name: "replayed assertion", form: assertionForm(replayed, "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "disabled client", form: assertionForm(e.assertion(disabled, nil), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion wrong key", form: assertionForm(e.assertion(otherKey, nil), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion wrong audience", form: assertionForm(e.assertion(ed, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"https://evil.test/oauth/token"} }), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion iss differs from sub", form: assertionForm(e.assertion(ed, func(c *jwt.RegisteredClaims) { c.Issuer = es.ID }), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion expired", form: assertionForm(e.assertion(ed, func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(-time.Hour)) }), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion lives too long", form: assertionForm(e.assertion(ed, func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(time.Hour)) }), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion without jti", form: assertionForm(e.assertion(ed, func(c *jwt.RegisteredClaims) { c.ID = "" }), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "assertion alg none", form: assertionForm(noneToken(jwt.RegisteredClaims{Issuer: ed.ID, Subject: ed.ID, Audience: jwt.ClaimStrings{issuer + "/oauth/token"}, ExpiresAt: jwt.NewNumericDate(e.clock.Now().Add(time.Minute)), ID: "x"}), "accompagnement:read"), status: 401, err: "invalid_client"},
		{name: "scope beyond allowed", form: assertionForm(e.assertion(ed, nil), "mise_en_relation:search"), status: 400, err: "invalid_scope"},
		{name: "no scope", form: assertionForm(e.assertion(ed, nil), ""), status: 400, err: "invalid_scope"},
		{name: "unsupported grant", form: url.Values{"grant_type": {"password"}, "scope": {"accompagnement:read"}}, user: sc.ID, pass: secret, status: 400, err: "unsupported_grant_type"},
		{name: "no client authentication", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}}, status: 401, err: "invalid_client"},
		{name: "two authentication methods", form: url.Values{"grant_type": {"client_credentials"}, "client_secret": {secret}, "client_id": {sc.ID}}, user: sc.ID, pass: secret, status: 400, err: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(t, "/oauth/token", tt.form, tt.user, tt.pass)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d (%v)", r.status, tt.status, r.body)
			}
			if tt.err != "" && r.body["error"] != tt.err {
				t.Errorf("error %v, want %s", r.body["error"], tt.err)
			}
			if tt.status == 200 {
				if r.body["scope"] != tt.scope || r.body["token_type"] != "Bearer" {
					t.Errorf("response %v, want scope %q", r.body, tt.scope)
				}
				if _, err := e.svc.Verify(context.Background(), r.body["access_token"].(string)); err != nil {
					t.Errorf("issued token does not verify: %v", err)
				}
			}
		})
	}
	if n := e.audit.count("token_issued", true); n != 6 { // 5 above and the first use of the replayed assertion
		t.Errorf("%d token_issued events, want 6", n)
	}
	if n := e.audit.count("token_denied", false); n != len(tests)-5 {
		t.Errorf("%d token_denied events, want %d", n, len(tests)-5)
	}
}

func noneToken(c jwt.Claims) string {
	t := jwt.NewWithClaims(jwt.SigningMethodNone, c)
	t.Header["kid"] = "k1"
	s, _ := t.SignedString(jwt.UnsafeAllowNoneSignatureType)
	return s
}

// accessClaims returns genuine-looking access token claims for client c.
func (e *env) accessClaims(c *socle.OAuthClient) *oauth.Claims {
	now := e.clock.Now()
	return &oauth.Claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: c.ID, Audience: jwt.ClaimStrings{oauth.DefaultAudience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(10 * time.Minute)), ID: rand.Text()},
		ClientID: c.ID, Org: c.OrganisationID, Scope: "accompagnement:read"}
}

func TestVerifyRejectsForgedTokens(t *testing.T) {
	e := newEnv(t)
	kc := e.keyClient(t, false, "accompagnement:read")
	genuine := e.token(t, kc, "accompagnement:read")
	pub := publicKey(t, e, oauth.ActiveKID(e.svc))
	_, wrongKey, _ := ed25519.GenerateKey(rand.Reader)
	with := func(edit func(*oauth.Claims)) *oauth.Claims { c := e.accessClaims(kc.OAuthClient); edit(c); return c }
	sign := func(m jwt.SigningMethod, key any, c jwt.Claims, kid string) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"], tok.Header["typ"] = kid, "at+jwt"
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	kid := oauth.ActiveKID(e.svc)
	revoked := e.token(t, kc, "accompagnement:read")
	rc, err := e.svc.Verify(context.Background(), revoked) // cached: revocation must still apply
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Revoke(context.Background(), rc.ID, rc.ClientID, rc.ExpiresAt.Time); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"genuine", genuine, true},
		{"forged claims with our key, as control", oauth.SignWithActiveKey(e.svc, e.accessClaims(kc.OAuthClient), nil), true},
		{"expired", oauth.SignWithActiveKey(e.svc, with(func(c *oauth.Claims) {
			c.IssuedAt = jwt.NewNumericDate(e.clock.Now().Add(-time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(-45 * time.Minute))
		}), nil), false},
		{"alg none", noneToken(e.accessClaims(kc.OAuthClient)), false},
		{"HS256 keyed with the public key", sign(jwt.SigningMethodHS256, []byte(pub), e.accessClaims(kc.OAuthClient), kid), false},
		{"wrong key, right kid", sign(jwt.SigningMethodEdDSA, wrongKey, e.accessClaims(kc.OAuthClient), kid), false},
		{"unknown kid", sign(jwt.SigningMethodEdDSA, wrongKey, e.accessClaims(kc.OAuthClient), "nope"), false},
		{"wrong audience", oauth.SignWithActiveKey(e.svc, with(func(c *oauth.Claims) { c.Audience = jwt.ClaimStrings{"autre-api"} }), nil), false},
		{"wrong issuer", oauth.SignWithActiveKey(e.svc, with(func(c *oauth.Claims) { c.Issuer = "https://evil.test" }), nil), false},
		{"no expiry", oauth.SignWithActiveKey(e.svc, with(func(c *oauth.Claims) { c.ExpiresAt = nil }), nil), false},
		{"not an access token (typ)", oauth.SignWithActiveKey(e.svc, e.accessClaims(kc.OAuthClient), map[string]any{"typ": "JWT"}), false},
		{"revoked", revoked, false},
		{"tampered payload", tamper(genuine), false},
		{"garbage", "not.a.jwt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/persons", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			actor, err := e.auth.Authenticate(req)
			if tt.ok {
				if err != nil || actor.ClientID != kc.ID || actor.Strength != socle.AuthClient || actor.OrgKind != socle.KindPartner || !slices.Equal(actor.Departements, []string{"69"}) {
					t.Fatalf("Authenticate = %+v, %v; want the client", actor, err)
				}
				return
			}
			if socle.ErrorCode(err) != socle.EUNAUTHENTICATED || actor.Authenticated() {
				t.Fatalf("Authenticate = %+v, %v; want EUNAUTHENTICATED", actor, err)
			}
		})
	}
	t.Run("no header", func(t *testing.T) {
		actor, err := e.auth.Authenticate(httptest.NewRequest(http.MethodGet, "/", nil))
		if err != nil || actor.Authenticated() {
			t.Fatalf("Authenticate = %+v, %v; want the zero actor", actor, err)
		}
	})
	t.Run("token expires while cached", func(t *testing.T) {
		tok := e.token(t, kc, "accompagnement:read")
		if _, err := e.svc.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(11 * time.Minute)
		t.Cleanup(func() { e.clock.Advance(-11 * time.Minute) })
		if _, err := e.svc.Verify(context.Background(), tok); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
			t.Fatalf("Verify after expiry = %v, want EUNAUTHENTICATED", err)
		}
	})
	t.Run("client disabled after issuance", func(t *testing.T) {
		other := e.keyClient(t, false, "accompagnement:read")
		tok := e.token(t, other, "accompagnement:read")
		if err := e.svc.DisableClient(context.Background(), other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Verify(context.Background(), tok); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
			t.Fatalf("Verify = %v, want EUNAUTHENTICATED", err)
		}
	})
}

// tamper changes one character of the payload of a token.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	p := []byte(parts[1])
	if p[5] == 'A' {
		p[5] = 'B'
	} else {
		p[5] = 'A'
	}
	parts[1] = string(p)
	return strings.Join(parts, ".")
}

// publicKey reads a published key from the JWKS endpoint.
func publicKey(t *testing.T, e *env, kid string) ed25519.PublicKey {
	t.Helper()
	set := e.jwks(t)
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("JWKS has %d keys %q", len(keys), kid)
	}
	return keys[0].Key.(ed25519.PublicKey)
}

func (e *env) jwks(t *testing.T) jose.JSONWebKeySet {
	t.Helper()
	resp, err := e.srv.Client().Get(e.srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Algorithm != "EdDSA" {
			t.Fatalf("published key %s is not a public EdDSA key", k.KeyID)
		}
	}
	return set
}

func TestScopeAllows(t *testing.T) {
	e := newEnv(t)
	kc := e.keyClient(t, false, "accompagnement:read", "mise_en_relation:search")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+e.token(t, kc, "accompagnement:read"))
	actor, err := e.auth.Authenticate(req)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		actor   socle.Actor
		purpose string
		action  socle.Action
		want    bool
	}{
		{actor, "accompagnement", socle.ActionRead, true},
		{actor, "accompagnement", socle.ActionSearch, false},                     // same purpose, another action
		{actor, "mise_en_relation", socle.ActionSearch, false},                   // allowed to the client, not requested in this token
		{actor, "indemnisation", socle.ActionRead, false},                        // beyond everything
		{actor, "accompagnement:read", socle.Action(""), false},                  // no smuggling through the purpose
		{socle.Actor{AgentID: "agt_x"}, "indemnisation", socle.ActionRead, true}, // scopes restrict clients only
	}
	for _, tt := range tests {
		if got := oauth.ScopeAllows(tt.actor, tt.purpose, tt.action); got != tt.want {
			t.Errorf("ScopeAllows(%v, %s, %s) = %v, want %v", tt.actor.Scopes, tt.purpose, tt.action, got, tt.want)
		}
	}
}

func TestCreateClientChecksAgreement(t *testing.T) {
	e := newEnv(t)
	for _, scopes := range [][]string{{"indemnisation:read"}, {"mise_en_relation:update"}, {"accompagnement"}, {"accompagnement:delete"}, nil} {
		_, _, err := e.svc.CreateClient(context.Background(), oauth.NewClient{OrganisationID: e.org.ID, Name: "x", Method: socle.OAuthClientSecret, Scopes: scopes})
		if socle.ErrorCode(err) != socle.EINVALID {
			t.Errorf("CreateClient(%v) = %v, want EINVALID", scopes, err)
		}
	}
	priv := `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}]}`
	if _, _, err := e.svc.CreateClient(context.Background(), oauth.NewClient{OrganisationID: e.org.ID, Name: "x", Method: socle.OAuthPrivateKeyJWT, JWKS: priv, Scopes: []string{"accompagnement:read"}}); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("CreateClient with a private JWK = %v, want EINVALID", err)
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kc := e.keyClient(t, false, "accompagnement:read")
	oldKID := oauth.ActiveKID(e.svc)
	old := e.token(t, kc, "accompagnement:read")
	newKID, err := e.svc.RotateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := e.token(t, kc, "accompagnement:read")
	if kid := headerKID(t, fresh); kid != newKID || kid == oldKID {
		t.Fatalf("new token signed by %s, want %s", kid, newKID)
	}
	for _, tok := range []string{old, fresh} {
		if _, err := e.svc.Verify(ctx, tok); err != nil {
			t.Errorf("Verify after rotation: %v", err)
		}
	}
	if kids := kidsOf(e.jwks(t)); !slices.Equal(kids, []string{newKID, oldKID}) {
		t.Errorf("JWKS = %v, want both keys", kids)
	}
	if e.audit.count("key_rotated", true) != 2 { // the first key and the rotation
		t.Errorf("key rotations not audited")
	}
	// Once every token of the old key has expired, it is withdrawn.
	e.clock.Advance(16 * time.Minute)
	if err := e.svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if kids := kidsOf(e.jwks(t)); !slices.Equal(kids, []string{newKID}) {
		t.Errorf("JWKS after expiry = %v, want only %s", kids, newKID)
	}
	// Another instance sharing the store learns the rotation.
	other, err := oauth.New(ctx, e.db, e.db, e.audit, oauth.Config{Issuer: issuer, Now: e.clock.Now, SecretKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if oauth.ActiveKID(other) != newKID {
		t.Errorf("second instance signs with %s, want %s", oauth.ActiveKID(other), newKID)
	}
}

func headerKID(t *testing.T, tok string) string {
	t.Helper()
	p, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Header["kid"].(string)
}

func kidsOf(set jose.JSONWebKeySet) []string {
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

func TestRevokeEndpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sc, secret := e.secretClient(t, "accompagnement:read")
	other, otherSecret := e.secretClient(t, "accompagnement:read")
	get := func() string {
		r := e.post(t, "/oauth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read"}}, sc.ID, secret)
		return r.body["access_token"].(string)
	}
	tok := get()
	if r := e.post(t, "/oauth/revoke", url.Values{"token": {tok}}, other.ID, otherSecret); r.status != 400 {
		t.Errorf("revocation by another client: %d, want 400", r.status)
	}
	if _, err := e.svc.Verify(ctx, tok); err != nil {
		t.Fatalf("token revoked by another client: %v", err)
	}
	if r := e.post(t, "/oauth/revoke", url.Values{"token": {tok}}, sc.ID, secret+"x"); r.status != 401 {
		t.Errorf("revocation with a wrong secret: %d, want 401", r.status)
	}
	if r := e.post(t, "/oauth/revoke", url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, sc.ID, secret); r.status != 200 {
		t.Fatalf("revocation: %d %v", r.status, r.body)
	}
	if _, err := e.svc.Verify(ctx, tok); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Fatalf("revoked token verifies: %v", err)
	}
	if r := e.post(t, "/oauth/revoke", url.Values{"token": {"garbage"}}, sc.ID, secret); r.status != 200 {
		t.Errorf("revoking an invalid token: %d, want 200 (RFC 7009 §2.2)", r.status)
	}
	// A second instance learns the revocation from the store.
	second, err := oauth.New(ctx, e.db, e.db, e.audit, oauth.Config{Issuer: issuer, Now: e.clock.Now, SecretKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.Verify(ctx, tok); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("second instance accepts a revoked token: %v", err)
	}
	if e.audit.count("token_revoked", true) != 1 || e.audit.count("token_revoked", false) != 1 {
		t.Errorf("revocations not audited: %+v", e.audit.Events())
	}
}

func TestSealedSigningKeys(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	kek := make([]byte, 32)
	rand.Read(kek)
	cfg := oauth.Config{Issuer: issuer, Now: e.clock.Now, KeyEncryptionKey: kek}
	if _, err := e.svc.RotateKey(ctx); err != nil { // an unsealed key from before
		t.Fatal(err)
	}
	sealed, err := oauth.New(ctx, e.db, e.db, e.audit, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealed.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := e.db.SigningKeys(ctx, time.Time{})
	if err != nil || !keys[0].Sealed || len(keys[0].PrivateKey) == 32 {
		t.Fatalf("newest key not sealed: %v", err)
	}
	if _, err := oauth.New(ctx, e.db, e.db, e.audit, oauth.Config{Issuer: issuer, Now: e.clock.Now}); err == nil {
		t.Error("a sealed key opened without the key-encryption key")
	}
	cfg.KeyEncryptionKey = make([]byte, 32)
	if _, err := oauth.New(ctx, e.db, e.db, e.audit, cfg); err == nil {
		t.Error("a sealed key opened with a wrong key-encryption key")
	}
}
