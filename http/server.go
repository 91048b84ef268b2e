// Package http composes Socle's HTTP server: the versioned JSON API
// (http/api) and the French pages (http/web) on one mux, behind the
// middleware of http/httpx. Handlers reach personal data only through the
// gate; the Directory they also hold carries no personal data.
package http

import (
	"context"
	"log/slog"
	"net/http"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/directory"
	"socle/employer"
	"socle/gate"
	"socle/http/api"
	"socle/http/httpx"
	"socle/http/web"
	"socle/identity"
	"socle/oauth"
	"socle/register"
	"socle/rome"
	"socle/space"
	"socle/webhook"
)

// Directory is the non-personal data the server shows without the gate.
type Directory = httpx.Directory

// Authenticator establishes who makes a request (httpx.Authenticator).
type Authenticator = httpx.Authenticator

// Anonymous authenticates nobody: every request is anonymous.
type Anonymous struct{}

// Authenticate returns the zero Actor.
func (Anonymous) Authenticate(*http.Request) (socle.Actor, error) { return socle.Actor{}, nil }

// Config is what the server needs to know about how it is deployed.
type Config struct {
	Version string
	// TLS says the server is reached over HTTPS: it then sends HSTS.
	TLS bool
	// MaxBodyBytes caps request bodies; 1 MiB when zero.
	MaxBodyBytes int64
	// Metrics, when set, observes every request by route pattern.
	Metrics RequestObserver
}

// RequestObserver observes each request served (httpx.RequestObserver).
type RequestObserver = httpx.RequestObserver

// Services are what the server serves. Gate and Directory are required;
// the others switch their routes on when set.
type Services struct {
	Gate      *gate.Gate
	Directory Directory
	// Identity serves the staff login and administration pages.
	Identity *identity.Service
	// OAuth serves the partners' token, revocation and key endpoints.
	OAuth *oauth.Service
	// Webhooks serves the partners' subscriptions to the change feed.
	Webhooks *webhook.Service
	// SSO serves the network's single sign-on for staff.
	SSO *oauth.SSO
	// Auth establishes the actor of each request; anonymous when nil.
	Auth Authenticator
	// Register serves the administration of purposes and agreements.
	Register *register.Service
	// Space serves the person's own space (espace usager).
	Space *space.Service
	// FranceConnect signs persons in to their space; off when nil.
	FranceConnect *space.FranceConnect
	// ROME is the job referential the offer forms check titles against;
	// nil checks none.
	ROME *rome.Referential
	// Audit serves the audit log's checkpoints, proofs and verifier key.
	Audit *audit.Log
	// AuditVerifierKey is the published key that checks the checkpoints.
	AuditVerifierKey string
	// Parcours serves orientations, contracts, events and indicators.
	Parcours *gate.Parcours
	// Cases serves the misuse cases console and API (detect_handlers.go).
	Cases *cases.Service
	// Detection serves the register of protected persons and the agents'
	// declarations (directory_pages.go).
	Detection *directory.Service
	// Employer serves the employer space (espace employeur).
	Employer *employer.Service
	// Ready, when set, says whether the server can serve beside the
	// database answering: nil, or why not (the audit log cannot write, the
	// disk is full, the server is draining). /readyz answers 503 then.
	Ready func(ctx context.Context) error
}

// FirstOf returns an Authenticator that asks each in turn and keeps the
// first actor or error: a bearer token, then a session cookie.
func FirstOf(auths ...Authenticator) Authenticator { return firstOf(auths) }

type firstOf []Authenticator

func (f firstOf) Authenticate(r *http.Request) (socle.Actor, error) {
	for _, a := range f {
		actor, err := a.Authenticate(r)
		if err != nil || actor.Authenticated() {
			return actor, err
		}
	}
	return socle.Actor{}, nil
}

// NewServer returns the HTTP handler of Socle: the API's and the pages'
// routes on one mux, behind the middleware chain.
func NewServer(logger *slog.Logger, cfg Config, svc Services) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if svc.Auth == nil {
		svc.Auth = Anonymous{}
	}
	mux := http.NewServeMux()
	api.Routes(mux.Handle, api.Services{
		Gate: svc.Gate, Directory: svc.Directory, Parcours: svc.Parcours,
		Audit: svc.Audit, AuditVerifierKey: svc.AuditVerifierKey, Cases: svc.Cases, Detection: svc.Detection,
		Register: svc.Register, Identity: svc.Identity, OAuth: svc.OAuth, Webhooks: svc.Webhooks, Ready: svc.Ready,
	})
	pages := web.New(cfg.Version, web.Services{
		Gate: svc.Gate, Directory: svc.Directory, Parcours: svc.Parcours, Identity: svc.Identity, SSO: svc.SSO,
		Register: svc.Register, Space: svc.Space, FranceConnect: svc.FranceConnect, Employer: svc.Employer, ROME: svc.ROME,
		Audit: svc.Audit, Cases: svc.Cases, Detection: svc.Detection, OAuth: svc.OAuth,
	})
	pages.Routes(mux.Handle)
	var sessionCSRF func(*http.Request) bool
	if id := svc.Identity; id != nil {
		sessionCSRF = func(r *http.Request) bool { return id.VerifyCSRF(r) == nil }
	}
	var h http.Handler = httpx.CapturePattern(mux)
	h = httpx.GuardAPIWrites(cfg.TLS, sessionCSRF, h)
	h = httpx.Authenticate(svc.Auth, h)
	h = httpx.RejectInvalidText(pages.Error, h)
	h = httpx.LimitBody(cfg.MaxBodyBytes, h)
	h = httpx.SecurityHeaders(cfg.TLS, h)
	h = httpx.RecoverPanics(logger, h)
	h = httpx.LogRequests(logger, cfg.Metrics, h)
	h = httpx.WithRequestID(h)
	return h
}
