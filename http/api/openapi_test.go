package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
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
