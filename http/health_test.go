package http

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"socle"
	"socle/store/sqlite"
)

// failingAuth fails every request that carries credentials, as a session
// store that is down would.
type failingAuth struct{}

func (failingAuth) Authenticate(r *http.Request) (socle.Actor, error) {
	return socle.Actor{}, errors.New("session store: connection refused")
}

// TestHealthTellsTheTruth: the probes answer without authentication
// whatever credentials come along; /readyz is 503 with Retry-After while
// Ready reports a problem; and a database that is gone answers 503 with
// Retry-After, never 500.
func TestHealthTellsTheTruth(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var notReady atomic.Pointer[error]
	ready := func(context.Context) error {
		if p := notReady.Load(); p != nil {
			return *p
		}
		return nil
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(NewServer(logger, Config{}, Services{Directory: db, Auth: failingAuth{}, Ready: ready}))
	defer srv.Close()
	get := func(path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Cookie", "socle_session=garbage")
		req.Header.Set("Authorization", "Bearer garbage")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	check := func(name, path string, want int) {
		t.Helper()
		resp := get(path)
		if resp.StatusCode != want {
			t.Errorf("%s: GET %s = %d, want %d", name, path, resp.StatusCode, want)
		}
		if got := resp.Header.Get("Retry-After"); (want == http.StatusServiceUnavailable) != (got != "") {
			t.Errorf("%s: GET %s: Retry-After %q with status %d", name, path, got, resp.StatusCode)
		}
	}
	check("credentials that fail", "/healthz", http.StatusOK)
	check("credentials that fail", "/readyz", http.StatusOK)

	draining := socle.Errorf(socle.EUNAVAILABLE, "draining")
	notReady.Store(new(error(draining)))
	check("not ready", "/readyz", http.StatusServiceUnavailable)
	check("not ready", "/healthz", http.StatusOK)
	notReady.Store(nil)

	db.Close()
	srv.Config.Handler = NewServer(logger, Config{}, Services{Directory: db, Auth: Anonymous{}, Ready: ready})
	check("database gone", "/readyz", http.StatusServiceUnavailable)
	check("database gone", "/api/v1/departements", http.StatusServiceUnavailable)
	check("database gone", "/structures", http.StatusServiceUnavailable)
	check("database gone", "/healthz", http.StatusOK)
}
