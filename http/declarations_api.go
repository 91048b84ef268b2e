package http

import (
	"net/http"
	"time"

	"socle"
	"socle/cases"
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

func handleDeclarationsAPI(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, err := directoryService(s)
		if err != nil {
			writeError(w, r, err)
			return
		}
		ds, err := svc.Declarations(r.Context(), ActorFrom(r.Context()))
		if ds == nil {
			ds = []*socle.Declaration{}
		}
		respond(w, r, http.StatusOK, map[string]any{"declarations": ds}, err)
	})
}

func handleDeclareAPI(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := decode[declarationInput](r)
		svc, serr := directoryService(s)
		if err = firstErr(serr, err); err != nil {
			writeError(w, r, err)
			return
		}
		d := &socle.Declaration{Kind: in.Kind, OfAgentID: in.OfAgentID, Persons: in.Persons, Reference: in.Reference, Note: in.Note, From: in.From, To: in.To}
		respond(w, r, http.StatusCreated, d, svc.Declare(r.Context(), ActorFrom(r.Context()), d))
	})
}

func handleWithdrawDeclarationAPI(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, err := directoryService(s)
		if err == nil {
			err = svc.Withdraw(r.Context(), ActorFrom(r.Context()), r.PathValue("id"))
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleCaseQuestionAPI(s *Server) http.Handler { return handleCaseTextAPI(s, (*cases.Service).Ask) }

func handleCaseAnswerAPI(s *Server) http.Handler {
	return handleCaseTextAPI(s, (*cases.Service).Answer)
}

func handleQuestionsAPI(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, err := casesService(s)
		if err != nil {
			writeError(w, r, err)
			return
		}
		qs, err := svc.Questions(r.Context(), ActorFrom(r.Context()))
		if qs == nil {
			qs = []cases.Question{}
		}
		respond(w, r, http.StatusOK, map[string]any{"questions": qs}, err)
	})
}
