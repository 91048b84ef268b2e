package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handleFollowups(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (any, error) {
		pg, err := httpx.PageParams(r, 50, 200)
		if err != nil {
			return nil, err
		}
		req := httpx.GateRequest(r)
		fs, d, err := g.Followups(r.Context(), req, r.PathValue("id"))
		// By start date, then id.
		key := func(f *socle.Followup) string { return f.Start.String() + "|" + f.ID }
		return struct {
			httpx.Page[*socle.Followup]
			Access accessInfo `json:"access"`
		}{httpx.Paginate(fs, key, pg), accessOf(req.Purpose, d)}, err
	})
}
