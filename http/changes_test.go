package http

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"socle"
)

// TestChangeFeedOverHTTP: an adviser reads the feed of the persons her
// organisation follows; bad parameters are 400 naming the parameter.
func TestChangeFeedOverHTTP(t *testing.T) {
	e := newNetworkEnv(t)
	c := e.clients[socle.KindDepartement]
	tests := []struct {
		name, path, purpose string
		status              int
		want                string
	}{
		{"no purpose", "/api/v1/changes", "", http.StatusBadRequest, "purpose"},
		{"bad cursor", "/api/v1/changes?cursor=abc", "accompagnement", http.StatusBadRequest, "cursor"},
		{"negative cursor", "/api/v1/changes?cursor=-1", "accompagnement", http.StatusBadRequest, "cursor"},
		{"limit too large", "/api/v1/changes?limit=501", "accompagnement", http.StatusBadRequest, "limit"},
		{"a page", "/api/v1/changes?limit=500", "accompagnement", http.StatusOK, e.person.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.get(c, tt.path, tt.purpose)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("GET %s: %d %s, want %d mentioning %q", tt.path, resp.StatusCode, body, tt.status, tt.want)
			}
			if tt.status != http.StatusOK {
				return
			}
			var page listPage[socle.RecordChange]
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(body, e.stranger.ID) || page.NextCursor == "" || page.NextCursor == "0" || page.HasMore {
				t.Errorf("page: %s", body)
			}
			for _, it := range page.Items {
				if it.Kind == socle.ResourcePerson && it.ID != e.person.ID {
					t.Errorf("the feed lists a person the département does not follow: %+v", it)
				}
			}
		})
	}
}
