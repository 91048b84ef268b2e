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
	return httpx.Read(func(r *http.Request) (map[string]any, error) {
		ds, err := svc.Declarations(r.Context(), httpx.ActorFrom(r.Context()))
		return map[string]any{"declarations": httpx.NonNil(ds)}, err
	})
}

func handleDeclareAPI(svc *directory.Service) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, in declarationInput) (*socle.Declaration, error) {
		d := &socle.Declaration{Kind: in.Kind, OfAgentID: in.OfAgentID, Persons: in.Persons, Reference: in.Reference, Note: in.Note, From: in.From, To: in.To}
		return d, svc.Declare(r.Context(), httpx.ActorFrom(r.Context()), d)
	})
}

func handleWithdrawDeclarationAPI(svc *directory.Service) http.Handler {
	return httpx.NoContent(func(r *http.Request) error {
		return svc.Withdraw(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
	})
}
