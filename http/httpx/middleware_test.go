package httpx

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle"
)

// testServer wraps the mux the test fills in the middleware chain the
// server uses (without authentication: every request is anonymous).
func testServer(t *testing.T, register func(mux *http.ServeMux)) http.Handler {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	register(mux)
	var h http.Handler = mux
	h = LimitBody(64, h)
	h = SecurityHeaders(false, h)
	h = RecoverPanics(logger, h)
	h = LogRequests(logger, nil, h)
	return WithRequestID(h)
}

func errorOf(t *testing.T, body []byte) ErrorDetail {
	t.Helper()
	var e ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error envelope: %v in %s", err, body)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error envelope without code or message: %s", body)
	}
	return e.Error
}

func TestMiddleware(t *testing.T) {
	type payload struct {
		Name string `json:"name"`
	}
	h := testServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
		mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
			p, err := Decode[payload](r)
			if err != nil {
				WriteError(w, r, err)
				return
			}
			Encode(w, http.StatusOK, p)
		})
	})
	tests := []struct {
		name       string
		method     string
		path, body string
		status     int
		code       string
	}{
		{"panic becomes a 500 envelope", "GET", "/panic", "", 500, socle.EINTERNAL},
		{"valid body", "POST", "/echo", `{"name":"x"}`, 200, ""},
		{"malformed JSON", "POST", "/echo", `{"name":`, 400, socle.EINVALID},
		{"unknown field", "POST", "/echo", `{"nom":"x"}`, 400, socle.EINVALID},
		{"wrong type", "POST", "/echo", `{"name":3}`, 400, socle.EINVALID},
		{"trailing data", "POST", "/echo", `{"name":"x"} {}`, 400, socle.EINVALID},
		{"empty body", "POST", "/echo", ``, 400, socle.EINVALID},
		{"oversize body", "POST", "/echo", `{"name":"` + strings.Repeat("x", 100) + `"}`, 413, socle.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.code != "" {
				if got := errorOf(t, rec.Body.Bytes()); got.Code != tt.code || got.RequestID == "" {
					t.Errorf("error = %+v, want code %s with a request id", got, tt.code)
				}
			}
			for _, hd := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Request-Id"} {
				if rec.Header().Get(hd) == "" {
					t.Errorf("missing header %s", hd)
				}
			}
			if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("CSP lacks frame-ancestors")
			}
		})
	}
}

func TestOversizeBodyWithoutContentLength(t *testing.T) {
	h := testServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
			_, err := Decode[map[string]string](r)
			WriteError(w, r, err)
		})
	})
	req := httptest.NewRequest("POST", "/echo", io.MultiReader(strings.NewReader(`{"a":"`), bytes.NewReader(bytes.Repeat([]byte("x"), 1000)), strings.NewReader(`"}`)))
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", rec.Code)
	}
}

func TestRequestIDIsKeptWhenWellFormed(t *testing.T) {
	h := testServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, RequestID(r.Context())) })
	})
	for _, tt := range []struct{ sent, want string }{{"abcdef123456", "abcdef123456"}, {"bad id with spaces", ""}} {
		req := httptest.NewRequest("GET", "/x", nil)
		req.Header.Set("X-Request-Id", tt.sent)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Body.String()
		if tt.want != "" && got != tt.want || tt.want == "" && (got == tt.sent || len(got) != 24) {
			t.Errorf("sent %q: request id %q", tt.sent, got)
		}
	}
}

func TestHSTSOnlyUnderTLS(t *testing.T) {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tls := range []bool{false, true} {
		rec := httptest.NewRecorder()
		SecurityHeaders(tls, ok).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tls {
			t.Errorf("tls=%v: HSTS sent = %v", tls, got)
		}
	}
}
