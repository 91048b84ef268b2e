package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"socle"
)

// SSOConfig configures staff single sign-on from the network's OpenID
// Connect provider.
type SSOConfig struct {
	// Issuer is the provider's issuer URL, where discovery starts.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Socle's GET /sso/callback, as registered at the provider.
	RedirectURL string
	// MFAMethods are the amr values (RFC 8176) that prove a second factor;
	// "mfa", "otp" and "hwk" when nil.
	MFAMethods []string
	// MFAACRValues are acr values the provider uses for a login with a second
	// factor (e.g. "eidas2"); none when nil.
	MFAACRValues []string
	// SigningAlgs pins the ID token algorithms; RS256 and ES256 when nil.
	SigningAlgs []string
	// Now is the clock, time.Now when nil.
	Now func() time.Time
}

// SessionStarter opens a staff session once SSO has identified the agent;
// the identity layer implements it. When mfa is false, the session is only
// first-factor strong (socle.AuthPassword) and the identity layer asks for
// Socle's own second factor before any personal data.
type SessionStarter interface {
	StartSSOSession(w http.ResponseWriter, r *http.Request, agentID string, mfa bool) error
}

// SSO runs the authorization code flow with PKCE, state and nonce against
// the provider.
type SSO struct {
	cfg      SSOConfig
	oauth2   oauth2.Config
	verifier *oidc.IDTokenVerifier
	agents   socle.AgentStore
	auditor  socle.Auditor
}

// SSOResult is who signed in and how strongly.
type SSOResult struct {
	Agent *socle.Agent
	// MFA says the provider proved a second factor (amr or acr).
	MFA bool
	// Strength is socle.AuthMFA with MFA, socle.AuthPassword without: our
	// own second factor is then still required.
	Strength socle.AuthStrength
}

// NewSSO discovers the provider (ctx carries the HTTP client, see
// oidc.ClientContext) and returns the SSO flow.
func NewSSO(ctx context.Context, cfg SSOConfig, agents socle.AgentStore, auditor socle.Auditor) (*SSO, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oauth: SSO needs Issuer, ClientID and RedirectURL")
	}
	if cfg.MFAMethods == nil {
		cfg.MFAMethods = []string{"mfa", "otp", "hwk"}
	}
	if cfg.SigningAlgs == nil {
		cfg.SigningAlgs = []string{oidc.RS256, oidc.ES256}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oauth: SSO discovery: %w", err)
	}
	return &SSO{
		cfg: cfg,
		oauth2: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email"}},
		verifier: p.VerifierContext(ctx, &oidc.Config{ClientID: cfg.ClientID, SupportedSigningAlgs: cfg.SigningAlgs, Now: cfg.Now}),
		agents:   agents,
		auditor:  auditor,
	}, nil
}

// ssoCookie holds state, nonce and PKCE verifier between the redirect to
// the provider and the callback. __Host- binds it to our origin; Lax lets
// it come back on the provider's top-level redirect.
const ssoCookie = "__Host-socle_sso"

const ssoFlowTTL = 10 * time.Minute

// Start redirects the browser to the provider.
func (s *SSO) Start(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := randomString(32), randomString(32), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: state + "." + nonce + "." + verifier, Path: "/",
		MaxAge: int(ssoFlowTTL / time.Second), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.oauth2.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// Callback completes the flow: it checks the state, exchanges the code with
// the PKCE verifier, verifies the ID token (signature, issuer, audience,
// expiry, nonce) and maps its e-mail to an enabled agent. Failures are
// EUNAUTHENTICATED, or EFORBIDDEN for a known but disabled agent; every
// outcome is audited.
func (s *SSO) Callback(w http.ResponseWriter, r *http.Request) (*SSOResult, error) {
	ctx := r.Context()
	res, err := s.callback(w, r)
	ev := socle.AuditEvent{Action: "sso_login", RemoteAddr: r.RemoteAddr, RequestID: r.Header.Get("X-Request-Id")}
	if res != nil && res.Agent != nil {
		ev.AgentID, ev.OrganisationID = res.Agent.ID, res.Agent.OrganisationID
	}
	if err != nil {
		ev.Explanation = "Connexion par le fournisseur d'identité refusée : " + socle.ErrorMessage(err)
	} else {
		ev.Allowed = true
		ev.Explanation = "Connexion par le fournisseur d'identité, second facteur prouvé par le fournisseur."
		if !res.MFA {
			ev.Explanation = "Connexion par le fournisseur d'identité sans second facteur : celui de Socle est demandé."
		}
	}
	ev.Time = s.cfg.Now().UTC()
	if aerr := s.auditor.Append(ctx, ev); aerr != nil {
		return nil, fmt.Errorf("oauth: audit: %w", aerr)
	}
	return res, err
}

func (s *SSO) callback(w http.ResponseWriter, r *http.Request) (*SSOResult, error) {
	ctx := r.Context()
	c, err := r.Cookie(ssoCookie)
	// The cookie is single-use.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
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
	tok, err := s.oauth2.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "code exchange failed")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "no ID token")
	}
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "invalid ID token")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "nonce mismatch")
	}
	var claims struct {
		Email         string   `json:"email"`
		EmailVerified *bool    `json:"email_verified"`
		AMR           []string `json:"amr"`
		ACR           string   `json:"acr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "malformed ID token claims")
	}
	// An address the provider has not verified proves nothing.
	if claims.Email == "" || claims.EmailVerified == nil || !*claims.EmailVerified {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "the identity provider gave no verified e-mail address")
	}
	agent, err := s.agents.AgentByEmail(ctx, claims.Email)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "no agent has this e-mail address")
	} else if err != nil {
		return nil, fmt.Errorf("oauth: SSO agent: %w", err)
	}
	res := &SSOResult{Agent: agent, Strength: socle.AuthPassword}
	if agent.Disabled {
		return res, socle.Errorf(socle.EFORBIDDEN, "this account is disabled")
	}
	res.MFA = slices.ContainsFunc(claims.AMR, func(m string) bool { return slices.Contains(s.cfg.MFAMethods, m) }) ||
		(claims.ACR != "" && slices.Contains(s.cfg.MFAACRValues, claims.ACR))
	if res.MFA {
		res.Strength = socle.AuthMFA
	}
	return res, nil
}

// SSOStartHandler serves GET /sso/start.
func SSOStartHandler(s *SSO) http.Handler { return http.HandlerFunc(s.Start) }

// SSO redirect targets after the callback.
const (
	// AfterSSO is where a session with a second factor lands.
	AfterSSO = "/"
	// SecondFactorPath is where the identity layer asks for Socle's own second factor.
	SecondFactorPath = "/second-facteur"
)

var ssoErrorPage = template.Must(template.New("sso").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Connexion impossible</title></head>
<body><main><h1>Connexion impossible</h1><p>{{.}}</p><p><a href="/sso/start">Réessayer</a></p></main></body></html>
`))

// SSOCallbackHandler serves GET /sso/callback: it completes the flow, opens
// the session through sessions and redirects to the home page, or to the
// second-factor page when the provider did not prove one.
func SSOCallbackHandler(s *SSO, sessions SessionStarter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := s.Callback(w, r)
		if err == nil {
			err = sessions.StartSSOSession(w, r, res.Agent.ID, res.MFA)
		}
		if err != nil {
			status, msg := http.StatusUnauthorized, "Le fournisseur d'identité n'a pas permis de vous identifier. Recommencez la connexion."
			switch socle.ErrorCode(err) {
			case socle.EFORBIDDEN:
				status, msg = http.StatusForbidden, "Votre compte est désactivé. Contactez l'administrateur de votre structure."
			case socle.EUNAUTHENTICATED:
			default:
				status, msg = http.StatusInternalServerError, "Une erreur est survenue. Réessayez dans quelques instants."
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(status)
			ssoErrorPage.Execute(w, msg)
			return
		}
		target := AfterSSO
		if !res.MFA {
			target = SecondFactorPath
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
}
