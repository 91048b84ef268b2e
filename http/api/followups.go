package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handleFollowups(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httpx.GateRequest(r)
		fs, d, err := g.Followups(r.Context(), req, r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if fs == nil {
			fs = []*socle.Followup{}
		}
		httpx.Encode(w, http.StatusOK, struct {
			Items  []*socle.Followup `json:"items"`
			Access accessInfo        `json:"access"`
		}{fs, accessOf(req.Purpose, d)})
	})
}
