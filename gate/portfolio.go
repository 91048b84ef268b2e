package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"socle"
)

// PortfolioStore is what the portfolio of companies needs of the store
// besides Store. The gate's store must implement it for the methods of
// this file.
type PortfolioStore interface {
	CreateCompanyFollowup(ctx context.Context, f *socle.CompanyFollowup) error
	// EndCompanyFollowup closes the follow-ups of a company by an
	// organisation still open after end; ENOTFOUND when there is none.
	EndCompanyFollowup(ctx context.Context, companyID, orgID string, end socle.Date) error
	CompanyFollowups(ctx context.Context, companyID string) ([]*socle.CompanyFollowup, error)
	Portfolio(ctx context.Context, orgID string, day socle.Date) ([]*socle.Company, error)
	CreateCompanyAction(ctx context.Context, a *socle.CompanyAction) error
	CompanyActions(ctx context.Context, companyID string) ([]*socle.CompanyAction, error)
}

func (g *Gate) portfolioStore() (PortfolioStore, error) {
	ps, ok := g.store.(PortfolioStore)
	if !ok {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "the portfolio of companies is not available on this store")
	}
	return ps, nil
}

// CompanyFile is a company as an adviser of the network reads it: its
// contacts when the decision grants them, who follows it, the prospection
// actions and its offers.
type CompanyFile struct {
	Company   *socle.Company           `json:"company"`
	Contacts  []*socle.CompanyContact  `json:"contacts,omitempty"`
	Followups []*socle.CompanyFollowup `json:"followups"`
	Actions   []*socle.CompanyAction   `json:"actions"`
	Offers    []*socle.Offer           `json:"offers"`
	// FollowedByMe says that the actor's organisation follows it today.
	FollowedByMe bool `json:"followed_by_me"`
	// Notices say in French who already follows it, so that two operators
	// never prospect the same employer unknowingly.
	Notices []string `json:"notices,omitempty"`
}

// open reports whether f runs on day.
func open(f *socle.CompanyFollowup, day socle.Date) bool {
	return !day.Before(f.Start) && (f.End.IsZero() || !f.End.Before(day))
}

// FollowupNotice says who follows a company, in French: « Déjà suivie par
// France Travail Lyon 3e depuis le 3 mars 2025 (conseillère : …) ».
func FollowupNotice(f *socle.CompanyFollowup) string {
	s := "Déjà suivie par " + f.OrganisationName + " depuis le " + f.Start.French()
	if f.AgentName != "" {
		s += " (conseiller ou conseillère : " + f.AgentName + ")"
	}
	return s + "."
}

// CompanyFile reads a company (decided and audited by ReadCompany) with its
// follow-ups, prospection history and offers.
func (g *Gate) CompanyFile(ctx context.Context, req Request, companyID string) (*CompanyFile, socle.Decision, error) {
	ps, err := g.portfolioStore()
	if err != nil {
		return nil, socle.Decision{}, err
	}
	c, contacts, d, err := g.ReadCompany(ctx, req, companyID)
	if err != nil {
		return nil, d, err
	}
	f := &CompanyFile{Company: c, Contacts: contacts}
	if f.Followups, err = ps.CompanyFollowups(ctx, c.ID); err != nil {
		return nil, d, err
	}
	if f.Actions, err = ps.CompanyActions(ctx, c.ID); err != nil {
		return nil, d, err
	}
	if f.Offers, err = g.store.Offers(ctx, socle.OfferFilter{CompanyID: c.ID, Limit: 500}); err != nil {
		return nil, d, err
	}
	today := socle.DateOf(g.Now())
	for _, fu := range f.Followups {
		if !open(fu, today) {
			continue
		}
		if fu.OrganisationID == req.Actor.OrganisationID {
			f.FollowedByMe = true
		}
		f.Notices = append(f.Notices, FollowupNotice(fu))
	}
	return f, d, nil
}

// companyWriter are the roles that may follow companies, record
// prospection and write offers.
var companyWriter = []socle.Role{socle.RoleCompanyAdviser, socle.RoleAdviser}

// decideCompanyWrite checks the caller, her role and the policy for a write
// on a company, and returns the decision.
func (g *Gate) decideCompanyWrite(ctx context.Context, req Request, companyID string) (*socle.Company, socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return nil, socle.Decision{}, err
	}
	if req.Actor.AgentID == "" || !slices.ContainsFunc(req.Actor.Roles, func(r socle.Role) bool { return slices.Contains(companyWriter, r) }) {
		return nil, socle.Decision{}, socle.Errorf(socle.EFORBIDDEN, "only advisers and company advisers follow companies and write offers")
	}
	if !socle.ValidID(socle.PrefixCompany, companyID) {
		return nil, socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "company not found")
	}
	d, err := g.decide(ctx, req, socle.ActionUpdate, socle.Resource{Kind: socle.ResourceCompany, ID: companyID}, socle.SetOf(socle.CatIdentity))
	if err != nil {
		return nil, d, err
	}
	c, err := g.store.Company(ctx, companyID)
	if err != nil {
		return nil, d, err
	}
	return c, d, nil
}

// auditCompanyWrite appends the decision d with one more fact.
func (g *Gate) auditCompanyWrite(ctx context.Context, req Request, action socle.Action, companyID string, d socle.Decision, f socle.Fact) error {
	d.Facts = append(slices.Clone(d.Facts), f)
	return g.audit(ctx, req, action, socle.Resource{Kind: socle.ResourceCompany, ID: companyID}, d, 1)
}

// FollowCompany adds the company to the portfolio of the actor's
// organisation, with the actor as its company adviser. ECONFLICT when her
// organisation already follows it.
func (g *Gate) FollowCompany(ctx context.Context, req Request, companyID string) (*socle.CompanyFollowup, error) {
	ps, err := g.portfolioStore()
	if err != nil {
		return nil, err
	}
	c, d, err := g.decideCompanyWrite(ctx, req, companyID)
	if err != nil {
		return nil, err
	}
	fs, err := ps.CompanyFollowups(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	today := socle.DateOf(g.Now())
	for _, f := range fs {
		if f.OrganisationID == req.Actor.OrganisationID && open(f, today) {
			return nil, socle.Errorf(socle.ECONFLICT, "Votre structure suit déjà cette entreprise.")
		}
	}
	f := &socle.CompanyFollowup{ID: socle.NewID(socle.PrefixFollowup), CompanyID: c.ID, OrganisationID: req.Actor.OrganisationID,
		AgentID: req.Actor.AgentID, Start: today}
	if err := g.auditCompanyWrite(ctx, req, socle.Action("follow"), c.ID, d, socle.Fact{Kind: "company_followup",
		Text:   "Votre structure commence à suivre l'entreprise " + c.Name + ".",
		Detail: map[string]string{"followup_id": f.ID, "company_id": c.ID}}); err != nil {
		return nil, err
	}
	if err := ps.CreateCompanyFollowup(ctx, f); err != nil {
		return nil, fmt.Errorf("following company: %w", err)
	}
	return f, nil
}

// UnfollowCompany ends the follow-up of the company by the actor's
// organisation today; ENOTFOUND when it does not follow it.
func (g *Gate) UnfollowCompany(ctx context.Context, req Request, companyID string) error {
	ps, err := g.portfolioStore()
	if err != nil {
		return err
	}
	c, d, err := g.decideCompanyWrite(ctx, req, companyID)
	if err != nil {
		return err
	}
	if err := g.auditCompanyWrite(ctx, req, socle.Action("unfollow"), c.ID, d, socle.Fact{Kind: "company_followup",
		Text:   "Votre structure cesse de suivre l'entreprise " + c.Name + ".",
		Detail: map[string]string{"company_id": c.ID}}); err != nil {
		return err
	}
	// The follow-up lasts until yesterday: from today on, the company is
	// no longer in the portfolio.
	return ps.EndCompanyFollowup(ctx, c.ID, req.Actor.OrganisationID, socle.DateOf(g.Now().AddDate(0, 0, -1)))
}

// RecordCompanyAction records a prospection action of the actor on a
// company (appel, visite, courriel, rendez_vous, besoin_recrutement, note).
func (g *Gate) RecordCompanyAction(ctx context.Context, req Request, companyID, kind, note string) (*socle.CompanyAction, error) {
	ps, err := g.portfolioStore()
	if err != nil {
		return nil, err
	}
	c, d, err := g.decideCompanyWrite(ctx, req, companyID)
	if err != nil {
		return nil, err
	}
	a := &socle.CompanyAction{ID: socle.NewID(socle.PrefixEvent), CompanyID: c.ID, OrganisationID: req.Actor.OrganisationID,
		AgentID: req.Actor.AgentID, Kind: kind, Note: strings.TrimSpace(note), CreatedAt: g.Now().UTC().Truncate(time.Microsecond)}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := g.auditCompanyWrite(ctx, req, socle.Action("prospect"), c.ID, d, socle.Fact{Kind: "company_action",
		Text:   "Action de prospection « " + kind + " » auprès de l'entreprise " + c.Name + ".",
		Detail: map[string]string{"action_id": a.ID, "company_id": c.ID}}); err != nil {
		return nil, err
	}
	if err := ps.CreateCompanyAction(ctx, a); err != nil {
		return nil, fmt.Errorf("recording prospection: %w", err)
	}
	return a, nil
}

// Portfolio returns the companies the actor's organisation follows today.
func (g *Gate) Portfolio(ctx context.Context, req Request) ([]*socle.Company, error) {
	ps, err := g.portfolioStore()
	if err != nil {
		return nil, err
	}
	if err := g.checkCaller(req); err != nil {
		return nil, err
	}
	if req.Actor.OrganisationID == "" {
		return nil, socle.Errorf(socle.EFORBIDDEN, "a portfolio belongs to an organisation")
	}
	d, err := g.decide(ctx, req, socle.ActionSearch, socle.Resource{Kind: socle.ResourceCompany}, socle.SetOf(socle.CatIdentity))
	if err != nil {
		return nil, err
	}
	cs, err := ps.Portfolio(ctx, req.Actor.OrganisationID, socle.DateOf(g.Now()))
	if err != nil {
		return nil, err
	}
	if err := g.audit(ctx, req, socle.ActionSearch, socle.Resource{Kind: socle.ResourceCompany}, d, len(cs)); err != nil {
		return nil, err
	}
	return cs, nil
}

// SaveOffer creates (o.ID empty) or updates an offer of a company for an
// adviser; a new offer is taken by her organisation. The write is decided
// and audited.
func (g *Gate) SaveOffer(ctx context.Context, req Request, o *socle.Offer) error {
	// Nobody learns whether an object exists before saying who she is.
	if err := authenticated(req); err != nil {
		return err
	}
	if o.ID != "" {
		prev, err := g.store.Offer(ctx, o.ID)
		if err != nil {
			return err
		}
		o.CompanyID, o.OrganisationID, o.CreatedAt = prev.CompanyID, prev.OrganisationID, prev.CreatedAt
	} else {
		o.OrganisationID = req.Actor.OrganisationID
	}
	c, d, err := g.decideCompanyWrite(ctx, req, o.CompanyID)
	if err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	d.Facts = append(slices.Clone(d.Facts), socle.Fact{Kind: "offer", Text: "Offre « " + o.Title + " » de l'entreprise " + c.Name + "."})
	return g.saveOffer(ctx, req, o, d.Explanation())
}

// Offer returns an offer (not personal data: open to any authenticated
// caller).
func (g *Gate) Offer(ctx context.Context, req Request, id string) (*socle.Offer, error) {
	if !req.Actor.Authenticated() {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if !socle.ValidID(socle.PrefixOffer, id) {
		return nil, socle.Errorf(socle.ENOTFOUND, "offer not found")
	}
	return g.store.Offer(ctx, id)
}

// CompanyBySIRET finds a company by its SIRET for an adviser, then reads it
// as CompanyFile does; ENOTFOUND for an unknown or malformed SIRET.
func (g *Gate) CompanyBySIRET(ctx context.Context, req Request, siret string) (*CompanyFile, socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return nil, socle.Decision{}, err
	}
	siret = strings.ReplaceAll(siret, " ", "")
	if !socle.ValidSIRET(siret) {
		return nil, socle.Decision{}, socle.Errorf(socle.EINVALID, "Le SIRET compte 14 chiffres et sa clé doit être valide.")
	}
	c, err := g.store.CompanyBySIRET(ctx, siret)
	if err != nil {
		return nil, socle.Decision{}, err
	}
	return g.CompanyFile(ctx, req, c.ID)
}
