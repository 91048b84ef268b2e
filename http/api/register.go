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
	return httpx.Read(func(r *http.Request) (policy.Register, error) {
		return svc.Current(httpx.ActorFrom(r.Context()))
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
	return limited(100, 1000, func(r *http.Request, limit int) ([]socle.RegisterVersion, error) {
		return svc.Versions(r.Context(), httpx.ActorFrom(r.Context()), limit)
	})
}

func handleBreakGlassList(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (page[*socle.BreakGlassGrant], error) {
		reviewed := false
		switch r.URL.Query().Get("reviewed") {
		case "", "false":
		case "true":
			reviewed = true
		default:
			return page[*socle.BreakGlassGrant]{}, socle.Errorf(socle.EINVALID, "parameter reviewed: true or false")
		}
		limit, err := httpx.IntParam(r, "limit", 100, 1, 1000)
		if err != nil {
			return page[*socle.BreakGlassGrant]{}, err
		}
		list, err := g.BreakGlassGrants(r.Context(), httpx.GateRequest(r), reviewed, limit)
		return page[*socle.BreakGlassGrant]{Items: httpx.NonNil(list), Limit: limit}, err
	})
}

func handleBreakGlassReview(g *gate.Gate) http.Handler {
	return httpx.NoContent(func(r *http.Request) error {
		return g.ReviewBreakGlass(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
	})
}
