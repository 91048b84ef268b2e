package http

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"socle"
	"socle/employer"
	"socle/gate"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/matching"
	"socle/rome"
	"socle/store/storetest"
)

// companyEnv is a real server with the matching index and the employer
// space over: a Mission Locale whose adviser follows one person, a
// stranger nobody follows, both looking for the job of an open offer of a
// company with one contact.
type companyEnv struct {
	net                *networkEnv
	idx                *matching.Index
	emp                *employer.Service
	adviser            *http.Client
	followed, stranger *socle.Person
	offer              *socle.Offer
	contact            *socle.CompanyContact
}

func newCompanyEnv(t *testing.T) *companyEnv {
	t.Helper()
	return newCompanyEnvWith(t, rome.Builtin())
}

// newCompanyEnvWith is newCompanyEnv with the matching index over ref.
func newCompanyEnvWith(t *testing.T, ref rome.Referential) *companyEnv {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{ROME: ref})
	db, log := s.DB, s.Log
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := newIdentity(t, db, log, nil, logger)
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	e := &companyEnv{net: &networkEnv{t: t}}
	var err error
	e.emp, err = employer.New(db, log, identity.DemoMailer{Out: io.Discard}, logger, employer.Config{BaseURL: "http://socle.test", Key: []byte("0123456789abcdef0123")})
	if err != nil {
		t.Fatal(err)
	}
	ml := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	must(t, db.CreateOrganisation(ctx, ml))
	a := storetest.NewAgent(ml.ID, "claire@ml-lyon.fr")
	a.Roles = []socle.Role{socle.RoleAdviser}
	must(t, db.CreateAgent(ctx, a))
	e.followed, e.stranger = storetest.NewPerson(1), storetest.NewPerson(2)
	for _, p := range []*socle.Person{e.followed, e.stranger} {
		p.Contact.CommuneCode, p.Contact.PostalCode = "69123", "69001"
		must(t, db.CreatePerson(ctx, p))
	}
	must(t, db.CreateFollowup(ctx, &socle.Followup{PersonID: e.followed.ID, OrganisationID: ml.ID, Start: socle.NewDate(2025, 3, 2)}))
	c := storetest.NewCompany(1)
	must(t, db.CreateCompany(ctx, c))
	e.contact = storetest.NewContact(c.ID, 1)
	must(t, db.CreateContact(ctx, e.contact))
	e.offer = storetest.NewOffer(c.ID, "M1607", "69123")
	must(t, db.CreateOffer(ctx, e.offer))
	e.idx = s.Matching
	must(t, e.idx.Load(ctx, db))

	e.net.srv = httptest.NewServer(NewServer(logger, Config{}, Services{Gate: s.Gate, Directory: db, Identity: svc, Auth: svc, ROME: &ref, Employer: e.emp}))
	t.Cleanup(e.net.srv.Close)
	secret, err := svc.SetupDemoAgent(ctx, a.ID, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	e.adviser = e.net.login(a.Email, secret)
	return e
}

// postForm posts a form with the CSRF token of page and returns the
// response and its body.
func (e *companyEnv) postForm(c *http.Client, page, path string, form url.Values) (*http.Response, string) {
	e.net.t.Helper()
	return e.net.postForm(c, page, path, form)
}

// employerClient signs the contact in through a link of the space.
func (e *companyEnv) employerClient() *http.Client {
	e.net.t.Helper()
	link, err := e.emp.IssueLink(context.Background(), e.contact.ID)
	if err != nil {
		e.net.t.Fatal(err)
	}
	c := browserClient()
	resp, _ := e.net.get(c, strings.TrimPrefix(link, "http://socle.test"), "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/employeur/offres" {
		e.net.t.Fatalf("login link: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if again, _ := e.net.get(c, strings.TrimPrefix(link, "http://socle.test"), ""); again.StatusCode != http.StatusNotFound {
		e.net.t.Errorf("a link served twice: status %d", again.StatusCode)
	}
	return c
}

func TestCandidatesOnlyFollowedAndEmployerCard(t *testing.T) {
	e := newCompanyEnv(t)
	resp, body := e.net.get(e.adviser, "/api/v1/offers/"+e.offer.ID+"/candidates", gate.PurposeMatching)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("candidates: %d %s", resp.StatusCode, body)
	}
	var got struct {
		Items []struct {
			Person  socle.Person      `json:"person"`
			Reasons []matching.Reason `json:"reasons"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].Person.ID != e.followed.ID || len(got.Items[0].Reasons) == 0 {
		t.Fatalf("candidates = %s; want only the followed person, explained", body)
	}
	if strings.Contains(body, e.stranger.ID) || strings.Contains(body, e.stranger.Identity.NIR) {
		t.Errorf("a person the organisation does not follow is a candidate: %s", body)
	}
	if resp, _ := e.net.get(e.adviser, "/api/v1/offers/"+e.offer.ID+"/candidates", ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("candidates without a purpose: status %d, want 400", resp.StatusCode)
	}

	// The matching page explains every score and proposes with consent.
	page := "/offres/" + e.offer.ID + "/appariement"
	_, html := e.net.get(e.adviser, page, "")
	if !strings.Contains(html, e.followed.ID) || strings.Contains(html, e.stranger.ID) || !strings.Contains(html, "/ 40") {
		t.Errorf("matching page does not show the followed person alone with explanations:\n%s", html)
	}
	resp, html = e.postForm(e.adviser, page, "/offres/"+e.offer.ID+"/propositions", url.Values{"personne": {e.followed.ID}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(html, "recueillez son accord") {
		t.Errorf("proposal without consent: status %d", resp.StatusCode)
	}
	resp, _ = e.postForm(e.adviser, page, "/offres/"+e.offer.ID+"/propositions", url.Values{"personne": {e.followed.ID}, "consentement": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("proposal with consent: status %d", resp.StatusCode)
	}

	emp := e.employerClient()
	_, js := e.net.get(emp, "/employeur/offres/"+e.offer.ID+"/candidats.json", "")
	_, cards := e.net.get(emp, "/employeur/offres/"+e.offer.ID+"/candidats", "")
	for name, out := range map[string]string{"JSON": js, "HTML": cards} {
		if !strings.Contains(out, e.followed.Identity.GivenName) {
			t.Errorf("%s: the proposed candidate is missing:\n%s", name, out)
		}
		p := e.followed
		for _, secret := range []string{p.ID, p.Identity.NIR, p.Identity.FamilyName, p.Contact.Email, p.Contact.Phone, p.Contact.Address,
			p.Health.Notes, p.Bank.IBAN, p.Bank.BIC, p.Justice.Measure, e.stranger.ID} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: the employer sees %q", name, secret)
			}
		}
	}
	// She answers; another contact's session would not see the offer.
	m := regexpAction.FindStringSubmatch(cards)
	if m == nil {
		t.Fatalf("no answer form:\n%s", cards)
	}
	resp, _ = e.postForm(emp, "/employeur/offres/"+e.offer.ID+"/candidats", m[1], url.Values{"reponse": {socle.MatchInterview}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: status %d", resp.StatusCode)
	}
	if _, out := e.net.get(emp, "/employeur/offres/"+e.offer.ID+"/candidats", ""); !strings.Contains(out, "Entretien prévu") {
		t.Errorf("answer not shown:\n%s", out)
	}
	if resp, _ := e.net.get(&http.Client{CheckRedirect: emp.CheckRedirect}, "/employeur/offres/"+e.offer.ID+"/candidats.json", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cards without a session: status %d", resp.StatusCode)
	}
}

func TestEmployerPostsOffer(t *testing.T) {
	e := newCompanyEnv(t)
	emp := e.employerClient()
	before := e.idx.Offers()
	bad := url.Values{"titre": {""}, "rome": {"X12"}, "commune": {"69123"}, "contrat": {"CDI"}, "heures": {"60"}, "debut": {"2026-09-01"},
		"salaire_min": {"2500"}, "salaire_max": {"2000"}}
	resp, html := e.postForm(emp, "/employeur/offres", "/employeur/offres", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid offer: status %d", resp.StatusCode)
	}
	for _, want := range []string{"Indiquez l&#39;intitulé", "code ROME", "entre 1 et 48", "inférieur au salaire minimum"} {
		if !strings.Contains(html, want) {
			t.Errorf("the form does not say %q", want)
		}
	}
	good := url.Values{"titre": {"Secrétaire médicale (H/F)"}, "rome": {"M1609"}, "commune": {"69123"}, "contrat": {"CDD"}, "heures": {"35"},
		"debut": {"2026-09-01"}, "competences": {"accueil, tableur"}, "ouverte": {"1"}}
	resp, html = e.postForm(emp, "/employeur/offres", "/employeur/offres", good)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid offer: status %d\n%s", resp.StatusCode, html)
	}
	if e.idx.Offers() != before+1 {
		t.Errorf("the new offer is not in the matching index at once: %d offers, want %d", e.idx.Offers(), before+1)
	}
	if _, out := e.net.get(emp, "/employeur/offres", ""); !strings.Contains(out, "Secrétaire médicale") {
		t.Errorf("the offer is not listed:\n%s", out)
	}
	// Without the CSRF token, nothing is written.
	good.Del("csrf")
	resp, err := emp.PostForm(e.net.srv.URL+"/employeur/offres", good)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF: status %d", resp.StatusCode)
	}
}

var regexpAction = regexp.MustCompile(`action="(/employeur/offres/[^"]+/candidats/[^"]+)"`)
