// Package web serves Socle's French pages: the agents' console, the
// person's space (espace usager), the employer space and the public
// directory. Handlers reach personal data only through the gate; every
// text a user reads is French, in the templates or in messages.go.
package web

import (
	"net/http"

	"socle/audit"
	"socle/cases"
	"socle/directory"
	"socle/employer"
	"socle/gate"
	"socle/http/httpx"
	"socle/identity"
	"socle/matching"
	"socle/oauth"
	"socle/register"
	"socle/space"
)

// Services are what the pages serve. Gate and Directory are required; the
// others switch their pages on when set.
type Services struct {
	Gate      *gate.Gate
	Directory httpx.Directory
	Parcours  *gate.Parcours
	Identity  *identity.Service
	SSO       *oauth.SSO
	Register  *register.Service
	Space     *space.Service
	Employer  *employer.Service
	Matching  *matching.Index
	Audit     *audit.Log
	Cases     *cases.Service
	Detection *directory.Service
}

// Server renders the pages with the services they show.
type Server struct {
	gate      *gate.Gate
	parcours  *gate.Parcours
	dir       httpx.Directory
	identity  *identity.Service
	sso       *oauth.SSO
	register  *register.Service
	space     *space.Service
	employer  *employer.Service
	matching  *matching.Index
	audit     *audit.Log
	cases     *cases.Service
	detection *directory.Service
	// version is the release shown in the footer of every page.
	version string
	pages   *pages
}

// New returns the pages' server; version is shown in their footer.
func New(version string, svc Services) *Server {
	return &Server{
		gate: svc.Gate, parcours: svc.Parcours, dir: svc.Directory, identity: svc.Identity, sso: svc.SSO,
		register: svc.Register, space: svc.Space, employer: svc.Employer, matching: svc.Matching,
		audit: svc.Audit, cases: svc.Cases, detection: svc.Detection, version: version, pages: loadPages(),
	}
}

// Error renders err as a French error page; the middleware uses it for the
// requests it refuses before any page handler runs.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) { s.renderError(w, r, err) }

// Routes registers every page of the server with handle: the whole web
// surface in one table.
func (s *Server) Routes(handle func(pattern string, h http.Handler)) {
	// Public pages: the directory of the network and its offers.
	handle("GET /static/", handleStatic())
	handle("GET /{$}", s.handleHome())
	handle("GET /structures", s.handleOrganisationsPage())
	handle("GET /offres", s.handleOffersPage())
	handle("GET /parcours/contrat.css", handleContractCSS())
	handle("GET /contrats/{id}/imprimer", handlePrintCommitment(s.parcours))
	handle("GET /journal", handleJournalPage(s))
	handle("GET /journal/{index}", handleJournalEntryPage(s))

	if svc := s.identity; svc != nil {
		// Staff sign-in, sessions, agents and four-eyes requests.
		handle("GET /connexion", handleLoginPage(s, svc))
		handle("POST /connexion", handleLogin(s, svc))
		handle("GET /second-facteur", handleSecondFactorPage(s, svc))
		handle("POST /second-facteur", handleSecondFactor(s, svc))
		handle("GET /enrolement", handleEnrolmentPage(s, svc))
		handle("POST /enrolement", handleEnrolment(s, svc))
		handle("POST /deconnexion", handleLogout(s, svc))
		handle("GET /recuperation", handleRecoveryPage(s, svc))
		handle("POST /recuperation/mot-de-passe", handleResetPassword(s, svc))
		handle("POST /recuperation/demande", handleRequestRecovery(s, svc))
		handle("POST /recuperation/{id}/approuver", handleApproveRecovery(s, svc))
		handle("GET /sessions", handleSessionsPage(s, svc))
		handle("POST /sessions/{id}/fermer", handleRevokeSession(s, svc))
		handle("POST /sessions/toutes/fermer", handleLogoutEverywhere(s, svc))
		handle("GET /agents", handleAgentsPage(s, svc))
		handle("POST /agents", handleCreateAgent(s, svc))
		handle("POST /agents/{id}/roles", handleAgentRoles(s, svc))
		handle("POST /agents/{id}/desactiver", handleAgentDisabled(s, svc, true))
		handle("POST /agents/{id}/reactiver", handleAgentDisabled(s, svc, false))
		handle("POST /agents/{id}/recuperation", handleOpenRecovery(s, svc))
		handle("GET /demandes", handleChangesPage(s, svc))
		handle("POST /demandes/{id}/approuver", handleDecideChange(s, svc, true))
		handle("POST /demandes/{id}/refuser", handleDecideChange(s, svc, false))
		// WebAuthn ceremonies, called by /static/webauthn.js.
		handle("POST /webauthn/enregistrement/debut", handleWebAuthn(svc, func(r *http.Request) (any, error) {
			return svc.BeginWebAuthnRegistration(r.Context(), r)
		}))
		handle("POST /webauthn/enregistrement/fin", handleWebAuthn(svc, func(r *http.Request) (any, error) {
			return map[string]bool{"ok": true}, svc.FinishWebAuthnRegistration(r.Context(), r, r.URL.Query().Get("nom"))
		}))
		handle("POST /webauthn/connexion/debut", handleWebAuthn(svc, func(r *http.Request) (any, error) {
			return svc.BeginWebAuthnLogin(r.Context(), r)
		}))
		handle("POST /webauthn/connexion/fin", handleWebAuthnLogin(svc))
		if s.sso != nil {
			handle("GET /sso/start", oauth.SSOStartHandler(s.sso))
			handle("GET /sso/callback", oauth.SSOCallbackHandler(s.sso, svc))
		}

		// Persons: search, file, break the glass; the register of agreements.
		handle("GET /usagers", handlePersonsPage(s))
		handle("GET /usagers/{id}", handlePersonPage(s))
		handle("GET /usagers/{id}/bris-de-glace", handleBreakGlassPage(s))
		handle("POST /usagers/{id}/bris-de-glace", handleBreakGlass(s))
		handle("GET /admin/conventions", handleRegisterPage(s))
		handle("POST /admin/conventions", handleRegisterEdit(s))

		// Misuse detection: step-up, cases, blocks, protected persons,
		// declarations, questions, break-the-glass review.
		handle("GET /verification-renforcee", handleStepUpPage(s))
		handle("POST /verification-renforcee", handleStepUpPage(s))
		handle("GET /alertes", handleCasesPage(s))
		handle("GET /alertes/{id}", handleCasePage(s))
		handle("POST /alertes/{id}/etat", handleCaseForm(s, "etat"))
		handle("POST /alertes/{id}/assigner", handleCaseForm(s, "assigner"))
		handle("POST /alertes/{id}/commentaire", handleCaseForm(s, "commentaire"))
		handle("POST /alertes/{id}/question", handleCaseForm(s, "question"))
		handle("GET /alertes/blocages", handleThrottleBlocksPage(s))
		handle("POST /alertes/blocages", handleLiftBlockForm(s))
		handle("GET /personnes-protegees", handleProtectedPage(s))
		handle("POST /personnes-protegees", handleProtectedForm(s, "ajout"))
		handle("POST /personnes-protegees/{id}/retrait", handleProtectedForm(s, "retrait"))
		handle("GET /declarations", handleDeclarationsPage(s))
		handle("POST /declarations", handleDeclarationForm(s, "ajout"))
		handle("POST /declarations/{id}/retrait", handleDeclarationForm(s, "retrait"))
		handle("POST /declarations/taches", handleBulkTaskForm(s, "ajout"))
		handle("POST /declarations/taches/{id}/approbation", handleBulkTaskForm(s, "approbation"))
		handle("GET /mes-explications", handleQuestionsPage(s))
		handle("POST /mes-explications/{id}", handleAnswerForm(s))
		handle("GET /bris-de-glace", handleBreakGlassReviewPage(s))
		handle("POST /bris-de-glace/{id}/revue", handleBreakGlassReviewForm(s))

		// Companies, offers and the mise en relation.
		handle("GET /entreprises", handlePortfolioPage(s))
		handle("GET /entreprises/{id}", handleCompanyPage(s))
		handle("POST /entreprises/{id}/suivi", handleCompanyFollowPage(s))
		handle("POST /entreprises/{id}/actions", handleCompanyActionPage(s))
		handle("POST /entreprises/{id}/offres", handleCompanyOfferCreatePage(s))
		handle("GET /offres/{id}", handleOfferPage(s))
		handle("POST /offres/{id}", handleOfferUpdatePage(s))
		handle("GET /offres/{id}/appariement", handleMatchingPage(s))
		handle("POST /offres/{id}/propositions", handleProposePage(s))

		if p := s.parcours; p != nil {
			// Parcours: orientation, contract, appointments, rectifications.
			handle("GET /usagers/{id}/orientation", handleOrientationPage(s, p))
			handle("POST /usagers/{id}/orientation", handleOrientationPropose(s, p))
			handle("POST /usagers/{id}/orientation/{oid}", handleOrientationConfirm(s, p))
			handle("GET /usagers/{id}/contrat", handleContractPage(s, p))
			handle("POST /usagers/{id}/contrat", handleContractCreate(s, p))
			handle("POST /usagers/{id}/contrat/{cid}/signature", handleContractSign(s, p))
			handle("POST /usagers/{id}/contrat/{cid}/lien", handleContractLink(s, p))
			handle("POST /usagers/{id}/rendez-vous", handleAppointmentCreate(s, p))
			handle("GET /usagers/{id}/rectifications", handleRectificationsPage(s, p))
			handle("POST /usagers/{id}/rectifications/{rid}", handleRectificationAnswer(s, p))
			handle("GET /rectifications", handleRectificationQueue(s, p))
			handle("GET /agenda", handleAgendaPage(s, p))
			handle("GET /indicateurs", handleIndicatorsPage(s, p))
		}
	}

	if svc := s.space; svc != nil {
		// The person's own space (espace usager).
		handle("GET /usager", spaceLogin(svc).homePage(s))
		handle("POST /usager/lien", spaceLogin(svc).requestLink(s))
		handle("GET /usager/connexion", spaceLogin(svc).consume(s))
		handle("GET /usager/dossier", handleSpaceFile(s, svc))
		handle("GET /usager/acces", handleSpaceAccesses(s, svc))
		handle("GET /usager/acces.json", handleSpaceDownload(s, svc))
		handle("POST /usager/deconnexion", handleSpaceLogout(s, svc))
		if p := s.parcours; p != nil {
			handle("GET /usager/parcours", handleSpaceParcours(s, p, svc))
			handle("GET /usager/contrats/{id}", handleSpaceContract(s, p, svc))
			handle("POST /usager/contrats/{id}/confirmation", handleSpaceReauth(s, p, svc))
			handle("POST /usager/contrats/{id}/signature", handleSpaceSign(s, p, svc))
			handle("POST /usager/rectifications", handleSpaceRectify(s, p, svc))
			handle("GET /usager/export.json", handleSpaceExport(s, p, svc))
		}
	}

	if svc := s.employer; svc != nil {
		// The employer space (espace employeur).
		handle("GET /employeur", employerLogin(svc).homePage(s))
		handle("POST /employeur/lien", employerLogin(svc).requestLink(s))
		handle("GET /employeur/connexion", employerLogin(svc).consume(s))
		handle("POST /employeur/deconnexion", handleEmployerLogout(s, svc))
		handle("GET /employeur/offres", handleEmployerOffers(s, svc))
		handle("POST /employeur/offres", handleEmployerSaveOffer(s, svc))
		handle("GET /employeur/offres/{id}", handleEmployerOffer(s, svc))
		handle("POST /employeur/offres/{id}", handleEmployerSaveOffer(s, svc))
		handle("GET /employeur/offres/{id}/candidats", handleEmployerCandidates(s, svc))
		handle("GET /employeur/offres/{id}/candidats.json", handleEmployerCandidatesJSON(s, svc))
		handle("POST /employeur/offres/{id}/candidats/{match}", handleEmployerAnswer(s, svc))
	}

	handle("/", s.handleNotFoundPage())
}
