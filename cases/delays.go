package cases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"socle"
)

// Deadlines of the workflow: how long a case may stay in each state. A
// critical case is triaged within hours; the agent concerned is asked
// for an explanation early, so that most false positives close at triage.
const (
	DeadlineTriageCritical = 4 * time.Hour
	DeadlineTriage         = 2 * 24 * time.Hour
	DeadlineDecide         = 5 * 24 * time.Hour  // from triage to closing or investigating
	DeadlineInvestigate    = 30 * 24 * time.Hour // from triage to a verdict
)

// Deadline returns when the case must leave its state (zero once closed).
func Deadline(c *socle.Case) time.Time {
	switch c.State {
	case socle.CaseNew:
		if c.Critical {
			return c.OpenedAt.Add(DeadlineTriageCritical)
		}
		return c.OpenedAt.Add(DeadlineTriage)
	case socle.CaseTriage:
		return orOpened(c).Add(DeadlineDecide)
	case socle.CaseInvestigating:
		return orOpened(c).Add(DeadlineInvestigate)
	}
	return time.Time{}
}

func orOpened(c *socle.Case) time.Time {
	if c.TriagedAt.IsZero() {
		return c.OpenedAt
	}
	return c.TriagedAt
}

// Overdue reports whether the case passed its deadline at now.
func Overdue(c *socle.Case, now time.Time) bool {
	d := Deadline(c)
	return !d.IsZero() && now.After(d)
}

// Audit actions of the explanation exchange.
const (
	AuditCaseQuestion = "case_question"
	AuditCaseAnswer   = "case_answer"
)

// Notifier sends in-app notifications (and mail) to agents.
type Notifier interface {
	Notify(ctx context.Context, agentID, subject, body string) error
}

// SetNotifier gives the service the notifier of critical alerts and of
// questions to agents; without one, nobody is notified.
func (s *Service) SetNotifier(n Notifier) {
	s.mu.Lock()
	s.notifier = n
	s.mu.Unlock()
}

func (s *Service) notify(ctx context.Context, agentID, subject, body string) error {
	s.mu.Lock()
	n := s.notifier
	s.mu.Unlock()
	if n == nil {
		return nil
	}
	return n.Notify(ctx, agentID, subject, body)
}

// notifyCritical tells the privacy officers of the case's organisation at
// once that a critical alert was raised.
func (s *Service) notifyCritical(ctx context.Context, c *socle.Case, a *socle.Alert) error {
	agents, err := s.store.AgentsOf(ctx, c.OrganisationID)
	if err != nil {
		return fmt.Errorf("notifying the privacy officers: %w", err)
	}
	for _, ag := range agents {
		if ag.Disabled || !ag.HasRole(socle.RoleAuditor) {
			continue
		}
		if err := s.notify(ctx, ag.ID, "Alerte critique à traiter",
			"Une alerte critique a été ouverte ("+a.Reason+") Le dossier est à trier dans les 4 heures : /alertes/"+c.ID); err != nil {
			return fmt.Errorf("notifying the privacy officers: %w", err)
		}
	}
	return nil
}

// Ask asks the agent concerned by the case for an explanation, in the
// app: the question goes to the case's timeline and to her notifications.
func (s *Service) Ask(ctx context.Context, actor socle.Actor, id, question string) (*socle.CaseEntry, error) {
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if c.AgentID() == "" {
		return nil, socle.Errorf(socle.EINVALID, "the case concerns a partner system: there is no agent to ask")
	}
	if c.State == socle.CaseClosed {
		return nil, socle.Errorf(socle.ECONFLICT, "the case is closed")
	}
	if question, err = cleanText(question, true); err != nil {
		return nil, err
	}
	e, err := s.addEntry(ctx, actor, c, socle.CaseEntryQuestion, AuditCaseQuestion, "explanation asked of the agent concerned", question)
	if err != nil {
		return nil, err
	}
	if err := s.notify(ctx, c.AgentID(), "Demande d'explication",
		"Un délégué à la protection des données vous demande d'expliquer des consultations de dossiers. Répondez dans Socle : /mes-explications"); err != nil {
		return nil, err
	}
	return e, nil
}

// Question is a question asked to an agent, with her answer if any.
type Question struct {
	CaseID   string           `json:"case_id"`
	Asked    *socle.CaseEntry `json:"asked"`
	Answer   *socle.CaseEntry `json:"answer,omitempty"` // nil while unanswered
	Deadline time.Time        `json:"deadline"`
}

// AnswerWindow is how long the agent has to answer.
const AnswerWindow = 3 * 24 * time.Hour

// Questions returns the questions asked to the actor about her own open
// cases, unanswered first.
func (s *Service) Questions(ctx context.Context, actor socle.Actor) ([]Question, error) {
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA {
		return nil, socle.Errorf(socle.EFORBIDDEN, "questions are for agents signed in with a second factor")
	}
	cs, err := s.store.Cases(ctx, socle.CaseFilter{Principal: "agent:" + actor.AgentID, Limit: 50})
	if err != nil {
		return nil, err
	}
	var out []Question
	for _, c := range cs {
		es, err := s.store.CaseEntries(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			switch e.Kind {
			case socle.CaseEntryQuestion:
				out = append(out, Question{CaseID: c.ID, Asked: e, Deadline: e.CreatedAt.Add(AnswerWindow)})
			case socle.CaseEntryAnswer:
				for i := range out {
					if out[i].CaseID == c.ID && out[i].Answer == nil {
						out[i].Answer = e
						break
					}
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Question) int {
		if (a.Answer == nil) != (b.Answer == nil) {
			if a.Answer == nil {
				return -1
			}
			return 1
		}
		return b.Asked.CreatedAt.Compare(a.Asked.CreatedAt)
	})
	return out, nil
}

// Answer records the agent's answer to the questions of her case: kept in
// the timeline as evidence, audited, and the privacy officers are told.
func (s *Service) Answer(ctx context.Context, actor socle.Actor, id, text string) (*socle.CaseEntry, error) {
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA {
		return nil, socle.Errorf(socle.EFORBIDDEN, "answers are for agents signed in with a second factor")
	}
	c, err := s.store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.AgentID() != actor.AgentID {
		return nil, socle.Errorf(socle.ENOTFOUND, "case not found")
	}
	es, err := s.store.CaseEntries(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(es, func(e *socle.CaseEntry) bool { return e.Kind == socle.CaseEntryQuestion }) {
		return nil, socle.Errorf(socle.ECONFLICT, "no explanation was asked on this case")
	}
	if text, err = cleanText(text, true); err != nil {
		return nil, err
	}
	e, err := s.addEntry(ctx, actor, c, socle.CaseEntryAnswer, AuditCaseAnswer, "the agent concerned answered", text)
	if err != nil {
		return nil, err
	}
	if c.Assignee != "" {
		if err := s.notify(ctx, c.Assignee, "Réponse de l'agent concerné", "L'agent a répondu à votre demande d'explication : /alertes/"+c.ID); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Rank orders cases for the console: open before closed, critical first,
// then by score (the detector's, calibrated on past verdicts), then the
// nearest deadline.
func Rank(cs []*socle.Case) {
	slices.SortStableFunc(cs, func(a, b *socle.Case) int {
		if ac, bc := a.State == socle.CaseClosed, b.State == socle.CaseClosed; ac != bc {
			if ac {
				return 1
			}
			return -1
		}
		if a.Critical != b.Critical {
			if a.Critical {
				return -1
			}
			return 1
		}
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return Deadline(a).Compare(Deadline(b))
	})
}
