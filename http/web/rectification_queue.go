package web

import (
	"net/http"

	"socle/gate"
)

// handleRectificationQueue is the organisation's queue of open
// rectification requests, each linking to the page that answers it.
func handleRectificationQueue(s *rectificationPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		rs, err := p.RectificationQueue(r.Context(), pageRequest(r, purposeAccompagnement, ""))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "rectifications-en-attente", view{Title: "Demandes de rectification en attente", Nav: "rectifications",
			Data: rectificationQueueView{Requests: rectificationRows(rs), Limit: gate.RectificationQueueLimit, Full: len(rs) >= gate.RectificationQueueLimit}})
	})
}

// rectificationQueueView is the queue of pending rectification requests.
type rectificationQueueView struct {
	Requests []rectificationRow
	Limit    int
	Full     bool
}
