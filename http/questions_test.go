package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/directory"
	"socle/gate"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// consoleStack is the real stack the console's tests run on: SQLite, the
// audit log, the policy, identity (logins), cases and the directory
// service, served over HTTP.
type consoleStack struct {
	db    *sqlstore.DB
	log   *audit.Log
	idsvc *identity.Service
	cases *cases.Service
	srv   *httptest.Server
	env   *networkEnv
	// parcours is nil unless the stack serves the parcours too
	// (newParcoursConsoleStack).
	parcours *gate.Parcours
}

func newConsoleStack(t *testing.T) *consoleStack { return buildConsoleStack(t, false) }

// newParcoursConsoleStack is a console stack whose server serves the
// parcours too (rectifications, contracts).
func newParcoursConsoleStack(t *testing.T) *consoleStack { return buildConsoleStack(t, true) }

func buildConsoleStack(t *testing.T, withParcours bool) *consoleStack {
	t.Helper()
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	db, log := s.DB, s.Log
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	idsvc := newIdentity(t, db, log, nil, logger)
	csvc := cases.New(db)
	csvc.SetAuditor(log)
	csvc.SetNotifier(idsvc)
	g := s.Gate
	var p *gate.Parcours
	if withParcours {
		p = newParcours(t, g, db)
	}
	srv := httptest.NewServer(NewServer(logger, Config{}, Services{Gate: g, Parcours: p, Directory: db, Identity: idsvc, Auth: idsvc,
		Cases: csvc, Detection: directory.NewService(db, log)}))
	t.Cleanup(srv.Close)
	return &consoleStack{db: db, log: log, idsvc: idsvc, cases: csvc, srv: srv, env: &networkEnv{t: t, srv: srv}, parcours: p}
}

// officerOf creates the mission locale orgName with its privacy officer,
// signed in with both factors.
func (st *consoleStack) officerOf(t *testing.T, orgName string) (*socle.Organisation, *socle.Agent, *http.Client) {
	t.Helper()
	org := storetest.NewOrganisation(orgName, socle.KindYouth, "69")
	if err := st.db.CreateOrganisation(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	dpo := storetest.NewAgent(org.ID, "dpo@ml.fr")
	dpo.Roles = []socle.Role{socle.RoleAuditor}
	return org, dpo, st.env.enrolAndLogin(st.db, st.idsvc, dpo)
}

// caseOnAdviser is a mission locale with a privacy officer and an adviser,
// each signed in with both factors, and a case raised on the adviser.
type caseOnAdviser struct {
	org            *socle.Organisation
	dpo, adv       *socle.Agent
	officer, agent *http.Client
	c              *socle.Case
}

// raiseOnAdviser sets up a caseOnAdviser whose case is raised from alert,
// its principal and organisation filled in.
func (st *consoleStack) raiseOnAdviser(t *testing.T, alert socle.Alert) caseOnAdviser {
	t.Helper()
	org, dpo, officer := st.officerOf(t, "Mission locale")
	adv := storetest.NewAgent(org.ID, "conseillere@ml.fr")
	agent := st.env.enrolAndLogin(st.db, st.idsvc, adv)
	alert.Principal, alert.OrganisationID = "agent:"+adv.ID, org.ID
	c, err := st.cases.Raise(context.Background(), &alert)
	if err != nil {
		t.Fatal(err)
	}
	return caseOnAdviser{org: org, dpo: dpo, adv: adv, officer: officer, agent: agent, c: c}
}

// TestExplanationAskedAndAnsweredInTheApp: the privacy officer asks the
// agent concerned from the case page, the agent reads the question in
// the app and answers, and the answer appears in the case. The agent's
// declarations page refuses a malformed declaration in French, with 400.
func TestExplanationAskedAndAnsweredInTheApp(t *testing.T) {
	ctx := context.Background()
	st := newConsoleStack(t)
	db, e := st.db, st.env
	sc := st.raiseOnAdviser(t, socle.Alert{Rule: "family", Score: 4, Reason: "Dossier d'un proche."})
	adv, c := sc.adv, sc.c
	post := func(client *http.Client, page, action string, form url.Values) (int, string) {
		t.Helper()
		resp, body := e.postForm(client, page, action, form)
		return resp.StatusCode, body
	}
	_, casePage := e.get(sc.officer, "/alertes/"+c.ID, "")
	if !strings.Contains(casePage, "Échéance") {
		t.Error("the case page shows no deadline")
	}
	if code, _ := post(sc.officer, "/alertes/"+c.ID, "/alertes/"+c.ID+"/question", url.Values{"question": {"Pourquoi ce dossier ?"}}); code != http.StatusSeeOther {
		t.Fatalf("asking = %d", code)
	}
	_, page := e.get(sc.agent, "/mes-explications", "")
	if !strings.Contains(page, "Pourquoi ce dossier ?") {
		t.Fatalf("the agent does not see the question:\n%s", page)
	}
	if code, body := post(sc.agent, "/mes-explications", "/mes-explications/"+c.ID, url.Values{"reponse": {" "}}); code != http.StatusBadRequest || !strings.Contains(body, "Écrivez votre réponse") {
		t.Fatalf("empty answer = %d", code)
	}
	if code, _ := post(sc.agent, "/mes-explications", "/mes-explications/"+c.ID, url.Values{"reponse": {"Rendez-vous pris à l'accueil."}}); code != http.StatusSeeOther {
		t.Fatalf("answering = %d", code)
	}
	_, casePage = e.get(sc.officer, "/alertes/"+c.ID, "")
	if !strings.Contains(casePage, "Réponse de l'agent concerné") || !strings.Contains(casePage, "Rendez-vous pris à l&#39;accueil.") {
		t.Fatalf("the answer is not in the case:\n%s", casePage)
	}
	// The agent was notified in the app.
	if ns, err := db.Notifications(ctx, adv.ID, 10); err != nil || len(ns) != 1 || ns[0].Subject != "Demande d'explication" {
		t.Fatalf("notifications = %+v, %v", ns, err)
	}
	code, body := post(sc.agent, "/declarations", "/declarations", url.Values{"type": {"call"}, "dossiers": {"per_inconnu"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "Indiquez") {
		t.Fatalf("malformed declaration = %d", code)
	}
}
