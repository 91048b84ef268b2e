package cases_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/cases"
)

// recorder is a Notifier that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent map[string][]string // agent → subjects
}

func (r *recorder) Notify(_ context.Context, agentID, subject, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent == nil {
		r.sent = map[string][]string{}
	}
	r.sent[agentID] = append(r.sent[agentID], subject)
	return nil
}

func TestCriticalAlertNotifiesThePrivacyOfficersAtOnce(t *testing.T) {
	e := newEnv(t)
	n := &recorder{}
	e.svc.SetNotifier(n)
	e.raise(t, "off_hours")
	if len(n.sent) != 0 {
		t.Fatalf("a non-critical alert notified %v", n.sent)
	}
	if _, err := e.svc.Raise(context.Background(), &socle.Alert{Rule: "mass_fast", Critical: true, Score: 9, Principal: "agent:" + e.adv.ID, OrganisationID: e.org.ID, Reason: "Extraction."}); err != nil {
		t.Fatal(err)
	}
	if got := n.sent[e.auditorAgent.ID]; len(got) != 1 || len(n.sent) != 1 {
		t.Fatalf("notified %v; want the organisation's privacy officer once", n.sent)
	}
}

func TestDeadlinesByState(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		c    socle.Case
		want time.Time
	}{
		{"new", socle.Case{State: socle.CaseNew, OpenedAt: t0}, t0.Add(cases.DeadlineTriage)},
		{"new critical", socle.Case{State: socle.CaseNew, Critical: true, OpenedAt: t0}, t0.Add(4 * time.Hour)},
		{"triage", socle.Case{State: socle.CaseTriage, OpenedAt: t0, TriagedAt: t0.Add(time.Hour)}, t0.Add(time.Hour + cases.DeadlineDecide)},
		{"investigating", socle.Case{State: socle.CaseInvestigating, OpenedAt: t0, TriagedAt: t0}, t0.Add(cases.DeadlineInvestigate)},
		{"closed", socle.Case{State: socle.CaseClosed, OpenedAt: t0}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cases.Deadline(&tt.c); !got.Equal(tt.want) {
				t.Fatalf("deadline = %v, want %v", got, tt.want)
			}
		})
	}
	if !cases.Overdue(&socle.Case{State: socle.CaseNew, Critical: true, OpenedAt: t0}, t0.Add(5*time.Hour)) {
		t.Fatal("a critical case untouched for 5 hours is not overdue")
	}
}

func TestAgentIsAskedAndAnswersInTheApp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := &recorder{}
	e.svc.SetNotifier(n)
	c := e.raise(t, "family")
	adviser := socle.Actor{AgentID: e.adv.ID, OrganisationID: e.org.ID, Roles: e.adv.Roles, Strength: socle.AuthMFA}
	if _, err := e.svc.Answer(ctx, adviser, c.ID, "C'est ma sœur"); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("answer before any question: %v, want ECONFLICT", err)
	}
	if _, err := e.svc.Ask(ctx, adviser, c.ID, "Pourquoi ?"); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("the agent asks herself: %v, want EFORBIDDEN", err)
	}
	if _, err := e.svc.Ask(ctx, e.auditor, c.ID, "Pourquoi avez-vous ouvert ce dossier ?"); err != nil {
		t.Fatal(err)
	}
	if len(n.sent[e.adv.ID]) != 1 {
		t.Fatalf("the agent was not notified: %v", n.sent)
	}
	qs, err := e.svc.Questions(ctx, adviser)
	if err != nil || len(qs) != 1 || qs[0].Answer != nil || qs[0].CaseID != c.ID {
		t.Fatalf("questions = %+v, %v", qs, err)
	}
	if qs, _ := e.svc.Questions(ctx, e.auditor); len(qs) != 0 {
		t.Fatalf("someone else sees the question: %+v", qs)
	}
	if _, err := e.svc.Answer(ctx, e.auditor, c.ID, "réponse"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("answer by someone else: %v, want ENOTFOUND", err)
	}
	if _, err := e.svc.Answer(ctx, adviser, c.ID, "Rendez-vous à l'accueil, orientation demandée par la personne."); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Case(ctx, e.auditor, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var answered bool
	for _, en := range d.Entries {
		answered = answered || (en.Kind == socle.CaseEntryAnswer && en.Author == e.adv.ID)
	}
	if !answered {
		t.Fatalf("the answer is not in the case's timeline: %+v", d.Entries)
	}
}

func TestConsoleRanksOpenCasesByScore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, a := range []struct {
		agent string
		score float64
	}{{"agent:a", 2}, {"agent:b", 7.5}, {"agent:c", 3}} {
		if _, err := e.svc.Raise(ctx, &socle.Alert{Rule: "colleague", Score: a.score, Principal: a.agent, OrganisationID: e.org.ID, Reason: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := e.svc.Cases(ctx, e.auditor, socle.CaseFilter{})
	if err != nil || len(cs) != 3 {
		t.Fatalf("cases = %d, %v", len(cs), err)
	}
	if cs[0].Principal != "agent:b" || cs[0].Score != 7.5 || cs[1].Principal != "agent:c" || cs[2].Principal != "agent:a" {
		t.Fatalf("order = %s %s %s", cs[0].Principal, cs[1].Principal, cs[2].Principal)
	}
}
