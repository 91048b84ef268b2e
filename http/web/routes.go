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
	"socle/oauth"
	"socle/register"
	"socle/rome"
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
	ROME      *rome.Referential
	Audit     *audit.Log
	Cases     *cases.Service
	Detection *directory.Service
	// FranceConnect signs persons in to their space; off when nil.
	FranceConnect *space.FranceConnect
	// OAuth administers the API clients (/admin/clients); off when nil.
	OAuth *oauth.Service
}

// Server holds the services of the pages; Routes hands each group of
// pages only the ones it uses.
type Server struct {
	gate      *gate.Gate
	parcours  *gate.Parcours
	dir       httpx.Directory
	sso       *oauth.SSO
	register  *register.Service
	space     *space.Service
	fc        *space.FranceConnect
	employer  *employer.Service
	rome      *rome.Referential
	audit     *audit.Log
	cases     *cases.Service
	detection *directory.Service
	oauth     *oauth.Service
	*renderer
}

// New returns the pages' server; version is shown in their footer.
func New(version string, svc Services) *Server {
	return &Server{
		renderer: &renderer{pages: loadPages(), version: version, identity: svc.Identity, words: newWords(svc.Directory), franceConnect: svc.FranceConnect != nil, apiClients: svc.OAuth != nil},
		gate:     svc.Gate, parcours: svc.Parcours, dir: svc.Directory, sso: svc.SSO,
		register: svc.Register, space: svc.Space, fc: svc.FranceConnect, employer: svc.Employer, rome: svc.ROME,
		audit: svc.Audit, cases: svc.Cases, detection: svc.Detection, oauth: svc.OAuth,
	}
}

// Error renders err as a French error page; the middleware uses it for the
// requests it refuses before any page handler runs.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) { s.renderError(w, r, err) }

// Routes registers every page of the server with handle: the whole web
// surface in one table.
func (s *Server) Routes(handle func(pattern string, h http.Handler)) {
	publicPages := &publicPages{renderer: s.renderer, dir: s.dir}
	homePages := &homePages{publicPages: publicPages, gate: s.gate, parcours: s.parcours, cases: s.cases, detection: s.detection}
	journalPages := &journalPages{renderer: s.renderer, audit: s.audit, dir: s.dir, gate: s.gate, detection: s.detection}
	breakGlassPages := &breakGlassPages{renderer: s.renderer, detection: s.detection, gate: s.gate}
	companyPages := &companyPages{renderer: s.renderer, gate: s.gate, rome: s.rome}
	casePages := &casePages{renderer: s.renderer, cases: s.cases, gate: s.gate, detection: s.detection}
	declarationPages := &declarationPages{renderer: s.renderer, cases: s.cases, detection: s.detection, gate: s.gate}
	employerPages := &employerPages{renderer: s.renderer, gate: s.gate, rome: s.rome}
	accountPages := &accountPages{renderer: s.renderer, register: s.register, sso: s.sso}
	parcoursPages := &parcoursPages{renderer: s.renderer, dir: s.dir, gate: s.gate}
	personPages := &personPages{renderer: s.renderer, gate: s.gate, register: s.register, parcours: s.parcours}
	rectificationPages := &rectificationPages{renderer: s.renderer}
	spacePages := &spacePages{renderer: s.renderer, dir: s.dir, gate: s.gate, parcours: s.parcours}
	// The person's and the employer's spaces name who is signed in.
	s.renderer.spaceUser = spaceUserOf(s.gate)
	identityCheckPages := &identityCheckPages{renderer: s.renderer, fc: s.fc}
	blockPages := &blockPages{renderer: s.renderer, gate: s.gate, detection: s.detection}
	appointmentPages := &appointmentPages{renderer: s.renderer, parcours: s.parcours}

	handle = roleGuard(s.renderer, handle)

	// Public pages: the directory of the network and its offers, the
	// accessibility statement and the legal pages.
	handle("GET /static/", handleStatic())
	handle("GET /accessibilite", handleInfoPage(s.renderer, "accessibilite", "Déclaration d'accessibilité"))
	handle("GET /mentions-legales", handleInfoPage(s.renderer, "mentions-legales", "Mentions légales"))
	handle("GET /donnees-personnelles", handleInfoPage(s.renderer, "donnees-personnelles", "Données personnelles"))
	handle("GET /{$}", homePages.handleHome())
	handle("GET /structures", publicPages.handleOrganisationsPage())
	handle("GET /offres", publicPages.handleOffersPage())
	handle("GET /parcours/contrat.css", handleContractCSS())
	handle("GET /contrats/{id}/imprimer", handlePrintCommitment(s.parcours))
	handle("GET /journal", handleJournalPage(journalPages))
	handle("GET /journal/{index}", handleJournalEntryPage(journalPages))

	if svc := s.identity; svc != nil {
		// Staff sign-in, sessions, agents and four-eyes requests.
		handle("GET /connexion", handleLoginPage(accountPages, svc))
		handle("POST /connexion", handleLogin(accountPages, svc))
		handle("GET /second-facteur", handleSecondFactorPage(accountPages, svc))
		handle("POST /second-facteur", handleSecondFactor(accountPages, svc))
		handle("GET /enrolement", handleEnrolmentPage(accountPages, svc))
		handle("POST /enrolement", handleEnrolment(accountPages, svc))
		handle("POST /deconnexion", handleLogout(accountPages, svc))
		handle("GET /recuperation", handleRecoveryPage(accountPages, svc))
		handle("POST /recuperation/mot-de-passe", handleResetPassword(accountPages, svc))
		handle("POST /recuperation/demande", handleRequestRecovery(accountPages, svc))
		handle("POST /recuperation/{id}/approuver", handleApproveRecovery(accountPages, svc))
		handle("GET /sessions", handleSessionsPage(accountPages, svc))
		handle("POST /sessions/{id}/fermer", handleRevokeSession(accountPages, svc))
		handle("POST /sessions/toutes/fermer", handleLogoutEverywhere(accountPages, svc))
		handle("GET /agents", handleAgentsPage(accountPages, svc))
		handle("POST /agents", handleCreateAgent(accountPages, svc))
		handle("POST /agents/{id}/roles", handleAgentRoles(accountPages, svc))
		handle("POST /agents/{id}/desactiver", handleAgentDisabled(accountPages, svc, true))
		handle("POST /agents/{id}/reactiver", handleAgentDisabled(accountPages, svc, false))
		handle("POST /agents/{id}/recuperation", handleOpenRecovery(accountPages, svc))
		handle("GET /demandes", handleChangesPage(accountPages, svc))
		handle("POST /demandes/{id}/approuver", handleDecideChange(accountPages, svc, true))
		handle("POST /demandes/{id}/refuser", handleDecideChange(accountPages, svc, false))
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
			handle("GET "+oauth.SSOLogoutReturnPath, oauth.SSOLogoutReturnHandler(s.sso))
		}
		if s.fc != nil {
			// The human check of the FranceConnect logins that matched
			// no single record.
			handle("GET /verifications-identite", handleIdentityChecks(identityCheckPages))
			handle("POST /verifications-identite/{id}", handleIdentityCheckResolve(identityCheckPages))
		}

		// Persons: search, file, break the glass; the register of agreements.
		handle("GET /usagers", handlePersonsPage(personPages))
		handle("GET /usagers/{id}", handlePersonPage(personPages))
		handle("GET /usagers/{id}/bris-de-glace", handleBreakGlassPage(personPages))
		handle("POST /usagers/{id}/bris-de-glace", handleBreakGlass(personPages))
		// The file worked on through the gate: one form per section (file_edit.go).
		handle("GET /usagers/{id}/rubriques/{rubrique}", handleSectionEditPage(personPages, s.parcours))
		handle("POST /usagers/{id}/rubriques/{rubrique}", handleSectionSave(personPages, s.parcours))
		handle("GET /admin/conventions", handleRegisterPage(personPages))
		handle("POST /admin/conventions", handleRegisterEdit(personPages))
		if s.oauth != nil {
			// The API clients: the operations of `socle client`.
			clientPages := &clientPages{renderer: s.renderer, oauth: s.oauth, gate: s.gate, dir: s.dir}
			handle("GET "+clientsPath, handleClientsPage(clientPages))
			handle("POST /admin/clients", handleClientCreate(clientPages))
			handle("GET /admin/clients/{id}", handleClientPage(clientPages))
			handle("POST /admin/clients/{id}/desactiver", handleClientAction(clientPages, "desactiver"))
			handle("POST /admin/clients/{id}/secret", handleClientAction(clientPages, "secret"))
		}

		// Misuse detection: step-up, cases, blocks, protected persons,
		// declarations, questions, break-the-glass review.
		handle("GET /verification-renforcee", handleStepUpPage(casePages))
		handle("POST /verification-renforcee", handleStepUpPage(casePages))
		handle("GET /alertes", handleCasesPage(casePages))
		handle("GET /alertes/{id}", handleCasePage(casePages))
		handle("POST /alertes/{id}/etat", handleCaseForm(casePages, "etat"))
		handle("POST /alertes/{id}/assigner", handleCaseForm(casePages, "assigner"))
		handle("POST /alertes/{id}/commentaire", handleCaseForm(casePages, "commentaire"))
		handle("POST /alertes/{id}/question", handleCaseForm(casePages, "question"))
		handle("GET /alertes/blocages", handleThrottleBlocksPage(blockPages))
		handle("POST /alertes/blocages", handleLiftBlockForm(blockPages))
		handle("GET /personnes-protegees", handleProtectedPage(declarationPages))
		handle("POST /personnes-protegees", handleProtectedForm(declarationPages, "ajout"))
		handle("POST /personnes-protegees/{id}/retrait", handleProtectedForm(declarationPages, "retrait"))
		handle("GET /declarations", handleDeclarationsPage(declarationPages))
		handle("POST /declarations", handleDeclarationForm(declarationPages, "ajout"))
		handle("POST /declarations/{id}/retrait", handleDeclarationForm(declarationPages, "retrait"))
		handle("POST /declarations/taches", handleBulkTaskForm(declarationPages, "ajout"))
		handle("POST /declarations/taches/{id}/approbation", handleBulkTaskForm(declarationPages, "approbation"))
		handle("GET /mes-explications", handleQuestionsPage(declarationPages))
		handle("POST /mes-explications/{id}", handleAnswerForm(declarationPages))
		handle("GET /bris-de-glace", handleBreakGlassReviewPage(breakGlassPages))
		handle("POST /bris-de-glace/{id}/revue", handleBreakGlassReviewForm(breakGlassPages))

		// Companies, offers and the mise en relation.
		handle("GET /entreprises", handlePortfolioPage(companyPages))
		handle("GET /entreprises/{id}", handleCompanyPage(companyPages))
		handle("POST /entreprises/{id}/suivi", handleCompanyFollowPage(companyPages))
		handle("POST /entreprises/{id}/actions", handleCompanyActionPage(companyPages))
		handle("POST /entreprises/{id}/offres", handleCompanyOfferCreatePage(companyPages))
		handle("GET /offres/{id}", handleOfferPage(companyPages))
		handle("POST /offres/{id}", handleOfferUpdatePage(companyPages))
		handle("GET /offres/{id}/appariement", handleMatchingPage(companyPages))
		handle("POST /offres/{id}/propositions", handleProposePage(companyPages))

		if p := s.parcours; p != nil {
			// Parcours: orientation, contract, appointments, rectifications.
			handle("GET /usagers/{id}/orientation", handleOrientationPage(parcoursPages, p))
			handle("POST /usagers/{id}/orientation", handleOrientationPropose(parcoursPages, p))
			handle("POST /usagers/{id}/orientation/{oid}", handleOrientationConfirm(parcoursPages, p))
			handle("GET /usagers/{id}/contrat", handleContractPage(parcoursPages, p))
			handle("POST /usagers/{id}/contrat", handleContractCreate(parcoursPages, p))
			handle("POST /usagers/{id}/contrat/{cid}/signature", handleContractSign(parcoursPages, p))
			handle("POST /usagers/{id}/contrat/{cid}/lien", handleContractLink(parcoursPages, p))
			handle("POST /usagers/{id}/rendez-vous", handleAppointmentCreate(parcoursPages, p))
			handle("GET /usagers/{id}/rectifications", handleRectificationsPage(parcoursPages, p))
			handle("POST /usagers/{id}/rectifications/{rid}", handleRectificationAnswer(parcoursPages, p))
			handle("GET /rectifications", handleRectificationQueue(rectificationPages, p))
			handle("GET /agenda", handleAgendaPage(parcoursPages, p))
			handle("GET /indicateurs", handleIndicatorsPage(parcoursPages, p))
			// The follow-up of a file: référents, timeline, notes (file_followup.go).
			handle("GET /usagers/{id}/suivi", handleFollowupPage(parcoursPages, p))
			handle("POST /usagers/{id}/notes", handleNoteCreate(parcoursPages, p))
			handle("POST /usagers/{id}/referent", handleReferentChange(parcoursPages, p))
			// Diagnostic global and plan d'action.
			handle("GET /usagers/{id}/diagnostic", handleDiagnosticPage(parcoursPages, p))
			handle("POST /usagers/{id}/diagnostic", handleDiagnosticSave(parcoursPages, p))
			handle("GET /usagers/{id}/plan", handlePlanPage(parcoursPages, p))
			handle("POST /usagers/{id}/plan", handlePlanSave(parcoursPages, p))
			handle("POST /usagers/{id}/plan/actions/{aid}", handlePlanActionMove(parcoursPages, p))
			handle("POST /usagers/{id}/plan/accord", handlePlanAgreementPage(parcoursPages, p))
			handle("POST /usagers/{id}/plan/contrat", handlePlanContractPage(parcoursPages, p))
			// Orientation requests between structures.
			handle("GET /usagers/{id}/demandes-orientation", handleHandoffPersonPage(parcoursPages, p))
			handle("POST /usagers/{id}/demandes-orientation", handleHandoffSend(parcoursPages, p))
			handle("POST /usagers/{id}/demandes-orientation/{rid}/suite", handleHandoffConclude(parcoursPages, p))
			handle("GET /demandes-orientation", handleHandoffQueue(parcoursPages, p))
			handle("GET /demandes-orientation/{rid}", handleHandoffRequestPage(parcoursPages, p))
			handle("POST /demandes-orientation/{rid}", handleHandoffAnswer(parcoursPages, p))
			handle("GET /commission-orientation", handleCommitteeQueue(parcoursPages, p))
			// Appointments: open slots, a person's appointments, attendance.
			handle("GET /creneaux", handleSlotsPage(appointmentPages))
			handle("POST /creneaux", handleSlotPublish(appointmentPages))
			handle("GET /usagers/{id}/rendez-vous", handleDutiesPage(appointmentPages))
			handle("POST /usagers/{id}/rendez-vous/{eid}/presence", handleAttendance(appointmentPages))
			handle("POST /usagers/{id}/rendez-vous/{eid}/annulation", handleAdviserCancel(appointmentPages))
		}
	}

	if svc := s.space; svc != nil {
		// The person's own space (espace usager).
		login := spaceLogin(svc)
		login.franceConnect = s.fc != nil
		handle("GET /usager", login.homePage(s.renderer))
		handle("POST /usager/lien", login.requestLink(s.renderer))
		handle("GET /usager/connexion", login.consume(s.renderer))
		handle("GET /usager/dossier", handleSpaceFile(spacePages, svc))
		handle("GET /usager/acces", handleSpaceAccesses(spacePages, svc))
		handle("GET /usager/acces.json", handleSpaceDownload(spacePages, svc))
		handle("POST /usager/deconnexion", handleSpaceLogout(spacePages, svc))
		if fc := s.fc; fc != nil {
			handle("GET /usager/franceconnect", http.HandlerFunc(fc.Start))
			handle("GET /usager/franceconnect/retour", handleFranceConnectReturn(spacePages, svc, fc))
		}
		if p := s.parcours; p != nil {
			handle("GET /usager/parcours", handleSpaceParcours(parcoursPages, p, svc))
			handle("GET /usager/contrats/{id}", handleSpaceContract(parcoursPages, p, svc))
			handle("POST /usager/contrats/{id}/confirmation", handleSpaceReauth(parcoursPages, p, svc))
			handle("POST /usager/contrats/{id}/signature", handleSpaceSign(parcoursPages, p, svc))
			handle("POST /usager/rectifications", handleSpaceRectify(parcoursPages, p, svc))
			handle("GET /usager/export.json", handleSpaceExport(parcoursPages, p, svc))
			// Her data, readable, and downloaded as HTML or PDF.
			handle("GET /usager/mes-donnees", handleSpaceData(parcoursPages, p, svc))
			handle("GET /usager/mes-donnees.html", handleSpaceDataHTML(parcoursPages, p, svc))
			handle("GET /usager/mes-donnees.pdf", handleSpaceDataPDF(parcoursPages, p, svc))
			handle("GET /usager/diagnostic", handleSpaceDiagnostic(parcoursPages, p, svc))
			handle("POST /usager/diagnostic", handleSpaceDiagnosticAdd(parcoursPages, p, svc))
			handle("POST /usager/plan/accord", handleSpacePlanAgree(parcoursPages, p, svc))
			// Mes rendez-vous: book, cancel, see what is recorded, explain.
			handle("GET /usager/rendez-vous", handleMyAppointments(appointmentPages, svc))
			handle("POST /usager/rendez-vous", handleBook(appointmentPages, svc))
			handle("POST /usager/rendez-vous/{eid}/annulation", handleMyCancel(appointmentPages, svc))
			handle("POST /usager/explications", handleExplain(appointmentPages, svc))
		}
	}

	if svc := s.employer; svc != nil {
		// The employer space (espace employeur).
		handle("GET /employeur", employerLogin(svc).homePage(s.renderer))
		handle("POST /employeur/lien", employerLogin(svc).requestLink(s.renderer))
		handle("GET /employeur/connexion", employerLogin(svc).consume(s.renderer))
		handle("POST /employeur/deconnexion", handleEmployerLogout(employerPages, svc))
		handle("GET /employeur/offres", handleEmployerOffers(employerPages, svc))
		handle("POST /employeur/offres", handleEmployerSaveOffer(employerPages, svc))
		handle("GET /employeur/offres/{id}", handleEmployerOffer(employerPages, svc))
		handle("POST /employeur/offres/{id}", handleEmployerSaveOffer(employerPages, svc))
		handle("GET /employeur/offres/{id}/candidats", handleEmployerCandidates(employerPages, svc))
		handle("GET /employeur/offres/{id}/candidats.json", handleEmployerCandidatesJSON(employerPages, svc))
		handle("POST /employeur/offres/{id}/candidats/{match}", handleEmployerAnswer(employerPages, svc))
	}

	handle("/", publicPages.handleNotFoundPage())
}
