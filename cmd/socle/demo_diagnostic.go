package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"socle"
	"socle/demo"
	"socle/rome"
)

// demoDiagnosticsPerAdviser is how many persons of each demo adviser's
// organisation get a diagnostic global and a plan d'action.
const demoDiagnosticsPerAdviser = 4

// demoDiagnostics gives a few persons with a confirmed orientation and no
// contract yet a diagnostic (freins with a history, a health one sealed,
// a project) and a plan d'action, and keeps one without any, to fill by
// hand; it prints her.
func (a *app) demoDiagnostics(ctx context.Context, sum demo.Summary, stdout io.Writer) error {
	advisers, err := a.demoAdvisers(ctx, sum)
	if err != nil {
		return fmt.Errorf("demo diagnostics: %w", err)
	}
	now := time.Now().UTC()
	job, _ := rome.FullIndex().AppellationByLabel("Aide-soignant / Aide-soignante")
	var kept, keptEmail, keptAdviser string
	n := 0
	for _, adv := range advisers {
		persons, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: adv.org.ID, Limit: demoParcoursPerOrganisation}, socle.SetOf(socle.CatIdentity, socle.CatContact))
		if err != nil {
			return fmt.Errorf("demo diagnostics: %w", err)
		}
		given := 0
		for _, p := range persons {
			if given == demoDiagnosticsPerAdviser && kept != "" {
				break
			}
			ready, err := a.demoReadyForPlan(ctx, p.ID)
			if err != nil {
				return fmt.Errorf("demo diagnostics: %w", err)
			}
			switch {
			case !ready:
			case kept == "" && a.demoReachable(ctx, p):
				kept, keptEmail, keptAdviser = p.ID, p.Contact.Email, adv.email
			case given < demoDiagnosticsPerAdviser:
				if err := a.demoDiagnostic(ctx, p.ID, adv.org.ID, adv.agent.ID, job, now); err != nil {
					return fmt.Errorf("demo diagnostic of %s: %w", p.ID, err)
				}
				given++
				n++
			}
		}
	}
	fmt.Fprintf(stdout, "Diagnostics de démonstration : %d diagnostics et plans d'action.\n", n)
	if kept != "" {
		fmt.Fprintf(stdout, "Diagnostic à établir : usager %s (adresse %s), compte %s.\n", kept, keptEmail, keptAdviser)
	}
	return nil
}

// demoReachable reports whether a person can sign in to her space: an
// e-mail address of her own.
func (a *app) demoReachable(ctx context.Context, p *socle.Person) bool {
	if p.Contact == nil || p.Contact.Email == "" {
		return false
	}
	ids, err := a.store.PersonsByEmail(ctx, p.Contact.Email, 2)
	return err == nil && len(ids) == 1
}

// demoReadyForPlan reports whether a person has a confirmed orientation,
// no contract and no diagnostic yet.
func (a *app) demoReadyForPlan(ctx context.Context, personID string) (bool, error) {
	os, err := a.store.Orientations(ctx, personID)
	if err != nil || len(os) == 0 || os[0].Status != socle.OrientationStatusConfirmed {
		return false, err
	}
	cs, err := a.store.Commitments(ctx, personID)
	if err != nil || len(cs) > 0 {
		return false, err
	}
	d, err := a.store.Diagnostic(ctx, personID, socle.SetOf(socle.CatParcours))
	return err == nil && d.Version == 0, err
}

// demoDiagnostic writes a person's diagnostic in two versions (a frein
// lightened since) and her plan.
func (a *app) demoDiagnostic(ctx context.Context, personID, orgID, agentID string, job socle.ROMEAppellation, now time.Time) error {
	by := socle.DiagnosticAuthor{AgentID: agentID, OrganisationID: orgID}
	first := now.AddDate(0, 0, -21).Truncate(time.Minute)
	sit := &socle.ProfessionalSituation{Status: socle.WorkNone, Note: "Dernier emploi en 2024, en restauration collective.", Project: []socle.ROMEAppellation{}}
	if job.Code != "" {
		sit.Project = append(sit.Project, job)
	}
	if _, err := a.store.SaveDiagnostic(ctx, personID, 0, []socle.FreinChange{
		{Theme: socle.ThemeMobilite, Level: socle.FreinImportant, Comment: "Pas de permis ; transports en commun le matin seulement.", At: first, By: by},
		{Theme: socle.ThemeFamille, Level: socle.FreinLight, Comment: "Deux enfants scolarisés, garde le mercredi à trouver.", At: first, By: by},
		{Theme: socle.ThemeSante, Level: socle.FreinLight, Comment: "Douleurs dorsales : éviter le port de charges.", At: first, By: by},
	}, sit); err != nil {
		return err
	}
	if _, err := a.store.SaveDiagnostic(ctx, personID, 1, []socle.FreinChange{
		{Theme: socle.ThemeMobilite, Level: socle.FreinLight, Comment: "Inscrite au code de la route ; covoiturage trouvé.", At: first.AddDate(0, 0, 14), By: by},
	}, nil); err != nil {
		return err
	}
	pl := &socle.Plan{PersonID: personID, Version: 1, OrganisationID: orgID, AgentID: agentID, CreatedAt: first.AddDate(0, 0, 1),
		Objectives: []socle.Objective{
			{Title: "Se rendre seule sur les lieux de travail", Freins: []string{socle.ThemeMobilite}},
			{Title: "Accéder à une formation d'aide-soignante", Freins: []string{socle.ThemeFormation}},
		},
		Actions: []socle.PlanAction{
			{ObjectiveID: "1", Title: "Code de la route", Provider: "Auto-école sociale", Start: socle.DateOf(first), Due: socle.DateOf(first.AddDate(0, 3, 0)), Status: socle.ActionOngoing},
			{ObjectiveID: "2", Title: "Immersion en EHPAD", Provider: "France Travail (PMSMP)", Due: socle.DateOf(first.AddDate(0, 2, 0))},
			{ObjectiveID: "2", Title: "Information collective IFAS", Provider: "Institut de formation d'aides-soignants", Status: socle.ActionAbandoned, Reason: "Session complète ; inscrite à la suivante."},
		}}
	if err := pl.Prepare(pl.CreatedAt); err != nil {
		return err
	}
	return a.store.CreatePlan(ctx, pl)
}
