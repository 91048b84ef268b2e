package gate_test

import (
	"context"
	"strings"
	"testing"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/orientation"
	"socle/store/storetest"
)

// disabilityAdviser adds to env an adviser of the disability-employment
// operator who follows e.followed: her agreement grants health.
func disabilityAdviser(t *testing.T, e *env) gate.Request {
	t.Helper()
	actor := newAdviser(t, e.db, storetest.NewOrganisation("Cap emploi Rhône", socle.KindDisability, "69"), "paul@capemploi69.fr")
	if err := e.db.CreateFollowup(context.Background(), &socle.Followup{PersonID: e.followed.ID, OrganisationID: actor.OrganisationID, AgentID: actor.AgentID,
		Start: socle.NewDate(2025, 6, 1)}); err != nil {
		t.Fatal(err)
	}
	return gate.Request{Actor: actor, Purpose: "accompagnement", RequestID: "dis"}
}

// lastLeaf returns the last audit entry.
func lastLeaf(t *testing.T, e *env) string {
	t.Helper()
	last, err := e.log.Entry(context.Background(), e.log.Size()-1)
	if err != nil {
		t.Fatal(err)
	}
	return string(last.Leaf)
}

func TestHealthFreinsOnlyWhereHealthIsGranted(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	ml, dis := e.req("accompagnement"), disabilityAdviser(t, e)
	health := socle.DiagnosticUpdate{Freins: []socle.FreinInput{{Theme: socle.ThemeSante, Level: socle.FreinImportant, Comment: "Douleurs dorsales."}}}

	// The mission locale's agreement has no health: it cannot set one.
	if _, err := p.SaveDiagnostic(ctx, ml, e.followed.ID, 0, health); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a health frein written without health: err = %v, want EFORBIDDEN", err)
	}
	d, err := p.SaveDiagnostic(ctx, dis, e.followed.ID, 0, health)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || d.Frein(socle.ThemeSante) == nil {
		t.Fatalf("after the disability adviser's save: %+v", d)
	}
	if !strings.Contains(lastLeaf(t, e), `"categories":"parcours,health"`) {
		t.Errorf("the health write is not audited with its category: %s", lastLeaf(t, e))
	}
	mlUpdate := socle.DiagnosticUpdate{Freins: []socle.FreinInput{{Theme: socle.ThemeMobilite, Level: socle.FreinBlocking}},
		Situation: &socle.ProfessionalSituation{Status: socle.WorkNone, Project: []socle.ROMEAppellation{{Code: "10891", ROME: "J1501", Label: "Aide-soignant / Aide-soignante"}}}}
	if _, err := p.SaveDiagnostic(ctx, ml, e.followed.ID, 0, mlUpdate); socle.ErrorCode(err) != socle.ESTALE {
		t.Fatalf("a save over a stale version: err = %v, want ESTALE", err)
	}
	if _, err := p.SaveDiagnostic(ctx, ml, e.followed.ID, 1, mlUpdate); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name       string
		req        gate.Request
		wantHealth bool
	}{
		{"mission locale, accompagnement", ml, false},
		{"mission locale, orientation", e.req("orientation"), false},
		{"disability operator, accompagnement", dis, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := p.Diagnostic(ctx, tt.req, e.followed.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Frein(socle.ThemeSante) != nil; got != tt.wantHealth {
				t.Errorf("health frein shown = %v, want %v", got, tt.wantHealth)
			}
			if d.Frein(socle.ThemeMobilite) == nil || d.Version != 2 {
				t.Errorf("diagnostic = %+v, want version 2 with the mobility frein", d)
			}
			if got := strings.Contains(lastLeaf(t, e), `"categories":"parcours,health"`); got != tt.wantHealth {
				t.Errorf("audited with health = %v, want %v: %s", got, tt.wantHealth, lastLeaf(t, e))
			}
			s, err := p.DiagnosticSummary(ctx, tt.req, e.followed.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range s.Freins {
				if f.Theme == socle.ThemeSante && !tt.wantHealth {
					t.Errorf("the summary carries a health frein")
				}
			}
		})
	}
}

func TestFormerConstraintsReadAsFreins(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	ml := e.req("accompagnement")
	// storetest.NewPerson holds the codes mobilite and logement.
	d, err := p.Diagnostic(ctx, ml, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []string{socle.ThemeMobilite, socle.ThemeLogement} {
		if f := d.Frein(th); f == nil || !f.By.Migrated || !f.At.IsZero() {
			t.Errorf("former constraint %s: %+v, want a migrated frein without date", th, f)
		}
	}
	d, err = p.SaveDiagnostic(ctx, ml, e.followed.ID, 0, socle.DiagnosticUpdate{Freins: []socle.FreinInput{{Theme: socle.ThemeMobilite, Level: socle.FreinLifted, Comment: "Permis obtenu."}}})
	if err != nil {
		t.Fatal(err)
	}
	if f := d.Frein(socle.ThemeMobilite); f.By.Migrated || f.By.AgentID != ml.Actor.AgentID || len(f.History) != 1 {
		t.Errorf("mobility after the adviser's change: %+v", f)
	}
	again, err := p.Diagnostic(ctx, ml, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f := again.Frein(socle.ThemeMobilite); f == nil || f.Level != socle.FreinLifted || f.By.Migrated {
		t.Errorf("mobility read back: %+v", f)
	}
	if f := again.Frein(socle.ThemeLogement); f == nil || !f.By.Migrated {
		t.Errorf("housing, still a former code: %+v", f)
	}
}

func TestThePersonAddsToHerDiagnostic(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	self := e.self(e.followed)
	d, err := p.AddToMyDiagnostic(ctx, self, 0, socle.FreinInput{Theme: socle.ThemeSante, Level: socle.FreinLight, Comment: "Je suis souvent fatiguée."})
	if err != nil {
		t.Fatal(err)
	}
	if f := d.Frein(socle.ThemeSante); f == nil || !f.By.Person {
		t.Fatalf("her addition: %+v, want it marked as hers", f)
	}
	mine, err := p.MyDiagnostic(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	if f := mine.Frein(socle.ThemeSante); f == nil || !f.By.Person || f.Comment != "Je suis souvent fatiguée." {
		t.Errorf("her own diagnostic: %+v", mine.Freins)
	}
	if _, err := p.AddToMyDiagnostic(ctx, self, 1, socle.FreinInput{Theme: "loisirs", Level: socle.FreinLight}); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("an unknown theme: err = %v, want EINVALID", err)
	}
	// The mission locale does not see her health frein.
	d, err = p.Diagnostic(ctx, e.req("accompagnement"), e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Frein(socle.ThemeSante) != nil {
		t.Errorf("a mission locale sees the person's health frein")
	}
}

func TestContractIsGeneratedFromThePlanAndVersionedWithIt(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	ml, dis := e.req("accompagnement"), disabilityAdviser(t, e)
	orient := e.req("orientation")
	answers := orientation.Answers{"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}
	o, _, err := orientation.Propose(ctx, p, orient, e.followed.ID, answers)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orientation.Confirm(ctx, p, orient, o.ID, gate.Choice{OperatorKind: o.OperatorKind, Parcours: o.Parcours, Modalite: o.Modalite,
		OrganisationID: e.adviser.OrganisationID}); err != nil {
		t.Fatal(err)
	}
	if _, err := commitment.DrawFromPlan(ctx, p, ml, e.followed.ID); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("a contract without a plan: err = %v, want ECONFLICT", err)
	}
	withHealth := &socle.Plan{
		Objectives: []socle.Objective{{Title: "Engager un suivi de santé", Freins: []string{socle.ThemeSante}}},
		Actions:    []socle.PlanAction{{ObjectiveID: "1", Title: "Bilan de santé", Provider: "CPAM du Rhône"}}}
	if _, err := p.SavePlan(ctx, ml, e.followed.ID, withHealth); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a health objective without health: err = %v, want EFORBIDDEN", err)
	}
	v1, err := p.SavePlan(ctx, dis, e.followed.ID, withHealth)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || len(v1.Objectives) != 1 {
		t.Fatalf("first version: %+v", v1)
	}
	// The mission locale writes the next version: the health objective it
	// cannot read is carried over.
	v2, err := p.SavePlan(ctx, ml, e.followed.ID, &socle.Plan{
		Objectives: []socle.Objective{{Title: "Obtenir le permis B", Freins: []string{socle.ThemeMobilite}}},
		Actions:    []socle.PlanAction{{ObjectiveID: "1", Title: "Code de la route", Provider: "Auto-école sociale de Lyon", Due: socle.NewDate(2026, 6, 30)}}})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || len(v2.Objectives) != 1 {
		t.Fatalf("second version as the mission locale reads it: %+v", v2)
	}
	full, err := p.Plan(ctx, dis, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Objectives) != 2 || len(full.Actions) != 2 {
		t.Fatalf("second version as the disability operator reads it: %d objectives, want the health one kept", len(full.Objectives))
	}
	c1, err := commitment.DrawFromPlan(ctx, p, ml, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c1.PlanVersion != 2 || len(c1.Actions) != 1 || !strings.Contains(c1.Actions[0], "Auto-école sociale de Lyon") {
		t.Fatalf("contract = version of plan %d, actions %q: want plan 2 without the health action", c1.PlanVersion, c1.Actions)
	}
	if doc, err := commitment.Parse(c1.Document); err != nil || doc.PlanVersion != 2 {
		t.Fatalf("the signed document does not name the plan version: %v %+v", err, doc)
	}
	if _, err := commitment.DrawFromPlan(ctx, p, ml, e.followed.ID); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("a second contract of one plan version: err = %v, want ECONFLICT", err)
	}
	healthAction := full.Actions[0].ID
	if full.Objective(full.Actions[0].ObjectiveID).Category() != socle.CatHealth {
		healthAction = full.Actions[1].ID
	}
	if _, err := p.UpdatePlanAction(ctx, ml, e.followed.ID, v2.Actions[0].ID, socle.ActionChange{Status: socle.ActionOngoing}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpdatePlanAction(ctx, ml, e.followed.ID, healthAction, socle.ActionChange{Status: socle.ActionDone}); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("a health action moved without health: err = %v, want ENOTFOUND", err)
	}
	if _, err := p.RecordPlanAgreement(ctx, ml, e.followed.ID, 2); err != nil {
		t.Fatal(err)
	}
	v3, err := p.SavePlan(ctx, ml, e.followed.ID, &socle.Plan{Objectives: v2.Objectives, Actions: append(v2.Actions,
		socle.PlanAction{ObjectiveID: v2.Objectives[0].ID, Title: "Évaluation de conduite", Provider: "Auto-école sociale de Lyon"})})
	if err != nil {
		t.Fatal(err)
	}
	if v3.Version != 3 || v3.Agreement != nil {
		t.Fatalf("third version: %+v, want a new version to agree to", v3)
	}
	c2, err := commitment.DrawFromPlan(ctx, p, ml, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Version != 2 || c2.PreviousID != c1.ID || c2.PlanVersion != 3 || len(c2.Actions) != 2 {
		t.Fatalf("contract of plan 3 = version %d (previous %s, plan %d, %d actions), want the amendment of the first", c2.Version, c2.PreviousID, c2.PlanVersion, len(c2.Actions))
	}
}

func TestPartnerSystemWritesTheDiagnosticUnderItsScopes(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	client := func(scopes ...string) gate.Request { return partnerSystem(e.adviser, "accompagnement", scopes...) }
	u := socle.DiagnosticUpdate{Freins: []socle.FreinInput{{Theme: socle.ThemeNumerique, Level: socle.FreinImportant}}}
	if _, err := p.SaveDiagnostic(ctx, client("accompagnement:read"), e.followed.ID, 0, u); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a client without the update scope: err = %v, want EFORBIDDEN", err)
	}
	d, err := p.SaveDiagnostic(ctx, client("accompagnement:read", "accompagnement:update"), e.followed.ID, 0, u)
	if err != nil {
		t.Fatal(err)
	}
	if f := d.Frein(socle.ThemeNumerique); f == nil || f.By.ClientID != "cli_ml" || f.By.OrganisationID != e.adviser.OrganisationID {
		t.Errorf("the client's frein: %+v, want it signed by the client and its organisation", f)
	}
}
