package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"socle"
)

// caseloadStore is the store of an adviser's caseload, with the
// proposals whose answers it counts.
type caseloadStore interface {
	Caseload(ctx context.Context, q socle.CaseloadQuery) ([]socle.CaseloadEntry, error)
	CreateMatch(ctx context.Context, m *socle.Match) error
	SetMatchStatus(ctx context.Context, id, status, actor, note string) error
	CreateAppointment(ctx context.Context, a *socle.Appointment, idem *socle.IdempotencyRecord) error
	CancelAppointment(ctx context.Context, eventID, by, reason string, at time.Time) error
	RecordAttendance(ctx context.Context, eventID, attendance, agentID string, at time.Time) error
}

// testCaseload checks that a caseload lists the persons the organisation
// follows today, once each, by name, with their référent, next
// appointment, contract and alerts, and that every filter and the paging
// narrow it.
func testCaseload(t *testing.T, s ParcoursStore) {
	ctx := context.Background()
	cs := storeAs[caseloadStore](t, s)
	f := newParcoursFixture(t, s)
	other := createOrg(t, s, "Département du Rhône", "69")
	colleague := createAgent(t, s, f.org.ID, "collegue@ml-lyon.example")
	now := time.Now().UTC().Truncate(time.Second)
	today := socle.DateOf(now)
	names := []string{"Bernard", "Arnaud", "Durand", "Charpentier", "Étienne"}
	persons := make([]*socle.Person, len(names))
	for i, name := range names {
		p := NewPerson(10 + i)
		p.Identity.FamilyName = name
		must(t, s.CreatePerson(ctx, p))
		persons[i] = p
	}
	follow := func(p *socle.Person, org, agent string, start, end socle.Date) {
		t.Helper()
		must(t, s.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org, AgentID: agent, Start: start, End: end}))
	}
	yesterday, lastYear := socle.DateOf(now.AddDate(0, 0, -1)), socle.DateOf(now.AddDate(-1, 0, 0))
	follow(persons[0], f.org.ID, f.agent.ID, lastYear, socle.Date{}) // Bernard: hers
	follow(persons[1], f.org.ID, colleague.ID, lastYear, socle.Date{})
	follow(persons[1], f.org.ID, f.agent.ID, lastYear, yesterday) // Arnaud: closed follow-up of hers
	follow(persons[2], f.org.ID, "", lastYear, socle.Date{})      // Durand: no référent
	follow(persons[2], f.org.ID, f.agent.ID, yesterday, socle.Date{})
	follow(persons[3], other.ID, "", lastYear, socle.Date{}) // Charpentier: another organisation's
	follow(persons[4], f.org.ID, f.agent.ID, lastYear, yesterday)
	// Étienne's follow-up ended: not in the caseload.

	// Bernard: a contract to sign, an appointment tomorrow and one past.
	o := &socle.Orientation{PersonID: persons[0].ID, OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional,
		Modalite: socle.ModaliteGuide, Status: socle.OrientationStatusConfirmed, OrganisationID: f.org.ID, DecidedAt: now}
	must(t, s.CreateOrientation(ctx, o))
	must(t, s.CreateCommitment(ctx, &socle.Commitment{PersonID: persons[0].ID, OrientationID: o.ID, Version: 1, Actions: []string{"Atelier CV"},
		Document: []byte("{}\n"), DocumentHash: "h", OrganisationID: f.org.ID, AgentID: f.agent.ID}))
	next := now.Add(26 * time.Hour)
	for _, start := range []time.Time{now.Add(-time.Hour), now.Add(30 * time.Hour), next} {
		must(t, s.CreateEvent(ctx, &socle.Event{PersonID: persons[0].ID, OrganisationID: f.org.ID, AgentID: f.agent.ID,
			Kind: socle.EventAppointment, Title: "Entretien", Start: start, End: start.Add(time.Hour)}))
	}
	must(t, s.CreateEvent(ctx, &socle.Event{PersonID: persons[0].ID, OrganisationID: f.org.ID, Kind: socle.EventTraining,
		Title: "Formation", Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}))
	// A cancelled appointment and one whose attendance is recorded are not
	// her next appointment.
	appointmentAt := func(p *socle.Person, org string, start time.Time) *socle.Appointment {
		t.Helper()
		a := &socle.Appointment{Event: socle.Event{PersonID: p.ID, OrganisationID: org, AgentID: f.agent.ID, Title: "Entretien",
			Start: start, End: start.Add(time.Hour)}, Modalite: socle.ModaliteOnSite}
		if org != f.org.ID {
			a.AgentID = ""
		}
		must(t, cs.CreateAppointment(ctx, a, nil))
		return a
	}
	cancelled := appointmentAt(persons[0], f.org.ID, now.Add(25*time.Hour))
	must(t, cs.CancelAppointment(ctx, cancelled.ID, socle.CancelledByPerson, "", now))
	honoured := appointmentAt(persons[0], f.org.ID, now.Add(2*time.Hour))
	must(t, cs.RecordAttendance(ctx, honoured.ID, socle.AttendanceHonoured, f.agent.ID, now))
	// Arnaud missed an appointment of the organisation's (in two hours
	// here, so that it stays recent after the employers' answers are old);
	// the one he missed with another organisation is not its business.
	missed := appointmentAt(persons[1], f.org.ID, now.Add(2*time.Hour))
	must(t, cs.RecordAttendance(ctx, missed.ID, socle.AttendanceUnexcused, f.agent.ID, now))
	missedElsewhere := appointmentAt(persons[1], other.ID, now.Add(-48*time.Hour))
	must(t, cs.RecordAttendance(ctx, missedElsewhere.ID, socle.AttendanceUnexcused, "", now))
	// Durand: a rectification request to answer, one answered.
	must(t, s.CreateRectification(ctx, &socle.RectificationRequest{PersonID: persons[2].ID, Field: "contact.phone", Requested: "0601020304"}))
	answered := &socle.RectificationRequest{PersonID: persons[2].ID, Field: "contact.email", Requested: "d@example.fr"}
	must(t, s.CreateRectification(ctx, answered))
	answered.Status, answered.AnsweredBy = socle.RectificationRefused, f.agent.ID
	must(t, s.AnswerRectification(ctx, answered))

	// Arnaud: an employer answered a proposal of the organisation's; an
	// answer to another organisation's proposal is not its business.
	company := NewCompany(1)
	must(t, s.CreateCompany(ctx, company))
	offer := NewOffer(company.ID, "K2111", "69123")
	must(t, s.CreateOffer(ctx, offer))
	match := &socle.Match{OfferID: offer.ID, PersonID: persons[1].ID, OrganisationID: f.org.ID, AgentID: colleague.ID,
		Basis: socle.MatchBasisReferent, Status: socle.MatchProposed, Reasons: []string{"Métier recherché"}}
	must(t, cs.CreateMatch(ctx, match))
	must(t, cs.SetMatchStatus(ctx, match.ID, socle.MatchInterview, "cct_employer", ""))
	elsewhere := &socle.Match{OfferID: offer.ID, PersonID: persons[0].ID, OrganisationID: other.ID,
		Basis: socle.MatchBasisConsent, Status: socle.MatchProposed, Reasons: []string{"Métier recherché"}}
	must(t, cs.CreateMatch(ctx, elsewhere))
	must(t, cs.SetMatchStatus(ctx, elsewhere.ID, socle.MatchHired, "cct_employer", ""))

	base := socle.CaseloadQuery{OrganisationID: f.org.ID, Today: today, Now: now}
	ids := func(es []socle.CaseloadEntry) []string {
		return mapped(es, func(e socle.CaseloadEntry) string { return e.FamilyName })
	}
	with := func(change func(q *socle.CaseloadQuery)) socle.CaseloadQuery {
		q := base
		change(&q)
		return q
	}
	tests := []struct {
		name string
		q    socle.CaseloadQuery
		want []string
	}{
		{"followed today, once each, by name", base, []string{"Arnaud", "Bernard", "Durand"}},
		{"her référent persons", with(func(q *socle.CaseloadQuery) { q.ReferentID = f.agent.ID }), []string{"Bernard", "Durand"}},
		{"named persons", with(func(q *socle.CaseloadQuery) { q.PersonIDs = []string{persons[2].ID, persons[3].ID} }), []string{"Durand"}},
		{"name prefix", with(func(q *socle.CaseloadQuery) { q.FamilyName = "ber" }), []string{"Bernard"}},
		{"with an alert", with(func(q *socle.CaseloadQuery) { q.WithAlert = true }), []string{"Arnaud", "Bernard", "Durand"}},
		{"a recently missed appointment", with(func(q *socle.CaseloadQuery) { q.WithAlert, q.Now = true, now.Add(socle.CaseloadAnswerWindow+time.Hour) }), []string{"Arnaud", "Bernard", "Durand"}},
		{"answers and missed appointments older than their window", with(func(q *socle.CaseloadQuery) {
			q.WithAlert, q.Now = true, now.Add(socle.CaseloadMissedWindow+3*time.Hour)
		}), []string{"Bernard", "Durand"}},
		{"a page", with(func(q *socle.CaseloadQuery) { q.Offset, q.Limit = 1, 1 }), []string{"Bernard"}},
		{"another organisation", with(func(q *socle.CaseloadQuery) { q.OrganisationID = other.ID }), []string{"Charpentier"}},
	}
	for _, tt := range tests {
		got, err := cs.Caseload(ctx, tt.q)
		must(t, err)
		if !slices.Equal(ids(got), tt.want) {
			t.Errorf("%s: caseload %v, want %v", tt.name, ids(got), tt.want)
		}
	}
	got, err := cs.Caseload(ctx, base)
	must(t, err)
	if len(got) != 3 {
		t.Fatalf("caseload = %+v", got)
	}
	arnaud, bernard, durand := got[0], got[1], got[2]
	if arnaud.ReferentID != colleague.ID || arnaud.ReferentName != colleague.GivenName+" "+colleague.FamilyName || arnaud.AnsweredMatches != 1 || arnaud.MissedAppointments != 1 {
		t.Errorf("Arnaud's entry: %+v", arnaud)
	}
	if bernard.PersonID != persons[0].ID || bernard.GivenName != persons[0].Identity.GivenName || bernard.BirthDate != persons[0].Identity.BirthDate ||
		!bernard.NextAppointment.Equal(next) || bernard.AnsweredMatches != 0 || bernard.MissedAppointments != 0 || bernard.ContractStatus != socle.CommitmentToSign || !bernard.Alerts() || bernard.FollowedSince != lastYear {
		t.Errorf("Bernard's entry: %+v (next appointment want %v)", bernard, next)
	}
	if durand.ReferentID != f.agent.ID || durand.FollowedSince != yesterday || durand.OpenRectifications != 1 || !durand.NextAppointment.IsZero() || durand.ContractStatus != "" {
		t.Errorf("Durand's entry (her latest follow-up, one open request): %+v", durand)
	}
	_, err = cs.Caseload(ctx, socle.CaseloadQuery{Today: today, Now: now})
	wantCode(t, err, socle.EINVALID)
}
