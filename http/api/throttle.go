package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handleThrottleBlocksAPI(g *gate.Gate) http.Handler {
	return limited(100, 1000, func(r *http.Request, limit int) ([]socle.ThrottleState, error) {
		return g.ThrottleBlocks(r.Context(), httpx.GateRequest(r), limit)
	})
}

func handleLiftBlockAPI(g *gate.Gate) http.Handler {
	return httpx.CommandNoContent(func(r *http.Request, in struct {
		Reason string `json:"reason"`
	}) error {
		return g.LiftBlock(r.Context(), httpx.GateRequest(r), r.PathValue("principal"), in.Reason)
	})
}
