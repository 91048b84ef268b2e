package http

import (
	"net/http"

	"socle/oauth"
)

// routes registers every route of the server: the whole surface in one place.
func (s *Server) routes() {
	s.handle("GET /healthz", handleHealthz())
	s.handle("GET /readyz", handleReadyz(s.dir, s.ready))

	s.handle("GET /api/v1/openapi.json", handleOpenAPI())
	s.handle("GET /api/v1/purposes", handlePurposes(s.gate))
	s.handle("GET /api/v1/departements", handleDepartements(s.dir))
	s.handle("GET /api/v1/communes/{code}", handleCommune(s.dir))
	s.handle("GET /api/v1/organisations", handleOrganisations(s.dir))
	s.handle("GET /api/v1/organisations/{id}", handleOrganisation(s.dir))
	s.handle("GET /api/v1/offers", handleOffers(s.dir))
	s.handle("GET /api/v1/persons", handleSearchPersons(s.gate))
	s.handle("POST /api/v1/persons", handleCreatePerson(s.gate))
	s.handle("GET /api/v1/persons/{id}", handleReadPerson(s.gate))
	s.handle("PATCH /api/v1/persons/{id}", handleUpdatePerson(s.gate))
	s.handle("GET /api/v1/persons/{id}/followups", handleFollowups(s.gate))
	s.handle("GET /api/v1/companies/{id}", handleReadCompany(s.gate))
	companyRoutes(s)
	s.handle("/api/", handleAPINotFound())

	s.handle("GET /static/", handleStatic())
	s.handle("GET /{$}", s.handleHome())
	s.handle("GET /structures", s.handleOrganisationsPage())
	s.handle("GET /offres", s.handleOffersPage())
	if s.identity != nil {
		identityRoutes(s, s.identity)
	}
	if s.oauth != nil {
		s.handle("POST /oauth/token", oauth.TokenHandler(s.oauth))
		s.handle("POST /oauth/revoke", oauth.RevokeHandler(s.oauth))
		s.handle("GET /.well-known/jwks.json", oauth.JWKSHandler(s.oauth))
	}
	if s.sso != nil && s.identity != nil {
		s.handle("GET /sso/start", oauth.SSOStartHandler(s.sso))
		s.handle("GET /sso/callback", oauth.SSOCallbackHandler(s.sso, s.identity))
		s.handle("GET "+oauth.SSOLogoutReturnPath, oauth.SSOLogoutReturnHandler(s.sso))
	}
	personRoutes(s)
	spaceRoutes(s)
	auditRoutes(s)
	detectRoutes(s)
	throttleRoutes(s)
	parcoursRoutes(s)
	parcoursPages(s)
	employerRoutes(s)
	s.handle("/", s.handleNotFoundPage())
}

// handle registers a route and remembers its pattern, so that tests can check
// the OpenAPI document against the routes.
func (s *Server) handle(pattern string, h http.Handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, h)
}
