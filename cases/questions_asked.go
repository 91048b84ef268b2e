package cases

import (
	"context"
	"slices"

	"socle"
)

// maxCasesAsked bounds how many cases QuestionsAsked reads the timeline of.
const maxCasesAsked = 200

// QuestionsAsked returns the explanations the privacy officer asked, with
// the agents' answers, on those of cs (open cases she may see, at most
// maxCasesAsked) that hold one: the answers first, to be read, then the
// questions still waiting, oldest first. The reading is audited as one
// access; when it cannot be, nothing is returned.
func (s *Service) QuestionsAsked(ctx context.Context, actor socle.Actor, cs []*socle.Case) ([]Question, error) {
	all, err := checkAuditor(actor)
	if err != nil {
		return nil, err
	}
	var out []Question
	for _, c := range cs[:min(len(cs), maxCasesAsked)] {
		if c.State == socle.CaseClosed || (!all && c.OrganisationID != actor.OrganisationID) {
			continue
		}
		es, err := s.store.CaseEntries(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		var asked []Question
		for _, e := range es {
			switch {
			case e.Kind == socle.CaseEntryQuestion && e.Author == actor.AgentID:
				asked = append(asked, Question{CaseID: c.ID, Asked: e, Deadline: e.CreatedAt.Add(AnswerWindow)})
			case e.Kind == socle.CaseEntryAnswer:
				// An answer answers every question asked before it.
				for i := range asked {
					if asked[i].Answer == nil {
						asked[i].Answer = e
					}
				}
			}
		}
		out = append(out, asked...)
	}
	if err := s.auditRecords(ctx, actor, AuditCaseRead, "case", "", "Consultation des demandes d'explication posées par le délégué à la protection des données.", len(out)); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Question) int {
		if (a.Answer == nil) != (b.Answer == nil) {
			if a.Answer != nil {
				return -1
			}
			return 1
		}
		return a.Asked.CreatedAt.Compare(b.Asked.CreatedAt)
	})
	return out, nil
}
