package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// OrientationRequestStore is what RunOrientationRequests tests: the
// requests, the follow-ups they hand over, the policy's facts and the
// indicator records.
type OrientationRequestStore interface {
	socle.Store
	socle.OrientationRequestStore
	policy.Facts
	IndicatorRecords(ctx context.Context) (socle.IndicatorRecords, error)
}

// RunOrientationRequests runs the suite of orientation hand-offs. open
// returns a new, empty, migrated store.
func RunOrientationRequests(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "orientation request store", []storeTest[OrientationRequestStore]{
		{"SentReadAndListed", testHandoffSent},
		{"AcceptanceHandsTheFollowupOver", testHandoffAccepted},
		{"RefusalThenOutcome", testHandoffRefused},
		{"Marks", testHandoffMarks},
		{"ReferentChanged", testReferentChanged},
	})
}

type handoffFixture struct {
	from, to       *socle.Organisation
	fromAg, toAg   *socle.Agent
	person         *socle.Person
	fromFollowupID string
}

func newHandoffFixture(t *testing.T, s OrientationRequestStore) handoffFixture {
	t.Helper()
	ctx := context.Background()
	from := NewOrganisation("Département du Rhône", socle.KindDepartement, "69")
	to := NewOrganisation("Mission locale de Lyon", socle.KindYouth, "69")
	must(t, s.CreateOrganisation(ctx, from))
	must(t, s.CreateOrganisation(ctx, to))
	fromAg, toAg := NewAgent(from.ID, "referente@rhone.example"), NewAgent(to.ID, "conseiller@ml-lyon.example")
	must(t, s.CreateAgent(ctx, fromAg))
	must(t, s.CreateAgent(ctx, toAg))
	p := createPerson(t, s, 1)
	f := &socle.Followup{PersonID: p.ID, OrganisationID: from.ID, AgentID: fromAg.ID, Start: socle.NewDate(2026, 1, 5)}
	must(t, s.CreateFollowup(ctx, f))
	return handoffFixture{from: from, to: to, fromAg: fromAg, toAg: toAg, person: p, fromFollowupID: f.ID}
}

func (f handoffFixture) request(sent time.Time) *socle.OrientationRequest {
	return &socle.OrientationRequest{PersonID: f.person.ID, FromOrganisationID: f.from.ID, FromAgentID: f.fromAg.ID,
		ToOrganisationID: f.to.ID, Departement: "69", Parcours: socle.ParcoursProfessional, Motive: "Projet d'apprentissage.",
		Summary: socle.OrientationSummary{Situation: socle.SituationRSA, Constraints: []string{"mobilite"}},
		Status:  socle.HandoffSent, Deadline: socle.DefaultHandoffDeadlines.DeadlineOf(socle.DateOf(sent)), CreatedAt: sent}
}

var handoffSent = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

func testHandoffSent(t *testing.T, s OrientationRequestStore) {
	ctx := context.Background()
	f := newHandoffFixture(t, s)
	r := f.request(handoffSent)
	must(t, s.CreateOrientationRequest(ctx, r, nil))
	got, err := s.OrientationRequest(ctx, r.ID)
	must(t, err)
	r.FromOrganisationName, r.ToOrganisationName = f.from.Name, f.to.Name
	sameJSON(t, "orientation request", got, r)

	for _, q := range []socle.OrientationRequestQuery{{PersonID: f.person.ID}, {ToOrganisationID: f.to.ID, OpenOnly: true}} {
		list, err := s.OrientationRequests(ctx, q)
		must(t, err)
		if len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("OrientationRequests(%+v) = %d requests, want the one sent", q, len(list))
		}
	}
	if list, err := s.OrientationRequests(ctx, socle.OrientationRequestQuery{ToOrganisationID: f.from.ID}); err != nil || len(list) != 0 {
		t.Fatalf("requests addressed to the orienting structure = %d, %v; want none", len(list), err)
	}
	_, err = s.OrientationRequests(ctx, socle.OrientationRequestQuery{})
	wantCode(t, err, socle.EINVALID)
	_, err = s.OrientationRequest(ctx, socle.NewID(socle.PrefixOrientationRequest))
	wantCode(t, err, socle.ENOTFOUND)

	// The receiving structure's relation, for the policy, while it is open.
	rel, err := s.Relations(ctx, f.to.ID, f.person.ID, socle.DateOf(handoffSent))
	must(t, err)
	if len(rel.OrientationRequests) != 1 || rel.OrientationRequests[0].RequestID != r.ID ||
		rel.OrientationRequests[0].FromOrganisationName != f.from.Name || rel.OrientationRequests[0].Deadline != r.Deadline ||
		rel.OrientationRequests[0].ToOrganisationID != f.to.ID {
		t.Fatalf("relations of the receiving structure = %+v, want the open request", rel.OrientationRequests)
	}
	rel, err = s.Relations(ctx, f.from.ID, f.person.ID, socle.DateOf(handoffSent))
	must(t, err)
	if len(rel.OrientationRequests) != 0 {
		t.Fatalf("the orienting structure has the request as a relation: %+v", rel.OrientationRequests)
	}

	bad := f.request(handoffSent)
	bad.ToOrganisationID = f.from.ID
	wantCode(t, s.CreateOrientationRequest(ctx, bad, nil), socle.EINVALID)
	bad = f.request(handoffSent)
	bad.ToOrganisationID = socle.NewID(socle.PrefixOrganisation)
	wantCode(t, s.CreateOrientationRequest(ctx, bad, nil), socle.EINVALID)
}

func testHandoffAccepted(t *testing.T, s OrientationRequestStore) {
	ctx := context.Background()
	f := newHandoffFixture(t, s)
	r := f.request(handoffSent)
	must(t, s.CreateOrientationRequest(ctx, r, nil))
	answered := handoffSent.Add(50 * time.Hour)
	today := socle.DateOf(answered)
	r.Status, r.AnsweredAt, r.AnsweredByAgentID = socle.HandoffAccepted, answered, f.toAg.ID
	take := &socle.Followup{PersonID: f.person.ID, OrganisationID: f.to.ID, AgentID: f.toAg.ID, Start: today}
	must(t, s.AnswerOrientationRequest(ctx, r, take, socle.DateOf(answered.AddDate(0, 0, -1))))
	wantCode(t, s.AnswerOrientationRequest(ctx, r, nil, today), socle.ECONFLICT)

	fs, err := s.Followups(ctx, f.person.ID)
	must(t, err)
	var old, taken *socle.Followup
	for _, x := range fs {
		switch x.ID {
		case f.fromFollowupID:
			old = x
		case take.ID:
			taken = x
		}
	}
	if old == nil || old.End != socle.DateOf(answered.AddDate(0, 0, -1)) {
		t.Fatalf("the orienting structure's follow-up = %+v, want it ended the day before", old)
	}
	if taken == nil || taken.AgentID != f.toAg.ID || !taken.End.IsZero() {
		t.Fatalf("the receiving structure's follow-up = %+v, want it open with its référent", taken)
	}
	got, err := s.OrientationRequest(ctx, r.ID)
	must(t, err)
	if got.Status != socle.HandoffAccepted || got.AnsweredByAgentID != f.toAg.ID || !got.AnsweredAt.Equal(answered) {
		t.Fatalf("answered request = %+v", got)
	}
	rel, err := s.Relations(ctx, f.to.ID, f.person.ID, today)
	must(t, err)
	if len(rel.OrientationRequests) != 0 {
		t.Fatal("an accepted request is still a relation")
	}
	rec, err := s.IndicatorRecords(ctx)
	must(t, err)
	if len(rec.OrientationRequests) != 1 || rec.OrientationRequests[0] != (socle.IndicatorOrientationRequest{
		Departement: "69", Month: "2026-12", Status: socle.HandoffAccepted, Days: 2}) {
		t.Fatalf("indicator records = %+v", rec.OrientationRequests)
	}
}

func testHandoffRefused(t *testing.T, s OrientationRequestStore) {
	ctx := context.Background()
	f := newHandoffFixture(t, s)
	r := f.request(handoffSent)
	must(t, s.CreateOrientationRequest(ctx, r, nil))
	exit := &socle.OrientationRequest{ID: r.ID, PersonID: r.PersonID, FromOrganisationID: r.FromOrganisationID,
		Outcome: socle.HandoffOutcomeExit, OutcomeReason: "emploi"}
	wantCode(t, s.ConcludeOrientationRequest(ctx, exit, socle.DateOf(handoffSent)), socle.ECONFLICT)

	r.Status, r.RefusalReason, r.AnswerComment, r.AnsweredByAgentID = socle.HandoffRefused, "capacite", "Plus de place avant mars.", f.toAg.ID
	must(t, s.AnswerOrientationRequest(ctx, r, nil, socle.Date{}))
	fs, err := s.Followups(ctx, f.person.ID)
	must(t, err)
	if len(fs) != 1 || !fs[0].End.IsZero() {
		t.Fatalf("after a refusal, follow-ups = %+v; want the orienting one still open", fs)
	}
	re := f.request(handoffSent.Add(time.Hour))
	re.PreviousID = r.ID
	must(t, s.CreateOrientationRequest(ctx, re, nil))
	got, err := s.OrientationRequest(ctx, r.ID)
	must(t, err)
	if got.Outcome != socle.HandoffOutcomeReoriented || !got.OutcomeAt.Equal(re.CreatedAt) {
		t.Fatalf("the refused request after a réorientation = %q at %v", got.Outcome, got.OutcomeAt)
	}
	// Told apart for the test of a sortie: the réorientation is undone.
	wantCode(t, s.ConcludeOrientationRequest(ctx, exit, socle.DateOf(handoffSent)), socle.ECONFLICT)
	r2 := f.request(handoffSent.Add(2 * time.Hour))
	must(t, s.CreateOrientationRequest(ctx, r2, nil))
	r2.Status, r2.RefusalReason = socle.HandoffRefused, "capacite"
	must(t, s.AnswerOrientationRequest(ctx, r2, nil, socle.Date{}))
	exit.ID = r2.ID

	must(t, s.ConcludeOrientationRequest(ctx, exit, socle.DateOf(handoffSent.Add(72*time.Hour))))
	wantCode(t, s.ConcludeOrientationRequest(ctx, exit, socle.DateOf(handoffSent)), socle.ECONFLICT)
	got, err = s.OrientationRequest(ctx, r2.ID)
	must(t, err)
	if got.Outcome != socle.HandoffOutcomeExit || got.OutcomeReason != "emploi" || got.RefusalReason != "capacite" || got.OutcomeAt.IsZero() {
		t.Fatalf("concluded request = %+v", got)
	}
	fs, err = s.Followups(ctx, f.person.ID)
	must(t, err)
	if len(fs) != 1 || fs[0].End != socle.DateOf(handoffSent.Add(72*time.Hour)) {
		t.Fatalf("after a sortie, follow-ups = %+v; want the orienting one ended", fs)
	}
	list, err := s.OrientationRequests(ctx, socle.OrientationRequestQuery{PersonID: f.person.ID})
	must(t, err)
	if len(list) != 3 || list[1].PreviousID != r.ID {
		t.Fatalf("requests of the person = %d, newest first naming the refused one", len(list))
	}
}

func testHandoffMarks(t *testing.T, s OrientationRequestStore) {
	ctx := context.Background()
	f := newHandoffFixture(t, s)
	r := f.request(handoffSent)
	must(t, s.CreateOrientationRequest(ctx, r, nil))
	reminded := handoffSent.Add(7 * 24 * time.Hour)
	mark := func(m *socle.OrientationRequest, want bool) {
		t.Helper()
		marked, err := s.MarkOrientationRequest(ctx, m)
		must(t, err)
		if marked != want {
			t.Fatalf("MarkOrientationRequest(%+v) = %v, want %v", m, marked, want)
		}
	}
	mark(&socle.OrientationRequest{ID: r.ID, RemindedAt: reminded}, true)
	// A second reminder (another server) keeps the first time.
	mark(&socle.OrientationRequest{ID: r.ID, RemindedAt: reminded.Add(time.Hour)}, false)
	escalated := handoffSent.Add(15 * 24 * time.Hour)
	mark(&socle.OrientationRequest{ID: r.ID, EscalatedAt: escalated}, true)
	mark(&socle.OrientationRequest{ID: r.ID, EscalatedAt: escalated}, false)
	got, err := s.OrientationRequest(ctx, r.ID)
	must(t, err)
	if !got.RemindedAt.Equal(reminded) || !got.EscalatedAt.Equal(escalated) {
		t.Fatalf("marks = %v, %v; want %v, %v", got.RemindedAt, got.EscalatedAt, reminded, escalated)
	}
	open, err := s.OpenOrientationRequests(ctx)
	must(t, err)
	if len(open) != 1 {
		t.Fatalf("open requests = %d, want 1", len(open))
	}
	queue, err := s.OrientationRequests(ctx, socle.OrientationRequestQuery{Departement: "69", Escalated: true, OpenOnly: true})
	must(t, err)
	if len(queue) != 1 {
		t.Fatalf("the committee's queue = %d, want 1", len(queue))
	}
	queue, err = s.OrientationRequests(ctx, socle.OrientationRequestQuery{Departement: "13", Escalated: true, OpenOnly: true})
	must(t, err)
	if len(queue) != 0 {
		t.Fatalf("another département's queue = %d, want 0", len(queue))
	}
}
