package http

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

// capturePattern records, for logRequests, the route pattern that the
// mux matched: the mux sets it on the request it is given, which the
// middlewares in between have copied.
func capturePattern(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey).(*string); ok {
			*p = r.Pattern
		}
	})
}

// loggerFrom returns the server's logger carried by the request context.
func loggerFrom(ctx context.Context) *slog.Logger {
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

// withRequestID gives each request an id, reusing a well-formed one set by a
// proxy in front, and echoes it in the response.
func withRequestID(next http.Handler) http.Handler {
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

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		route := new(string)
		ctx := context.WithValue(context.WithValue(r.Context(), loggerKey, s.logger), routeKey, route)
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.ObserveRequest(*route, rec.status, time.Since(start))
		}
		// The query string may hold search criteria (names, NIR): only the
		// path is logged.
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", remoteAddr(r)),
		)
	})
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection; the server keeps serving.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("panic", "request_id", RequestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
				writeError(w, r, socle.Errorf(socle.EINTERNAL, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only the server's own styles, images and
// scripts (the WebAuthn ceremonies, /static/webauthn.js); no inline script.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(tls bool, next http.Handler) http.Handler {
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

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.MaxBodyBytes {
			writeError(w, r, socle.Errorf(socle.ETOOLARGE, "request body larger than %d bytes", s.cfg.MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// probes are the health routes: they answer load balancers and
// orchestrators, which send no credentials, and must not depend on
// whatever cookie or token a request carries (nor on the session store).
var probes = map[string]bool{"/healthz": true, "/readyz": true}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probes[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		actor, err := s.auth.Authenticate(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey, actor)))
	})
}

func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// guardAPIWrites protects the JSON API's writes from other sites. A write
// carries JSON (415 otherwise: a form or text/plain body is what a foreign
// page can send without asking); a write authenticated by a cookie rather
// than a bearer token must come from Socle's own pages: the session's
// X-CSRF-Token header, or an Origin (or Sec-Fetch-Site) saying same-origin.
func (s *Server) guardAPIWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if hasBody(r) && !isJSON(r.Header.Get("Content-Type")) {
			writeError(w, r, socle.Errorf(socle.EUNSUPPORTED, "request body: Content-Type must be application/json"))
			return
		}
		if actor := ActorFrom(r.Context()); (actor.Authenticated() || actor.ContactID != "") && !hasBearer(r) && !s.sameOrigin(r) && !s.sessionCSRF(r) {
			writeError(w, r, socle.Errorf(socle.EFORBIDDEN, "a write authenticated by a session cookie needs the session's X-CSRF-Token header or a same-origin Origin header"))
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
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Host != r.Host {
		return false
	}
	return u.Scheme == "https" || !s.cfg.TLS && u.Scheme == "http"
}

// sessionCSRF reports whether the request carries the staff session's
// CSRF token in its header.
func (s *Server) sessionCSRF(r *http.Request) bool {
	return s.identity != nil && r.Header.Get("X-CSRF-Token") != "" && s.identity.VerifyCSRF(r) == nil
}

// rejectInvalidText refuses, before anything reads them, header values,
// query parameters and form fields that are not valid UTF-8: such text
// would reach the audit log (a break-the-glass justification, a user
// agent, a reason) and could not be read back in canonical form. JSON
// bodies need no check: decoding them replaces invalid bytes.
func (s *Server) rejectInvalidText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(what string) {
			err := socle.Errorf(socle.EINVALID, "%s: not valid UTF-8 text", what)
			if strings.HasPrefix(r.URL.Path, "/api/") || s.pages == nil {
				writeError(w, r, err)
				return
			}
			s.renderError(w, r, err)
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
					writeError(w, r, socle.Errorf(socle.ETOOLARGE, "request body larger than %d bytes", tooLarge.Limit))
					return
				}
				writeError(w, r, socle.Errorf(socle.EINVALID, "malformed query string or form body"))
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
