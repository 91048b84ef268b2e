// Package http serves Socle's versioned JSON API under /api/v1/ and its
// server-rendered French web UI. Handlers reach personal data only through
// the gate; the Directory they also hold carries no personal data.
package http

import (
	"context"
	"log/slog"
	"net/http"

	"socle"
	"socle/gate"
	"socle/identity"
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
}

// Server is Socle's HTTP handler with its dependencies.
type Server struct {
	gate     *gate.Gate
	dir      Directory
	identity *identity.Service
	auth     Authenticator
	logger   *slog.Logger
	cfg      Config
	pages    *pages
	mux      *http.ServeMux
	// patterns lists the registered routes.
	patterns []string
}

// NewServer returns the HTTP handler of Socle. ids serves the staff login
// pages when not nil; auth establishes the actor of each request.
func NewServer(logger *slog.Logger, cfg Config, g *gate.Gate, dir Directory, ids *identity.Service, auth Authenticator) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if auth == nil {
		auth = Anonymous{}
	}
	s := &Server{gate: g, dir: dir, identity: ids, auth: auth, logger: logger, cfg: cfg, pages: loadPages(), mux: http.NewServeMux()}
	s.routes()
	var h http.Handler = s.mux
	h = s.authenticate(h)
	h = s.limitBody(h)
	h = securityHeaders(cfg.TLS, h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	h = withRequestID(h)
	return h
}
