package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"socle"
	"socle/demo"
)

// demoHandoffs are the orientation requests of the demo: from the first
// adviser's structure to the other demo structures of its département,
// over the last two months, answered (accepted or refused with a reason),
// waiting, or past their deadline and with the committee, so that the
// queues and the indicators have something to show. Persons without an
// orientation (the one kept to walk the path by hand) get none.
func (a *app) demoHandoffs(ctx context.Context, sum demo.Summary, stdout io.Writer) error {
	advisers, err := a.demoAdvisers(ctx, sum)
	if err != nil || len(advisers) < 2 {
		return err
	}
	from := advisers[0]
	var to []demoAdviser
	for _, adv := range advisers[1:] {
		if adv.org.Kind == socle.KindYouth || adv.org.Kind == socle.KindDisability {
			to = append(to, adv)
		}
	}
	if len(to) == 0 {
		return nil
	}
	persons, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: from.org.ID, Limit: 120}, socle.SetOf(socle.CatContact, socle.CatParcours))
	if err != nil {
		return fmt.Errorf("demo orientation requests: %w", err)
	}
	r := rand.New(rand.NewPCG(17, 3))
	rules := socle.DefaultHandoffDeadlines
	now := time.Now().UTC()
	n := 0
	for _, p := range persons {
		if n == 40 {
			break
		}
		if os, err := a.store.Orientations(ctx, p.ID); err != nil {
			return fmt.Errorf("demo orientation requests: %w", err)
		} else if len(os) == 0 || p.Contact == nil {
			continue
		}
		dest := to[n%len(to)]
		sent := now.Add(-time.Duration(2+r.IntN(58*24)) * time.Hour)
		if n%10 == 9 {
			sent = now.Add(-time.Duration(20+r.IntN(10)) * 24 * time.Hour) // left unanswered
		}
		hr := &socle.OrientationRequest{PersonID: p.ID, FromOrganisationID: from.org.ID, FromAgentID: from.agent.ID, ToOrganisationID: dest.org.ID,
			Departement: socle.DepartementOf(p.Contact.CommuneCode), Parcours: socle.ParcoursProfessional, Motive: "Accompagnement adapté à son projet.",
			Summary: socle.HandoffSummaryOf(p), Status: socle.HandoffSent, Deadline: rules.DeadlineOf(socle.DateOf(sent)), CreatedAt: sent}
		if err := a.store.CreateOrientationRequest(ctx, hr, nil); err != nil {
			return fmt.Errorf("demo orientation request: %w", err)
		}
		answered := sent.Add(time.Duration(4+r.IntN(10*24)) * time.Hour)
		switch {
		case n%10 == 9:
			hr.RemindedAt, hr.EscalatedAt = sent.AddDate(0, 0, 9), sent.AddDate(0, 0, 15)
			if _, err := a.store.MarkOrientationRequest(ctx, &socle.OrientationRequest{ID: hr.ID, RemindedAt: hr.RemindedAt}); err != nil {
				return err
			}
			if _, err := a.store.MarkOrientationRequest(ctx, &socle.OrientationRequest{ID: hr.ID, EscalatedAt: hr.EscalatedAt}); err != nil {
				return err
			}
		case answered.After(now):
			// Still waiting for its answer.
		case n%3 == 2:
			hr.Status, hr.AnsweredAt, hr.AnsweredByAgentID = socle.HandoffRefused, answered, dest.agent.ID
			hr.RefusalReason = socle.HandoffRefusalReasons[r.IntN(len(socle.HandoffRefusalReasons)-1)]
			if err := a.store.AnswerOrientationRequest(ctx, hr, nil, socle.Date{}); err != nil {
				return err
			}
		default:
			hr.Status, hr.AnsweredAt, hr.AnsweredByAgentID = socle.HandoffAccepted, answered, dest.agent.ID
			day := socle.DateOf(answered)
			take := &socle.Followup{PersonID: p.ID, OrganisationID: dest.org.ID, AgentID: dest.agent.ID, Start: day}
			if err := a.store.AnswerOrientationRequest(ctx, hr, take, socle.DateOf(answered.AddDate(0, 0, -1))); err != nil {
				return err
			}
		}
		n++
	}
	fmt.Fprintf(stdout, "Demandes d'orientation de démonstration : %d, de %s.\n", n, from.org.Name)
	return nil
}
