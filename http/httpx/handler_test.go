package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle"
)

// TestHandlerConstructorsCheckInputBeforeTheCall: a route built with the
// constructors answers what its call returns with the route's status, and
// a malformed body or list parameter is answered 400 without the call
// being made (so that bad input costs no audited access).
func TestHandlerConstructorsCheckInputBeforeTheCall(t *testing.T) {
	type body struct {
		Name string `json:"name"`
	}
	var called bool
	echo := func(r *http.Request, b body) (string, error) {
		called = true
		if b.Name == "refused" {
			return "", socle.Errorf(socle.EFORBIDDEN, "refused")
		}
		return "hello " + b.Name, nil
	}
	tests := []struct {
		name       string
		handler    http.Handler
		target     string
		body       string
		wantStatus int
		wantBody   string
		wantCalled bool
	}{
		{"read answers 200", Read(func(r *http.Request) ([]string, error) { called = true; return NonNil[string](nil), nil }),
			"/", "", http.StatusOK, "[]\n", true},
		{"a whole list answers [] for none", Read(func(r *http.Request) (Items[string], error) { called = true; return ItemsOf[string](nil), nil }),
			"/", "", http.StatusOK, `{"items":[]}` + "\n", true},
		{"answer takes the route's status", Answer(http.StatusAccepted, func(r *http.Request) (int, error) { called = true; return 7, nil }),
			"/", "", http.StatusAccepted, "7\n", true},
		{"command answers the call's result", Command(http.StatusCreated, echo),
			"/", `{"name":"Ada"}`, http.StatusCreated, "\"hello Ada\"\n", true},
		{"command answers the call's error", Command(http.StatusCreated, echo),
			"/", `{"name":"refused"}`, http.StatusForbidden, "", true},
		{"command refuses an unknown field before the call", Command(http.StatusCreated, echo),
			"/", `{"nom":"Ada"}`, http.StatusBadRequest, "", false},
		{"no content answers 204 without a body", NoContent(func(r *http.Request) error { called = true; return nil }),
			"/", "", http.StatusNoContent, "", true},
		{"no content answers the call's error", NoContent(func(r *http.Request) error { called = true; return socle.Errorf(socle.ENOTFOUND, "gone") }),
			"/", "", http.StatusNotFound, "", true},
		{"command without content refuses trailing data before the call",
			CommandNoContent(func(r *http.Request, b body) error { called = true; return nil }),
			"/", `{"name":"Ada"} {}`, http.StatusBadRequest, "", false},
		{"command without content answers 204", CommandNoContent(func(r *http.Request, b body) error { called = true; return nil }),
			"/", `{"name":"Ada"}`, http.StatusNoContent, "", true},
		{"list answers a page", List(50, 200, func(s string) string { return s }, func(r *http.Request) ([]string, error) { called = true; return []string{"b", "a"}, nil }),
			"/?limit=1", "", http.StatusOK, `{"items":["a"],"limit":1,"next_cursor":"` + EncodeCursor("a") + `","has_more":true}` + "\n", true},
		{"list refuses a limit above max before the call", List(50, 200, func(s string) string { return s }, func(r *http.Request) ([]string, error) { called = true; return nil, nil }),
			"/?limit=201", "", http.StatusBadRequest, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called = false
			w := httptest.NewRecorder()
			tt.handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, tt.target, strings.NewReader(tt.body)))
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantBody != "" && w.Body.String() != tt.wantBody {
				t.Errorf("body %q, want %q", w.Body, tt.wantBody)
			}
			if tt.wantStatus == http.StatusNoContent && (w.Body.Len() > 0 || w.Header().Get("Content-Type") != "") {
				t.Errorf("204 with a body %q or a content type %q", w.Body, w.Header().Get("Content-Type"))
			}
			if called != tt.wantCalled {
				t.Errorf("called %v, want %v", called, tt.wantCalled)
			}
		})
	}
}
