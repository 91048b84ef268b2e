package http

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/commitment"
	"socle/directory"
	"socle/gate"
	"socle/geo"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/oauth"
	"socle/policy"
	"socle/register"
	"socle/store/sqlstore"
	"socle/store/storetest"
	"socle/webhook"
)

// rolesEnv is a real server with every service the API serves (cases,
// register, audit log, detection, OAuth, webhooks) over a mission locale
// whose adviser follows a person and companies, its privacy officer and
// its administrator, a platform administrator who is also a statistician,
// and a partner system of the mission locale: the roles the daily
// scenario of TestAPIAnswersMatchTheDocument does not have.
type rolesEnv struct {
	srv      *httptest.Server
	db       *sqlstore.DB
	log      *audit.Log
	webhooks *webhook.Service
	org      *socle.Organisation
	// The staff, signed in with their second factor through the pages.
	adviser, officer, admin, platform *http.Client
	adviserAgent, officerAgent        *socle.Agent
	adviserSecret                     string
	// system is the partner system, calling with its access token.
	system             *http.Client
	followed, stranger *socle.Person
	company            *socle.Company
	caseID             string
	// receiver answers the webhook deliveries.
	receiver *httptest.Server
}

func newRolesEnv(t *testing.T) *rolesEnv {
	t.Helper()
	ctx := context.Background()
	// A checkpoint per entry, so that the proofs have one to name.
	s := stacktest.New(t, stacktest.Options{Unsealed: true, Audit: audit.Options{CheckpointEvery: 1}})
	db, log := s.DB, s.Log
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ids, err := identity.New(db, log, nil, logger, identity.Config{Password: identity.Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	must(t, err)
	reg, err := register.Open(ctx, db, s.Policy, log, ids)
	must(t, err)
	csvc := cases.New(db)
	csvc.SetAuditor(log)
	csvc.SetNotifier(ids)
	auth, err := oauth.New(ctx, db, db, log, oauth.Config{Issuer: "http://socle.test", SecretKey: make([]byte, 32),
		Agreements: func() []policy.Agreement { return s.Policy.Register().Agreements }})
	must(t, err)
	hooks, err := webhook.New(db, s.Gate, db, auth, webhook.Config{AllowLoopbackHTTP: true})
	must(t, err)
	key, err := commitment.GenerateKey()
	must(t, err)
	signer, err := commitment.NewSigner(key)
	must(t, err)
	e := &rolesEnv{db: db, log: log, webhooks: hooks}
	e.srv = httptest.NewServer(NewServer(logger, Config{}, Services{Gate: s.Gate, Parcours: gate.NewParcours(s.Gate, db, signer), Directory: db, Identity: ids, OAuth: auth, Webhooks: hooks,
		Auth: FirstOf(oauth.NewAuthenticator(auth, db), ids), Register: reg, Audit: log, AuditVerifierKey: s.VerifierKey,
		Cases: csvc, Detection: directory.NewService(db, log)}))
	t.Cleanup(e.srv.Close)
	e.receiver = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(e.receiver.Close)

	cog := geo.Builtin()
	must(t, db.ImportGeo(ctx, cog.Regions, cog.Departements, cog.Communes))
	e.org = storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	must(t, db.CreateOrganisation(ctx, e.org))
	e.followed, e.stranger = storetest.NewPerson(11), storetest.NewPerson(12)
	for _, p := range []*socle.Person{e.followed, e.stranger} {
		p.Health, p.Justice, p.Bank = nil, nil, nil
		p.Parcours.Situation = socle.SituationYouth
		p.Contact.CommuneCode, p.Contact.PostalCode = "69123", "69001"
		must(t, db.CreatePerson(ctx, p))
	}
	must(t, db.CreateFollowup(ctx, &socle.Followup{PersonID: e.followed.ID, OrganisationID: e.org.ID, Start: socle.NewDate(2025, 3, 2)}))
	must(t, s.Matching.Load(ctx, db))
	e.company = storetest.NewCompany(3)
	must(t, db.CreateCompany(ctx, e.company))
	must(t, db.CreateContact(ctx, storetest.NewContact(e.company.ID, 3)))

	staff := &networkEnv{t: t, srv: e.srv}
	enrol := func(email string, roles ...socle.Role) (*http.Client, *socle.Agent, string) {
		a := storetest.NewAgent(e.org.ID, email)
		a.Roles = roles
		must(t, db.CreateAgent(ctx, a))
		secret, err := ids.SetupDemoAgent(ctx, a.ID, testPassword)
		must(t, err)
		return staff.login(a.Email, secret), a, secret
	}
	e.adviser, e.adviserAgent, e.adviserSecret = enrol("claire@ml-lyon.fr", socle.RoleAdviser, socle.RoleCompanyAdviser)
	e.officer, e.officerAgent, _ = enrol("dpo@ml-lyon.fr", socle.RoleAuditor)
	e.admin, _, _ = enrol("direction@ml-lyon.fr", socle.RoleOrgAdmin)
	e.platform, _, _ = enrol("registre@socle.gouv.fr", socle.RolePlatformAdmin, socle.RoleStatistician)

	c, err := csvc.Raise(ctx, &socle.Alert{Rule: "family", Score: 3, Principal: "agent:" + e.adviserAgent.ID, OrganisationID: e.org.ID,
		Reason: "Consultation du dossier d'une personne portant le même nom que l'agente."})
	must(t, err)
	e.caseID = c.ID

	scopes := "accompagnement:read accompagnement:create accompagnement:update"
	client, secret, err := auth.CreateClient(ctx, oauth.NewClient{OrganisationID: e.org.ID, Name: "Logiciel de la Mission Locale",
		Method: socle.OAuthClientSecret, Scopes: strings.Fields(scopes)})
	must(t, err)
	resp, err := http.PostForm(e.srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {client.ID},
		"client_secret": {secret}, "scope": {scopes}})
	must(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("client token: %d %v", resp.StatusCode, err)
	}
	e.system = &http.Client{Transport: bearer{token: tok.AccessToken}}
	return e
}

// bearer adds an access token to each request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// runRoleScenario calls, with the roles of rolesEnv, the operations of the
// privacy officers (cases, break-the-glass review, audit log, throttle
// blocks), the agents' declarations and bulk tasks, the register, the
// companies and offers, and a partner system's subscriptions, and checks
// each answer against the document. It returns the operations called.
func runRoleScenario(t *testing.T) map[string]bool {
	e := newRolesEnv(t)
	ctx := context.Background()
	vars := map[string]string{}
	// keep keeps the string at path of an answer under name; a list on
	// the way stands for its first item.
	keep := func(name string, path ...string) func(map[string]any) {
		return func(m map[string]any) {
			var v any = m
			for _, k := range path {
				switch x := v.(type) {
				case map[string]any:
					v = x[k]
				case []any:
					if len(x) == 0 {
						return
					}
					v = x[0].(map[string]any)[k]
				}
			}
			vars[name], _ = v.(string)
		}
	}
	at := func(format string, name string) func() string {
		return func() string { return strings.ReplaceAll(format, "{}", vars[name]) }
	}
	match := "?purpose=" + policy.PurposeMatching
	acc := "?purpose=" + policy.PurposeAccompagnement
	caseP := "/api/v1/cases/" + e.caseID
	company := "/api/v1/companies/" + e.company.ID
	now := time.Now().UTC().Truncate(time.Second)
	called := map[string]bool{}
	run := func(c *http.Client, steps []apiStep) {
		for k, ok := range runDocumented(t, c, e.srv.URL, steps) {
			called[k] = called[k] || ok
		}
	}

	// The adviser reads, with a break of the glass, a person her
	// structure does not follow, declares what explains her accesses and
	// a bulk task, and confirms a fresh second factor.
	blocked := "agent:" + e.adviserAgent.ID
	run(e.adviser, []apiStep{
		{method: "GET", pattern: "/api/v1/persons/{id}", path: fixed("/api/v1/persons/" + e.stranger.ID + acc),
			headers: map[string]string{"X-Break-Glass": "Personne reçue en urgence à l'accueil, son conseiller est absent."}, status: 200},
		{method: "POST", pattern: "/api/v1/declarations", path: fixed("/api/v1/declarations"),
			body: map[string]any{"kind": "checkin", "persons": []string{e.followed.ID}, "note": "Reçu à l'accueil sans rendez-vous."}, status: 201, keep: keep("declaration", "id")},
		{method: "POST", pattern: "/api/v1/declarations", path: fixed("/api/v1/declarations"), body: map[string]any{"kind": "visite"}, status: 400},
		{method: "GET", pattern: "/api/v1/declarations", path: fixed("/api/v1/declarations"), status: 200},
		{method: "POST", pattern: "/api/v1/declarations/{id}/withdrawal", path: at("/api/v1/declarations/{}/withdrawal", "declaration"), status: 204},
		{method: "POST", pattern: "/api/v1/bulk-tasks", path: fixed("/api/v1/bulk-tasks"),
			body: map[string]any{"agent_id": e.adviserAgent.ID, "purpose": policy.PurposeAccompagnement, "population": "Jeunes suivis sans contact depuis six mois",
				"start": now.Add(time.Hour), "end": now.Add(7 * 24 * time.Hour)}, status: 201, keep: keep("task", "id")},
		{method: "GET", pattern: "/api/v1/bulk-tasks", path: fixed("/api/v1/bulk-tasks"), status: 200},
		{method: "POST", pattern: "/api/v1/step-up", path: fixed("/api/v1/step-up"), body: map[string]any{"code": "12"}, status: 401},
		{method: "POST", pattern: "/api/v1/step-up", path: fixed("/api/v1/step-up"), body: func() any {
			code, err := totp.GenerateCode(e.adviserSecret, time.Now().Add(30*time.Second))
			must(t, err)
			return map[string]any{"code": code}
		}, status: 204},
	})
	run(e.admin, []apiStep{
		{method: "POST", pattern: "/api/v1/bulk-tasks/{id}/approval", path: at("/api/v1/bulk-tasks/{}/approval", "task"), status: 200},
	})
	// Her volume of reads blocked her account (as the throttle does).
	must(t, e.db.BlockPrincipal(ctx, blocked, e.org.ID, now, now.Add(time.Hour), 300))

	// The privacy officer works the case, reviews the break of the glass,
	// lifts the block and searches the audit log.
	run(e.officer, []apiStep{
		{method: "GET", pattern: "/api/v1/cases", path: fixed("/api/v1/cases?state=nouveau"), status: 200},
		{method: "GET", pattern: "/api/v1/cases/metrics", path: fixed("/api/v1/cases/metrics"), status: 200},
		{method: "GET", pattern: "/api/v1/cases/{id}", path: fixed(caseP), status: 200},
		{method: "POST", pattern: "/api/v1/cases/{id}/assignment", path: fixed(caseP + "/assignment"), body: map[string]any{"auditor_id": e.officerAgent.ID}, status: 204},
		{method: "POST", pattern: "/api/v1/cases/{id}/transitions", path: fixed(caseP + "/transitions"), body: map[string]any{"state": "triage", "comment": "Homonymie possible : à vérifier."}, status: 200},
		{method: "POST", pattern: "/api/v1/cases/{id}/transitions", path: fixed(caseP + "/transitions"), body: map[string]any{"state": "archive"}, status: 400},
		{method: "POST", pattern: "/api/v1/cases/{id}/comments", path: fixed(caseP + "/comments"), body: map[string]any{"text": "Même nom de famille que l'agente : lien de parenté à vérifier."}, status: 201},
		{method: "POST", pattern: "/api/v1/cases/{id}/questions", path: fixed(caseP + "/questions"), body: map[string]any{"text": "Pourquoi avez-vous consulté ce dossier le 2 mars ?"}, status: 201},
		{method: "GET", pattern: "/api/v1/break-glass", path: fixed("/api/v1/break-glass?reviewed=false"), status: 200, keep: keep("grant", "items", "id")},
		{method: "POST", pattern: "/api/v1/break-glass/{id}/review", path: at("/api/v1/break-glass/{}/review", "grant"), status: 204},
		{method: "GET", pattern: "/api/v1/throttle/blocks", path: fixed("/api/v1/throttle/blocks"), status: 200},
		{method: "POST", pattern: "/api/v1/throttle/blocks/{principal}/lift", path: fixed("/api/v1/throttle/blocks/" + blocked + "/lift"),
			body: map[string]any{"reason": "Tâche de masse déclarée et approuvée par la direction."}, status: 204},
		{method: "POST", pattern: "/api/v1/throttle/blocks/{principal}/lift", path: fixed("/api/v1/throttle/blocks/" + blocked + "/lift"),
			body: map[string]any{"reason": "Tâche de masse déclarée et approuvée par la direction."}, status: 404},
		{method: "GET", pattern: "/api/v1/audit/entries", path: fixed("/api/v1/audit/entries?limit=2&person=" + e.stranger.ID), status: 200},
		{method: "GET", pattern: "/api/v1/audit/entries", path: fixed("/api/v1/audit/entries?from=hier"), status: 400},
		{method: "GET", pattern: "/api/v1/audit/proofs/inclusion", path: fixed("/api/v1/audit/proofs/inclusion?index=1&size=4"), status: 200},
		{method: "GET", pattern: "/api/v1/audit/proofs/inclusion", path: fixed("/api/v1/audit/proofs/inclusion?index=4&size=4"), status: 400},
		{method: "GET", pattern: "/api/v1/audit/proofs/consistency", path: fixed("/api/v1/audit/proofs/consistency?from=2&to=5"), status: 200},
	})
	// The agent concerned reads the question and answers it.
	run(e.adviser, []apiStep{
		{method: "GET", pattern: "/api/v1/questions", path: fixed("/api/v1/questions"), status: 200},
		{method: "POST", pattern: "/api/v1/cases/{id}/answers", path: fixed(caseP + "/answers"), body: map[string]any{"text": "Ma cousine m'avait demandé de vérifier son rendez-vous."}, status: 201},
	})

	// The platform administrator reads the register, edits it and reads
	// the indicators.
	run(e.platform, []apiStep{
		{method: "GET", pattern: "/api/v1/register", path: fixed("/api/v1/register"), status: 200, keep: func(m map[string]any) {
			b, _ := json.Marshal(m)
			vars["register"] = string(b)
		}},
		{method: "PUT", pattern: "/api/v1/register", path: fixed("/api/v1/register"), body: func() any {
			return map[string]any{"register": json.RawMessage(vars["register"]), "reason": "Relecture annuelle du registre avec la déléguée à la protection des données."}
		}, status: 200},
		{method: "PUT", pattern: "/api/v1/register", path: fixed("/api/v1/register"), body: map[string]any{"register": map[string]any{}, "reason": "court"}, status: 400},
		{method: "GET", pattern: "/api/v1/register/versions", path: fixed("/api/v1/register/versions?limit=5"), status: 200},
		{method: "GET", pattern: "/api/v1/indicators", path: fixed("/api/v1/indicators?purpose=" + policy.PurposeStatistics), status: 200},
	})

	// The adviser, also a company adviser, follows a company, records an
	// action, takes an offer and proposes the person she follows on it.
	offer := map[string]any{"rome_code": "M1607", "title": "Secrétaire médicale", "commune_code": "69123", "contract": "CDD",
		"hours_per_week": 35, "salary_min": 1900, "salary_max": 2100, "start_date": "2026-04-01", "open": true}
	run(e.adviser, []apiStep{
		{method: "GET", pattern: "/api/v1/communes/{code}", path: fixed("/api/v1/communes/69123"), status: 200},
		{method: "POST", pattern: "/api/v1/companies/{id}/followups", path: fixed(company + "/followups" + match), status: 201},
		{method: "GET", pattern: "/api/v1/companies/{id}", path: fixed(company + match), status: 200},
		{method: "POST", pattern: "/api/v1/companies/{id}/actions", path: fixed(company + "/actions" + match),
			body: map[string]any{"kind": "besoin_recrutement", "note": "Cherche une secrétaire médicale pour avril."}, status: 201},
		{method: "POST", pattern: "/api/v1/companies/{id}/actions", path: fixed(company + "/actions" + match), body: map[string]any{"kind": "pigeon"}, status: 400},
		{method: "POST", pattern: "/api/v1/companies/{id}/offers", path: fixed(company + "/offers" + match), body: offer, status: 201, keep: keep("offer", "id")},
		{method: "GET", pattern: "/api/v1/offers/{id}", path: at("/api/v1/offers/{}"+match, "offer"), status: 200},
		{method: "PUT", pattern: "/api/v1/offers/{id}", path: at("/api/v1/offers/{}"+match, "offer"), body: func() any {
			o := map[string]any{"company_id": e.company.ID}
			for k, v := range offer {
				o[k] = v
			}
			o["hours_per_week"] = 28
			return o
		}, status: 200},
		{method: "GET", pattern: "/api/v1/companies/{id}/file", path: fixed(company + "/file" + match), status: 200},
		{method: "GET", pattern: "/api/v1/offers", path: fixed("/api/v1/offers?rome_code=M1607&departement=69"), status: 200},
		{method: "GET", pattern: "/api/v1/offers/{id}/candidates", path: at("/api/v1/offers/{}/candidates"+match, "offer"), status: 200},
		{method: "POST", pattern: "/api/v1/offers/{id}/matches", path: at("/api/v1/offers/{}/matches"+match, "offer"),
			body: map[string]any{"person_id": e.followed.ID, "consent": true}, status: 201},
		{method: "GET", pattern: "/api/v1/persons/{id}/offers", path: fixed("/api/v1/persons/" + e.followed.ID + "/offers" + match), status: 200},
		{method: "DELETE", pattern: "/api/v1/companies/{id}/followups", path: fixed(company + "/followups" + match), status: 204},
	})

	// The partner system subscribes to the changes, changes the person it
	// follows, gets the delivery logged and replays it.
	run(e.system, []apiStep{
		{method: "POST", pattern: "/api/v1/subscriptions", path: fixed("/api/v1/subscriptions"),
			body: map[string]any{"url": e.receiver.URL + "/socle", "purpose": policy.PurposeAccompagnement}, status: 201, keep: keep("subscription", "id")},
		{method: "POST", pattern: "/api/v1/subscriptions", path: fixed("/api/v1/subscriptions"),
			body: map[string]any{"url": "https://10.0.0.7/hook", "purpose": policy.PurposeAccompagnement}, status: 400},
		{method: "GET", pattern: "/api/v1/subscriptions", path: fixed("/api/v1/subscriptions"), status: 200},
	})
	person := "/api/v1/persons/" + e.followed.ID + acc
	version := map[string]string{}
	run(e.system, []apiStep{
		{method: "GET", pattern: "/api/v1/persons/{id}", path: fixed(person), status: 200, keep: func(m map[string]any) {
			version["If-Match"] = fmt.Sprintf(`"v%v"`, m["version"])
		}},
		{method: "PATCH", pattern: "/api/v1/persons/{id}", path: fixed(person), headers: version,
			body: map[string]any{"contact": map[string]string{"phone": "0611223344", "postal_code": "69001", "commune_code": "69123"}}, status: 200},
	})
	must(t, e.webhooks.Queue(ctx))
	if n, err := e.webhooks.Deliver(ctx); err != nil || n == 0 {
		t.Fatalf("delivering the change: %d delivered, %v", n, err)
	}
	run(e.system, []apiStep{
		{method: "GET", pattern: "/api/v1/subscriptions/{id}/deliveries", path: at("/api/v1/subscriptions/{}/deliveries", "subscription"), status: 200, keep: keep("delivery", "items", "id")},
		{method: "GET", pattern: "/api/v1/subscriptions/{id}/deliveries", path: at("/api/v1/subscriptions/{}/deliveries?cursor=nope", "subscription"), status: 400},
		{method: "POST", pattern: "/api/v1/deliveries/{id}/replay", path: at("/api/v1/deliveries/{}/replay", "delivery"), status: 202},
		{method: "POST", pattern: "/api/v1/deliveries/{id}/replay", path: fixed("/api/v1/deliveries/dlv_nope/replay"), status: 404},
		{method: "DELETE", pattern: "/api/v1/subscriptions/{id}", path: at("/api/v1/subscriptions/{}", "subscription"), status: 204},
	})
	if _, err := e.log.Checkpoint(ctx); err != nil {
		t.Fatalf("no checkpoint: %v", err)
	}
	called["GET /api/v1/audit/checkpoint"] = checkCheckpoint(t, e.officer, e.srv.URL)
	return called
}

// checkCheckpoint reads the latest checkpoint, a signed note rather than
// JSON, and checks it against the document: 200 in text/plain with its
// ETag, the note's origin, size and root, then its signature line.
func checkCheckpoint(t *testing.T, c *http.Client, base string) bool {
	t.Helper()
	resp, body := apiCall(t, c, base, "GET", "/api/v1/audit/checkpoint", nil, nil)
	lines := strings.Split(string(body), "\n")
	ok := resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") && resp.Header.Get("ETag") != "" &&
		len(lines) >= 5 && lines[3] == "" && strings.HasPrefix(lines[4], "— ")
	if !ok {
		t.Errorf("GET /api/v1/audit/checkpoint: %d %q ETag %q: %q, want a signed note in text/plain with its ETag", resp.StatusCode,
			resp.Header.Get("Content-Type"), resp.Header.Get("ETag"), body)
	}
	return ok
}
