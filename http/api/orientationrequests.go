package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// orientationRequestInput is what a partner sends to orient a person: the
// rest of the request (its structure, summary, deadline) is the server's.
type orientationRequestInput struct {
	ToOrganisationID string `json:"to_organisation_id"`
	Parcours         string `json:"parcours"`
	Motive           string `json:"motive"`
	PreviousID       string `json:"previous_id,omitempty"`
}

func handleSendOrientationRequest(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[orientationRequestInput](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		hr := &socle.OrientationRequest{PersonID: r.PathValue("id"), ToOrganisationID: in.ToOrganisationID, Parcours: in.Parcours,
			Motive: in.Motive, PreviousID: in.PreviousID}
		if err := p.SendOrientationRequest(r.Context(), httpx.GateRequest(r), hr); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/v1/orientation-requests/"+hr.ID)
		httpx.Encode(w, http.StatusCreated, hr)
	})
}

// handlePersonOrientationRequests lists a person's orientation requests,
// newest first, a page at a time.
func handlePersonOrientationRequests(p *gate.Parcours) http.Handler {
	return httpx.List(50, 200, func(q *socle.OrientationRequest) string { return httpx.NewestFirst(httpx.TimeKey(q.CreatedAt, q.ID)) }, byID(p.OrientationRequests))
}

// orientationQueueItem is a request of the receiving queue with its
// person's name.
type orientationQueueItem struct {
	*socle.OrientationRequest
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

func handleOrientationRequestsToMe(p *gate.Parcours) http.Handler {
	// The queue comes by deadline, the soonest first.
	return httpx.List(50, 200, func(q orientationQueueItem) string { return q.Deadline.String() + "|" + q.ID }, func(r *http.Request) ([]orientationQueueItem, error) {
		items, err := p.OrientationRequestsToMyStructure(r.Context(), httpx.GateRequest(r))
		out := make([]orientationQueueItem, len(items))
		for i, it := range items {
			out[i] = orientationQueueItem{it.Request, it.GivenName, it.FamilyName}
		}
		return out, err
	})
}

func handleOrientationRequest(p *gate.Parcours) http.Handler {
	return httpx.Read(func(r *http.Request) (map[string]any, error) {
		req := httpx.GateRequest(r)
		f, d, err := p.OrientationRequest(r.Context(), req, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"request": f.Request, "person": f.Person, "access": accessOf(req.Purpose, d)}, nil
	})
}

func handleAnswerOrientationRequest(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, a socle.HandoffAnswer) (*socle.OrientationRequest, error) {
		return p.AnswerOrientationRequest(r.Context(), httpx.GateRequest(r), r.PathValue("id"), a)
	})
}

func handleConcludeOrientationRequest(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, o socle.HandoffOutcome) (*socle.OrientationRequest, error) {
		return p.ConcludeOrientationRequest(r.Context(), httpx.GateRequest(r), r.PathValue("id"), o)
	})
}
