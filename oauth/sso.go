package oauth

import (
	"context"
	"encoding/json"
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

// SSOKind is the flavour of OpenID Connect the staff provider speaks.
type SSOKind string

const (
	// SSOGeneric is plain OpenID Connect: claims in the ID token, and a
	// verified e-mail (email_verified) required.
	SSOGeneric SSOKind = "oidc"
	// SSOProConnect is the État's federation for agents: claims (uid,
	// siret, usual_name, idp_id) come from a signed userinfo JWT, no
	// email_verified is sent since the federation vouches for the address,
	// the acr is returned only when asked, the SIRET must be the agent's
	// organisation's, and the agent is reconciled on the federation's
	// subject.
	SSOProConnect SSOKind = "proconnect"
)

// SSOKinds lists the known kinds, for flags.
var SSOKinds = []SSOKind{SSOGeneric, SSOProConnect}

// ProConnectScopes are the scopes Socle asks ProConnect for.
var ProConnectScopes = []string{oidc.ScopeOpenID, "given_name", "usual_name", "email", "uid", "siret", "idp_id"}

// SSOConfig configures staff single sign-on from the network's OpenID
// Connect provider.
type SSOConfig struct {
	// Kind is SSOGeneric when empty.
	Kind SSOKind
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
	// factor (e.g. "eidas2"); none when nil, except for ProConnect where
	// they default to ProConnectMFAACRValues. ProConnect is asked for them
	// (acr_values and an essential acr claim) and the returned acr is
	// checked: another level means Socle's own second factor.
	MFAACRValues []string
	// PostLogoutRedirectURL is where the provider sends the browser back
	// after logout at the federation (Socle's GET /sso/deconnexion/retour);
	// no logout at the provider when empty or when the provider publishes
	// no end_session_endpoint.
	PostLogoutRedirectURL string
	// SigningAlgs pins the ID token algorithms; RS256 and ES256 when nil.
	SigningAlgs []string
	// Now is the clock, time.Now when nil.
	Now func() time.Time
}

// ProConnectMFAACRValues are the acr values of a ProConnect login with a
// second factor: the eIDAS substantial and high levels.
var ProConnectMFAACRValues = []string{"eidas2", "eidas3"}

// SSOStore is what single sign-on reads and writes: agents, their
// organisations (for the SIRET) and the federation links.
type SSOStore interface {
	socle.AgentStore
	socle.OrganisationStore
	socle.FederationLinkStore
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
	cfg     SSOConfig
	rp      *RelyingParty
	store   SSOStore
	auditor socle.Auditor
}

// SSOResult is who signed in and how strongly.
type SSOResult struct {
	Agent *socle.Agent
	// MFA says the provider proved a second factor (amr or acr).
	MFA bool
	// Strength is socle.AuthMFA with MFA, socle.AuthPassword without: our
	// own second factor is then still required.
	Strength socle.AuthStrength
	// Linked says this login tied the federation's subject to the agent
	// (her first ProConnect login).
	Linked bool
	// IDToken is the raw ID token, the id_token_hint of the logout at the
	// provider.
	IDToken string
}

// NewSSO discovers the provider (ctx carries the HTTP client, see
// oidc.ClientContext) and returns the SSO flow.
func NewSSO(ctx context.Context, cfg SSOConfig, store SSOStore, auditor socle.Auditor) (*SSO, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oauth: SSO needs Issuer, ClientID and RedirectURL")
	}
	if cfg.Kind == "" {
		cfg.Kind = SSOGeneric
	}
	if !slices.Contains(SSOKinds, cfg.Kind) {
		return nil, fmt.Errorf("oauth: unknown SSO kind %q (want oidc or proconnect)", cfg.Kind)
	}
	if cfg.Kind == SSOProConnect && cfg.MFAACRValues == nil {
		cfg.MFAACRValues = ProConnectMFAACRValues
	}
	if cfg.MFAMethods == nil {
		cfg.MFAMethods = []string{"mfa", "otp", "hwk"}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	scopes := []string{oidc.ScopeOpenID, "email"}
	if cfg.Kind == SSOProConnect {
		scopes = ProConnectScopes
	}
	rp, err := NewRelyingParty(ctx, RelyingPartyConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: cfg.RedirectURL, PostLogoutRedirectURL: cfg.PostLogoutRedirectURL, Scopes: scopes, SigningAlgs: cfg.SigningAlgs,
		Userinfo: cfg.Kind == SSOProConnect, Cookie: "__Host-socle_sso", Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("oauth: SSO: %w", err)
	}
	return &SSO{cfg: cfg, rp: rp, store: store, auditor: auditor}, nil
}

// Start redirects the browser to the provider.
func (s *SSO) Start(w http.ResponseWriter, r *http.Request) {
	var opts []oauth2.AuthCodeOption
	if s.cfg.Kind == SSOProConnect && len(s.cfg.MFAACRValues) > 0 {
		// ProConnect returns an acr only when asked; asking is not
		// obtaining, so Callback checks what comes back.
		claims, _ := json.Marshal(map[string]any{"id_token": map[string]any{"acr": map[string]any{"essential": true, "values": s.cfg.MFAACRValues}}})
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(s.cfg.MFAACRValues, " ")),
			oauth2.SetAuthURLParam("claims", string(claims)))
	}
	s.rp.Start(w, r, opts...)
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
		if res.Linked {
			ev.Explanation += " Première connexion par ProConnect : le compte de la fédération est rattaché à l'agent (adresse électronique et SIRET de sa structure)."
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
	login, err := s.rp.Finish(w, r)
	if err != nil {
		return nil, err
	}
	idt, raw := login.IDToken, login.Raw
	var claims struct {
		Email         string   `json:"email"`
		EmailVerified *bool    `json:"email_verified"`
		AMR           []string `json:"amr"`
		ACR           string   `json:"acr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "malformed ID token claims")
	}
	var res *SSOResult
	if s.cfg.Kind == SSOProConnect {
		res, err = s.proConnectAgent(ctx, login)
	} else {
		res, err = s.genericAgent(ctx, claims.Email, claims.EmailVerified)
	}
	if err != nil {
		return res, err
	}
	res.IDToken = raw
	res.MFA = slices.ContainsFunc(claims.AMR, func(m string) bool { return slices.Contains(s.cfg.MFAMethods, m) }) ||
		(claims.ACR != "" && slices.Contains(s.cfg.MFAACRValues, claims.ACR))
	if res.MFA {
		res.Strength = socle.AuthMFA
	}
	return res, nil
}

// genericAgent maps a verified e-mail address to an enabled agent.
func (s *SSO) genericAgent(ctx context.Context, email string, verified *bool) (*SSOResult, error) {
	// An address the provider has not verified proves nothing.
	if email == "" || verified == nil || !*verified {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "the identity provider gave no verified e-mail address")
	}
	return enabledAgent(s.store.AgentByEmail(ctx, email))
}

// enabledAgent turns the agent a login found (or the error finding her)
// into its result: EUNAUTHENTICATED for nobody, EFORBIDDEN for a disabled
// account, with the result so that the refusal is audited under her.
func enabledAgent(agent *socle.Agent, err error) (*SSOResult, error) {
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "no agent has this e-mail address")
	} else if err != nil {
		return nil, fmt.Errorf("oauth: SSO agent: %w", err)
	}
	res := &SSOResult{Agent: agent, Strength: socle.AuthPassword}
	if agent.Disabled {
		return res, socle.Errorf(socle.EFORBIDDEN, "this account is disabled")
	}
	return res, nil
}

// ErrSIRETMismatch refuses a ProConnect login whose SIRET is not the one
// of the agent's organisation (or whose organisation has none): the agent
// signed in for another structure.
var ErrSIRETMismatch = socle.Errorf(socle.EFORBIDDEN, "the SIRET given by ProConnect is not the agent's organisation's")

// proConnectClaims are the claims of ProConnect's signed userinfo.
type proConnectClaims struct {
	Email     string `json:"email"`
	GivenName string `json:"given_name"`
	UsualName string `json:"usual_name"`
	UID       string `json:"uid"`
	SIRET     string `json:"siret"`
	IdPID     string `json:"idp_id"`
}

// proConnectAgent reads the signed userinfo and reconciles the agent: by
// the federation's subject when it is linked, else by the e-mail address
// the federation vouches for, then links the subject. Either way the SIRET
// must be the agent's organisation's.
func (s *SSO) proConnectAgent(ctx context.Context, login *Login) (*SSOResult, error) {
	var info proConnectClaims
	if err := s.rp.SignedUserinfo(ctx, login, &info); err != nil {
		return nil, err
	}
	idt := login.IDToken
	if info.Email == "" || info.SIRET == "" {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "ProConnect gave no e-mail address or no SIRET")
	}
	link, err := s.store.FederationLink(ctx, s.cfg.Issuer, idt.Subject)
	var agent *socle.Agent
	first := false
	switch {
	case err == nil && link.AgentID != "":
		agent, err = s.store.Agent(ctx, link.AgentID)
	case err == nil:
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "this federation account is linked to no agent")
	case socle.ErrorCode(err) == socle.ENOTFOUND:
		first = true
		agent, err = s.store.AgentByEmail(ctx, info.Email)
	}
	res, err := enabledAgent(agent, err)
	if err != nil {
		return res, err
	}
	org, err := s.store.Organisation(ctx, agent.OrganisationID)
	if err != nil {
		return res, fmt.Errorf("oauth: SSO organisation: %w", err)
	}
	if org.SIRET == "" || org.SIRET != info.SIRET {
		return res, ErrSIRETMismatch
	}
	if first {
		if err := s.store.CreateFederationLink(ctx, &socle.FederationLink{Issuer: s.cfg.Issuer, Subject: idt.Subject, AgentID: agent.ID, CreatedAt: s.cfg.Now()}); err != nil {
			return res, fmt.Errorf("oauth: linking the federation account: %w", err)
		}
		res.Linked = true
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
				if errors.Is(err, ErrSIRETMismatch) {
					msg = "L'établissement (SIRET) choisi lors de la connexion ProConnect n'est pas celui de votre structure dans Socle. Reconnectez-vous en choisissant l'établissement de votre structure, ou demandez à son administrateur de vérifier son SIRET."
				}
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
		s.rp.KeepIDToken(w, res.IDToken)
		target := AfterSSO
		if !res.MFA {
			target = SecondFactorPath
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
}

// SSOLogoutReturnPath is Socle's post_logout_redirect_uri, registered at
// the provider.
const SSOLogoutReturnPath = "/sso/deconnexion/retour"

// AfterLogout is where a browser lands once logged out.
const AfterLogout = "/connexion"

// LogoutURL returns where to send a browser whose Socle session was just
// ended: the provider's end_session_endpoint with id_token_hint, state and
// post_logout_redirect_uri when the session came from SSO and the provider
// offers logout, else ok is false. It forgets the ID token and keeps the
// state for SSOLogoutReturnHandler. Call it only after Socle's own logout.
func (s *SSO) LogoutURL(w http.ResponseWriter, r *http.Request) (u string, ok bool) {
	return s.rp.LogoutURL(w, r)
}

// SSOLogoutReturnHandler serves GET /sso/deconnexion/retour, where the
// provider sends the browser back: the state must be the one LogoutURL
// kept, so that nobody else's redirect lands here unnoticed.
func SSOLogoutReturnHandler(s *SSO) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.rp.LogoutReturn(w, r) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadRequest)
			ssoErrorPage.Execute(w, "Ce retour de déconnexion ne correspond à aucune déconnexion demandée depuis ce navigateur. Votre session Socle est de toute façon fermée.")
			return
		}
		http.Redirect(w, r, AfterLogout, http.StatusFound)
	})
}
