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
	"time"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// parcoursEnv is a real server with the staff pages, the person's space and
// the parcours: a mission locale that follows Alice and Bob, a département
// that follows neither, one adviser of each signed in through the real
// pages.
type parcoursEnv struct {
	*spaceEnv
	parcours *gate.Parcours
	ml, dep  socle.Actor
	staff    map[string]*http.Client // by organisation id
	net      *networkEnv             // reads and posts pages with the staff's clients
	db       *sqlstore.DB
}

func newParcoursEnv(t *testing.T) *parcoursEnv {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	st, log := s.DB, s.Log
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &parcoursEnv{spaceEnv: newSpaceCore(t, s, logger), staff: map[string]*http.Client{}, db: st}
	e.parcours = newParcours(t, e.gate, st)
	ids := newIdentity(t, st, log, nil, logger)
	e.srv = httptest.NewServer(NewServer(logger, Config{}, Services{Gate: e.gate, Parcours: e.parcours, Directory: st,
		Identity: ids, Space: e.svc, Auth: FirstOf(ids, e.svc)}))
	t.Cleanup(e.srv.Close)

	e.createUsagers(st, "alice.usager@example.fr", "bob@example.fr")
	staff := &networkEnv{t: t, srv: e.srv}
	e.net = staff
	for i, org := range []*socle.Organisation{
		storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69"),
		storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69"),
	} {
		if err := st.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		a := storetest.NewAgent(org.ID, []string{"claire@ml-lyon.fr", "paul@rhone.fr"}[i])
		if err := st.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		actor := socle.Actor{AgentID: a.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name,
			Roles: a.Roles, Departements: org.Departements, Strength: socle.AuthMFA}
		if i == 0 {
			e.ml, e.adviser = actor, actor
			for _, p := range []*socle.Person{e.alice, e.bob} {
				if err := st.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, AgentID: a.ID, Start: socle.NewDate(2025, 3, 2)}); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			e.dep = actor
		}
		secret, err := ids.SetupDemoAgent(ctx, a.ID, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		e.staff[org.ID] = staff.login(a.Email, secret)
	}
	return e
}

// newParcours serves the parcours of g over st, its contracts signed with
// a fresh key.
func newParcours(t *testing.T, g *gate.Gate, st gate.ParcoursStore) *gate.Parcours {
	t.Helper()
	key, err := commitment.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := commitment.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return gate.NewParcours(g, st, signer)
}

// staffGet reads a page as the adviser of organisation orgID.
func (e *parcoursEnv) staffGet(orgID, path string) (int, string) {
	e.t.Helper()
	resp, body := e.net.get(e.staff[orgID], path, "")
	return resp.StatusCode, body
}

func (e *parcoursEnv) self(p *socle.Person) gate.Request {
	return gate.Request{Actor: socle.Actor{PersonID: p.ID, Strength: socle.AuthClient}, RequestID: "self", RemoteAddr: "127.0.0.1"}
}

func TestRectificationQueue(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	var asked []*socle.RectificationRequest
	for _, p := range []*socle.Person{e.alice, e.bob} {
		r, err := e.parcours.RequestRectification(ctx, e.self(p), socle.CatContact, "Mon adresse a changé : 3 rue des Lilas.")
		if err != nil {
			t.Fatal(err)
		}
		asked = append(asked, r)
	}

	status, body := e.staffGet(e.ml.OrganisationID, "/rectifications")
	if status != http.StatusOK {
		t.Fatalf("queue: %d %s", status, body)
	}
	for _, r := range asked {
		for _, want := range []string{`id="demande-` + r.ID + `"`, `href="/usagers/` + r.PersonID + `/rectifications#demande-` + r.ID + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the queue lacks %s", want)
			}
		}
	}
	if !strings.Contains(body, "3 rue des Lilas") || !strings.Contains(body, `href="/rectifications" aria-current="page"`) {
		t.Error("the queue lacks the request or its navigation link")
	}

	// The link leads to the page that answers it.
	status, body = e.staffGet(e.ml.OrganisationID, "/usagers/"+e.alice.ID+"/rectifications")
	if status != http.StatusOK || !strings.Contains(body, `action="/usagers/`+e.alice.ID+`/rectifications/`+asked[0].ID+`"`) {
		t.Fatalf("answer page: %d", status)
	}

	// An adviser of an organisation that follows neither sees nothing.
	status, body = e.staffGet(e.dep.OrganisationID, "/rectifications")
	if status != http.StatusOK || !strings.Contains(body, "Aucune demande en attente") {
		t.Fatalf("other organisation's queue: %d %s", status, body)
	}
	for _, r := range asked {
		if strings.Contains(body, r.ID) || strings.Contains(body, r.PersonID) || strings.Contains(body, "Lilas") {
			t.Errorf("another organisation sees request %s", r.ID)
		}
	}

	// An answered request leaves the queue.
	req := gate.Request{Actor: e.ml, Purpose: policy.PurposeAccompagnement, RequestID: "answer", RemoteAddr: "127.0.0.1"}
	if _, err := e.parcours.AnswerRectification(ctx, req, e.alice.ID, asked[0].ID, true, "Adresse corrigée dans le dossier."); err != nil {
		t.Fatal(err)
	}
	_, body = e.staffGet(e.ml.OrganisationID, "/rectifications")
	if strings.Contains(body, asked[0].ID) || !strings.Contains(body, asked[1].ID) {
		t.Error("the queue still lists the answered request, or lost the open one")
	}

	// The wrong purpose is refused by the gate.
	wrong := req
	wrong.Purpose = policy.PurposeMatching
	if _, err := e.parcours.RectificationQueue(ctx, wrong); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("queue with purpose %s: %v", wrong.Purpose, err)
	}
}

// TestContractReauthentication signs a contract in the person's space: a
// session older than five minutes is refused, a confirmation link is
// mailed that serves once and lands back on the contract, and she signs.
func TestContractReauthentication(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.drawContract(t, "Atelier CV", "Immersion")
	page := "/usager/contrats/" + c.ID

	// She signed in six minutes ago.
	e.setClock(-6 * time.Minute)
	cl := e.client()
	cl.login(e.alice.Contact.Email)
	e.setClock(0)

	sign := func() (int, string) {
		t.Helper()
		resp, body := cl.post(page+"/signature", url.Values{"csrf": {cl.csrf(page)}, "accord": {"oui"}})
		return resp.StatusCode, body
	}
	status, body := sign()
	if status != http.StatusUnauthorized || !strings.Contains(body, "plus de 5 minutes") || !strings.Contains(body, "Recevoir un lien de confirmation") {
		t.Fatalf("signing with a stale session: %d", status)
	}
	if signed(t, e, c.ID) {
		t.Fatal("the contract was signed with a stale session")
	}

	_, mails := e.mail.lastLink()
	resp, body := cl.post(page+"/confirmation", url.Values{"csrf": {cl.csrf(page)}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "lien de confirmation vient de vous être envoyé") {
		t.Fatalf("asking a confirmation link: %d", resp.StatusCode)
	}
	link, n := e.mail.lastLink()
	if n != mails+1 || !strings.Contains(link, "jeton=") {
		t.Fatalf("no confirmation link mailed (%d mails)", n)
	}
	if !strings.Contains(e.mail.buf.String(), "suite="+url.QueryEscape(page)) {
		t.Fatal("the confirmation link does not lead back to the contract")
	}
	confirm := strings.Replace(link, "http://socle.test", e.srv.URL, 1) + "&suite=" + url.QueryEscape(page)
	resp, _ = cl.get(confirm)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
		t.Fatalf("opening the confirmation link: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The link serves once, even in another browser.
	if resp, _ = e.client().get(confirm); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("reusing the confirmation link: %d", resp.StatusCode)
	}

	status, body = sign()
	if status != http.StatusOK || !strings.Contains(body, "Vous avez signé votre contrat") {
		t.Fatalf("signing after confirmation: %d", status)
	}
	if !signed(t, e, c.ID) {
		t.Fatal("the person's signature is missing")
	}
}

// signed reports whether the person signed contract id, as the adviser reads it.
func signed(t *testing.T, e *parcoursEnv, id string) bool {
	t.Helper()
	c, err := e.parcours.Commitment(context.Background(), gate.Request{Actor: e.ml, Purpose: policy.PurposeAccompagnement, RequestID: "check"}, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Signatures {
		if s.Role == socle.SignerPerson {
			return true
		}
	}
	return false
}
