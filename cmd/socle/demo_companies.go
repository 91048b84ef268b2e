package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"socle"
	"socle/demo"
)

const (
	// demoPortfolioSize bounds the companies each demo adviser's
	// organisation follows: a portfolio page worth reading.
	demoPortfolioSize = 12
	// demoConsentsPerOrganisation bounds the persons of each demo
	// adviser's organisation asked whether they agree to be proposed.
	demoConsentsPerOrganisation = 80
)

// demoCompanies gives each demo adviser's organisation a portfolio of
// companies of its territory, each with a prospection action, and records
// the answer of some of the persons it follows to "may we propose you to
// employers?" (two in three agree), so that the company and matching pages
// are not empty. It prints one job (ROME code) and commune of a person the
// first adviser's organisation follows, to post a matching offer from the
// employer space.
func (a *app) demoCompanies(ctx context.Context, sum demo.Summary, stdout io.Writer) error {
	advisers, err := a.demoAdvisers(ctx, sum)
	if err != nil {
		return fmt.Errorf("demo companies: %w", err)
	}
	now := time.Now().UTC()
	follows, consents := 0, 0
	var walkAdviser, walkROME, walkCommune string
	for _, adv := range advisers {
		org, agent := adv.org, adv.agent
		n, err := a.demoPortfolio(ctx, org, agent, now)
		if err != nil {
			return fmt.Errorf("demo portfolio of %s: %w", org.ID, err)
		}
		follows += n
		persons, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: org.ID, Limit: demoConsentsPerOrganisation},
			socle.SetOf(socle.CatContact, socle.CatSkills))
		if err != nil {
			return fmt.Errorf("demo consents: %w", err)
		}
		for i, p := range persons {
			if err := a.store.SetMatchingConsent(ctx, p.ID, i%3 != 2, agent.ID); err != nil {
				return fmt.Errorf("demo consent of %s: %w", p.ID, err)
			}
			consents++
			if walkAdviser == "" && p.Skills != nil && len(p.Skills.ROMECodes) > 0 && p.Contact != nil && p.Contact.CommuneCode != "" {
				walkAdviser, walkROME, walkCommune = adv.email, p.Skills.ROMECodes[0], p.Contact.CommuneCode
			}
		}
	}
	fmt.Fprintf(stdout, "Entreprises de démonstration : %d suivis d'entreprises, %d accords de mise en relation recueillis.\n", follows, consents)
	if walkAdviser != "" {
		fmt.Fprintf(stdout, "Mise en relation à dérouler : compte %s, métier %s, commune %s.\n", walkAdviser, walkROME, walkCommune)
	}
	return nil
}

// demoPortfolio makes org follow up to demoPortfolioSize companies of its
// first département (of the network when it has none there), each with one prospection action by agent; it
// returns how many it follows.
func (a *app) demoPortfolio(ctx context.Context, org *socle.Organisation, agent *socle.Agent, now time.Time) (int, error) {
	if len(org.Departements) == 0 {
		return 0, nil
	}
	companies, err := a.store.Companies(ctx, org.Departements[0], demoPortfolioSize)
	if err == nil && len(companies) == 0 {
		// A small demo network may have no company there.
		companies, err = a.store.Companies(ctx, "", demoPortfolioSize)
	}
	if err != nil {
		return 0, err
	}
	kinds := []string{"visite", "appel", "besoin_recrutement", "rendez_vous"}
	for i, c := range companies {
		start := socle.DateOf(now.AddDate(0, -1-i%6, -i))
		f := &socle.CompanyFollowup{CompanyID: c.ID, OrganisationID: org.ID, AgentID: agent.ID, Start: start}
		if err := a.store.CreateCompanyFollowup(ctx, f); err != nil {
			return i, err
		}
		act := &socle.CompanyAction{CompanyID: c.ID, OrganisationID: org.ID, AgentID: agent.ID,
			Kind: kinds[i%len(kinds)], Note: "Premier contact de démonstration.", CreatedAt: now.AddDate(0, 0, -i)}
		if err := a.store.CreateCompanyAction(ctx, act); err != nil {
			return i, err
		}
	}
	return len(companies), nil
}

// demoAdviser is a demo adviser account, the first of its organisation.
type demoAdviser struct {
	email string
	agent *socle.Agent
	org   *socle.Organisation
}

// demoAdvisers returns the first demo adviser account of each organisation
// that has one, in the order of the accounts.
func (a *app) demoAdvisers(ctx context.Context, sum demo.Summary) ([]demoAdviser, error) {
	seen := map[string]bool{}
	var out []demoAdviser
	for _, acc := range sum.Accounts {
		if acc.Role != socle.RoleAdviser {
			continue
		}
		agent, err := a.store.AgentByEmail(ctx, acc.Email)
		if err != nil {
			return nil, fmt.Errorf("demo adviser %s: %w", acc.Email, err)
		}
		if seen[agent.OrganisationID] {
			continue
		}
		seen[agent.OrganisationID] = true
		org, err := a.store.Organisation(ctx, agent.OrganisationID)
		if err != nil {
			return nil, fmt.Errorf("organisation of demo adviser %s: %w", acc.Email, err)
		}
		out = append(out, demoAdviser{email: acc.Email, agent: agent, org: org})
	}
	return out, nil
}
