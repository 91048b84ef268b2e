package web

import (
	"net/http"
	"socle/http/httpx"

	"socle"
)

// breakGlassRow is a break-the-glass access as the review screen shows it.
type breakGlassRow struct {
	ID, Agent, Person, Purpose, Justification, At, Reviewed string
}

// handleBreakGlassReviewPage lists the break-the-glass accesses awaiting
// review (or reviewed, ?revus=1) for the privacy officers, with a button
// to mark each reviewed.
func handleBreakGlassReviewPage(s *breakGlassPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := staffOnly(w, r)
		if !ok {
			return
		}
		reviewed := r.URL.Query().Get("revus") == "1"
		list, err := s.gate.BreakGlassGrants(r.Context(), httpx.GateRequest(r), reviewed, 200)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		names := map[string]string{}
		if s.detection != nil {
			ids := make([]string, 0, 2*len(list))
			for _, g := range list {
				ids = append(ids, g.AgentID, g.ReviewedBy)
			}
			if names, err = s.detection.Names(r.Context(), actor, ids...); err != nil {
				s.renderError(w, r, err)
				return
			}
		}
		rows := make([]breakGlassRow, len(list))
		for i, g := range list {
			rows[i] = breakGlassRow{ID: g.ID, Agent: orDefault(names[g.AgentID], "Agent inconnu"), Person: g.PersonRef, Purpose: purposeLabel(s.gate, g.Purpose),
				Justification: g.Justification, At: frenchTime(g.Created)}
			if g.Reviewed {
				rows[i].Reviewed = "par " + orDefault(names[g.ReviewedBy], "un délégué") + " le " + frenchDay(g.ReviewedAt)
			}
		}
		staffPage(s.renderer, w, r, http.StatusOK, "bris-de-glace-revue", "Accès exceptionnels à revoir", "alertes",
			&breakGlassReviewView{Rows: rows, Reviewed: reviewed})
	})
}

func handleBreakGlassReviewForm(s *breakGlassPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		if err := s.gate.ReviewBreakGlass(r.Context(), httpx.GateRequest(r), r.PathValue("id")); err != nil {
			if socle.ErrorCode(err) == socle.ENOTFOUND || socle.ErrorCode(err) == socle.ECONFLICT {
				http.Redirect(w, r, "/bris-de-glace", http.StatusSeeOther)
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/bris-de-glace", http.StatusSeeOther)
	})
}

// breakGlassReviewView lists the exceptional accesses to review, or those
// reviewed.
type breakGlassReviewView struct {
	form
	Rows     []breakGlassRow
	Reviewed bool
}
