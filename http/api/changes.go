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
	return httpx.Read(func(r *http.Request) (changesResponse, error) {
		limit, err := httpx.IntParam(r, "limit", 100, 1, gate.MaxChanges)
		if err != nil {
			return changesResponse{}, err
		}
		var after int64
		if c := r.URL.Query().Get("cursor"); c != "" {
			if after, err = strconv.ParseInt(c, 10, 64); err != nil || after < 0 {
				return changesResponse{}, socle.Errorf(socle.EINVALID, "parameter cursor: the next_cursor of a previous page")
			}
		}
		req := httpx.GateRequest(r)
		page, d, err := g.Changes(r.Context(), req, after, limit)
		if err != nil {
			return changesResponse{}, err
		}
		return changesResponse{Items: page.Changes, NextCursor: strconv.FormatInt(page.Next, 10),
			HasMore: page.More, Access: accessOf(req.Purpose, d)}, nil
	})
}
