package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handleThrottleBlocksAPI(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := httpx.IntParam(r, "limit", 100, 1, 1000)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		list, err := g.ThrottleBlocks(r.Context(), httpx.GateRequest(r), limit)
		if list == nil {
			list = []socle.ThrottleState{}
		}
		httpx.Respond(w, r, http.StatusOK, page[socle.ThrottleState]{Items: list, Limit: limit}, err)
	})
}

func handleLiftBlockAPI(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[struct {
			Reason string `json:"reason"`
		}](r)
		if err == nil {
			err = g.LiftBlock(r.Context(), httpx.GateRequest(r), r.PathValue("principal"), in.Reason)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
