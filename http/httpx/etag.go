package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"socle"
)

// ETags and If-Match, the API's optimistic concurrency (docs/api.md), for
// the resources the store does not version (those it versions are tagged
// by their version, version.go):
//
//   - every single-resource GET is wrapped in WithETag in the route table:
//     its 200 answer carries a strong ETag, the hash of the representation
//     it sends, and a matching If-None-Match is answered 304 without body;
//   - every update is wrapped in IfMatch with the GET of the same resource:
//     an If-Match header is checked against the ETag of the current
//     representation before the update runs, 412 when it differs.
//
// If-Match is optional: an update without it applies (last write wins), so
// that existing clients keep working; a client that wants no lost update
// sends it. The ETag hashes what the caller sees, so it changes when the
// resource changes (every record carries its updated_at) and when the
// caller is granted other categories.

// ETag returns the strong entity tag of a representation.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// WithETag sets the ETag of h's 200 answers to GET and HEAD requests
// (unless h set one: a version ETag), and answers 304 when the request's
// If-None-Match names it. Other answers and other methods pass unchanged.
// An answer that carries its version ETag streams through unbuffered: only
// the answers tagged by their hash are held to be hashed.
func WithETag(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		tw := &taggingWriter{ResponseWriter: w, ifNoneMatch: r.Header.Get("If-None-Match")}
		h.ServeHTTP(tw, r)
		if !tw.wrote {
			tw.WriteHeader(http.StatusOK)
		}
		if tw.held == nil {
			return
		}
		tag := ETag(tw.held.Bytes())
		w.Header().Set("ETag", tag)
		if etagListHas(tw.ifNoneMatch, tag) {
			w.Header().Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(tw.held.Bytes())
	})
}

// taggingWriter decides at the status line: a 200 with the handler's own
// ETag is answered at once (304 when If-None-Match names it, the body then
// dropped); a 200 without one is held to be hashed; anything else passes.
type taggingWriter struct {
	http.ResponseWriter
	ifNoneMatch string
	wrote       bool
	notModified bool
	held        *bytes.Buffer
}

func (t *taggingWriter) WriteHeader(code int) {
	if t.wrote {
		return
	}
	t.wrote = true
	if code != http.StatusOK {
		t.ResponseWriter.WriteHeader(code)
		return
	}
	tag := t.Header().Get("ETag")
	switch {
	case tag == "":
		t.held = new(bytes.Buffer)
	case etagListHas(t.ifNoneMatch, tag):
		t.notModified = true
		t.Header().Del("Content-Length")
		t.ResponseWriter.WriteHeader(http.StatusNotModified)
	default:
		t.ResponseWriter.WriteHeader(code)
	}
}

func (t *taggingWriter) Write(b []byte) (int, error) {
	if !t.wrote {
		t.WriteHeader(http.StatusOK)
	}
	switch {
	case t.notModified:
		return len(b), nil
	case t.held != nil:
		return t.held.Write(b)
	}
	return t.ResponseWriter.Write(b)
}

// IfMatch runs update when the request has no If-Match header, or when it
// names the ETag of the representation current answers for the same URL
// and headers as a GET (the read goes through the gate like any other:
// it is decided and audited). A mismatch is answered 412 and update does
// not run; when current fails (404, 403…) its answer is the update's.
//
// The updates of one resource through IfMatch are serialised in this
// process, so that two updates sending the same If-Match cannot both pass.
// (Servers of a cluster do not share this lock: the store's write is then
// the last to apply.)
func IfMatch(current, update http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		unlock := lockResource(r.URL.Path)
		defer unlock()
		want := strings.TrimSpace(r.Header.Get("If-Match"))
		if want == "" {
			update.ServeHTTP(w, r)
			return
		}
		read := r.Clone(r.Context())
		read.Method, read.Body, read.ContentLength = http.MethodGet, http.NoBody, 0
		read.Header.Del("If-Match")
		read.Header.Del("If-None-Match")
		read.Header.Del("Idempotency-Key")
		rec := httptest.NewRecorder()
		current.ServeHTTP(rec, read)
		if rec.Code != http.StatusOK {
			copyHeader(w.Header(), rec.Header())
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		tag := ETag(rec.Body.Bytes())
		if want != "*" && !etagListHas(want, tag) {
			w.Header().Set("ETag", tag)
			WriteError(w, r, socle.Errorf(socle.ESTALE,
				"If-Match: the resource changed since that version; read it again (its ETag is %s) and retry", tag))
			return
		}
		update.ServeHTTP(w, r)
	})
}

// etagListHas reports whether the If-Match or If-None-Match header value
// (a list of entity tags, or "*") names tag. Weak tags never match: the
// API's tags are strong.
func etagListHas(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}

// resourceLocks serialise the check of If-Match and the update of a
// resource, striped by path so that memory stays bounded.
var resourceLocks [256]sync.Mutex

func lockResource(path string) (unlock func()) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(path))
	m := &resourceLocks[h.Sum32()%uint32(len(resourceLocks))]
	m.Lock()
	return m.Unlock
}
