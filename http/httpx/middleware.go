// Package httpx holds what the JSON API (http/api) and the French pages
// (http/web) share: the mapping of error codes to statuses, JSON encoding,
// the request context (id, actor, logger) and the middleware chain.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
)

type contextKey int

const (
	requestIDKey contextKey = iota
	actorKey
	loggerKey
	routeKey
)

// CapturePattern records, for LogRequests, the route pattern that the
// mux matched: the mux sets it on the request it is given, which the
// middlewares in between have copied.
func CapturePattern(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey).(*string); ok {
			*p = r.Pattern
		}
	})
}

// LoggerFrom returns the server's logger carried by the request context.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// RequestID returns the id of the request being served, "" outside one.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// ActorFrom returns the authenticated actor of the request; the zero Actor
// for an anonymous one.
func ActorFrom(ctx context.Context) socle.Actor {
	a, _ := ctx.Value(actorKey).(socle.Actor)
	return a
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// WithRequestID gives each request an id, reusing a well-formed one set by a
// proxy in front, and echoes it in the response.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// RequestObserver observes each request served: the route pattern that
// matched ("" when none did), the status and the time taken.
type RequestObserver interface {
	ObserveRequest(route string, status int, d time.Duration)
}

// LogRequests logs every request (its path, never its query) and reports it
// to metrics when set; handlers find logger in the request context.
func LogRequests(logger *slog.Logger, metrics RequestObserver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		route := new(string)
		ctx := context.WithValue(context.WithValue(r.Context(), loggerKey, logger), routeKey, route)
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if metrics != nil {
			metrics.ObserveRequest(*route, rec.status, time.Since(start))
		}
		// The query string may hold search criteria (names, NIR): only the
		// path is logged.
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", RemoteAddr(r)),
		)
	})
}

// RecoverPanics turns a panic into a logged 500 instead of a dropped
// connection; the server keeps serving.
func RecoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error("panic", "request_id", RequestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
				WriteError(w, r, socle.Errorf(socle.EINTERNAL, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only the server's own styles, images, fonts
// and scripts (the WebAuthn ceremonies, /static/webauthn.js, and the DSFR's
// module script, which needs no inline script); no inline script or style.
// font-src 'self' is for the DSFR's Marianne and Spectral fonts.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// SecurityHeaders sets the headers every answer carries; HSTS over TLS.
func SecurityHeaders(tls bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// LimitBody refuses a request body larger than maxBytes with a 413.
func LimitBody(maxBytes int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBytes {
			WriteError(w, r, socle.Errorf(socle.ETOOLARGE, "request body larger than %d bytes", maxBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
		next.ServeHTTP(w, r)
	})
}

// probes are the health routes: they answer load balancers and
// orchestrators, which send no credentials, and must not depend on
// whatever cookie or token a request carries (nor on the session store).
var probes = map[string]bool{"/healthz": true, "/readyz": true}

// Authenticator establishes who makes a request: an agent's session, a
// partner's bearer token, a person's space. It returns the zero Actor for
// an anonymous request and an error only for a credential that is wrong.
type Authenticator interface {
	Authenticate(r *http.Request) (socle.Actor, error)
}

// Authenticate puts the actor auth finds in the request context (ActorFrom);
// a wrong credential is answered 401 there.
func Authenticate(auth Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probes[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		actor, err := auth.Authenticate(r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey, actor)))
	})
}

// RemoteAddr is the client address of r, without its port.
func RemoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// GuardAPIWrites protects the JSON API's writes from other sites. A write
// carries JSON (415 otherwise: a form or text/plain body is what a foreign
// page can send without asking); a write authenticated by a cookie rather
// than a bearer token must come from Socle's own pages: the session's
// X-CSRF-Token header (sessionCSRF, when set, checks it), or an Origin (or
// Sec-Fetch-Site) saying same-origin.
func GuardAPIWrites(tls bool, sessionCSRF func(*http.Request) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if hasBody(r) && !isJSON(r.Header.Get("Content-Type")) {
			WriteError(w, r, socle.Errorf(socle.EUNSUPPORTED, "request body: Content-Type must be application/json"))
			return
		}
		if actor := ActorFrom(r.Context()); (actor.Authenticated() || actor.ContactID != "") && !hasBearer(r) && !sameOrigin(r, tls) && !(sessionCSRF != nil && r.Header.Get("X-CSRF-Token") != "" && sessionCSRF(r)) {
			WriteError(w, r, socle.Errorf(socle.EFORBIDDEN, "a write authenticated by a session cookie needs the session's X-CSRF-Token header or a same-origin Origin header"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

func hasBearer(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Bearer")
}

// sameOrigin reports whether the browser says the request comes from a
// page of this server.
func sameOrigin(r *http.Request, tls bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Host != r.Host {
		return false
	}
	return u.Scheme == "https" || !tls && u.Scheme == "http"
}

// RejectInvalidText refuses, before anything reads them, header values,
// query parameters and form fields that are not valid UTF-8: such text
// would reach the audit log (a break-the-glass justification, a user
// agent, a reason) and could not be read back in canonical form. JSON
// bodies need no check: decoding them replaces invalid bytes. A refused
// page request is answered by pageError when set, JSON otherwise.
func RejectInvalidText(pageError func(w http.ResponseWriter, r *http.Request, err error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(what string) {
			err := socle.Errorf(socle.EINVALID, "%s: not valid UTF-8 text", what)
			if strings.HasPrefix(r.URL.Path, "/api/") || pageError == nil {
				WriteError(w, r, err)
				return
			}
			pageError(w, r, err)
		}
		for name, values := range r.Header {
			for _, v := range values {
				if !utf8.ValidString(v) {
					fail("header " + name)
					return
				}
			}
		}
		if !utf8.ValidString(r.URL.Path) {
			fail("path")
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" || r.URL.RawQuery != "" {
			if err := r.ParseForm(); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					WriteError(w, r, socle.Errorf(socle.ETOOLARGE, "request body larger than %d bytes", tooLarge.Limit))
					return
				}
				WriteError(w, r, socle.Errorf(socle.EINVALID, "malformed query string or form body"))
				return
			}
			for name, values := range r.Form {
				if !utf8.ValidString(name) {
					fail("form or query")
					return
				}
				for _, v := range values {
					if !utf8.ValidString(v) {
						fail("field " + name)
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
