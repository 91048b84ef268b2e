package gate

import (
	"context"
	"fmt"
	"slices"

	"socle"
)

// EmployerStore is what the employer space needs of the store besides
// Store and MatchStore. The gate's store must implement it for the
// employer methods.
type EmployerStore interface {
	Contact(ctx context.Context, id string) (*socle.CompanyContact, error)
	UpdateOffer(ctx context.Context, o *socle.Offer) error
}

// Employers are not agents of the network: the policy engine does not
// decide for them; the gate does, with one rule — a company contact sees and
// edits her company's offers and sees the persons proposed on them, as a
// minimal card of what each agreed to share (given name, jobs, skills,
// commune), never more — and audits every card shown and every write.
//
// The actor of these methods is req.Actor with ContactID set by the
// employer space's session; her company is read from the store, never
// taken from the request.

// Card is what an employer sees of a proposed person.
type Card struct {
	MatchID     string   `json:"match_id"`
	GivenName   string   `json:"given_name"`
	ROMECodes   []string `json:"rome_codes"`
	Skills      []string `json:"skills,omitempty"`
	CommuneCode string   `json:"commune_code"`
	Status      string   `json:"status"`
	Score       float64  `json:"score"`
	Reasons     []string `json:"reasons,omitempty"`
}

// cardSource are the categories the card is cut from; the card keeps only
// its fields of them.
var cardSource = socle.SetOf(socle.CatIdentity, socle.CatContact, socle.CatSkills)

// checkEmployer admits a company contact signed in to the employer space.
func checkEmployer(req Request) error {
	if req.Actor.ContactID == "" || req.Actor.Strength < socle.AuthClient {
		return socle.Errorf(socle.EUNAUTHENTICATED, "employer authentication required")
	}
	return nil
}

// Employer returns the company contact of req and her company;
// EUNAUTHENTICATED when req carries no contact or an unknown one.
func (g *Gate) Employer(ctx context.Context, req Request) (*socle.CompanyContact, *socle.Company, error) {
	if err := checkEmployer(req); err != nil {
		return nil, nil, err
	}
	ct, err := g.store.Contact(ctx, req.Actor.ContactID)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, nil, socle.Errorf(socle.EUNAUTHENTICATED, "employer authentication required")
	} else if err != nil {
		return nil, nil, fmt.Errorf("reading company contact: %w", err)
	}
	c, err := g.store.Company(ctx, ct.CompanyID)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the contact's company: %w", err)
	}
	return ct, c, nil
}

// employerOffer returns an offer of the contact's company; ENOTFOUND for
// any other, as for an absent one.
func (g *Gate) employerOffer(ctx context.Context, req Request, offerID string) (*socle.Offer, error) {
	ct, _, err := g.Employer(ctx, req)
	if err != nil {
		return nil, err
	}
	if !socle.ValidID(socle.PrefixOffer, offerID) {
		return nil, socle.Errorf(socle.ENOTFOUND, "offer not found")
	}
	o, err := g.store.Offer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	if o.CompanyID != ct.CompanyID {
		return nil, socle.Errorf(socle.ENOTFOUND, "offer not found")
	}
	return o, nil
}

// employerAudit is the request as the audit log records an employer: the
// log has no contact field, so the contact is a client "contact:<id>".
func employerAudit(req Request, orgID string) Request {
	return Request{Actor: socle.Actor{ClientID: "contact:" + req.Actor.ContactID, OrganisationID: orgID},
		Purpose: PurposeMatching, RequestID: req.RequestID, RemoteAddr: req.RemoteAddr}
}

// employerSpec is a company contact's access to the card of a person
// proposed on an offer of her company, as match m.
func employerSpec(action socle.Action, o *socle.Offer, m *socle.Match) spec {
	return spec{caller: employerCaller, action: action, res: personRes(m.PersonID),
		grounds: func(_ context.Context, req Request, _ *socle.Resource) (socle.Decision, error) {
			return socle.Decision{Allow: true, Categories: cardSource, Facts: []socle.Fact{{Kind: "employer_proposal",
				Text:   "Cette personne est proposée sur l'offre « " + o.Title + " » de l'entreprise de ce contact (" + m.Basis + ") ; seule sa carte minimale est montrée.",
				Detail: map[string]string{"match_id": m.ID, "offer_id": o.ID, "company_id": o.CompanyID, "contact_id": req.Actor.ContactID}}}}, nil
		},
		recordAs: func(req Request) Request { return employerAudit(req, o.OrganisationID) }}
}

// EmployerOffers returns the offers of the contact's company, open and
// closed, newest first.
func (g *Gate) EmployerOffers(ctx context.Context, req Request) ([]*socle.Offer, error) {
	ct, _, err := g.Employer(ctx, req)
	if err != nil {
		return nil, err
	}
	return g.store.Offers(ctx, socle.OfferFilter{CompanyID: ct.CompanyID, Limit: 500})
}

// EmployerOffer returns one offer of the contact's company.
func (g *Gate) EmployerOffer(ctx context.Context, req Request, offerID string) (*socle.Offer, error) {
	return g.employerOffer(ctx, req, offerID)
}

// EmployerSaveOffer creates (o.ID empty) or updates an offer of the
// contact's company. The company is hers whatever o says; a new offer is
// taken by the organisation that follows the company (its portfolio), so
// that its company advisers see it. The write is audited.
func (g *Gate) EmployerSaveOffer(ctx context.Context, req Request, o *socle.Offer) error {
	ct, c, err := g.Employer(ctx, req)
	if err != nil {
		return err
	}
	if o.ID != "" {
		prev, err := g.employerOffer(ctx, req, o.ID)
		if err != nil {
			return err
		}
		o.OrganisationID, o.CreatedAt = prev.OrganisationID, prev.CreatedAt
	} else {
		fs, err := g.store.CompanyFollowups(ctx, c.ID)
		if err != nil {
			return err
		}
		today := socle.DateOf(g.Now())
		for _, f := range fs {
			if open(f, today) {
				o.OrganisationID = f.OrganisationID
				break
			}
		}
	}
	o.CompanyID = ct.CompanyID
	if err := o.Validate(); err != nil {
		return err
	}
	s := spec{caller: employerCaller, action: offerAction(o), res: socle.Resource{Kind: socle.ResourceCompany, ID: o.CompanyID},
		grounds:  on(socle.Decision{Allow: true}),
		recordAs: func(req Request) Request { return employerAudit(req, o.OrganisationID) }}
	why := "Le contact " + ct.GivenName + " " + ct.FamilyName + " de l'entreprise " + c.Name + " publie ou modifie une offre de son entreprise."
	_, _, err = access(ctx, g, req, s, g.saveOffer(o, why))
	return err
}

// saveOffer is the write of an offer (create when o.ID is empty), once
// recorded with the fact of why.
func (g *Gate) saveOffer(o *socle.Offer, why string) func(context.Context, socle.Decision) (struct{}, outcome, error) {
	create := o.ID == ""
	if create {
		o.ID = socle.NewID(socle.PrefixOffer)
	}
	fact := socle.Fact{Kind: "offer", Text: why, Detail: map[string]string{"offer_id": o.ID, "company_id": o.CompanyID}}
	return func(context.Context, socle.Decision) (struct{}, outcome, error) {
		return struct{}{}, outcome{records: 1, facts: []socle.Fact{fact}, write: func(ctx context.Context) error {
			if create {
				if err := g.store.CreateOffer(ctx, o); err != nil {
					return fmt.Errorf("creating offer: %w", err)
				}
				g.indexOffer(o)
				return nil
			}
			if err := g.store.UpdateOffer(ctx, o); err != nil {
				return fmt.Errorf("updating offer: %w", err)
			}
			g.indexOffer(o)
			return nil
		}}, nil
	}
}

// offerAction is the action of saving o: a creation when it has no id.
func offerAction(o *socle.Offer) socle.Action {
	if o.ID == "" {
		return socle.ActionCreate
	}
	return socle.ActionUpdate
}

// EmployerCandidates returns the cards of the persons proposed on an offer
// of the contact's company (declined ones left out), each audited.
func (g *Gate) EmployerCandidates(ctx context.Context, req Request, offerID string) ([]Card, error) {
	o, err := g.employerOffer(ctx, req, offerID)
	if err != nil {
		return nil, err
	}
	matches, err := g.store.MatchesOfOffer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	var out []Card
	for _, m := range matches {
		if m.Status == socle.MatchDeclined {
			continue
		}
		c, _, err := access(ctx, g, req, employerSpec(socle.ActionRead, o, m), func(ctx context.Context, _ socle.Decision) (Card, outcome, error) {
			p, err := g.store.Person(ctx, m.PersonID, cardSource)
			if socle.ErrorCode(err) == socle.ENOTFOUND {
				return Card{}, outcome{none: true}, nil
			} else if err != nil {
				return Card{}, outcome{}, fmt.Errorf("reading candidate: %w", err)
			}
			c := Card{MatchID: m.ID, Status: m.Status, Score: m.Score, Reasons: m.Reasons}
			if p.Identity != nil {
				c.GivenName = p.Identity.GivenName
			}
			if p.Skills != nil {
				c.ROMECodes, c.Skills = p.Skills.ROMECodes, p.Skills.Skills
			}
			if p.Contact != nil {
				c.CommuneCode = p.Contact.CommuneCode
			}
			return c, outcome{records: 1}, nil
		})
		if err != nil {
			return nil, err
		}
		if c.MatchID != "" {
			out = append(out, c)
		}
	}
	return out, nil
}

// EmployerAnswers are the answers an employer may give on a candidate.
var EmployerAnswers = []string{socle.MatchInterview, socle.MatchHired, socle.MatchDeclined}

// EmployerAnswer records the employer's answer on a candidate proposed on
// one of her company's offers: entretien, embauche or refusee.
func (g *Gate) EmployerAnswer(ctx context.Context, req Request, matchID, status string) error {
	if !slices.Contains(EmployerAnswers, status) {
		return socle.Errorf(socle.EINVALID, "answer must be one of %v", EmployerAnswers)
	}
	if _, _, err := g.Employer(ctx, req); err != nil {
		return err
	}
	m, err := g.store.Match(ctx, matchID)
	if err != nil {
		return err
	}
	o, err := g.employerOffer(ctx, req, m.OfferID)
	if err != nil {
		return err
	}
	_, _, err = access(ctx, g, req, employerSpec(socle.ActionUpdate, o, m), writing(func(ctx context.Context) error {
		if err := g.store.SetMatchStatus(ctx, matchID, status, req.Actor.ContactID, ""); err != nil {
			return err
		}
		g.invalidate(m.PersonID)
		return nil
	}))
	return err
}
