package gate_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/store/storetest"
)

// handoffNet is the network of a hand-off: the mission locale of env
// follows a person and orients her to a second mission locale or to a
// third structure; a département adviser sits on the committee.
type handoffNet struct {
	*env
	p                  *gate.Parcours
	receiver, thirdOrg socle.Actor
	committee          socle.Actor
	clock              time.Time
}

func newHandoffNet(t *testing.T) *handoffNet {
	t.Helper()
	e := newEnv(t)
	n := &handoffNet{env: e, p: newParcours(t, e), clock: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} // a Tuesday
	e.gate.Now = func() time.Time { return n.clock }
	n.receiver = receivingStructure(t, e).Actor
	n.thirdOrg = newAdviser(t, e.db, storetest.NewOrganisation("Cap emploi Rhône", socle.KindDisability, "69"), "lea@capemploi69.fr")
	n.committee = newAdviser(t, e.db, storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69"), "commission@rhone.fr")
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func as(a socle.Actor, purpose string) gate.Request {
	return gate.Request{Actor: a, Purpose: purpose, RequestID: "test", RemoteAddr: "127.0.0.1"}
}

func (n *handoffNet) send(t *testing.T, to socle.Actor, previous string) *socle.OrientationRequest {
	t.Helper()
	r := &socle.OrientationRequest{PersonID: n.followed.ID, ToOrganisationID: to.OrganisationID, Parcours: socle.ParcoursSocioProfessional,
		Motive: "Projet d'apprentissage dans la restauration.", PreviousID: previous}
	must(t, n.p.SendOrientationRequest(context.Background(), n.req("orientation"), r))
	return r
}

func hasRequestFact(d socle.Decision, id string) bool {
	return slices.ContainsFunc(d.Facts, func(f socle.Fact) bool { return f.Detail["orientation_request_id"] == id })
}

// TestReceivingStructureReadsOnlyWhileTheRequestIsOpen walks a hand-off
// (request → refusal → réorientation → acceptance) and checks at each
// step what the receiving structure may read.
func TestReceivingStructureReadsOnlyWhileTheRequestIsOpen(t *testing.T) {
	ctx := context.Background()
	n := newHandoffNet(t)
	readAs := func(a socle.Actor, purpose string) (*socle.Person, socle.Decision, error) {
		return n.gate.ReadPerson(ctx, as(a, purpose), n.followed.ID, 0)
	}
	if _, _, err := readAs(n.receiver, "orientation"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("before any request, the receiving structure reads the person: %v", err)
	}

	first := n.send(t, n.receiver, "")
	if first.Deadline != socle.NewDate(2026, 12, 15) || first.Departement != "69" || first.Summary.Situation != socle.SituationYouth {
		t.Fatalf("request sent = deadline %s, département %q, summary %+v", first.Deadline, first.Departement, first.Summary)
	}
	if slices.Contains(first.Summary.Constraints, "sante") {
		t.Fatal("the summary shares a health constraint")
	}

	// While it is open: the request and the identity, for orientation only,
	// each decision naming the request; never health, never accompagnement.
	file, d, err := n.p.OrientationRequest(ctx, as(n.receiver, "orientation"), first.ID)
	must(t, err)
	if file.Person.Identity == nil || file.Person.Health != nil || file.Person.Contact != nil || !hasRequestFact(d, first.ID) {
		t.Fatalf("receiving structure's file = %+v, decision %v", file.Person, d.Explanation())
	}
	p, d, err := readAs(n.receiver, "orientation")
	must(t, err)
	if p.Health != nil || p.Bank != nil || p.Skills != nil || !hasRequestFact(d, first.ID) {
		t.Fatalf("read for orientation while open: categories %s, facts %v", d.Categories, d.Explanation())
	}
	if _, _, err := readAs(n.receiver, "accompagnement"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("while open, a read for accompagnement: %v, want refused", err)
	}
	if _, _, err := n.p.OrientationRequest(ctx, as(n.thirdOrg, "orientation"), first.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("a third structure opens the request: %v", err)
	}
	queue, err := n.p.OrientationRequestsToMyStructure(ctx, as(n.receiver, "orientation"))
	must(t, err)
	if len(queue) != 1 || queue[0].FamilyName != n.followed.Identity.FamilyName {
		t.Fatalf("receiving queue = %+v", queue)
	}
	if err := n.p.SendOrientationRequest(ctx, n.req("orientation"), &socle.OrientationRequest{PersonID: n.followed.ID,
		ToOrganisationID: n.thirdOrg.OrganisationID, Parcours: socle.ParcoursSocial, Motive: "Autre piste."}); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("a second open request: %v, want ECONFLICT", err)
	}

	// Refused: the temporary access ends.
	_, err = n.p.AnswerOrientationRequest(ctx, as(n.receiver, "orientation"), first.ID, socle.HandoffAnswer{Reason: "autre"})
	if socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("a refusal for another reason without a comment: %v, want EINVALID", err)
	}
	n.clock = n.clock.Add(48 * time.Hour)
	refused, err := n.p.AnswerOrientationRequest(ctx, as(n.receiver, "orientation"), first.ID, socle.HandoffAnswer{Reason: "capacite", Comment: "Plus de place avant mars."})
	must(t, err)
	if refused.Status != socle.HandoffRefused {
		t.Fatalf("status = %s", refused.Status)
	}
	if _, _, err := readAs(n.receiver, "orientation"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("after the refusal, the receiving structure still reads the person: %v", err)
	}
	if _, _, err := n.p.OrientationRequest(ctx, as(n.receiver, "orientation"), first.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("after the refusal, the receiving structure opens the request: %v", err)
	}
	if _, err := n.p.AnswerOrientationRequest(ctx, as(n.receiver, "orientation"), first.ID, socle.HandoffAnswer{Accept: true}); err == nil {
		t.Fatal("a refused request accepted afterwards")
	}

	// Réorientation to the third structure, accepted: the référent changes.
	second := n.send(t, n.thirdOrg, first.ID)
	if _, d, err := readAs(n.thirdOrg, "orientation"); err != nil || !hasRequestFact(d, second.ID) {
		t.Fatalf("the new receiving structure while open: %v, %v", err, d.Explanation())
	}
	n.clock = n.clock.Add(24 * time.Hour)
	if _, err := n.p.AnswerOrientationRequest(ctx, as(n.thirdOrg, "orientation"), second.ID, socle.HandoffAnswer{Accept: true}); err != nil {
		t.Fatal(err)
	}
	_, d, err = readAs(n.thirdOrg, "accompagnement")
	if err != nil || !d.Referent || hasRequestFact(d, second.ID) {
		t.Fatalf("after acceptance, the new structure reads for accompagnement: %v, référent %v, %v", err, d.Referent, d.Explanation())
	}
	if _, _, err := readAs(n.adviser, "accompagnement"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("after acceptance, the orienting structure still follows the person: %v", err)
	}
	fs, _, err := n.gate.Followups(ctx, as(n.thirdOrg, "accompagnement"), n.followed.ID)
	must(t, err)
	open := slices.DeleteFunc(fs, func(f *socle.Followup) bool { return !f.End.IsZero() })
	if len(open) != 1 || open[0].OrganisationID != n.thirdOrg.OrganisationID || open[0].AgentID != n.thirdOrg.AgentID {
		t.Fatalf("open follow-ups after acceptance = %+v", open)
	}
}

// TestHandoffDeadlinesRemindThenEscalate runs the deadlines job on a fake
// clock: nothing before the reminder day, one reminder, then the
// committee's queue once the deadline passed, each once.
func TestHandoffDeadlinesRemindThenEscalate(t *testing.T) {
	ctx := context.Background()
	n := newHandoffNet(t)
	r := n.send(t, n.receiver, "")
	rules := socle.DefaultHandoffDeadlines
	steps := []struct {
		name string
		at   time.Time
		want []socle.HandoffStep
	}{
		{"the next day", time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), nil},
		{"the day before the reminder", time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC), nil},
		{"the reminder day", time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC), []socle.HandoffStep{socle.HandoffRemind}},
		{"reminded already", time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC), nil},
		{"the deadline", time.Date(2026, 12, 15, 20, 0, 0, 0, time.UTC), nil},
		{"past the deadline", time.Date(2026, 12, 16, 8, 0, 0, 0, time.UTC), []socle.HandoffStep{socle.HandoffEscalate}},
		{"escalated already", time.Date(2026, 12, 17, 8, 0, 0, 0, time.UTC), nil},
	}
	for _, s := range steps {
		n.clock = s.at
		marks, err := n.p.SweepOrientationRequests(ctx, rules)
		must(t, err)
		var got []socle.HandoffStep
		for _, m := range marks {
			if m.RequestID != r.ID || m.ToOrganisationID != n.receiver.OrganisationID {
				t.Fatalf("%s: mark %+v", s.name, m)
			}
			got = append(got, m.Step)
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("%s: steps %v, want %v", s.name, got, s.want)
		}
	}
	queue, err := n.p.CommitteeQueue(ctx, as(n.committee, "orientation"))
	must(t, err)
	if len(queue) != 1 || queue[0].Request.ID != r.ID || queue[0].Request.EscalatedAt.IsZero() || queue[0].FamilyName == "" {
		t.Fatalf("committee queue = %+v", queue)
	}
	if _, err := n.p.CommitteeQueue(ctx, as(n.receiver, "orientation")); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a mission locale opens the committee's queue: %v", err)
	}
	// Still open after escalation: the receiving structure may answer late.
	if _, err := n.p.AnswerOrientationRequest(ctx, as(n.receiver, "orientation"), r.ID, socle.HandoffAnswer{Accept: true}); err != nil {
		t.Fatal(err)
	}
	queue, err = n.p.CommitteeQueue(ctx, as(n.committee, "orientation"))
	must(t, err)
	if len(queue) != 0 {
		t.Fatalf("an answered request stays in the committee's queue: %+v", queue)
	}
}

// TestHandoffOutcomeAndIdempotency covers the maintien and sortie after a
// refusal, and a retried creation with the same Idempotency-Key.
func TestHandoffOutcomeAndIdempotency(t *testing.T) {
	ctx := context.Background()
	n := newHandoffNet(t)
	req := n.req("orientation")
	req.IdempotencyKey = "cle-1"
	body := func() *socle.OrientationRequest {
		return &socle.OrientationRequest{PersonID: n.followed.ID, ToOrganisationID: n.receiver.OrganisationID,
			Parcours: socle.ParcoursProfessional, Motive: "Recherche d'alternance."}
	}
	first, again := body(), body()
	must(t, n.p.SendOrientationRequest(ctx, req, first))
	must(t, n.p.SendOrientationRequest(ctx, req, again))
	if again.ID != first.ID {
		t.Fatalf("a retry with the same key created %s besides %s", again.ID, first.ID)
	}
	other := body()
	other.Motive = "Autre motif."
	if err := n.p.SendOrientationRequest(ctx, req, other); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("the key reused for another request: %v, want ECONFLICT", err)
	}
	if _, err := n.p.ConcludeOrientationRequest(ctx, n.req("orientation"), first.ID, socle.HandoffOutcome{Outcome: socle.HandoffOutcomeKept}); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("concluding an open request: %v, want ECONFLICT", err)
	}
	_, err := n.p.AnswerOrientationRequest(ctx, as(n.receiver, "orientation"), first.ID, socle.HandoffAnswer{Reason: "hors_perimetre"})
	must(t, err)
	if _, err := n.p.ConcludeOrientationRequest(ctx, as(n.receiver, "orientation"), first.ID, socle.HandoffOutcome{Outcome: socle.HandoffOutcomeKept}); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("the receiving structure concludes: %v, want ENOTFOUND", err)
	}
	if _, err := n.p.ConcludeOrientationRequest(ctx, n.req("orientation"), first.ID, socle.HandoffOutcome{Outcome: socle.HandoffOutcomeExit}); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("a sortie without a reason: %v, want EINVALID", err)
	}
	done, err := n.p.ConcludeOrientationRequest(ctx, n.req("orientation"), first.ID, socle.HandoffOutcome{Outcome: socle.HandoffOutcomeExit, Reason: "emploi"})
	must(t, err)
	if done.Outcome != socle.HandoffOutcomeExit {
		t.Fatalf("outcome = %+v", done)
	}
	n.clock = n.clock.Add(24 * time.Hour)
	if _, _, err := n.gate.ReadPerson(ctx, n.req("accompagnement"), n.followed.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("the day after the sortie, the orienting structure still reads the person: %v", err)
	}
}

// receivingStructure adds to env a second mission locale of the Rhône and
// returns the request of its adviser for the purpose orientation.
func receivingStructure(t *testing.T, e *env) gate.Request {
	t.Helper()
	return as(newAdviser(t, e.db, storetest.NewOrganisation("Mission Locale de Villeurbanne", socle.KindYouth, "69"), "paul@ml-villeurbanne.fr"), "orientation")
}

// TestPartnerSystemAcceptsNamingTheReferent: the receiving structure's
// system (a client, no adviser behind it) accepts a request only by naming
// the adviser who becomes the référent, an active adviser of that
// structure; the follow-up it opens is hers.
func TestPartnerSystemAcceptsNamingTheReferent(t *testing.T) {
	ctx := context.Background()
	n := newHandoffNet(t)
	r := n.send(t, n.receiver, "")
	system := partnerSystem(n.receiver, "orientation", "orientation:read", "orientation:update")
	for _, tt := range []struct {
		name     string
		referent string
	}{
		{"no référent named", ""},
		{"an adviser of another structure", n.thirdOrg.AgentID},
		{"no such adviser", "agt_aaaaaaaaaaaaaaaaaaaa"},
	} {
		_, err := n.p.AnswerOrientationRequest(ctx, system, r.ID, socle.HandoffAnswer{Accept: true, ReferentAgentID: tt.referent})
		if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(err.Error(), "referent_agent_id") {
			t.Fatalf("%s: %v, want EINVALID naming referent_agent_id", tt.name, err)
		}
	}
	if _, err := n.p.AnswerOrientationRequest(ctx, system, r.ID, socle.HandoffAnswer{Reason: "capacite", ReferentAgentID: n.receiver.AgentID}); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("a refusal naming a référent: %v, want EINVALID", err)
	}
	got, err := n.p.AnswerOrientationRequest(ctx, system, r.ID, socle.HandoffAnswer{Accept: true, ReferentAgentID: n.receiver.AgentID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != socle.HandoffAccepted {
		t.Fatalf("status %s, want accepted", got.Status)
	}
	fs, err := n.db.Followups(ctx, n.followed.ID)
	must(t, err)
	if !slices.ContainsFunc(fs, func(f *socle.Followup) bool {
		return f.OrganisationID == n.receiver.OrganisationID && f.AgentID == n.receiver.AgentID && f.End.IsZero()
	}) {
		t.Fatalf("no open follow-up of the named référent: %+v", fs)
	}
}
