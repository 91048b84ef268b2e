package httpx

import (
	"net/http/httptest"
	"testing"
)

// TestEncodeIsCompact: API answers are compact JSON, not indented.
func TestEncodeIsCompact(t *testing.T) {
	w := httptest.NewRecorder()
	Encode(w, 200, map[string]any{"id": "per_1", "skills": []string{"A1203", "K2204"}})
	if got, want := w.Body.String(), `{"id":"per_1","skills":["A1203","K2204"]}`+"\n"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", w.Header())
	}
}
