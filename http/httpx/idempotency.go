package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"socle"
	"socle/gate"
)

// HeaderReplayed marks an answer replayed for an Idempotency-Key.
const HeaderReplayed = "Idempotent-Replayed"

// Idempotent gives create an Idempotency-Key (docs/api.md): a request
// without the header runs as is; with it, the first request of the
// principal with that key runs and its 2xx answer (status, Location, body)
// is kept for socle.IdempotencyWindow; a retry with the same key and the
// same request (method, path and query, purpose, body) is answered that
// answer again, with Idempotent-Replayed: true, and creates nothing. The
// same key with another request is 409, as is a retry while the first is
// still being processed. A create that fails (any status but 2xx) keeps
// nothing: the key can be retried.
//
// Wrap every POST that creates in the route table with it. The creates of
// persons keep their key in the gate's own transaction instead
// (gate.CreatePerson).
func Idempotent(answers *gate.Answers, create http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
		actor := ActorFrom(r.Context())
		if key == "" || !actor.Authenticated() || answers == nil {
			// Without an actor the create answers 401 itself; answers is
			// nil only when routes are listed without a gate.
			create.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			WriteError(w, r, decodeError(err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		operation := r.Method + " " + r.URL.Path
		hash := requestHash(r, body)
		prev, err := answers.Reserve(r.Context(), actor, key, operation, hash)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if prev != nil {
			replay(w, r, prev, operation, hash)
			return
		}
		rec := httptest.NewRecorder()
		create.ServeHTTP(rec, r)
		loc := rec.Header().Get("Location")
		if rec.Code >= 200 && rec.Code < 300 {
			if err := answers.Complete(r.Context(), actor, key, rec.Code, loc, rec.Body.Bytes()); err != nil {
				// The create happened: answer it; a retry will be told
				// the key is still being processed rather than create twice.
				LoggerFrom(r.Context()).Error("keeping an idempotent answer", "request_id", RequestID(r.Context()), "err", err)
			}
		} else if err := answers.Release(r.Context(), actor, key); err != nil {
			LoggerFrom(r.Context()).Error("releasing an Idempotency-Key", "request_id", RequestID(r.Context()), "err", err)
		}
		copyHeader(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// replay answers a retry with the kept answer, or refuses it.
func replay(w http.ResponseWriter, r *http.Request, prev *socle.IdempotencyRecord, operation, hash string) {
	switch {
	case prev.Operation != operation || prev.RequestHash != hash:
		WriteError(w, r, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: already used for a different request; use a new key for a new request"))
	case prev.Status == 0:
		WriteError(w, r, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: the first request with this key is still being processed; retry later"))
	default:
		if prev.Location != "" {
			w.Header().Set("Location", prev.Location)
		}
		w.Header().Set(HeaderReplayed, "true")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Answer)
	}
}

// requestHash identifies a request: what it creates (method, path, query
// with the purpose), the declared purpose header and the body.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	for _, part := range []string{r.Method, r.URL.RequestURI(), r.Header.Get("X-Purpose")} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
