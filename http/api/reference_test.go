package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle/geo"
	"socle/store/sqlite"
)

// TestAutocompleteSuggestsJobsAndCommunesByName asks the two autocomplete
// routes, served by the route table over a real store holding the built-in
// geography, what the forms ask as a person types.
func TestAutocompleteSuggestsJobsAndCommunesByName(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := geo.Builtin()
	if err := st.ImportGeo(ctx, g.Regions, g.Departements, g.Communes); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Routes(mux.Handle, Services{Directory: st})

	tests := []struct {
		name       string
		path       string
		status     int
		wantCode   string // field code or rome_code of the first item
		wantLabel  string
		wantNoItem bool
	}{
		{"a job by the words of its label", "/api/v1/jobs?q=nettoyage+locaux", 200, "K2204", "Nettoyage de locaux", false},
		{"a job by its code", "/api/v1/jobs?q=k2204", 200, "K2204", "Nettoyage de locaux", false},
		{"a job without accents", "/api/v1/jobs?q=electricien+batiment&limit=1", 200, "F1602", "", false},
		{"no job for nothing", "/api/v1/jobs?q=", 200, "", "", true},
		{"a commune by name", "/api/v1/communes?q=lyon", 200, "69123", "Lyon (69)", false},
		{"a commune by postal code", "/api/v1/communes?q=69006", 200, "69123", "Lyon (69)", false},
		{"a commune by INSEE code", "/api/v1/communes?q=69386", 200, "69386", "Lyon 6e Arrondissement (69)", false},
		{"a limit out of range", "/api/v1/jobs?q=agent&limit=500", 400, "", "", true},
		{"a query too long", "/api/v1/communes?q=" + strings.Repeat("a", 101), 400, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("GET %s: %d, want %d: %s", tt.path, rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				return
			}
			var body struct {
				Items []struct {
					Code     string `json:"code"`
					ROMECode string `json:"rome_code"`
					Label    string `json:"label"`
				} `json:"items"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if tt.wantNoItem {
				if len(body.Items) != 0 || body.Items == nil {
					t.Errorf("GET %s: %s, want an empty list", tt.path, rec.Body)
				}
				return
			}
			if len(body.Items) == 0 {
				t.Fatalf("GET %s: no item", tt.path)
			}
			first := body.Items[0]
			if code := first.Code + first.ROMECode; code != tt.wantCode || (tt.wantLabel != "" && first.Label != tt.wantLabel) {
				t.Errorf("GET %s: first %+v, want %s %q", tt.path, first, tt.wantCode, tt.wantLabel)
			}
		})
	}
}
