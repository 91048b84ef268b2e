package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// ParcoursStore is what RunParcours tests: the parcours store, its signing
// links, its facts for the policy and its indicator records.
type ParcoursStore interface {
	socle.Store
	socle.ParcoursStore
	policy.Facts
	CreateSignLink(ctx context.Context, tokenHash, commitmentID, personID string, expires time.Time) error
	SignLink(ctx context.Context, tokenHash string, at time.Time, use bool) (commitmentID, personID string, err error)
	IndicatorRecords(ctx context.Context) (socle.IndicatorRecords, error)
}

// RunParcours runs the suite of orientations, contracts, events and
// rectification requests. open returns a new, empty, migrated store.
func RunParcours(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "parcours store", []storeTest[ParcoursStore]{
		{"Orientations", testOrientations},
		{"Commitments", testCommitments},
		{"Events", testEvents},
		{"Rectifications", testRectifications},
		{"Caseload", testCaseload},
	})
}

type parcoursFixture struct {
	org    *socle.Organisation
	agent  *socle.Agent
	person *socle.Person
}

func newParcoursFixture(t *testing.T, s ParcoursStore) parcoursFixture {
	t.Helper()
	org := createOrg(t, s, "Mission locale de Lyon", "69")
	agent := createAgent(t, s, org.ID, "conseillere@ml-lyon.example")
	return parcoursFixture{org: org, agent: agent, person: createPerson(t, s, 1)}
}

func testOrientations(t *testing.T, s ParcoursStore) {
	ctx := context.Background()
	f := newParcoursFixture(t, s)
	o := &socle.Orientation{PersonID: f.person.ID, OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional,
		Modalite: socle.ModaliteGuide, Reasons: []string{"Moins de 26 ans."}, Status: socle.OrientationStatusProposed,
		QuestionnaireVersion: 1, RulesetVersion: 1, ProposedOperatorKind: socle.KindYouth, ProposedParcours: socle.ParcoursProfessional,
		ProposedModalite: socle.ModaliteGuide, Departement: "69", Answers: []byte(`{"projet":["defini"]}`)}
	must(t, s.CreateOrientation(ctx, o))
	readBack(t, "orientation", o)(s.Orientation(ctx, o.ID))

	o.Status, o.OrganisationID, o.DecidedByAgentID = socle.OrientationStatusConfirmed, f.org.ID, f.agent.ID
	o.Modalite, o.OverrideReason, o.DecidedAt = socle.ModaliteRenforce, "Besoin d'un suivi rapproché", time.Now().UTC().Truncate(time.Microsecond)
	// A confirmation whose follow-up cannot be opened (unknown
	// organisation) leaves the orientation proposed and no follow-up.
	followup := func(org string) *socle.Followup {
		return &socle.Followup{PersonID: f.person.ID, OrganisationID: org, AgentID: f.agent.ID, Start: socle.DateOf(time.Now())}
	}
	if err := s.ConfirmOrientation(ctx, o, followup(socle.NewID(socle.PrefixOrganisation))); err == nil {
		t.Fatal("confirmation with a follow-up that cannot be stored succeeded")
	}
	got, err := s.Orientation(ctx, o.ID)
	must(t, err)
	fs, err := s.Followups(ctx, f.person.ID)
	must(t, err)
	if got.Status != socle.OrientationStatusProposed || len(fs) != 0 {
		t.Fatalf("after a failed confirmation: status %s, follow-ups %+v", got.Status, fs)
	}
	must(t, s.ConfirmOrientation(ctx, o, followup(f.org.ID)))
	wantCode(t, s.ConfirmOrientation(ctx, o, followup(f.org.ID)), socle.ECONFLICT)
	if fs, err = s.Followups(ctx, f.person.ID); err != nil || len(fs) != 1 {
		t.Fatalf("follow-ups after confirmation = %+v, %v; want one", fs, err)
	}
	list, err := s.Orientations(ctx, f.person.ID)
	must(t, err)
	if len(list) != 1 || !list[0].Overridden() {
		t.Fatalf("orientations = %+v", list)
	}
	sameJSON(t, "confirmed orientation", list[0], o)

	rel, err := s.Relations(ctx, f.org.ID, f.person.ID, socle.DateOf(time.Now()))
	must(t, err)
	if rel.Orientation == nil || rel.Orientation.OrganisationID != f.org.ID || rel.Orientation.Status != socle.OrientationStatusConfirmed ||
		rel.Orientation.OrganisationName != f.org.Name {
		t.Errorf("orientation fact = %+v", rel.Orientation)
	}
	rec, err := s.IndicatorRecords(ctx)
	must(t, err)
	if len(rec.Orientations) != 1 || rec.Orientations[0].Departement != "69" || rec.Orientations[0].Modalite != socle.ModaliteRenforce {
		t.Errorf("indicator records = %+v", rec.Orientations)
	}
	wantCode(t, s.UpdateOrientation(ctx, &socle.Orientation{ID: socle.NewID(socle.PrefixOrientation)}), socle.ENOTFOUND)
	_, err = s.Orientation(ctx, socle.NewID(socle.PrefixOrientation))
	wantCode(t, err, socle.ENOTFOUND)
}

func testCommitments(t *testing.T, s ParcoursStore) {
	ctx := context.Background()
	f := newParcoursFixture(t, s)
	o := &socle.Orientation{PersonID: f.person.ID, OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional,
		Modalite: socle.ModaliteGuide, Status: socle.OrientationStatusConfirmed, OrganisationID: f.org.ID, DecidedAt: time.Now()}
	must(t, s.CreateOrientation(ctx, o))
	c := &socle.Commitment{PersonID: f.person.ID, OrientationID: o.ID, Version: 1, Actions: []string{"Atelier CV"},
		Document: []byte("{\"v\":1}\n"), DocumentHash: "h1", OrganisationID: f.org.ID, AgentID: f.agent.ID}
	must(t, s.CreateCommitment(ctx, c))
	got, err := s.Commitment(ctx, c.ID)
	must(t, err)
	if string(got.Document) != string(c.Document) || got.Status != socle.CommitmentToSign || len(got.Signatures) != 0 {
		t.Fatalf("commitment = %+v", got)
	}
	sig := socle.CommitmentSignature{Role: socle.SignerAdviser, SignerID: f.agent.ID, SignedAt: time.Now(), Signature: "c2ln"}
	got, err = s.AddSignature(ctx, c.ID, sig)
	must(t, err)
	if got.Status != socle.CommitmentToSign || got.SignedBy(socle.SignerAdviser) == nil {
		t.Fatalf("after one signature: %+v", got)
	}
	_, err = s.AddSignature(ctx, c.ID, sig)
	wantCode(t, err, socle.ECONFLICT)

	// Signing links: single use, and none after expiry.
	must(t, s.CreateSignLink(ctx, "tok1", c.ID, f.person.ID, time.Now().Add(time.Minute)))
	must(t, s.CreateSignLink(ctx, "tok2", c.ID, f.person.ID, time.Now().Add(-time.Second)))
	cid, pid, err := s.SignLink(ctx, "tok1", time.Now(), true)
	must(t, err)
	if cid != c.ID || pid != f.person.ID {
		t.Errorf("link names %s %s", cid, pid)
	}
	_, _, err = s.SignLink(ctx, "tok1", time.Now(), true)
	wantCode(t, err, socle.EUNAUTHENTICATED)
	_, _, err = s.SignLink(ctx, "tok2", time.Now(), false)
	wantCode(t, err, socle.EUNAUTHENTICATED)

	got, err = s.AddSignature(ctx, c.ID, socle.CommitmentSignature{Role: socle.SignerPerson, SignerID: f.person.ID, SignedAt: time.Now(), Signature: "c2ln"})
	must(t, err)
	if got.Status != socle.CommitmentSigned || len(got.Signatures) != 2 {
		t.Fatalf("after both signatures: %+v", got)
	}
	rec, err := s.IndicatorRecords(ctx)
	must(t, err)
	if len(rec.Commitments) != 1 || !rec.Commitments[0].Signed {
		t.Errorf("indicator records = %+v", rec.Commitments)
	}

	// An amendment supersedes the signed version, which cannot be signed
	// or amended again.
	c2 := &socle.Commitment{PersonID: f.person.ID, OrientationID: o.ID, Version: 2, PreviousID: c.ID, Actions: []string{"Atelier CV", "Immersion"},
		Document: []byte("{\"v\":2}\n"), DocumentHash: "h2"}
	must(t, s.CreateCommitment(ctx, c2))
	list, err := s.Commitments(ctx, f.person.ID)
	must(t, err)
	if len(list) != 2 || list[0].ID != c2.ID || list[1].Status != socle.CommitmentSuperseded || len(list[1].Signatures) != 2 {
		t.Fatalf("versions = %+v", list)
	}
	c3 := &socle.Commitment{PersonID: f.person.ID, OrientationID: o.ID, Version: 3, PreviousID: c.ID, Actions: []string{"x"},
		Document: []byte("x"), DocumentHash: "h3"}
	wantCode(t, s.CreateCommitment(ctx, c3), socle.ECONFLICT)
	dup := &socle.Commitment{PersonID: f.person.ID, OrientationID: o.ID, Version: 2, Actions: []string{"x"}, Document: []byte("x"), DocumentHash: "h4"}
	wantCode(t, s.CreateCommitment(ctx, dup), socle.ECONFLICT)
	_, err = s.AddSignature(ctx, c.ID, socle.CommitmentSignature{Role: socle.SignerPerson, SignerID: f.person.ID, Signature: "x"})
	wantCode(t, err, socle.ECONFLICT)
	_, err = s.Commitment(ctx, socle.NewID(socle.PrefixCommitment))
	wantCode(t, err, socle.ENOTFOUND)
}

func testEvents(t *testing.T, s ParcoursStore) {
	ctx := context.Background()
	f := newParcoursFixture(t, s)
	other := createPerson(t, s, 2)
	now := time.Now().UTC().Truncate(time.Minute)
	events := []*socle.Event{
		{PersonID: f.person.ID, OrganisationID: f.org.ID, AgentID: f.agent.ID, Kind: socle.EventAppointment, Title: "Premier entretien", Start: now.Add(time.Minute), End: now.Add(time.Hour)},
		{PersonID: f.person.ID, OrganisationID: f.org.ID, Kind: socle.EventTraining, Title: "Formation", Start: now.AddDate(0, 0, 3), End: now.AddDate(0, 0, 4)},
		{PersonID: other.ID, OrganisationID: f.org.ID, AgentID: f.agent.ID, Kind: socle.EventNote, Title: "Note", Description: "Appel ; suite à donner", Start: now.AddDate(0, 0, -1), End: now.AddDate(0, 0, -1), NetworkVisible: true},
	}
	for _, e := range events {
		must(t, s.CreateEvent(ctx, e))
	}
	ids := func(es []*socle.Event) []string { return mapped(es, func(e *socle.Event) string { return e.ID }) }
	tests := []struct {
		name string
		q    socle.EventQuery
		want []*socle.Event
	}{
		{"person", socle.EventQuery{PersonID: f.person.ID}, events[:2]},
		{"organisation by start", socle.EventQuery{OrganisationID: f.org.ID}, []*socle.Event{events[2], events[0], events[1]}},
		{"agent", socle.EventQuery{AgentID: f.agent.ID}, []*socle.Event{events[2], events[0]}},
		{"kind", socle.EventQuery{OrganisationID: f.org.ID, Kind: socle.EventTraining}, events[1:2]},
		{"window", socle.EventQuery{OrganisationID: f.org.ID, From: now, To: now.AddDate(0, 0, 1)}, events[:1]},
	}
	for _, tt := range tests {
		got, err := s.Events(ctx, tt.q)
		must(t, err)
		if !slices.Equal(ids(got), ids(tt.want)) {
			t.Errorf("%s: events %v, want %v", tt.name, ids(got), ids(tt.want))
		}
	}
	got, err := s.Events(ctx, socle.EventQuery{PersonID: other.ID})
	must(t, err)
	sameJSON(t, "event", got[0], events[2])
	_, err = s.Events(ctx, socle.EventQuery{})
	wantCode(t, err, socle.EINVALID)

	rel, err := s.Relations(ctx, f.org.ID, f.person.ID, socle.DateOf(now.In(parisZone)))
	must(t, err)
	if len(rel.Appointments) != 1 || rel.Appointments[0].EventID != events[0].ID || rel.Appointments[0].AgentID != f.agent.ID {
		t.Errorf("appointment facts = %+v", rel.Appointments)
	}
	rel, err = s.Relations(ctx, f.org.ID, f.person.ID, socle.DateOf(now.In(parisZone).AddDate(0, 0, 10)))
	must(t, err)
	if len(rel.Appointments) != 0 {
		t.Errorf("an appointment counts on another day: %+v", rel.Appointments)
	}
	rec, err := s.IndicatorRecords(ctx)
	must(t, err)
	if len(rec.FirstAppointments) != 1 || rec.FirstAppointments[0].Days != 0 {
		t.Errorf("first appointments = %+v", rec.FirstAppointments)
	}
}

var parisZone = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

func testRectifications(t *testing.T, s ParcoursStore) {
	ctx := context.Background()
	f := newParcoursFixture(t, s)
	r := &socle.RectificationRequest{PersonID: f.person.ID, Field: "contact.address", Requested: "3 rue de la Paix"}
	must(t, s.CreateRectification(ctx, r))
	r.Status, r.Answer, r.AnsweredBy = socle.RectificationAccepted, "Adresse corrigée", f.agent.ID
	must(t, s.AnswerRectification(ctx, r))
	wantCode(t, s.AnswerRectification(ctx, r), socle.ECONFLICT)
	list, err := s.Rectifications(ctx, f.person.ID)
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("requests = %+v", list)
	}
	sameJSON(t, "rectification", list[0], r)
}
