package http

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/audit"
	"socle/directory"
	"socle/gate"
	"socle/geo"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/register"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// networkEnv is a real server (real SQLite store with sealed sensitive
// sections, policy engine, audit log, gate, identity and register) over a
// network with one organisation of each kind in the Rhône, a person every
// section of whom is filled, followed by four of them, and a stranger
// nobody follows.
type networkEnv struct {
	t        *testing.T
	srv      *httptest.Server
	engine   *policy.Engine
	clients  map[socle.OrgKind]*http.Client
	actors   map[socle.OrgKind]socle.Actor
	person   *socle.Person
	stranger *socle.Person
	db       *sqlstore.DB
	gate     *gate.Gate
	log      *audit.Log
	secrets  map[socle.OrgKind]string // TOTP secrets of the agents
	identity *identity.Service
	dir      string // the SQLite data directory
}

// sensitiveValues are the values of the sensitive sections of the person,
// by category: they must never appear for an actor not granted it.
var sensitiveValues = map[socle.Category][]string{
	socle.CatHealth:  {"aménagement de poste", "Observations santé", `"rqth"`},
	socle.CatJustice: {"sursis avec mise à l", "Mesure de justice", `"measure"`},
	socle.CatBank:    {storetest.ValidIBAN, "BNPAFRPP", "IBAN", `"iban"`},
}

func newNetworkEnv(t *testing.T) *networkEnv {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{})
	db, log, engine := s.DB, s.Log, s.Policy
	reg, err := register.Open(ctx, db, engine, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := s.Gate
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := newIdentity(t, db, log, nil, logger)
	e := &networkEnv{t: t, engine: engine, clients: map[socle.OrgKind]*http.Client{}, actors: map[socle.OrgKind]socle.Actor{},
		db: db, gate: g, log: log, secrets: map[socle.OrgKind]string{}, identity: svc, dir: s.Dir}
	e.srv = httptest.NewServer(NewServer(logger, Config{}, Services{Gate: g, Directory: db, Identity: svc, Auth: svc, Register: reg,
		Detection: directory.NewService(db, log)}))
	t.Cleanup(e.srv.Close)

	// The pages name communes from the imported geography.
	cog := geo.Builtin()
	if err := db.ImportGeo(ctx, cog.Regions, cog.Departements, cog.Communes); err != nil {
		t.Fatal(err)
	}
	e.person, e.stranger = storetest.NewPerson(3), storetest.NewPerson(4)
	for _, p := range []*socle.Person{e.person, e.stranger} {
		p.Contact.CommuneCode, p.Contact.PostalCode = "69123", "69001"
		p.Parcours.Situation = socle.SituationRSA
		if err := db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for i, kind := range socle.OrgKinds {
		org := storetest.NewOrganisation("Structure "+string(kind), kind, "69")
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		a := storetest.NewAgent(org.ID, "agent"+string(rune('a'+i))+"@example.fr")
		a.Roles = []socle.Role{socle.RoleAdviser, socle.RoleContractManager, socle.RoleStatistician, socle.RoleCompanyAdviser}
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		if kind != socle.KindEmploymentService {
			f := &socle.Followup{PersonID: e.person.ID, OrganisationID: org.ID, AgentID: a.ID, Start: socle.NewDate(2025, 3, 2)}
			if err := db.CreateFollowup(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		secret, err := svc.SetupDemoAgent(ctx, a.ID, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		e.clients[kind], e.secrets[kind] = e.login(a.Email, secret), secret
		e.actors[kind] = socle.Actor{AgentID: a.ID, OrganisationID: org.ID, OrgKind: kind, OrgName: org.Name,
			Roles: a.Roles, Departements: org.Departements, Strength: socle.AuthMFA}
	}
	return e
}

// login signs an agent in through the real pages: password, then TOTP.
func (e *networkEnv) login(email, secret string) *http.Client {
	e.t.Helper()
	c := browserClient()
	post := func(path string, form url.Values) {
		if resp, _ := e.postForm(c, path, path, form); resp.StatusCode != http.StatusSeeOther {
			e.t.Fatalf("POST %s: status %d", path, resp.StatusCode)
		}
	}
	post("/connexion", url.Values{"email": {email}, "password": {testPassword}})
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	post("/second-facteur", url.Values{"code": {code}})
	return c
}

// postForm loads page with c, posts form with the page's CSRF token to
// path, and returns the response and its body.
func (e *networkEnv) postForm(c *http.Client, page, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	_, body := e.get(c, page, "")
	form.Set("csrf", csrfToken(e.t, page, body))
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, readBody(e.t, resp)
}

// enrolAndLogin creates agent a in db, gives it the demo password and a
// second factor through ids, and returns a browser logged in as it.
func (e *networkEnv) enrolAndLogin(db interface {
	CreateAgent(context.Context, *socle.Agent) error
}, ids *identity.Service, a *socle.Agent) *http.Client {
	e.t.Helper()
	ctx := context.Background()
	if err := db.CreateAgent(ctx, a); err != nil {
		e.t.Fatal(err)
	}
	secret, err := ids.SetupDemoAgent(ctx, a.ID, testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.login(a.Email, secret)
}

func (e *networkEnv) get(c *http.Client, path, purpose string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if purpose != "" {
		req.Header.Set("X-Purpose", purpose)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, readBody(e.t, resp)
}

// TestNoMaskedFieldLeaves reads the person as each kind of organisation for
// each purpose, through every personal-data route of the API and the UI,
// and checks that what the decision does not grant is absent.
func TestNoMaskedFieldLeaves(t *testing.T) {
	e := newNetworkEnv(t)
	ctx := context.Background()
	seen := map[socle.Category]bool{}
	for _, kind := range socle.OrgKinds {
		c := e.clients[kind]
		for _, pu := range policy.DefaultPurposes() {
			d, err := e.engine.Decide(ctx, socle.AccessRequest{Actor: e.actors[kind], Action: socle.ActionRead, Purpose: pu.Code,
				Resource: socle.Resource{Kind: socle.ResourcePerson, ID: e.person.ID}})
			if err != nil {
				t.Fatal(err)
			}
			granted := socle.CategorySet(0)
			if d.Allow {
				granted = d.Categories
			}
			for _, cat := range granted.List() {
				seen[cat] = true
			}
			name := string(kind) + "/" + pu.Code
			check := func(route, body string, granted socle.CategorySet) {
				t.Helper()
				for cat, values := range sensitiveValues {
					if granted.Has(cat) {
						continue
					}
					for _, v := range values {
						if strings.Contains(body, v) {
							t.Errorf("%s %s: %s not granted but %q appears", name, route, cat, v)
						}
					}
				}
			}

			resp, body := e.get(c, "/api/v1/persons/"+e.person.ID, pu.Code)
			if want := map[bool]int{true: 200, false: 404}[d.Allow]; resp.StatusCode != want {
				t.Fatalf("%s: read status %d, want %d: %s", name, resp.StatusCode, want, body)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				t.Fatal(err)
			}
			for _, cat := range socle.Categories {
				if _, present := m[string(cat)]; present != granted.Has(cat) {
					t.Errorf("%s: key %q present=%v, granted=%v", name, cat, present, granted.Has(cat))
				}
			}
			check("read", body, granted)

			_, body = e.get(c, "/api/v1/persons/"+e.person.ID+"/followups", pu.Code)
			check("followups", body, 0)

			resp, body = e.get(c, "/api/v1/persons?family_name="+url.QueryEscape(e.person.Identity.FamilyName[:2]), pu.Code)
			if resp.StatusCode == 200 {
				var res struct {
					Items  []map[string]json.RawMessage          `json:"items"`
					Access struct{ Categories []socle.Category } `json:"access"`
				}
				if err := json.Unmarshal([]byte(body), &res); err != nil {
					t.Fatal(err)
				}
				sg := socle.SetOf(res.Access.Categories...)
				for _, it := range res.Items {
					for _, cat := range socle.Categories {
						if _, present := it[string(cat)]; present && !sg.Has(cat) {
							t.Errorf("%s: search returns %q not granted", name, cat)
						}
					}
				}
				check("search", body, sg)
			}

			resp, body = e.get(c, "/usagers/"+e.person.ID+"?finalite="+pu.Code, "")
			want := map[bool]int{true: 200, false: 404}[d.Allow]
			if !d.Allow && !e.gate.PurposeOpenTo(e.actors[kind], pu.Code) {
				want = 403 // the purpose is closed to the role, whatever the file
			}
			if resp.StatusCode != want {
				t.Fatalf("%s: page status %d, want %d", name, resp.StatusCode, want)
			}
			check("page", body, granted)
			if d.Allow && !strings.Contains(body, "Pourquoi je vois ceci ?") {
				t.Errorf("%s: the page explains nothing", name)
			}
			if d.Allow && granted != socle.AllCategories && !strings.Contains(body, "Non visible pour cette finalité") {
				t.Errorf("%s: masked categories not named", name)
			}
			_, body = e.get(c, "/usagers?nom="+url.QueryEscape(e.person.Identity.FamilyName[:2])+"&finalite="+pu.Code, "")
			check("search page", body, 0)
		}
	}
	// The network must exercise the sensitive categories, or the test
	// proves nothing about them.
	for _, cat := range []socle.Category{socle.CatHealth, socle.CatBank} {
		if !seen[cat] {
			t.Errorf("no actor was granted %s: the test does not exercise it", cat)
		}
	}
}

// errorShape is a response with what differs between two requests removed.
func errorShape(t *testing.T, resp *http.Response, body string) string {
	t.Helper()
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	delete(m["error"], "request_id")
	h := resp.Header.Clone()
	h.Del("Date")
	h.Del("X-Request-Id")
	h.Del("Content-Length")
	b, _ := json.Marshal(struct {
		Status int
		Body   any
		Header http.Header
	}{resp.StatusCode, m, h})
	return string(b)
}

func TestEnumeration(t *testing.T) {
	e := newNetworkEnv(t)
	c := e.clients[socle.KindYouth]
	absent := socle.NewID(socle.PrefixPerson)
	for _, route := range []string{"/api/v1/persons/%s", "/api/v1/persons/%s/followups"} {
		var shapes []string
		for _, id := range []string{absent, e.stranger.ID, "per_malformed", "xyz"} {
			resp, body := e.get(c, strings.Replace(route, "%s", id, 1), policy.PurposeAccompagnement)
			shapes = append(shapes, errorShape(t, resp, body))
		}
		for i := 1; i < len(shapes); i++ {
			if shapes[i] != shapes[0] {
				t.Errorf("%s: response %d differs:\n%s\n%s", route, i, shapes[0], shapes[i])
			}
		}
	}

	// Partial name or birth date never finds a person the organisation
	// does not follow; only the exact NIR with the birth date does, as a
	// minimal card.
	id := e.stranger.Identity
	for _, q := range []string{
		"family_name=" + url.QueryEscape(id.FamilyName[:2]),
		"family_name=" + url.QueryEscape(id.FamilyName) + "&given_name=" + url.QueryEscape(id.GivenName),
		"birth_date=" + id.BirthDate.String(),
		"nir=" + id.NIR,
		"commune_code=69123",
	} {
		_, body := e.get(c, "/api/v1/persons?"+q, policy.PurposeAccompagnement)
		if strings.Contains(body, e.stranger.ID) {
			t.Errorf("search %s finds the stranger: %s", q, body)
		}
	}
	resp, body := e.get(c, "/api/v1/persons?nir="+id.NIR+"&birth_date="+id.BirthDate.String(), policy.PurposeAccompagnement)
	var res struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 || len(res.Items) != 1 {
		t.Fatalf("exact lookup: %d %s", resp.StatusCode, body)
	}
	keys := []string{}
	for k := range res.Items[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"created_at", "id", "identity", "updated_at"}) {
		t.Errorf("exact lookup returns %v, want a minimal card", keys)
	}
}
