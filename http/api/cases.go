package api

import (
	"context"
	"net/http"

	"socle"
	"socle/cases"
	"socle/gate"
	"socle/http/httpx"
	"socle/identity"
)

func handleCasesAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs, err := svc.Cases(r.Context(), httpx.ActorFrom(r.Context()), httpx.CaseFilter(r, "state", "rule", "principal", "organisation_id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if cs == nil {
			cs = []*socle.Case{}
		}
		httpx.Encode(w, http.StatusOK, map[string]any{"cases": cs})
	})
}

func handleCaseAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := svc.Case(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusOK, d, err)
	})
}

func handleCaseMetricsAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := svc.Metrics(r.Context(), httpx.ActorFrom(r.Context()), svc.Now().Add(-httpx.CaseMetricsSince))
		httpx.Respond(w, r, http.StatusOK, m, err)
	})
}

func handleCaseTransitionAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[struct {
			State   socle.CaseState `json:"state"`
			Verdict socle.Verdict   `json:"verdict"`
			Comment string          `json:"comment"`
		}](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		c, err := svc.Move(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), in.State, in.Verdict, in.Comment)
		httpx.Respond(w, r, http.StatusOK, c, err)
	})
}

func handleCaseAssignAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[struct {
			AuditorID string `json:"auditor_id"`
		}](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if err := svc.Assign(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), in.AuditorID); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleCaseCommentAPI(svc *cases.Service) http.Handler {
	return handleCaseTextAPI(svc, (*cases.Service).Comment)
}

// handleCaseTextAPI adds a text entry to a case's timeline with add (a
// comment, a question to the agent concerned, her answer).
func handleCaseTextAPI(svc *cases.Service, add func(*cases.Service, context.Context, socle.Actor, string, string) (*socle.CaseEntry, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[struct {
			Text string `json:"text"`
		}](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		e, err := add(svc, r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), in.Text)
		httpx.Respond(w, r, http.StatusCreated, e, err)
	})
}

func handleBulkTasksAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts, err := svc.Tasks(r.Context(), httpx.ActorFrom(r.Context()))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if ts == nil {
			ts = []*socle.BulkTask{}
		}
		httpx.Encode(w, http.StatusOK, map[string]any{"bulk_tasks": ts})
	})
}

func handleDeclareBulkTaskAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[socle.BulkTask](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if err := svc.DeclareTask(r.Context(), httpx.ActorFrom(r.Context()), &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusCreated, in)
	})
}

func handleApproveBulkTaskAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := svc.ApproveTask(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusOK, t, err)
	})
}

func handleStepUpAPI(id *identity.Service, g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[struct {
			Code string `json:"code"`
		}](r)
		if err == nil && id == nil {
			err = socle.Errorf(socle.EUNAVAILABLE, "step-up is not served here")
		}
		if err == nil {
			err = httpx.StepUp(id, g, r, in.Code)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleCaseQuestionAPI(svc *cases.Service) http.Handler {
	return handleCaseTextAPI(svc, (*cases.Service).Ask)
}

func handleCaseAnswerAPI(svc *cases.Service) http.Handler {
	return handleCaseTextAPI(svc, (*cases.Service).Answer)
}

func handleQuestionsAPI(svc *cases.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		qs, err := svc.Questions(r.Context(), httpx.ActorFrom(r.Context()))
		if qs == nil {
			qs = []cases.Question{}
		}
		httpx.Respond(w, r, http.StatusOK, map[string]any{"questions": qs}, err)
	})
}
