package gate

import (
	"context"
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
	ps := g.store
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

// companyWriteSpec is an adviser's write on a company, found (into *c)
// once she is admitted; the policy decides it as an update.
func (g *Gate) companyWriteSpec(req Request, logged socle.Action, companyID *string, c **socle.Company) spec {
	return spec{action: socle.ActionUpdate, logged: logged, want: socle.SetOf(socle.CatIdentity),
		valid: func() error {
			if req.Actor.AgentID == "" || !slices.ContainsFunc(req.Actor.Roles, func(r socle.Role) bool { return slices.Contains(companyWriter, r) }) {
				return socle.Errorf(socle.EFORBIDDEN, "only advisers and company advisers follow companies and write offers")
			}
			return nil
		},
		locate: func(context.Context) (socle.Resource, error) {
			if !socle.ValidID(socle.PrefixCompany, *companyID) {
				return socle.Resource{}, socle.Errorf(socle.ENOTFOUND, "company not found")
			}
			return socle.Resource{Kind: socle.ResourceCompany, ID: *companyID}, nil
		},
		grounds: func(ctx context.Context, req Request, res *socle.Resource) (socle.Decision, error) {
			d, err := g.decision(ctx, req, socle.ActionUpdate, *res, socle.SetOf(socle.CatIdentity))
			if err != nil || !d.Allow {
				return d, err
			}
			if *c, err = g.store.Company(ctx, *companyID); err != nil {
				return socle.Decision{}, err
			}
			return d, nil
		}}
}

// FollowCompany adds the company to the portfolio of the actor's
// organisation, with the actor as its company adviser. ECONFLICT when her
// organisation already follows it.
func (g *Gate) FollowCompany(ctx context.Context, req Request, companyID string) (*socle.CompanyFollowup, error) {
	var c *socle.Company
	f, _, err := access(ctx, g, req, g.companyWriteSpec(req, "follow", &companyID, &c), func(ctx context.Context, _ socle.Decision) (*socle.CompanyFollowup, outcome, error) {
		fs, err := g.store.CompanyFollowups(ctx, c.ID)
		if err != nil {
			return nil, outcome{}, err
		}
		today := socle.DateOf(g.Now())
		for _, f := range fs {
			if f.OrganisationID == req.Actor.OrganisationID && open(f, today) {
				return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "Votre structure suit déjà cette entreprise.")
			}
		}
		f := &socle.CompanyFollowup{ID: socle.NewID(socle.PrefixFollowup), CompanyID: c.ID, OrganisationID: req.Actor.OrganisationID,
			AgentID: req.Actor.AgentID, Start: today}
		return f, outcome{records: 1, facts: []socle.Fact{{Kind: "company_followup",
			Text:   "Votre structure commence à suivre l'entreprise " + c.Name + ".",
			Detail: map[string]string{"followup_id": f.ID, "company_id": c.ID}}},
			write: storing("following company", func(ctx context.Context) error {
				return g.store.CreateCompanyFollowup(ctx, f)
			})}, nil
	})
	return f, err
}

// UnfollowCompany ends the follow-up of the company by the actor's
// organisation today; ENOTFOUND when it does not follow it.
func (g *Gate) UnfollowCompany(ctx context.Context, req Request, companyID string) error {
	var c *socle.Company
	_, _, err := access(ctx, g, req, g.companyWriteSpec(req, "unfollow", &companyID, &c), func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		return struct{}{}, outcome{records: 1, facts: []socle.Fact{{Kind: "company_followup",
			Text:   "Votre structure cesse de suivre l'entreprise " + c.Name + ".",
			Detail: map[string]string{"company_id": c.ID}}},
			write: func(ctx context.Context) error {
				// The follow-up lasts until yesterday: from today on, the
				// company is no longer in the portfolio.
				return g.store.EndCompanyFollowup(ctx, c.ID, req.Actor.OrganisationID, socle.DateOf(g.Now().AddDate(0, 0, -1)))
			}}, nil
	})
	return err
}

// RecordCompanyAction records a prospection action of the actor on a
// company (appel, visite, courriel, rendez_vous, besoin_recrutement, note).
func (g *Gate) RecordCompanyAction(ctx context.Context, req Request, companyID, kind, note string) (*socle.CompanyAction, error) {
	var c *socle.Company
	a, _, err := access(ctx, g, req, g.companyWriteSpec(req, "prospect", &companyID, &c), func(ctx context.Context, _ socle.Decision) (*socle.CompanyAction, outcome, error) {
		a := &socle.CompanyAction{ID: socle.NewID(socle.PrefixEvent), CompanyID: c.ID, OrganisationID: req.Actor.OrganisationID,
			AgentID: req.Actor.AgentID, Kind: kind, Note: strings.TrimSpace(note), CreatedAt: g.Now().UTC().Truncate(time.Microsecond)}
		if err := a.Validate(); err != nil {
			return nil, outcome{}, err
		}
		return a, outcome{records: 1, facts: []socle.Fact{{Kind: "company_action",
			Text:   "Action de prospection « " + kind + " » auprès de l'entreprise " + c.Name + ".",
			Detail: map[string]string{"action_id": a.ID, "company_id": c.ID}}},
			write: storing("recording prospection", func(ctx context.Context) error {
				return g.store.CreateCompanyAction(ctx, a)
			})}, nil
	})
	return a, err
}

// Portfolio returns the companies the actor's organisation follows today.
func (g *Gate) Portfolio(ctx context.Context, req Request) ([]*socle.Company, error) {
	s := spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourceCompany}, want: socle.SetOf(socle.CatIdentity),
		valid: func() error {
			if req.Actor.OrganisationID == "" {
				return socle.Errorf(socle.EFORBIDDEN, "a portfolio belongs to an organisation")
			}
			return nil
		}}
	cs, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.Company, outcome, error) {
		cs, err := g.store.Portfolio(ctx, req.Actor.OrganisationID, socle.DateOf(g.Now()))
		return cs, outcome{records: len(cs)}, err
	})
	return cs, err
}

// SaveOffer creates (o.ID empty) or updates an offer of a company for an
// adviser; a new offer is taken by her organisation. The write is decided
// and audited.
func (g *Gate) SaveOffer(ctx context.Context, req Request, o *socle.Offer) error {
	var c *socle.Company
	s := g.companyWriteSpec(req, offerAction(o), &o.CompanyID, &c)
	locate := s.locate
	// Nobody learns whether an object exists before saying who she is.
	s.locate = func(ctx context.Context) (socle.Resource, error) {
		if o.ID != "" {
			prev, err := g.store.Offer(ctx, o.ID)
			if err != nil {
				return socle.Resource{}, err
			}
			o.CompanyID, o.OrganisationID, o.CreatedAt = prev.CompanyID, prev.OrganisationID, prev.CreatedAt
		} else {
			o.OrganisationID = req.Actor.OrganisationID
		}
		return locate(ctx)
	}
	_, _, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) (struct{}, outcome, error) {
		if err := o.Validate(); err != nil {
			return struct{}{}, outcome{}, err
		}
		return g.saveOffer(o, "Offre « "+o.Title+" » de l'entreprise "+c.Name+".")(ctx, d)
	})
	return err
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
