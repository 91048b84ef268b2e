package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
)

// CompaniesStore is what RunCompanies tests: the portfolio of companies,
// prospection actions, offer updates, contacts by e-mail and the employer
// space's links and sessions.
type CompaniesStore interface {
	socle.Store
	CreateCompanyFollowup(ctx context.Context, f *socle.CompanyFollowup) error
	EndCompanyFollowup(ctx context.Context, companyID, orgID string, end socle.Date) error
	CompanyFollowups(ctx context.Context, companyID string) ([]*socle.CompanyFollowup, error)
	Portfolio(ctx context.Context, orgID string, day socle.Date) ([]*socle.Company, error)
	CreateCompanyAction(ctx context.Context, a *socle.CompanyAction) error
	CompanyActions(ctx context.Context, companyID string) ([]*socle.CompanyAction, error)
	UpdateOffer(ctx context.Context, o *socle.Offer) error
	Contact(ctx context.Context, id string) (*socle.CompanyContact, error)
	ContactByEmail(ctx context.Context, email string) (*socle.CompanyContact, error)
	CreateEmployerToken(ctx context.Context, hash, contactID string, expires time.Time) error
	UseEmployerToken(ctx context.Context, hash string, at time.Time) (string, error)
	CreateEmployerSession(ctx context.Context, hash, contactID, csrf string, expires time.Time) error
	EmployerSession(ctx context.Context, hash string, at time.Time) (contactID, csrf string, err error)
	DeleteEmployerSession(ctx context.Context, hash string) error
}

// RunCompanies runs the suite of the portfolio and the employer space.
// open returns a new, empty, migrated store.
func RunCompanies(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "portfolio and employer space", []storeTest[CompaniesStore]{
		{"Portfolio", testPortfolio},
		{"CompanyActions", testCompanyActions},
		{"UpdateOffer", testUpdateOffer},
		{"EmployerTokens", testEmployerTokens},
	})
}

type companyFixture struct {
	org, other *socle.Organisation
	agent      *socle.Agent
	company    *socle.Company
	contact    *socle.CompanyContact
}

func newCompanyFixture(t *testing.T, s CompaniesStore) companyFixture {
	t.Helper()
	ctx := context.Background()
	f := companyFixture{
		org:     NewOrganisation("France Travail Lyon 3e", socle.KindEmploymentService, "69"),
		other:   NewOrganisation("Cap emploi Rhône", socle.KindDisability, "69"),
		company: NewCompany(7),
	}
	for _, o := range []*socle.Organisation{f.org, f.other} {
		if err := s.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	f.agent = NewAgent(f.org.ID, "lea@ft-lyon3.fr")
	if err := s.CreateAgent(ctx, f.agent); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCompany(ctx, f.company); err != nil {
		t.Fatal(err)
	}
	f.contact = NewContact(f.company.ID, 7)
	if err := s.CreateContact(ctx, f.contact); err != nil {
		t.Fatal(err)
	}
	return f
}

func testPortfolio(t *testing.T, s CompaniesStore) {
	ctx := context.Background()
	f := newCompanyFixture(t, s)
	start := socle.NewDate(2025, 3, 3)
	fu := &socle.CompanyFollowup{CompanyID: f.company.ID, OrganisationID: f.org.ID, AgentID: f.agent.ID, Start: start}
	if err := s.CreateCompanyFollowup(ctx, fu); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCompanyFollowup(ctx, &socle.CompanyFollowup{CompanyID: f.company.ID, OrganisationID: f.org.ID}); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("follow-up without start: err = %v, want EINVALID", err)
	}
	if err := s.CreateCompanyFollowup(ctx, &socle.CompanyFollowup{CompanyID: f.company.ID, OrganisationID: f.other.ID, Start: socle.NewDate(2025, 6, 1)}); err != nil {
		t.Fatal(err)
	}
	fs, err := s.CompanyFollowups(ctx, f.company.ID)
	if err != nil || len(fs) != 2 {
		t.Fatalf("follow-ups = %+v, %v; want 2", fs, err)
	}
	if fs[0].OrganisationName != f.org.Name || fs[0].AgentID != f.agent.ID || fs[0].AgentName == "" || fs[0].Start != start {
		t.Errorf("first follow-up = %+v", fs[0])
	}
	day := socle.NewDate(2025, 7, 1)
	pf, err := s.Portfolio(ctx, f.org.ID, day)
	if err != nil || len(pf) != 1 || pf[0].ID != f.company.ID {
		t.Fatalf("portfolio = %+v, %v", pf, err)
	}
	if pf, _ := s.Portfolio(ctx, f.org.ID, socle.NewDate(2025, 1, 1)); len(pf) != 0 {
		t.Errorf("portfolio before the start: %d companies", len(pf))
	}
	if err := s.EndCompanyFollowup(ctx, f.company.ID, f.org.ID, day); err != nil {
		t.Fatal(err)
	}
	if pf, _ := s.Portfolio(ctx, f.org.ID, day); len(pf) != 1 {
		t.Errorf("the follow-up ends at the end of its last day: portfolio %d", len(pf))
	}
	if pf, _ := s.Portfolio(ctx, f.org.ID, socle.NewDate(2025, 7, 2)); len(pf) != 0 {
		t.Errorf("portfolio after the end: %d companies", len(pf))
	}
	if err := s.EndCompanyFollowup(ctx, f.company.ID, f.org.ID, day); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("ending twice: err = %v, want ENOTFOUND", err)
	}
	if pf, _ := s.Portfolio(ctx, f.other.ID, day); len(pf) != 1 {
		t.Errorf("the other organisation's follow-up was touched: %d", len(pf))
	}
}

func testCompanyActions(t *testing.T, s CompaniesStore) {
	ctx := context.Background()
	f := newCompanyFixture(t, s)
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	for i, kind := range []string{"appel", "visite"} {
		a := &socle.CompanyAction{CompanyID: f.company.ID, OrganisationID: f.org.ID, AgentID: f.agent.ID, Kind: kind, Note: "note " + kind,
			CreatedAt: t0.Add(time.Duration(i) * time.Hour)}
		if err := s.CreateCompanyAction(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	bad := &socle.CompanyAction{CompanyID: f.company.ID, OrganisationID: f.org.ID, Kind: "pigeon"}
	if err := s.CreateCompanyAction(ctx, bad); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("unknown kind: err = %v, want EINVALID", err)
	}
	as, err := s.CompanyActions(ctx, f.company.ID)
	if err != nil || len(as) != 2 {
		t.Fatalf("actions = %+v, %v", as, err)
	}
	if as[0].Kind != "visite" || as[1].Kind != "appel" || as[0].OrganisationName != f.org.Name || !as[1].CreatedAt.Equal(t0) {
		t.Errorf("actions not newest first with their organisation: %+v %+v", as[0], as[1])
	}
}

func testUpdateOffer(t *testing.T, s CompaniesStore) {
	ctx := context.Background()
	f := newCompanyFixture(t, s)
	o := NewOffer(f.company.ID, "M1607", f.company.CommuneCode)
	if err := s.CreateOffer(ctx, o); err != nil {
		t.Fatal(err)
	}
	o.Title, o.ROMECode, o.Skills, o.Open, o.SalaryMax = "Secrétaire (H/F)", "M1606", []string{"bureautique", "accueil"}, false, 2500
	if err := s.UpdateOffer(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := s.Offer(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != o.Title || got.ROMECode != "M1606" || got.Open || len(got.Skills) != 2 || got.SalaryMax != 2500 {
		t.Errorf("updated offer = %+v", got)
	}
	other := *o
	other.CompanyID = NewCompanyID()
	if err := s.UpdateOffer(ctx, &other); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("update through another company: err = %v, want ENOTFOUND", err)
	}
	o.HoursPerWeek = 0
	if err := s.UpdateOffer(ctx, o); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("invalid update: err = %v, want EINVALID", err)
	}
}

// NewCompanyID returns a fresh, unknown company id.
func NewCompanyID() string { return socle.NewID(socle.PrefixCompany) }

func testEmployerTokens(t *testing.T, s CompaniesStore) {
	ctx := context.Background()
	f := newCompanyFixture(t, s)
	got, err := s.ContactByEmail(ctx, "  RH7@Entreprise.Example ")
	if err != nil || got.ID != f.contact.ID || got.CompanyID != f.company.ID {
		t.Fatalf("contact by e-mail = %+v, %v", got, err)
	}
	if _, err := s.ContactByEmail(ctx, "nobody@example.org"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("unknown e-mail: err = %v", err)
	}
	if c, err := s.Contact(ctx, f.contact.ID); err != nil || c.Email != f.contact.Email {
		t.Errorf("contact = %+v, %v", c, err)
	}
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	if err := s.CreateEmployerToken(ctx, "h1", f.contact.ID, now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEmployerToken(ctx, "h2", f.contact.ID, now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if id, err := s.UseEmployerToken(ctx, "h1", now); err != nil || id != f.contact.ID {
		t.Fatalf("use = %q, %v", id, err)
	}
	if _, err := s.UseEmployerToken(ctx, "h1", now); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("second use: err = %v, want EUNAUTHENTICATED", err)
	}
	if _, err := s.UseEmployerToken(ctx, "h2", now.Add(16*time.Minute)); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("expired: err = %v, want EUNAUTHENTICATED", err)
	}
	if _, err := s.UseEmployerToken(ctx, "unknown", now); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("unknown: err = %v, want EUNAUTHENTICATED", err)
	}
	if err := s.CreateEmployerSession(ctx, "s1", f.contact.ID, "csrf1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if id, csrf, err := s.EmployerSession(ctx, "s1", now); err != nil || id != f.contact.ID || csrf != "csrf1" {
		t.Errorf("session = %q %q %v", id, csrf, err)
	}
	if _, _, err := s.EmployerSession(ctx, "s1", now.Add(2*time.Hour)); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("expired session: err = %v", err)
	}
	if err := s.DeleteEmployerSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EmployerSession(ctx, "s1", now); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("deleted session: err = %v", err)
	}
}
