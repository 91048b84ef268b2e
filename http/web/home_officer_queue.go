package web

import (
	"context"
	"net/http"
	"time"

	"socle"
)

// officerQuestion is an explanation the privacy officer asked an agent,
// as her home lists it.
type officerQuestion struct {
	CaseID, Agent, Asked string
	// Answered says the agent answered: the answer waits to be read.
	// Otherwise Deadline is when the answer is due, Overdue when past.
	Answered bool
	Deadline string
	Overdue  bool
}

// officerRights is what the privacy officer sees of the rectification
// requests waiting in her structure: counts, never persons.
type officerRights struct {
	Open, Overdue int
	Oldest        string
}

// officerQuestionsAndRights fills v with the explanations the privacy
// officer asked on the open cases (open, every one she may see) and the
// rectification requests waiting in her structure. A block that fails is
// named in v.Problems.
func (s *homePages) officerQuestionsAndRights(ctx context.Context, r *http.Request, actor socle.Actor, open []*socle.Case, v *agentHomeView, problem func(string, error)) {
	if s.cases != nil {
		s.officerQuestions(ctx, actor, open, v, problem)
	}
	if s.parcours != nil {
		b, err := s.parcours.RectificationBacklog(ctx, pageRequest(r, "", ""))
		if err != nil {
			problem(msgHomeRights, err)
		} else {
			v.Rights = &officerRights{Open: b.Open, Overdue: b.Overdue}
			if !b.Oldest.IsZero() {
				v.Rights.Oldest = frenchDate(socle.DateOf(b.Oldest.In(paris)))
			}
		}
	}
}

func (s *homePages) officerQuestions(ctx context.Context, actor socle.Actor, open []*socle.Case, v *agentHomeView, problem func(string, error)) {
	qs, err := s.cases.QuestionsAsked(ctx, actor, open)
	if err != nil {
		problem(msgHomeQuestions, err)
		return
	}
	agentOf := map[string]string{}
	for _, c := range open {
		agentOf[c.ID] = c.AgentID()
	}
	v.QuestionsWaiting = len(qs)
	qs = qs[:min(len(qs), officerQueueSize)]
	names := map[string]string{}
	if s.detection != nil && len(qs) > 0 {
		ids := make([]string, 0, len(qs))
		for _, q := range qs {
			ids = append(ids, agentOf[q.CaseID])
		}
		if names, err = s.detection.Names(ctx, actor, ids...); err != nil {
			problem(msgHomeNames, err)
			names = map[string]string{}
		}
	}
	now := time.Now()
	for _, q := range qs {
		row := officerQuestion{CaseID: q.CaseID, Agent: orDefault(names[agentOf[q.CaseID]], labelUnknownAgent), Asked: frenchTime(q.Asked.CreatedAt),
			Answered: q.Answer != nil, Deadline: frenchTime(q.Deadline), Overdue: q.Answer == nil && now.After(q.Deadline)}
		v.Questions = append(v.Questions, row)
	}
}
