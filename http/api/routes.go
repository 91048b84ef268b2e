// Package api serves Socle's versioned JSON API under /api/v1/, its
// OpenAPI document, the health probes and the partners' OAuth endpoints.
// Handlers reach personal data only through the gate; each takes only the
// services it uses.
package api

import (
	"context"
	"net/http"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/directory"
	"socle/gate"
	"socle/geo"
	"socle/http/httpx"
	"socle/identity"
	"socle/oauth"
	"socle/register"
	"socle/rome"
	"socle/webhook"
)

// Services are what the API serves. Gate and Directory are required; the
// routes of a service left nil answer 503, so that the surface stays the
// one the OpenAPI document describes.
type Services struct {
	Gate      *gate.Gate
	Directory httpx.Directory
	Parcours  *gate.Parcours
	Audit     *audit.Log
	// AuditVerifierKey is the published key that checks the checkpoints.
	AuditVerifierKey string
	Cases            *cases.Service
	Detection        *directory.Service
	Register         *register.Service
	// Identity checks the step-up codes; OAuth serves the partners' tokens.
	Identity *identity.Service
	OAuth    *oauth.Service
	// Webhooks serves the partners' subscriptions to the change feed.
	Webhooks *webhook.Service
	// Ready, when set, says whether the server can serve beside the
	// database answering: /readyz answers 503 with its reason.
	Ready func(ctx context.Context) error
}

// Routes registers every route of the API with handle: the whole JSON
// surface in one table.
func Routes(handle func(pattern string, h http.Handler), svc Services) {
	g, dir := svc.Gate, svc.Directory
	parcours := needs(svc.Parcours, "the parcours service is not configured")
	casesAPI := needs(svc.Cases, "misuse cases are not served here")
	declarations := needs(svc.Detection, "the directory is not served here")
	registerAPI := needs(svc.Register, "the register of purposes and agreements is not served here")
	webhooks := needs(svc.Webhooks, "webhooks are not served here")
	auditLog := needs(svc.Audit, "the audit log is not served here")
	// The API's conventions (docs/api.md): an ETag on each single
	// resource, If-Match on each update (checked against the resource's
	// GET), an Idempotency-Key on each create.
	etag := httpx.WithETag
	ifMatch := httpx.IfMatch
	var answers *gate.Answers
	if g != nil {
		answers = g.Answers()
	}
	// idempotent's replay answers the created resource read again through
	// the gate by reread; without one, only its id (no personal data).
	idempotent := func(h http.Handler, reread ...http.Handler) http.Handler {
		var rr http.Handler
		if len(reread) > 0 {
			rr = reread[0]
		}
		return httpx.Idempotent(answers, h, rr)
	}

	// Probes and the document.
	handle("GET /healthz", handleHealthz())
	handle("GET /readyz", handleReadyz(dir, svc.Ready))
	handle("GET /api/v1/openapi.json", handleOpenAPI())

	// Reference data, without the gate.
	handle("GET /api/v1/purposes", handlePurposes(g))
	handle("GET /api/v1/departements", handleDepartements(dir))
	handle("GET /api/v1/communes", handleCommuneSuggestions(geo.NewLazyIndex(func(ctx context.Context) ([]socle.Commune, error) { return dir.Communes(ctx, "", 0) })))
	handle("GET /api/v1/communes/{code}", etag(handleCommune(dir)))
	handle("GET /api/v1/jobs", handleJobSuggestions(rome.FullIndex()))
	handle("GET /api/v1/organisations", handleOrganisations(dir))
	handle("GET /api/v1/organisations/{id}", etag(handleOrganisation(dir)))
	handle("GET /api/v1/offers", handleOffers(dir))

	// Persons and their followups.
	handle("GET /api/v1/persons", handleSearchPersons(g))
	handle("POST /api/v1/persons", handleCreatePerson(g))
	handle("GET /api/v1/persons/{id}", etag(handleReadPerson(g))) // ETag: the file's version
	handle("PATCH /api/v1/persons/{id}", handleUpdatePerson(g))   // If-Match: the version, checked by the store
	handle("GET /api/v1/persons/{id}/followups", handleFollowups(g))

	// Change feed of the persons and companies the caller may read.
	handle("GET /api/v1/changes", handleChanges(g))
	handle("POST /api/v1/subscriptions", idempotent(webhooks(handleSubscribe)))
	handle("GET /api/v1/subscriptions", webhooks(handleSubscriptions))
	handle("DELETE /api/v1/subscriptions/{id}", webhooks(handleUnsubscribe))
	handle("GET /api/v1/subscriptions/{id}/deliveries", webhooks(handleDeliveries))
	handle("POST /api/v1/deliveries/{id}/replay", webhooks(handleReplay))

	// Companies, offers and the mise en relation (purpose mise_en_relation).
	handle("GET /api/v1/companies/{id}", etag(handleReadCompany(g)))
	handle("GET /api/v1/offers/{id}/candidates", handleCandidates(g))
	handle("POST /api/v1/offers/{id}/matches", idempotent(handlePropose(g)))
	handle("GET /api/v1/persons/{id}/offers", handleOffersForPerson(g))
	handle("GET /api/v1/portfolio", handlePortfolio(g))
	handle("GET /api/v1/companies/{id}/file", etag(handleCompanyFile(g)))
	handle("POST /api/v1/companies/{id}/followups", idempotent(handleFollowCompany(g)))
	handle("DELETE /api/v1/companies/{id}/followups", handleUnfollowCompany(g))
	handle("POST /api/v1/companies/{id}/actions", idempotent(handleCompanyAction(g)))
	handle("POST /api/v1/companies/{id}/offers", idempotent(handleSaveOffer(g, false), httpx.ReadCreated(handleReadOffer(g))))
	handle("GET /api/v1/offers/{id}", etag(handleReadOffer(g)))
	handle("PUT /api/v1/offers/{id}", ifMatch(handleReadOffer(g), handleSaveOffer(g, true)))

	// Parcours: orientations, events, contracts, indicators.
	handle("GET /api/v1/orientation/questionnaire", parcours(handleQuestionnaire))
	handle("POST /api/v1/persons/{id}/orientations", idempotent(parcours(handleProposeOrientation), parcours(rereadOrientation)))
	handle("GET /api/v1/persons/{id}/orientations", parcours(handleOrientations))
	handle("POST /api/v1/orientations/{id}/confirm", parcours(handleConfirmOrientation))
	handle("POST /api/v1/persons/{id}/events", idempotent(parcours(handleCreateEvent), parcours(rereadEvent)))
	handle("GET /api/v1/persons/{id}/events", parcours(handleEvents))
	handle("GET /api/v1/agenda", parcours(handleAgenda))
	handle("POST /api/v1/persons/{id}/commitments", idempotent(parcours(handleCreateCommitment), httpx.ReadCreated(parcours(handleCommitment))))
	handle("GET /api/v1/commitments/{id}", etag(parcours(handleCommitment)))
	handle("POST /api/v1/commitments/{id}/signatures", ifMatch(parcours(handleCommitment), parcours(handleSignAsAdviser)))
	handle("POST /api/v1/commitments/{id}/signing-link", idempotent(parcours(handleSigningLink)))
	handle("POST /api/v1/signing/{token}", parcours(handleSignWithLink))
	handle("GET /api/v1/indicators", parcours(handleIndicators))
	// Appointments: open slots, appointments, cancellation, attendance.
	handle("POST /api/v1/slots", parcours(handlePublishSlot))
	handle("GET /api/v1/slots", parcours(handleSlots))
	handle("POST /api/v1/persons/{id}/appointments", parcours(handleScheduleAppointment))
	handle("GET /api/v1/persons/{id}/appointments", parcours(handleRightsAndDuties))
	handle("POST /api/v1/appointments/{id}/cancellation", parcours(handleCancelAppointment))
	handle("POST /api/v1/appointments/{id}/attendance", parcours(handleAttendance))

	// The file worked on through the gate: notes, rectification requests (file.go).
	handle("GET /api/v1/persons/{id}/notes", handleNotes(g))
	handle("POST /api/v1/persons/{id}/notes", handleAddNote(g))
	handle("GET /api/v1/persons/{id}/rectifications", parcours(handleRectifications))
	handle("POST /api/v1/persons/{id}/rectifications/{rid}/answer", parcours(handleAnswerRectification))
	// The référent of a followed person, named by the structure that follows her (referent.go).
	handle("PUT /api/v1/persons/{id}/referent", parcours(handleChangeReferent))
	// Diagnostic global and plan d'action (purpose accompagnement; the
	// diagnostic's reads also orientation): health freins and objectives
	// only where health is granted.
	handle("GET /api/v1/persons/{id}/diagnostic", etag(parcours(handleDiagnostic))) // ETag: its version
	handle("PUT /api/v1/persons/{id}/diagnostic", parcours(handleSaveDiagnostic))
	handle("GET /api/v1/persons/{id}/plan", parcours(handlePlan))
	handle("POST /api/v1/persons/{id}/plan", idempotent(parcours(handleSavePlan), parcours(rereadPlan)))
	handle("PATCH /api/v1/persons/{id}/plan/actions/{action}", parcours(handleUpdatePlanAction))
	handle("POST /api/v1/persons/{id}/plan/agreement", parcours(handlePlanAgreement))
	handle("POST /api/v1/persons/{id}/plan/contract", parcours(handlePlanContract))
	// Orientation requests between structures (purpose orientation).
	handle("POST /api/v1/persons/{id}/orientation-requests", parcours(handleSendOrientationRequest))
	handle("GET /api/v1/persons/{id}/orientation-requests", parcours(handlePersonOrientationRequests))
	handle("GET /api/v1/orientation-requests", parcours(handleOrientationRequestsToMe))
	handle("GET /api/v1/orientation-requests/{id}", parcours(handleOrientationRequest))
	handle("POST /api/v1/orientation-requests/{id}/answer", parcours(handleAnswerOrientationRequest))
	handle("POST /api/v1/orientation-requests/{id}/outcome", parcours(handleConcludeOrientationRequest))

	// Register of purposes and agreements, break-the-glass review.
	handle("GET /api/v1/register", etag(registerAPI(handleRegister)))
	handle("PUT /api/v1/register", ifMatch(registerAPI(handleRegister), registerAPI(handleUpdateRegister)))
	handle("GET /api/v1/register/versions", registerAPI(handleRegisterVersions))
	handle("GET /api/v1/break-glass", handleBreakGlassList(g))
	handle("POST /api/v1/break-glass/{id}/review", handleBreakGlassReview(g))

	// Audit log: entries, checkpoints, proofs, verifier key.
	handle("GET /api/v1/audit/entries", handleAuditEntries(g))
	handle("GET /api/v1/audit/checkpoint", etag(auditLog(handleAuditCheckpoint)))
	handle("GET /api/v1/audit/proofs/inclusion", auditLog(handleInclusionProof))
	handle("GET /api/v1/audit/proofs/consistency", auditLog(handleConsistencyProof))
	handle("GET /.well-known/socle-audit-key", handleAuditKey(svc.AuditVerifierKey))

	// Misuse detection: cases, bulk tasks, step-up, questions, declarations.
	handle("GET /api/v1/cases", casesAPI(handleCasesAPI))
	handle("GET /api/v1/cases/metrics", casesAPI(handleCaseMetricsAPI))
	handle("GET /api/v1/cases/{id}", etag(casesAPI(handleCaseAPI)))
	handle("POST /api/v1/cases/{id}/transitions", ifMatch(casesAPI(handleCaseAPI), casesAPI(handleCaseTransitionAPI)))
	handle("POST /api/v1/cases/{id}/assignment", ifMatch(casesAPI(handleCaseAPI), casesAPI(handleCaseAssignAPI)))
	handle("POST /api/v1/cases/{id}/comments", idempotent(casesAPI(handleCaseCommentAPI)))
	handle("POST /api/v1/cases/{id}/questions", idempotent(casesAPI(handleCaseQuestionAPI)))
	handle("POST /api/v1/cases/{id}/answers", idempotent(casesAPI(handleCaseAnswerAPI)))
	handle("GET /api/v1/questions", casesAPI(handleQuestionsAPI))
	handle("GET /api/v1/bulk-tasks", casesAPI(handleBulkTasksAPI))
	handle("POST /api/v1/bulk-tasks", idempotent(casesAPI(handleDeclareBulkTaskAPI)))
	handle("POST /api/v1/bulk-tasks/{id}/approval", casesAPI(handleApproveBulkTaskAPI))
	handle("POST /api/v1/step-up", handleStepUpAPI(svc.Identity, g))
	handle("GET /api/v1/declarations", declarations(handleDeclarationsAPI))
	handle("POST /api/v1/declarations", idempotent(declarations(handleDeclareAPI)))
	handle("POST /api/v1/declarations/{id}/withdrawal", declarations(handleWithdrawDeclarationAPI))

	// Blocks of the volume throttle.
	handle("GET /api/v1/throttle/blocks", handleThrottleBlocksAPI(g))
	handle("POST /api/v1/throttle/blocks/{principal}/lift", handleLiftBlockAPI(g))

	// Partners' OAuth tokens and keys.
	if svc.OAuth != nil {
		handle("POST /oauth/token", oauth.TokenHandler(svc.OAuth))
		handle("POST /oauth/revoke", oauth.RevokeHandler(svc.OAuth))
		handle("GET /.well-known/jwks.json", oauth.JWKSHandler(svc.OAuth))
	}

	handle("/api/", handleAPINotFound())
}

// needs returns what builds the handlers of the routes served by svc: the
// handler h builds over svc, or, when svc is nil, one that answers 503
// with why.
func needs[T any](svc *T, why string) func(h func(*T) http.Handler) http.Handler {
	return func(h func(*T) http.Handler) http.Handler {
		if svc == nil {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "%s", why))
			})
		}
		return h(svc)
	}
}
