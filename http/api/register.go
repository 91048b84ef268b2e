package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/policy"
	"socle/register"
)

// registerService answers 503 when the server has no register service.
func handleRegister(svc *register.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg, err := svc.Current(httpx.ActorFrom(r.Context()))
		httpx.Respond(w, r, http.StatusOK, reg, err)
	})
}

// pendingChange answers an edit that waits for a second administrator.
type pendingChange struct {
	ID      string `json:"change_id"`
	Status  string `json:"status"`
	Summary string `json:"summary"`
}

// registerEdit is the body of PUT /api/v1/register.
type registerEdit struct {
	Register policy.Register `json:"register"`
	Reason   string          `json:"reason"`
}

func handleUpdateRegister(svc *register.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := httpx.ActorFrom(r.Context())
		if err := register.CheckAdmin(actor); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		edit, err := httpx.Decode[registerEdit](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		reg, change, err := svc.Update(r.Context(), actor, httpx.RequestID(r.Context()), edit.Register, edit.Reason)
		if err == nil && change != nil {
			// Nothing applies yet: a second administrator approves it.
			httpx.Encode(w, http.StatusAccepted, pendingChange{ID: change.ID, Status: change.Status, Summary: change.Summary})
			return
		}
		httpx.Respond(w, r, http.StatusOK, reg, err)
	})
}

func handleRegisterVersions(svc *register.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := httpx.IntParam(r, "limit", 100, 1, 1000)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		vs, err := svc.Versions(r.Context(), httpx.ActorFrom(r.Context()), limit)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if vs == nil {
			vs = []socle.RegisterVersion{}
		}
		httpx.Encode(w, http.StatusOK, page[socle.RegisterVersion]{Items: vs, Limit: limit})
	})
}

func handleBreakGlassList(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reviewed := false
		switch r.URL.Query().Get("reviewed") {
		case "", "false":
		case "true":
			reviewed = true
		default:
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter reviewed: true or false"))
			return
		}
		limit, err := httpx.IntParam(r, "limit", 100, 1, 1000)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		list, err := g.BreakGlassGrants(r.Context(), httpx.GateRequest(r), reviewed, limit)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if list == nil {
			list = []*socle.BreakGlassGrant{}
		}
		httpx.Encode(w, http.StatusOK, page[*socle.BreakGlassGrant]{Items: list, Limit: limit})
	})
}

func handleBreakGlassReview(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.ReviewBreakGlass(r.Context(), httpx.GateRequest(r), r.PathValue("id")); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
