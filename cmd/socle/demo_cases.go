package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"socle"
	"socle/demo"
)

// demoCases opens one misuse case for the demo's privacy officer: off-hours
// consultations by an adviser of her own structure, so that her queue and
// the case page have something to show from the first minute.
func (a *app) demoCases(ctx context.Context, sum demo.Summary, stdout io.Writer) error {
	var officer, adviser *demo.Account
	for i, acc := range sum.Accounts {
		if acc.Role == socle.RoleAuditor && officer == nil {
			officer = &sum.Accounts[i]
		}
	}
	for i, acc := range sum.Accounts {
		if officer != nil && acc.Role == socle.RoleAdviser && acc.Organisation == officer.Organisation && adviser == nil {
			adviser = &sum.Accounts[i]
		}
	}
	if officer == nil || adviser == nil {
		return nil
	}
	agent, err := a.store.AgentByEmail(ctx, adviser.Email)
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	c, err := a.cases.Raise(ctx, &socle.Alert{Rule: "off_hours", Score: 2.5, Principal: "agent:" + agent.ID, OrganisationID: agent.OrganisationID,
		OccurredAt: lateEvening(lastWorkingDay(time.Now())),
		Reason:     "Consultations de dossiers à 23 h 40, hors des horaires de la structure, sans rendez-vous ni accueil déclaré."})
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	fmt.Fprintf(stdout, "Dossier d'enquête de démonstration pour %s : %s (consultations hors horaires de %s).\n", officer.Email, c.ID, adviser.Name)
	return nil
}

// lateEvening is 23:40 in Paris on t's day, the time the demo case's
// alert tells.
func lateEvening(t time.Time) time.Time {
	zone := journalZoneOf()
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 40, 0, 0, zone)
}
