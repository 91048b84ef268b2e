package oauth

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"socle"
)

// maxFormBytes bounds a token or revocation request body.
const maxFormBytes = 64 << 10

// readForm parses a form-encoded POST body only (RFC 6749 §3.2: parameters
// in the query string would end up in logs).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *Error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauthError(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	if len(r.URL.RawQuery) > 0 {
		return nil, oauthError(http.StatusBadRequest, "invalid_request", "parameters go in the body, not the URL")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, oauthError(http.StatusBadRequest, "invalid_request", "malformed form")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			// RFC 6749 §3.2: parameters must not be repeated.
			return nil, oauthError(http.StatusBadRequest, "invalid_request", "parameter %s repeated", k)
		}
	}
	return r.PostForm, nil
}

// writeJSON writes v with the headers token responses need (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.Status == http.StatusUnauthorized {
		scheme := `Bearer realm="socle"`
		if e.basic {
			scheme = `Basic realm="socle"`
		}
		w.Header().Set("WWW-Authenticate", scheme)
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", retryAfterHeader(e.retryAfter))
	}
	writeJSON(w, e.Status, e)
}

// TokenHandler serves POST /oauth/token: the client credentials grant.
func TokenHandler(s *Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, oerr := readForm(w, r)
		if oerr == nil {
			var resp *TokenResponse
			if resp, oerr = s.Token(r.Context(), r, form); oerr == nil {
				writeJSON(w, http.StatusOK, resp)
				return
			}
		}
		writeError(w, oerr)
	})
}

// RevokeHandler serves POST /oauth/revoke (RFC 7009).
func RevokeHandler(s *Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, oerr := readForm(w, r)
		if oerr == nil {
			oerr = s.RevokeRequest(r.Context(), r, form)
		}
		if oerr != nil {
			writeError(w, oerr)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	})
}

// JWKSHandler serves GET /.well-known/jwks.json: the public signing keys.
func JWKSHandler(s *Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		// Short: verifiers must see a new key soon after a rotation.
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(s.JWKS())
	})
}

// Authenticator authenticates partner systems by their bearer access
// token, for the HTTP layer.
type Authenticator struct {
	svc  *Service
	orgs socle.OrganisationStore

	mu     sync.Mutex
	orgsAt map[string]cachedOrg
}

type cachedOrg struct {
	org *socle.Organisation
	at  time.Time
}

// orgTTL bounds how long an organisation's kind, name and territory are
// remembered between requests.
const orgTTL = time.Minute

// NewAuthenticator returns an Authenticator over the service.
func NewAuthenticator(s *Service, orgs socle.OrganisationStore) *Authenticator {
	return &Authenticator{svc: s, orgs: orgs, orgsAt: map[string]cachedOrg{}}
}

// Authenticate returns the client of a request with Authorization: Bearer.
// Without an Authorization header it returns the zero Actor; with any other
// scheme, or a token that is malformed, forged, expired or revoked, it
// returns EUNAUTHENTICATED.
func (a *Authenticator) Authenticate(r *http.Request) (socle.Actor, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return socle.Actor{}, nil
	}
	scheme, token, ok := strings.Cut(h, " ")
	if ok && strings.EqualFold(scheme, "Basic") && r.Method == http.MethodPost && (r.URL.Path == "/oauth/token" || r.URL.Path == "/oauth/revoke") {
		// HTTP Basic there is the client authenticating to the token and
		// revocation endpoints (client_secret_basic), which check it
		// themselves; it is no API credential.
		return socle.Actor{}, nil
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return socle.Actor{}, socle.Errorf(socle.EUNAUTHENTICATED, "use Authorization: Bearer <access token>")
	}
	c, err := a.svc.Verify(r.Context(), strings.TrimSpace(token))
	if err != nil {
		return socle.Actor{}, err
	}
	org, err := a.organisation(r, c.Org)
	if err != nil {
		return socle.Actor{}, err
	}
	return socle.Actor{
		ClientID:       c.ClientID,
		OrganisationID: org.ID,
		OrgKind:        org.Kind,
		OrgName:        org.Name,
		Departements:   slices.Clone(org.Departements),
		Scopes:         slices.Clone(c.Scopes),
		Strength:       socle.AuthClient,
	}, nil
}

func (a *Authenticator) organisation(r *http.Request, id string) (*socle.Organisation, error) {
	now := time.Now()
	a.mu.Lock()
	co, ok := a.orgsAt[id]
	a.mu.Unlock()
	if ok && now.Sub(co.at) < orgTTL {
		return co.org, nil
	}
	org, err := a.orgs.Organisation(r.Context(), id)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "the organisation of this client no longer exists")
	} else if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.orgsAt) > 10000 {
		clear(a.orgsAt)
	}
	a.orgsAt[id] = cachedOrg{org: org, at: now}
	a.mu.Unlock()
	return org, nil
}
