package web

import (
	"net/http"
	"net/url"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// The change of référent of a followed person, on the page of the file's
// follow-up (/usagers/{id}/suivi): the structure that follows her names
// one of its advisers (Parcours.ChangeReferent); the history of référents
// says who named whom, from when to when.

// adviserOptions are the advisers the actor's structure may name, the
// current référent selected; none when the structure does not follow the
// person on day.
func adviserOptions(h *gate.FileHistory, day socle.Date, organisationID string) []option {
	current := ""
	for _, f := range h.Followups {
		if f.OrganisationID == organisationID && f.ActiveOn(day) {
			current = f.AgentID
			break
		}
	}
	out := make([]option, 0, len(h.Advisers))
	for _, a := range h.Advisers {
		out = append(out, option{Value: a.ID, Label: a.Name, Selected: a.ID == current})
	}
	return out
}

func handleReferentChange(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id, agentID := r.PathValue("id"), strings.TrimSpace(r.PostFormValue("referent"))
		v := &followupView{}
		if agentID == "" {
			v.ReferentError = msgReferentRequired
			followupPage(s, p, w, r, http.StatusBadRequest, v)
			return
		}
		_, changed, err := p.ChangeReferent(r.Context(), pageRequest(r, purposeAccompagnement, ""), id, agentID)
		switch {
		case err == nil:
			outcome := "change"
			if !changed {
				outcome = "inchange"
			}
			http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/suivi?referent="+outcome+"#referents", http.StatusSeeOther)
		case socle.ErrorCode(err) == socle.EINVALID:
			v.ReferentError = msgReferentRefused
			followupPage(s, p, w, r, http.StatusBadRequest, v)
		case socle.ErrorCode(err) == socle.ECONFLICT:
			v.ReferentError = msgReferentNotFollow
			followupPage(s, p, w, r, http.StatusConflict, v)
		case soft(err):
			v.ReferentError = message(err)
			followupPage(s, p, w, r, httpx.ErrorStatus(err), v)
		default:
			s.renderError(w, r, err)
		}
	})
}

// referentChangedAfter reports whether the period f ended because its
// structure named another référent the day after: the follow-up goes on.
func referentChangedAfter(fs []*socle.Followup, f *socle.Followup) bool {
	if f.End.IsZero() {
		return false
	}
	next := socle.DateOf(f.End.Time().AddDate(0, 0, 1))
	for _, g := range fs {
		if g.AssignedBy != "" && g.OrganisationID == f.OrganisationID && (g.Start == next || g.Start == f.End) {
			return true
		}
	}
	return false
}
