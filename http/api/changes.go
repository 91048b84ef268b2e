package api

import (
	"net/http"
	"strconv"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// changesResponse is a page of the change feed: references, never data.
type changesResponse struct {
	Items      []socle.RecordChange `json:"items"`
	NextCursor string               `json:"next_cursor"`
	HasMore    bool                 `json:"has_more"`
	Access     accessInfo           `json:"access"`
}

func handleChanges(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := httpx.IntParam(r, "limit", 100, 1, gate.MaxChanges)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		var after int64
		if c := r.URL.Query().Get("cursor"); c != "" {
			if after, err = strconv.ParseInt(c, 10, 64); err != nil || after < 0 {
				httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter cursor: the next_cursor of a previous page"))
				return
			}
		}
		req := httpx.GateRequest(r)
		page, d, err := g.Changes(r.Context(), req, after, limit)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusOK, changesResponse{Items: page.Changes, NextCursor: strconv.FormatInt(page.Next, 10),
			HasMore: page.More, Access: accessOf(req.Purpose, d)})
	})
}
