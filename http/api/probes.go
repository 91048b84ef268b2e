package api

import (
	"context"
	"net/http"

	"socle"
	"socle/http/httpx"
)

// handleHealthz answers 200 while the process serves HTTP: liveness only,
// without authentication, the database or any other dependency.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.Encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers 200 when the server can serve: the database answers
// and ready (when set) finds nothing wrong; 503 with the reason otherwise.
func handleReadyz(dir httpx.Directory, ready func(ctx context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := dir.Ping(r.Context()); err != nil {
			httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "database unreachable"))
			return
		}
		if ready != nil {
			if err := ready(r.Context()); err != nil {
				httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "not ready: %s", socle.ErrorMessage(err)))
				return
			}
		}
		httpx.Encode(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func handleAPINotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, socle.Errorf(socle.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
}
