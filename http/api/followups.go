package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handleFollowups(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 50, 200)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req := httpx.GateRequest(r)
		fs, d, err := g.Followups(r.Context(), req, r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		// By start date, then id.
		key := func(f *socle.Followup) string { return f.Start.String() + "|" + f.ID }
		httpx.Encode(w, http.StatusOK, struct {
			httpx.Page[*socle.Followup]
			Access accessInfo `json:"access"`
		}{httpx.Paginate(fs, key, pg), accessOf(req.Purpose, d)})
	})
}
