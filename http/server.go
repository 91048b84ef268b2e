// Package http serves Socle's versioned JSON API under /api/v1/ and its
// server-rendered French web UI. Handlers reach personal data only through
// the gate; the Directory they also hold carries no personal data.
package http

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/directory"
	"socle/employer"
	"socle/gate"
	"socle/identity"
	"socle/oauth"
	"socle/register"
	"socle/rome"
	"socle/space"
)

// Directory is the non-personal data the server shows without the gate:
// reference geography, organisations of the network and open offers.
type Directory interface {
	Departements(ctx context.Context) ([]socle.Departement, error)
	Commune(ctx context.Context, code string) (*socle.Commune, error)
	Communes(ctx context.Context, dep string, limit int) ([]socle.Commune, error)
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
	Organisations(ctx context.Context, f socle.OrganisationFilter) ([]*socle.Organisation, error)
	Offers(ctx context.Context, f socle.OfferFilter) ([]*socle.Offer, error)
	Ping(ctx context.Context) error
}

// Authenticator establishes who makes a request: an agent's session, a
// partner's bearer token, a person's space. It returns the zero Actor for
// an anonymous request and an error only for a credential that is wrong.
type Authenticator interface {
	Authenticate(r *http.Request) (socle.Actor, error)
}

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

// RequestObserver observes each request served: the route pattern that
// matched ("" when none did), the status and the time taken.
type RequestObserver interface {
	ObserveRequest(route string, status int, d time.Duration)
}

// Services are what the server serves. Gate and Directory are required;
// the others switch their routes on when set.
type Services struct {
	Gate      *gate.Gate
	Directory Directory
	// Identity serves the staff login and administration pages.
	Identity *identity.Service
	// OAuth serves the partners' token, revocation and key endpoints.
	OAuth *oauth.Service
	// SSO serves the network's single sign-on for staff.
	SSO *oauth.SSO
	// Auth establishes the actor of each request; anonymous when nil.
	Auth Authenticator
	// Register serves the administration of purposes and agreements.
	Register *register.Service
	// Space serves the person's own space (espace usager).
	Space *space.Service
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

// Server is Socle's HTTP handler with its dependencies.
type Server struct {
	gate      *gate.Gate
	parcours  *gate.Parcours
	dir       Directory
	identity  *identity.Service
	oauth     *oauth.Service
	sso       *oauth.SSO
	auth      Authenticator
	register  *register.Service
	space     *space.Service
	employer  *employer.Service
	rome      *rome.Referential
	audit     *audit.Log
	auditKey  string
	cases     *cases.Service
	detection *directory.Service
	ready     func(ctx context.Context) error
	logger    *slog.Logger
	cfg       Config
	pages     *pages
	mux       *http.ServeMux
	// patterns lists the registered routes.
	patterns []string
}

// NewServer returns the HTTP handler of Socle.
func NewServer(logger *slog.Logger, cfg Config, svc Services) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if svc.Auth == nil {
		svc.Auth = Anonymous{}
	}
	s := &Server{gate: svc.Gate, dir: svc.Directory, identity: svc.Identity, oauth: svc.OAuth, sso: svc.SSO, auth: svc.Auth, logger: logger, cfg: cfg, pages: loadPages(), mux: http.NewServeMux()}
	s.register = svc.Register
	s.space = svc.Space
	s.rome = svc.ROME
	s.audit, s.auditKey = svc.Audit, svc.AuditVerifierKey
	s.parcours = svc.Parcours
	s.cases = svc.Cases
	s.detection = svc.Detection
	s.employer = svc.Employer
	s.ready = svc.Ready
	s.routes()
	var h http.Handler = capturePattern(s.mux)
	h = s.guardAPIWrites(h)
	h = s.authenticate(h)
	h = s.rejectInvalidText(h)
	h = s.limitBody(h)
	h = securityHeaders(cfg.TLS, h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	h = withRequestID(h)
	return h
}
