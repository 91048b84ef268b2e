package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// The rereads of the creates whose resources have no read of their own:
// a replay of an Idempotency-Key (httpx.Idempotent) answers the created
// resource read again through the gate, picked by its id
// (httpx.PathCreated) from the person's list, so that the replay is
// decided, masked and audited like any read.

// rereadEvent answers the person's event a create made.
func rereadEvent(p *gate.Parcours) http.Handler {
	return httpx.Read(func(r *http.Request) (*socle.Event, error) {
		evs, err := p.Events(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		return created(evs, err, func(e *socle.Event) string { return e.ID }, r)
	})
}

// rereadOrientation answers the person's orientation a proposal made,
// without the proposal's reasoning, which is not kept.
func rereadOrientation(p *gate.Parcours) http.Handler {
	return httpx.Read(func(r *http.Request) (map[string]any, error) {
		os, err := p.Orientations(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		o, err := created(os, err, func(o *socle.Orientation) string { return o.ID }, r)
		return map[string]any{"orientation": o}, err
	})
}

// created returns the item of items the create made; ENOTFOUND if it is
// no longer there.
func created[T any](items []*T, err error, id func(*T) string, r *http.Request) (*T, error) {
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if id(it) == r.PathValue(httpx.PathCreated) {
			return it, nil
		}
	}
	return nil, socle.Errorf(socle.ENOTFOUND, "the resource created with this Idempotency-Key no longer exists")
}

// rereadPlan answers the plan version a create made, read again through
// the gate. A version replaced since is not answered in its place: the
// retry is told to read the plan (409), so that it never mistakes a later
// version for its own.
func rereadPlan(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pl, err := p.Plan(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		if err == nil && pl.ID != r.PathValue(httpx.PathCreated) {
			pl, err = nil, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: the plan version it created has since been replaced (now version %d); read the plan", pl.Version)
		}
		httpx.Respond(w, r, http.StatusOK, pl, err)
	})
}
