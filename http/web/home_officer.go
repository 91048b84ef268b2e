package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"socle"
	"socle/http/httpx"
)

// officerQueueSize is how many items of each kind the privacy officer's
// home lists; her pages list them all.
const officerQueueSize = 5

// officerHome fills the privacy officer's queue of v: the open cases
// with the highest scores, the break-the-glass accesses to review, and
// their counts. A block that fails is named in v.Problems.
func (s *homePages) officerHome(ctx context.Context, r *http.Request, actor socle.Actor, v *agentHomeView, problem func(string, error)) {
	grants, err := s.gate.BreakGlassGrants(ctx, httpx.GateRequest(r), false, 200)
	if err != nil {
		problem(msgHomeBreakGlass, err)
	}
	v.BreakGlassToReview = len(grants)
	var open []*socle.Case
	if s.cases != nil {
		for _, st := range []socle.CaseState{socle.CaseNew, socle.CaseTriage, socle.CaseInvestigating} {
			list, err := s.cases.Cases(ctx, actor, socle.CaseFilter{State: st, Limit: 500})
			if err != nil {
				problem(msgHomeCases, err)
				break
			}
			open = append(open, list...)
		}
	}
	v.OpenCases = len(open)
	// The most urgent first: critical, then by score.
	slices.SortStableFunc(open, func(a, b *socle.Case) int {
		if a.Critical != b.Critical {
			if a.Critical {
				return -1
			}
			return 1
		}
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	s.officerQuestionsAndRights(ctx, r, actor, open, v, problem)
	open = open[:min(len(open), officerQueueSize)]
	grants = grants[:min(len(grants), officerQueueSize)]
	names := map[string]string{}
	if s.detection != nil && len(open)+len(grants) > 0 {
		ids := make([]string, 0, 2*len(open)+len(grants))
		for _, c := range open {
			ids = append(ids, c.AgentID(), c.Assignee)
		}
		for _, g := range grants {
			ids = append(ids, g.AgentID)
		}
		if names, err = s.detection.Names(ctx, actor, ids...); err != nil {
			problem(msgHomeNames, err)
			names = map[string]string{}
		}
	}
	v.Cases = caseRows(ctx, s.words, names, open, time.Now())
	for _, g := range grants {
		v.Grants = append(v.Grants, breakGlassRow{ID: g.ID, Agent: orDefault(names[g.AgentID], labelUnknownAgent), Purpose: purposeLabel(s.gate, g.Purpose),
			Justification: g.Justification, At: frenchTime(g.Created)})
	}
}
