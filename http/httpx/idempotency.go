package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"socle"
	"socle/gate"
)

// HeaderReplayed marks an answer replayed for an Idempotency-Key.
const HeaderReplayed = "Idempotent-Replayed"

// PathCreated is the path value that names the created resource to the
// handler re-reading it for a replay (ReadCreated).
const PathCreated = "created"

// Idempotent gives create an Idempotency-Key (docs/api.md): a request
// without the header runs as is; with it, the first request of the
// principal with that key runs, and what identifies its 2xx answer
// (status, Location, the created resource's id and the person it is
// about) is kept for socle.IdempotencyWindow, never its body; a retry
// with the same key and the same request (method, path and query,
// purpose, body) creates nothing and is answered the kept status and
// Location, with Idempotent-Replayed: true, and the body reread answers
// for the created resource (PathCreated), read again through the gate
// like any read, so that the replay is decided, masked and audited; an
// answer reread refuses (the resource is no longer readable) is answered
// as is. Without reread (a create whose answer holds no personal data, or
// whose resource has no read of its own) the replay's body is only the
// resource's id. The same key with another request is 409, as is a retry
// while the first is still being processed. A create that fails (any
// status but 2xx) keeps nothing: the key can be retried.
//
// Wrap every POST that creates in the route table with it. The gate's
// creates of personal data keep their key in the create's own
// transaction instead (gate.Answers says why).
func Idempotent(answers *gate.Answers, create, reread http.Handler) http.Handler {
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
			replay(w, r, prev, operation, hash, reread)
			return
		}
		rec := httptest.NewRecorder()
		create.ServeHTTP(rec, r)
		if rec.Code >= 200 && rec.Code < 300 {
			c := createdOf(r, rec.Code, rec.Header().Get("Location"), rec.Body.Bytes())
			if err := answers.Complete(r.Context(), actor, key, c); err != nil {
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

// ReadCreated serves read, a read of one resource by its path value "id",
// as the reread of Idempotent: with "id" naming the created resource.
func ReadCreated(read http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue("id", r.PathValue(PathCreated))
		read.ServeHTTP(w, r)
	})
}

// createdOf identifies the result of a create from its answer: the
// resource's "id" (at the top of the answer, or of the one object of the
// answer that has one) and the person it is about (the path's person, or
// the answer's "person_id").
func createdOf(r *http.Request, status int, location string, answer []byte) gate.Created {
	c := gate.Created{Status: status, Location: location}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(answer, &top) // an answer that is not an object names nothing
	c.ResourceID, c.PersonID = stringField(top, "id"), stringField(top, "person_id")
	for _, v := range top {
		var inner map[string]json.RawMessage
		if json.Unmarshal(v, &inner) != nil {
			continue
		}
		if id := stringField(inner, "id"); id != "" && c.ResourceID == "" {
			c.ResourceID = id
			if c.PersonID == "" {
				c.PersonID = stringField(inner, "person_id")
			}
		}
	}
	if strings.HasPrefix(r.URL.Path, "/api/v1/persons/") && r.PathValue("id") != "" {
		c.PersonID = r.PathValue("id")
	}
	return c
}

// stringField returns the string field name of m, or "".
func stringField(m map[string]json.RawMessage, name string) string {
	var s string
	if raw, ok := m[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// replay answers a retry from the kept result, or refuses it.
func replay(w http.ResponseWriter, r *http.Request, prev *socle.IdempotencyRecord, operation, hash string, reread http.Handler) {
	switch {
	case prev.Operation != operation || prev.RequestHash != hash:
		WriteError(w, r, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: already used for a different request; use a new key for a new request"))
		return
	case prev.Status == 0:
		WriteError(w, r, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: the first request with this key is still being processed; retry later"))
		return
	}
	status, body := prev.Status, []byte(nil)
	if reread != nil && prev.ResourceID != "" {
		get := r.Clone(r.Context())
		get.Method, get.Body, get.ContentLength = http.MethodGet, http.NoBody, 0
		get.SetPathValue(PathCreated, prev.ResourceID)
		rec := httptest.NewRecorder()
		reread.ServeHTTP(rec, get)
		if rec.Code < 200 || rec.Code >= 300 {
			// No longer readable (erased, the access withdrawn): its
			// refusal is the answer.
			copyHeader(w.Header(), rec.Header())
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		copyHeader(w.Header(), rec.Header())
		body = rec.Body.Bytes()
	} else {
		body, _ = json.Marshal(map[string]string{"id": prev.ResourceID})
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
	}
	if prev.Location != "" {
		w.Header().Set("Location", prev.Location)
	}
	w.Header().Set(HeaderReplayed, "true")
	w.WriteHeader(status)
	_, _ = w.Write(body)
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
