package api

import (
	"context"
	"net/http"

	"socle/gate"
	"socle/http/httpx"
)

// byID adapts a gate call on the resource the path names ({id}) to the
// request, for httpx.Read, Answer and List: who asks and why come from
// the request (httpx.GateRequest).
func byID[T any](call func(ctx context.Context, req gate.Request, id string) (T, error)) func(*http.Request) (T, error) {
	return func(r *http.Request) (T, error) {
		return call(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
	}
}
