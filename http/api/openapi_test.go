package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle/internal/golden"
)

// TestOpenAPIDescribesEveryRoute keeps the document and the routes together:
// an API route missing from the document, or a documented path without a
// route, fails.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi version = %q, want 3.1.0", doc.OpenAPI)
	}
	var patterns []string
	Routes(func(pattern string, _ http.Handler) { patterns = append(patterns, pattern) }, Services{})
	routed := map[string]bool{}
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !(strings.HasPrefix(path, "/api/v1/") || path == "/healthz" || path == "/readyz") {
			continue
		}
		routed[path+" "+strings.ToLower(method)] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.json", p)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routed[path+" "+method] {
				t.Errorf("openapi.json documents %s %s, which has no route", method, path)
			}
		}
	}
}

// TestOpenAPIGolden serves the document through the route table and keeps
// it, normalised (keys sorted, indented), in testdata/openapi.golden.json:
// a change of the API's contract shows as a diff of that file in review.
// Run with -update after a deliberate change.
func TestOpenAPIGolden(t *testing.T) {
	mux := http.NewServeMux()
	Routes(mux.Handle, Services{})
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, "openapi.golden.json", got)
}
