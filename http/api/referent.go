package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// referentRequest names the adviser a structure makes référent of a
// person it follows.
type referentRequest struct {
	AgentID string `json:"agent_id"`
}

// handleChangeReferent sets the référent of a followed person. PUT: naming
// the current référent again changes nothing, so a retry is harmless and
// needs no Idempotency-Key; the answer is the follow-up in force.
func handleChangeReferent(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, body referentRequest) (*socle.Followup, error) {
		f, _, err := p.ChangeReferent(r.Context(), httpx.GateRequest(r), r.PathValue("id"), body.AgentID)
		return f, err
	})
}
