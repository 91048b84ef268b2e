package gate_test

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/indicators"
	"socle/orientation"
)

func newParcours(t *testing.T, e *env) *gate.Parcours {
	t.Helper()
	k, err := commitment.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := commitment.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return gate.NewParcours(e.gate, e.db, s)
}

// newParcoursEnv is where most parcours tests start: env with the parcours
// service over its gate.
func newParcoursEnv(t *testing.T) (context.Context, *env, *gate.Parcours) {
	t.Helper()
	e := newEnv(t)
	return context.Background(), e, newParcours(t, e)
}

func wantErr(t *testing.T, err error, code string) {
	t.Helper()
	if socle.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func TestParcoursPath(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	answers := orientation.Answers{"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}

	_, _, err := orientation.Propose(ctx, p, e.req("orientation"), e.stranger.ID, answers)
	wantErr(t, err, socle.ENOTFOUND)
	_, _, err = orientation.Propose(ctx, p, e.req("accompagnement"), e.followed.ID, answers)
	wantErr(t, err, socle.EINVALID)
	_, _, err = orientation.Propose(ctx, p, e.req("orientation"), e.followed.ID, orientation.Answers{"projet": {"defini"}})
	wantErr(t, err, socle.EINVALID)

	o, prop, err := orientation.Propose(ctx, p, e.req("orientation"), e.followed.ID, answers)
	if err != nil {
		t.Fatal(err)
	}
	if prop.OperatorKind != socle.KindYouth || o.Status != socle.OrientationStatusProposed || len(o.Reasons) == 0 {
		t.Fatalf("proposal %+v, orientation %+v", prop, o)
	}
	choice := gate.Choice{OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional, Modalite: socle.ModaliteRenforce, OrganisationID: e.adviser.OrganisationID}
	_, err = orientation.Confirm(ctx, p, e.req("orientation"), o.ID, choice)
	wantErr(t, err, socle.EINVALID) // an override needs its reason
	choice.OverrideReason = "Demande un suivi rapproché pendant trois mois."
	o, err = orientation.Confirm(ctx, p, e.req("orientation"), o.ID, choice)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != socle.OrientationStatusConfirmed || !o.Overridden() {
		t.Fatalf("confirmed %+v", o)
	}
	_, err = orientation.Confirm(ctx, p, e.req("orientation"), o.ID, choice)
	wantErr(t, err, socle.ECONFLICT)

	start := time.Now().Add(time.Hour).Truncate(time.Minute)
	ev := &socle.Event{PersonID: e.followed.ID, Kind: socle.EventAppointment, Title: "Entretien", Start: start, End: start.Add(time.Hour)}
	if err := p.CreateEvent(ctx, e.req("accompagnement"), ev); err != nil {
		t.Fatal(err)
	}
	agenda, err := p.Agenda(ctx, e.req("accompagnement"), start.Add(-time.Hour), start.Add(24*time.Hour))
	if err != nil || len(agenda) != 1 {
		t.Fatalf("agenda %v, %v", agenda, err)
	}

	c, err := commitment.Draw(ctx, p, e.req("accompagnement"), e.followed.ID, []string{"Atelier CV", "Immersion"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SignAsAdviser(ctx, e.req("accompagnement"), c.ID); err != nil {
		t.Fatal(err)
	}
	pwd := e.req("accompagnement")
	pwd.Actor.Strength = socle.AuthPassword
	_, err = p.SignAsAdviser(ctx, pwd, c.ID)
	wantErr(t, err, socle.EFORBIDDEN)

	token, err := p.SigningLink(ctx, e.req("accompagnement"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen, err := p.CommitmentByLink(ctx, token, "r", "127.0.0.1")
	if err != nil || seen.ID != c.ID {
		t.Fatalf("link shows %v, %v", seen, err)
	}
	signed, err := p.SignWithLink(ctx, token, "r", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if signed.Status != socle.CommitmentSigned {
		t.Fatalf("status %s", signed.Status)
	}
	_, err = p.SignWithLink(ctx, token, "r", "127.0.0.1")
	wantErr(t, err, socle.EUNAUTHENTICATED)
	stored, err := p.Commitment(ctx, e.req("accompagnement"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if lines, err := commitment.Check(p.PublicKey(), stored, nil); err != nil || len(lines) != 3 {
		t.Fatalf("verify %v, %v", lines, err)
	}

	// The person herself, with an old authentication, cannot sign.
	self := e.self(e.followed)
	c2, err := commitment.Draw(ctx, p, e.req("accompagnement"), e.followed.ID, []string{"Atelier CV", "Immersion", "Formation"})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Version != 2 || c2.PreviousID != c.ID {
		t.Fatalf("amendment %+v", c2)
	}
	_, err = p.SignAsPerson(ctx, self, c2.ID, time.Now().Add(-10*time.Minute))
	wantErr(t, err, socle.EUNAUTHENTICATED)
	other := gate.Request{Actor: socle.Actor{PersonID: e.stranger.ID, Strength: socle.AuthClient}}
	_, err = p.SignAsPerson(ctx, other, c2.ID, time.Now())
	wantErr(t, err, socle.ENOTFOUND)
	if _, err := p.SignAsPerson(ctx, self, c2.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	_, err = indicators.Steering(ctx, p, e.req("statistique"), indicators.ByDepartement)
	wantErr(t, err, socle.EFORBIDDEN)
	stat := e.req("statistique")
	stat.Actor.Roles = []socle.Role{socle.RoleStatistician}
	r, err := indicators.Steering(ctx, p, stat, indicators.ByDepartement)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tables) != 6 || !r.Tables[0].Total.Suppressed() {
		t.Errorf("a single orientation is not suppressed: %+v", r.Tables[0].Total)
	}
}

// TestParcoursKeepsItsRecordsWhateverTheRulesSay: the gate names, dates
// and records a proposal as proposed whatever its caller set, and refuses
// a confirmation without a rule to check the choice, a contract without a
// drafter or one its drafter left without a document.
func TestParcoursKeepsItsRecordsWhateverTheRulesSay(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	orient, accomp := e.req("orientation"), e.req("accompagnement")

	o := &socle.Orientation{ID: "ori_chosen_by_caller", PersonID: e.followed.ID, OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional,
		Modalite: socle.ModaliteRenforce, Status: socle.OrientationStatusConfirmed,
		ProposedOperatorKind: socle.KindYouth, ProposedParcours: socle.ParcoursProfessional, ProposedModalite: socle.ModaliteRenforce}
	if err := p.RecordOrientation(ctx, orient, o); err != nil {
		t.Fatal(err)
	}
	stored, err := p.Orientations(ctx, orient, e.followed.ID)
	if err != nil || len(stored) != 1 {
		t.Fatalf("orientations %v, %v", stored, err)
	}
	if got := stored[0]; got.Status != socle.OrientationStatusProposed || got.ID == "ori_chosen_by_caller" || got.CreatedAt.IsZero() {
		t.Fatalf("recorded %+v; want a proposal named and dated by the gate", got)
	}
	if err := p.RecordOrientation(ctx, orient, nil); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("recording no orientation: %v, want EINVALID", err)
	}

	choice := gate.Choice{OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional, Modalite: socle.ModaliteRenforce, OrganisationID: e.adviser.OrganisationID}
	if _, err := p.ConfirmOrientation(ctx, orient, stored[0].ID, choice, nil); err == nil {
		t.Fatal("confirmed without a rule to check the choice")
	}
	if _, err := orientation.Confirm(ctx, p, orient, stored[0].ID, choice); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		draft gate.Drafter
	}{
		{"no drafter", nil},
		{"a drafter that leaves no document", func(gate.ContractDraft) error { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := p.CreateCommitment(ctx, accomp, e.followed.ID, tt.draft); err == nil || c != nil {
				t.Fatalf("contract %v, err %v; want an error", c, err)
			}
			if cs, err := p.Commitments(ctx, accomp, e.followed.ID); err != nil || len(cs) != 0 {
				t.Fatalf("contracts %v, %v; want none recorded", cs, err)
			}
		})
	}
}
