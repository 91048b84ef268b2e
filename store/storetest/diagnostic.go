package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"socle"
)

// RunDiagnostic runs the suite of diagnostics and plans: history kept,
// versions checked, health freins and objectives sealed at rest and
// shredded with the person's key.
func RunDiagnostic(t *testing.T, open func(t *testing.T) Raw) {
	runTests(t, open, "raw store", []storeTest[Raw]{
		{"DiagnosticHistory", testDiagnosticHistory},
		{"DiagnosticHealthSealed", testDiagnosticHealthSealed},
		{"PlanVersions", testPlanVersions},
		{"PlanHealthSealed", testPlanHealthSealed},
		{"CommitmentNamesPlanVersion", testCommitmentPlanVersion},
	})
}

var adviserAuthor = socle.DiagnosticAuthor{AgentID: "agt_x", OrganisationID: "org_x"}

func freinChange(theme, level, comment string, at time.Time, by socle.DiagnosticAuthor) socle.FreinChange {
	return socle.FreinChange{Theme: theme, Level: level, Comment: comment, At: at.UTC().Truncate(time.Second), By: by}
}

func testDiagnosticHistory(t *testing.T, r Raw) {
	ctx := context.Background()
	s := r.Store
	p := createPerson(t, s, 1)
	empty, err := s.Diagnostic(ctx, p.ID, socle.AllCategories)
	must(t, err)
	if empty.Version != 0 || len(empty.Freins) != 0 {
		t.Fatalf("a person without diagnostic: %+v", empty)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sit := &socle.ProfessionalSituation{Status: socle.WorkNone, Project: []socle.ROMEAppellation{{Code: "10891", Label: "Aide-soignant / Aide-soignante", ROME: "J1501"}}}
	v, err := s.SaveDiagnostic(ctx, p.ID, 0, []socle.FreinChange{
		freinChange(socle.ThemeMobilite, socle.FreinImportant, "Pas de permis.", t0, adviserAuthor),
		freinChange(socle.ThemeLogement, socle.FreinLight, "", t0, adviserAuthor),
	}, sit)
	must(t, err)
	if v != 1 {
		t.Fatalf("first version = %d, want 1", v)
	}
	self := socle.DiagnosticAuthor{Person: true}
	v, err = s.SaveDiagnostic(ctx, p.ID, 1, []socle.FreinChange{freinChange(socle.ThemeMobilite, socle.FreinLight, "J'ai une voiture depuis mai.", t0.Add(time.Hour), self)}, nil)
	must(t, err)
	if v != 2 {
		t.Fatalf("second version = %d, want 2", v)
	}
	if _, err := s.SaveDiagnostic(ctx, p.ID, 1, []socle.FreinChange{freinChange(socle.ThemeLogement, socle.FreinLifted, "", t0, adviserAuthor)}, nil); socle.ErrorCode(err) != socle.ESTALE {
		t.Fatalf("a save over a stale version: err = %v, want ESTALE", err)
	}
	d, err := s.Diagnostic(ctx, p.ID, socle.SetOf(socle.CatParcours))
	must(t, err)
	if d.Version != 2 || len(d.Freins) != 2 {
		t.Fatalf("diagnostic = %+v, want version 2 with two freins", d)
	}
	mob := d.Frein(socle.ThemeMobilite)
	if mob == nil || mob.Level != socle.FreinLight || !mob.By.Person || len(mob.History) != 2 || mob.History[1].Level != socle.FreinImportant {
		t.Fatalf("mobility frein = %+v, want the person's change on top of the adviser's", mob)
	}
	sameJSON(t, "situation kept by a save without one", d.Situation, sit)
}

func testDiagnosticHealthSealed(t *testing.T, r Raw) {
	ctx := context.Background()
	s := r.Store
	p := createPerson(t, s, 2)
	secret := "Suivi psychiatrique en cours."
	_, err := s.SaveDiagnostic(ctx, p.ID, 0, []socle.FreinChange{
		freinChange(socle.ThemeSante, socle.FreinBlocking, secret, time.Now(), adviserAuthor),
		freinChange(socle.ThemeNumerique, socle.FreinLight, "", time.Now(), adviserAuthor),
	}, nil)
	must(t, err)
	rows, err := r.DB.QueryContext(ctx, rebind(r, `SELECT category, change, sealed FROM diagnostic_changes WHERE person_id = ?`), p.ID)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var cat string
		var clear, sealed []byte
		must(t, rows.Scan(&cat, &clear, &sealed))
		if bytes.Contains(clear, []byte("psychiatrique")) || bytes.Contains(sealed, []byte("psychiatrique")) || bytes.Contains(clear, []byte(socle.ThemeSante)) {
			t.Fatalf("the health frein is stored in clear (%s)", cat)
		}
		if cat == string(socle.CatHealth) && sealed == nil {
			t.Fatal("the health frein is not sealed")
		}
	}
	must(t, rows.Err())
	without, err := s.Diagnostic(ctx, p.ID, socle.SetOf(socle.CatParcours))
	must(t, err)
	if without.Frein(socle.ThemeSante) != nil || without.Frein(socle.ThemeNumerique) == nil {
		t.Fatalf("without health: %+v, want the digital frein only", without.Freins)
	}
	with, err := s.Diagnostic(ctx, p.ID, socle.SetOf(socle.CatParcours, socle.CatHealth))
	must(t, err)
	if f := with.Frein(socle.ThemeSante); f == nil || f.Comment != secret {
		t.Fatalf("with health: %+v, want the health frein opened", with.Freins)
	}
	must(t, s.ShredPerson(ctx, p.ID))
	shredded, err := s.Diagnostic(ctx, p.ID, socle.AllCategories)
	must(t, err)
	if shredded.Frein(socle.ThemeSante) != nil || shredded.Frein(socle.ThemeNumerique) == nil {
		t.Fatalf("after shredding: %+v, want the health frein gone, the others kept", shredded.Freins)
	}
	// A new key after shredding seals new health changes; nothing old fails to open.
	_, err = s.SaveDiagnostic(ctx, p.ID, shredded.Version, []socle.FreinChange{freinChange(socle.ThemeSante, socle.FreinLight, "", time.Now(), adviserAuthor)}, nil)
	must(t, err)
	again, err := s.Diagnostic(ctx, p.ID, socle.AllCategories)
	must(t, err)
	if f := again.Frein(socle.ThemeSante); f == nil || len(f.History) != 1 {
		t.Fatalf("after a new health change: %+v", again.Freins)
	}
}

// newPlan returns a first plan version with a mobility objective and a
// health one, each with an action.
func newPlan(personID string) *socle.Plan {
	p := &socle.Plan{PersonID: personID, Version: 1, OrganisationID: "", CreatedAt: time.Now(),
		Objectives: []socle.Objective{
			{Title: "Se déplacer seule jusqu'aux lieux de travail", Freins: []string{socle.ThemeMobilite}},
			{Title: "Engager un suivi de santé", Freins: []string{socle.ThemeSante}},
		},
		Actions: []socle.PlanAction{
			{ObjectiveID: "1", Title: "Code de la route", Provider: "Auto-école sociale de Lyon", Start: socle.NewDate(2026, 4, 1), Due: socle.NewDate(2026, 6, 30)},
			{ObjectiveID: "2", Title: "Bilan de santé", Provider: "Centre d'examens de santé CPAM"},
		}}
	if err := p.Prepare(p.CreatedAt); err != nil {
		panic(err)
	}
	return p
}

func testPlanVersions(t *testing.T, r Raw) {
	ctx := context.Background()
	s := r.Store
	person := createPerson(t, s, 3)
	if _, err := s.Plan(ctx, person.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("no plan yet: err = %v, want ENOTFOUND", err)
	}
	p1 := newPlan(person.ID)
	must(t, s.CreatePlan(ctx, p1))
	if err := s.CreatePlan(ctx, newPlan(person.ID)); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("a second version 1: err = %v, want ECONFLICT", err)
	}
	a := p1.Actions[0]
	must(t, a.Move(socle.ActionChange{Status: socle.ActionOngoing}, time.Now()))
	must(t, s.UpdatePlanAction(ctx, p1.ID, a))
	agreed := socle.PlanAgreement{At: time.Now().UTC().Truncate(time.Second), ByPerson: true}
	must(t, s.AgreePlan(ctx, p1.ID, agreed))
	if err := s.AgreePlan(ctx, p1.ID, agreed); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("a second agreement: err = %v, want ECONFLICT", err)
	}
	got, err := s.Plan(ctx, person.ID)
	must(t, err)
	if got.Action(a.ID).Status != socle.ActionOngoing || got.Agreement == nil || !got.Agreement.ByPerson {
		t.Fatalf("plan after the update and the agreement: %+v", got)
	}
	if len(got.Objectives) != 2 || len(got.Actions) != 2 {
		t.Fatalf("plan = %d objectives, %d actions; want 2 and 2", len(got.Objectives), len(got.Actions))
	}
	p2 := newPlan(person.ID)
	p2.Version = 2
	must(t, s.CreatePlan(ctx, p2))
	all, err := s.Plans(ctx, person.ID)
	must(t, err)
	if len(all) != 2 || all[0].Version != 2 || all[1].Version != 1 || all[0].Agreement != nil {
		t.Fatalf("versions = %d, want 2 then 1, the new one not agreed", len(all))
	}
	if err := s.UpdatePlanAction(ctx, p1.ID, socle.PlanAction{ID: socle.NewID(socle.PrefixAction), Status: socle.ActionDone}); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("an unknown action: err = %v, want ENOTFOUND", err)
	}
}

func testPlanHealthSealed(t *testing.T, r Raw) {
	ctx := context.Background()
	s := r.Store
	person := createPerson(t, s, 4)
	p := newPlan(person.ID)
	must(t, s.CreatePlan(ctx, p))
	var body string
	var sealed []byte
	must(t, r.DB.QueryRowContext(ctx, rebind(r, `SELECT body, sealed FROM plans WHERE id = ?`), p.ID).Scan(&body, &sealed))
	if bytes.Contains([]byte(body), []byte("santé")) || bytes.Contains(sealed, []byte("santé")) || sealed == nil {
		t.Fatal("the health objective of the plan is stored in clear")
	}
	// The health action's status changes in its sealed part.
	health := p.Actions[1]
	must(t, health.Move(socle.ActionChange{Status: socle.ActionAbandoned, Reason: "Déjà suivie par son médecin."}, time.Now()))
	must(t, s.UpdatePlanAction(ctx, p.ID, health))
	got, err := s.Plan(ctx, person.ID)
	must(t, err)
	if a := got.Action(health.ID); a == nil || a.Status != socle.ActionAbandoned || a.Reason == "" {
		t.Fatalf("health action after the update: %+v", a)
	}
	must(t, s.ShredPerson(ctx, person.ID))
	got, err = s.Plan(ctx, person.ID)
	must(t, err)
	if len(got.Objectives) != 1 || len(got.Actions) != 1 {
		t.Fatalf("after shredding: %d objectives, want the health one gone", len(got.Objectives))
	}
}

func testCommitmentPlanVersion(t *testing.T, r Raw) {
	ctx := context.Background()
	s := r.Store
	f := newParcoursFixture(t, s)
	o := &socle.Orientation{PersonID: f.person.ID, OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional,
		Modalite: socle.ModaliteGuide, Reasons: []string{}, Status: socle.OrientationStatusConfirmed, QuestionnaireVersion: 1, RulesetVersion: 1}
	must(t, s.CreateOrientation(ctx, o))
	c := &socle.Commitment{ID: socle.NewID(socle.PrefixCommitment), PersonID: f.person.ID, OrientationID: o.ID, Version: 1,
		Actions: []string{"Code de la route"}, Document: []byte("{}\n"), DocumentHash: "00", CreatedAt: time.Now(),
		Status: socle.CommitmentToSign, PlanVersion: 3}
	must(t, s.CreateCommitment(ctx, c))
	got, err := s.Commitment(ctx, c.ID)
	must(t, err)
	if got.PlanVersion != 3 {
		t.Fatalf("plan version = %d, want 3", got.PlanVersion)
	}
}
