package web

import (
	"context"

	"socle"
)

// homeCompanies is how many companies of her portfolio the company
// adviser's home lists with their offers; the portfolio page lists them
// all.
const homeCompanies = 10

// homeCompany is a company of the portfolio with its open offers.
type homeCompany struct {
	ID, Name string
	Offers   []offerRow
}

// companyHome fills the company adviser's block of v: the companies her
// structure follows (read through the gate by the caller), each with the
// open offers her structure took (offers are no personal data).
func (s *homePages) companyHome(ctx context.Context, actor socle.Actor, companies []*socle.Company, v *agentHomeView, problem func(string, error)) {
	v.MoreCompanies = len(companies) > homeCompanies
	for _, c := range companies[:min(len(companies), homeCompanies)] {
		hc := homeCompany{ID: c.ID, Name: c.Name}
		offers, err := s.dir.Offers(ctx, socle.OfferFilter{CompanyID: c.ID, OpenOnly: true, Limit: 20})
		if err != nil {
			problem(msgHomeOffers, err)
			return
		}
		var ours []*socle.Offer
		for _, o := range offers {
			if o.OrganisationID == actor.OrganisationID {
				ours = append(ours, o)
			}
		}
		hc.Offers = s.words.offerRows(ctx, ours)
		v.Companies = append(v.Companies, hc)
	}
}
