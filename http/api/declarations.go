package api

import (
	"net/http"
	"time"

	"socle"
	"socle/directory"
	"socle/http/httpx"
)

// declarationInput is what an agent's tool (a phone platform's, a
// reception desk's) sends to declare an explanation.
type declarationInput struct {
	Kind      socle.DeclarationKind `json:"kind"`
	OfAgentID string                `json:"of_agent_id"`
	Persons   []string              `json:"persons"`
	Reference string                `json:"reference"`
	Note      string                `json:"note"`
	From      time.Time             `json:"from"`
	To        time.Time             `json:"to"`
}

func handleDeclarationsAPI(svc *directory.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ds, err := svc.Declarations(r.Context(), httpx.ActorFrom(r.Context()))
		if ds == nil {
			ds = []*socle.Declaration{}
		}
		httpx.Respond(w, r, http.StatusOK, map[string]any{"declarations": ds}, err)
	})
}

func handleDeclareAPI(svc *directory.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[declarationInput](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		d := &socle.Declaration{Kind: in.Kind, OfAgentID: in.OfAgentID, Persons: in.Persons, Reference: in.Reference, Note: in.Note, From: in.From, To: in.To}
		httpx.Respond(w, r, http.StatusCreated, d, svc.Declare(r.Context(), httpx.ActorFrom(r.Context()), d))
	})
}

func handleWithdrawDeclarationAPI(svc *directory.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := svc.Withdraw(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
