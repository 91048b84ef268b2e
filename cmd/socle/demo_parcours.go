package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"socle"
	"socle/commitment"
	"socle/demo"
	"socle/orientation"
)

// demoParcoursPerOrganisation bounds the persons of each demo account's
// organisation that get a parcours: enough for indicator cells of 11 and
// more, few enough to keep the demo quick.
const demoParcoursPerOrganisation = 150

// demoWalkPersons is how many persons the demo keeps without a parcours,
// to walk the path by hand: one for a person trying the demo, one each for
// the browser tests that share a demo and change a person's file.
const demoWalkPersons = 6

// demoParcours gives a sample of the persons followed by the demo
// accounts' organisations an orientation decided by the rules, a first
// appointment and, for most, a contract signed by both sides, so that the
// indicators have something to show. It keeps demoWalkPersons persons
// without any, to walk the whole path by hand, the first adviser's
// organisation's first, and prints them.
func (a *app) demoParcours(ctx context.Context, sum demo.Summary, stdout io.Writer) error {
	signer, err := commitment.NewSigner(a.keys.commitment)
	if err != nil {
		return fmt.Errorf("demo parcours: %w", err)
	}
	r := rand.New(rand.NewPCG(7, 11))
	rules, q := orientation.DefaultRuleset(), orientation.DefaultQuestionnaire()
	now := time.Now().UTC()
	done := map[string]bool{}
	byKind := map[string]*socle.Organisation{}
	type walk struct{ id, email, adviser, org, name string }
	var kept []walk
	n, signed := 0, 0
	advisers, err := a.demoAdvisers(ctx, sum)
	if err != nil {
		return fmt.Errorf("demo parcours: %w", err)
	}
	for _, adv := range advisers {
		org, agent := adv.org, adv.agent
		persons, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: org.ID, Limit: demoParcoursPerOrganisation + 1}, socle.AllCategories)
		if err != nil {
			return fmt.Errorf("demo parcours: %w", err)
		}
		for _, p := range persons {
			// A person followed by two of these organisations gets one parcours.
			if p.Identity == nil || p.Contact == nil || done[p.ID] {
				continue
			}
			done[p.ID] = true
			if len(kept) < demoWalkPersons && p.Contact.Email != "" {
				if ids, err := a.store.PersonsByEmail(ctx, p.Contact.Email, 2); err == nil && len(ids) == 1 {
					kept = append(kept, walk{p.ID, p.Contact.Email, adv.email, org.ID, p.Identity.FamilyName})
					continue
				}
			}
			ok, err := a.demoPersonParcours(ctx, r, rules, q, signer, p, org, agent, byKind, now)
			if err != nil {
				return fmt.Errorf("demo parcours of %s: %w", p.ID, err)
			}
			n++
			if ok {
				signed++
			}
		}
	}
	fmt.Fprintf(stdout, "Parcours de démonstration : %d orientations, %d contrats signés.\n", n, signed)
	for i, k := range kept {
		fmt.Fprintf(stdout, "Parcours à dérouler : usager %s (adresse %s), compte %s, structure %s.\n", k.id, k.email, k.adviser, k.org)
		if i == 0 {
			// Her name finds her in the adviser's list ("Mes usagers").
			fmt.Fprintf(stdout, "Nom de famille de l'usager à dérouler : %s.\n", k.name)
		}
	}
	return nil
}

// demoAnswers are answers to the questionnaire drawn at random.
func demoAnswers(r *rand.Rand, q orientation.Questionnaire) orientation.Answers {
	a := orientation.Answers{}
	for _, qu := range q.Questions {
		switch {
		case qu.Kind == orientation.KindMulti:
			for _, o := range qu.Options {
				if r.IntN(6) == 0 {
					a[qu.ID] = append(a[qu.ID], o.Value)
				}
			}
		default:
			a[qu.ID] = []string{qu.Options[r.IntN(len(qu.Options))].Value}
		}
	}
	return a
}

func (a *app) demoPersonParcours(ctx context.Context, r *rand.Rand, rules *orientation.Ruleset, q orientation.Questionnaire, signer *commitment.Signer,
	p *socle.Person, org *socle.Organisation, agent *socle.Agent, byKind map[string]*socle.Organisation, now time.Time) (bool, error) {
	answers := demoAnswers(r, q)
	decided := now.Add(-time.Duration(r.IntN(75*24)) * time.Hour)
	in := orientation.Input{Answers: answers, Age: orientation.Age(p.Identity.BirthDate, socle.DateOf(decided))}
	if p.Parcours != nil {
		in.Situation, in.Constraints = p.Parcours.Situation, p.Parcours.Constraints
	}
	prop := rules.Evaluate(in)
	raw, err := answers.Encode()
	if err != nil {
		return false, err
	}
	dep := socle.DepartementOf(p.Contact.CommuneCode)
	// The chosen operator is an organisation of the proposed kind in the
	// person's département, the adviser's own when it is of that kind.
	chosen := org
	if org.Kind != prop.OperatorKind {
		key := string(prop.OperatorKind) + "/" + dep
		if _, ok := byKind[key]; !ok {
			orgs, err := a.store.Organisations(ctx, socle.OrganisationFilter{Kind: prop.OperatorKind, Departement: dep, Limit: 1})
			if err != nil {
				return false, err
			}
			byKind[key] = nil
			if len(orgs) > 0 {
				byKind[key] = orgs[0]
			}
		}
		if byKind[key] != nil {
			chosen = byKind[key]
		}
	}
	o := &socle.Orientation{
		ID: socle.NewID(socle.PrefixOrientation), PersonID: p.ID, OperatorKind: prop.OperatorKind, Parcours: prop.Parcours, Modalite: prop.Modalite,
		OrganisationID: chosen.ID, Reasons: prop.Texts(), Status: socle.OrientationStatusConfirmed, DecidedByAgentID: agent.ID, DecidedAt: decided,
		QuestionnaireVersion: q.Version, RulesetVersion: prop.RulesetVersion, ProposedOperatorKind: prop.OperatorKind,
		ProposedParcours: prop.Parcours, ProposedModalite: prop.Modalite, Departement: dep, Answers: raw, CreatedAt: decided.Add(-20 * time.Minute),
	}
	if chosen.Kind != prop.OperatorKind {
		o.OperatorKind = chosen.Kind
		o.OverrideReason = "Aucun opérateur de ce type dans le département de la personne."
	}
	if err := a.store.CreateOrientation(ctx, o); err != nil {
		return false, err
	}
	start := decided.AddDate(0, 0, 2+r.IntN(20)).Truncate(time.Hour)
	e := &socle.Event{ID: socle.NewID(socle.PrefixEvent), PersonID: p.ID, OrganisationID: org.ID, AgentID: agent.ID, Kind: socle.EventAppointment,
		Title: "Premier rendez-vous d'accompagnement", Start: start, End: start.Add(45 * time.Minute), CreatedAt: decided}
	if err := a.store.CreateEvent(ctx, e); err != nil {
		return false, err
	}
	if r.IntN(10) < 2 {
		return false, nil // no contract yet
	}
	c := &socle.Commitment{ID: socle.NewID(socle.PrefixCommitment), PersonID: p.ID, OrientationID: o.ID, Version: 1,
		OrganisationID: org.ID, AgentID: agent.ID, CreatedAt: start, Status: socle.CommitmentToSign}
	doc, err := commitment.New(commitment.Input{CommitmentID: c.ID, Version: 1, Person: p, Organisation: org, Orientation: o, At: start,
		Actions: []string{"Mettre à jour le CV avec le conseiller", "Participer à un atelier de recherche d'emploi"}})
	if err != nil {
		return false, err
	}
	c.Actions = doc.Actions
	if c.Document, err = doc.Canonical(); err != nil {
		return false, err
	}
	c.DocumentHash = commitment.Hash(c.Document)
	if err := a.store.CreateCommitment(ctx, c); err != nil {
		return false, err
	}
	if r.IntN(4) == 0 {
		return false, nil // drawn up, not signed yet
	}
	for _, s := range []struct{ role, id string }{{socle.SignerAdviser, agent.ID}, {socle.SignerPerson, p.ID}} {
		sig, err := signer.Sign(c.DocumentHash, s.role, s.id, start.Add(10*time.Minute))
		if err != nil {
			return false, err
		}
		if _, err := a.store.AddSignature(ctx, c.ID, sig); err != nil {
			return false, err
		}
	}
	return true, nil
}
