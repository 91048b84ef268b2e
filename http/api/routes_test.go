package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle"
	"socle/http/httpx"
)

// TestRoutesOfMissingServicesAnswer503 builds the table without the
// optional services: their routes stay (the surface is the documented
// one) and answer 503 with Retry-After and the reason, before reading the
// request.
func TestRoutesOfMissingServicesAnswer503(t *testing.T) {
	mux := http.NewServeMux()
	Routes(mux.Handle, Services{})
	tests := []struct {
		method, path, why string
	}{
		{"GET", "/api/v1/agenda", "parcours service"},
		{"POST", "/api/v1/persons/per_x/orientations", "parcours service"},
		{"GET", "/api/v1/cases", "misuse cases"},
		{"POST", "/api/v1/bulk-tasks", "misuse cases"},
		{"GET", "/api/v1/declarations", "directory"},
		{"PUT", "/api/v1/register", "register of purposes"},
		{"GET", "/api/v1/audit/checkpoint", "audit log"},
		{"GET", "/.well-known/socle-audit-key", "audit log"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader("not JSON")))
			var body httpx.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
			}
			if rec.Code != http.StatusServiceUnavailable || body.Error.Code != socle.EUNAVAILABLE ||
				!strings.Contains(body.Error.Message, tt.why) || rec.Header().Get("Retry-After") == "" {
				t.Errorf("%d %+v Retry-After %q; want 503 unavailable naming %q", rec.Code, body.Error, rec.Header().Get("Retry-After"), tt.why)
			}
		})
	}
}
