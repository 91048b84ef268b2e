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
	return httpx.Read(func(r *http.Request) (map[string]any, error) {
		cs, err := svc.Cases(r.Context(), httpx.ActorFrom(r.Context()), httpx.CaseFilter(r, "state", "rule", "principal", "organisation_id"))
		return map[string]any{"cases": httpx.NonNil(cs)}, err
	})
}

func handleCaseAPI(svc *cases.Service) http.Handler {
	return httpx.Read(func(r *http.Request) (*cases.Detail, error) {
		return svc.Case(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
	})
}

func handleCaseMetricsAPI(svc *cases.Service) http.Handler {
	return httpx.Read(func(r *http.Request) (*cases.Metrics, error) {
		return svc.Metrics(r.Context(), httpx.ActorFrom(r.Context()), svc.Now().Add(-httpx.CaseMetricsSince))
	})
}

func handleCaseTransitionAPI(svc *cases.Service) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, in struct {
		State   socle.CaseState `json:"state"`
		Verdict socle.Verdict   `json:"verdict"`
		Comment string          `json:"comment"`
	}) (*socle.Case, error) {
		return svc.Move(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), in.State, in.Verdict, in.Comment)
	})
}

func handleCaseAssignAPI(svc *cases.Service) http.Handler {
	return httpx.CommandNoContent(func(r *http.Request, in struct {
		AuditorID string `json:"auditor_id"`
	}) error {
		return svc.Assign(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), in.AuditorID)
	})
}

func handleCaseCommentAPI(svc *cases.Service) http.Handler {
	return handleCaseTextAPI(svc, (*cases.Service).Comment)
}

// handleCaseTextAPI adds a text entry to a case's timeline with add (a
// comment, a question to the agent concerned, her answer).
func handleCaseTextAPI(svc *cases.Service, add func(*cases.Service, context.Context, socle.Actor, string, string) (*socle.CaseEntry, error)) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, in struct {
		Text string `json:"text"`
	}) (*socle.CaseEntry, error) {
		return add(svc, r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), in.Text)
	})
}

func handleBulkTasksAPI(svc *cases.Service) http.Handler {
	return httpx.Read(func(r *http.Request) (map[string]any, error) {
		ts, err := svc.Tasks(r.Context(), httpx.ActorFrom(r.Context()))
		return map[string]any{"bulk_tasks": httpx.NonNil(ts)}, err
	})
}

func handleDeclareBulkTaskAPI(svc *cases.Service) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, in socle.BulkTask) (socle.BulkTask, error) {
		err := svc.DeclareTask(r.Context(), httpx.ActorFrom(r.Context()), &in)
		return in, err
	})
}

func handleApproveBulkTaskAPI(svc *cases.Service) http.Handler {
	return httpx.Answer(http.StatusOK, func(r *http.Request) (*socle.BulkTask, error) {
		return svc.ApproveTask(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
	})
}

func handleStepUpAPI(id *identity.Service, g *gate.Gate) http.Handler {
	return httpx.CommandNoContent(func(r *http.Request, in struct {
		Code string `json:"code"`
	}) error {
		if id == nil {
			return socle.Errorf(socle.EUNAVAILABLE, "step-up is not served here")
		}
		return httpx.StepUp(id, g, r, in.Code)
	})
}

func handleCaseQuestionAPI(svc *cases.Service) http.Handler {
	return handleCaseTextAPI(svc, (*cases.Service).Ask)
}

func handleCaseAnswerAPI(svc *cases.Service) http.Handler {
	return handleCaseTextAPI(svc, (*cases.Service).Answer)
}

func handleQuestionsAPI(svc *cases.Service) http.Handler {
	return httpx.Read(func(r *http.Request) (map[string]any, error) {
		qs, err := svc.Questions(r.Context(), httpx.ActorFrom(r.Context()))
		return map[string]any{"questions": httpx.NonNil(qs)}, err
	})
}
