package web

import (
	"socle/audit"
	"socle/cases"
	"socle/directory"
	"socle/gate"
	"socle/http/httpx"
	"socle/oauth"
	"socle/register"
	"socle/rome"
	"socle/space"
)

// publicPages serve the public pages: home, organisations, offers.
// Each group of pages holds the renderer and only the services it uses.
type publicPages struct {
	*renderer
	dir httpx.Directory
}

// journalPages serve the auditors' journal des accès (audit_handlers.go).
type journalPages struct {
	*renderer
	audit     *audit.Log
	dir       httpx.Directory
	gate      *gate.Gate
	detection *directory.Service
}

// breakGlassPages serve the review of exceptional accesses (breakglass_pages.go).
type breakGlassPages struct {
	*renderer
	detection *directory.Service
	gate      *gate.Gate
}

// companyPages serve companies, offers and the mise en relation (company_pages.go).
type companyPages struct {
	*renderer
	gate *gate.Gate
	rome *rome.Referential
}

// casePages serve the misuse cases console and the step-up (detect_handlers.go).
type casePages struct {
	*renderer
	cases *cases.Service
	gate  *gate.Gate
	// detection names the agents of the cases; nil leaves them unnamed.
	detection *directory.Service
}

// declarationPages serve protected persons, declarations and questions (directory_pages.go).
type declarationPages struct {
	*renderer
	cases     *cases.Service
	detection *directory.Service
	gate      *gate.Gate
}

// employerPages serve the employer space (employer_handlers.go).
type employerPages struct {
	*renderer
	gate *gate.Gate
	rome *rome.Referential
}

// accountPages serve sign-in, sessions, agents and four-eyes requests (identity_handlers.go).
type accountPages struct {
	*renderer
	register *register.Service
	// sso, when set, ends at the federation the sessions it opened.
	sso *oauth.SSO
}

// parcoursPages serve orientation, contracts, agenda, indicators and the person's parcours (parcours_pages.go).
type parcoursPages struct {
	*renderer
	dir  httpx.Directory
	gate *gate.Gate
}

// personPages serve the search, a person's file, break the glass, the register (person_handlers.go).
type personPages struct {
	*renderer
	gate     *gate.Gate
	register *register.Service
	// parcours, when set, names the purpose that opens a file her
	// structure follows (purpose_hint.go).
	parcours *gate.Parcours
}

// rectificationPages serve the queue of rectification requests (rectification_queue.go).
type rectificationPages struct {
	*renderer
}

// spacePages serve the person's own space (space_handlers.go).
type spacePages struct {
	*renderer
	dir  httpx.Directory
	gate *gate.Gate
	// parcours, when set, says on her file what is asked of her.
	parcours *gate.Parcours
}

// identityCheckPages serve the human check of the FranceConnect logins
// that matched no single record (identity_checks.go).
type identityCheckPages struct {
	*renderer
	fc *space.FranceConnect
}

// blockPages serve the accounts the volume throttle blocked (throttle_handlers.go).
type blockPages struct {
	*renderer
	gate *gate.Gate
	// detection names the blocked agents; nil leaves them unnamed.
	detection *directory.Service
}
