package http

import (
	"net/http"
	"regexp"
	"socle/internal/golden"
	"testing"

	"socle"
)

// TestPagesGolden keeps rendered pages of the real server in testdata/:
// the login page and a person's file as an adviser of a mission locale that
// follows her. Identifiers and tokens, which change at each run, are
// replaced by placeholders. Run with -update after a deliberate change.
func TestPagesGolden(t *testing.T) {
	e := newNetworkEnv(t)
	anonymous := &http.Client{Jar: newJar()}
	tests := []struct {
		name   string
		client *http.Client
		path   string
	}{
		{"connexion.golden.html", anonymous, "/connexion"},
		{"dossier.golden.html", e.clients[socle.KindYouth], "/usagers/" + e.person.ID + "?finalite=accompagnement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.get(tt.client, tt.path, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d\n%s", tt.path, resp.StatusCode, body)
			}
			golden.Check(t, tt.name, stable(body))
		})
	}
}

var (
	// unstable are the parts of a page that change at each run: ids,
	// tokens, request references, the current year.
	unstable = []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`\b(per|org|agt|fol|ses|cas|ori|com|evt|off|cmp)_[A-Za-z0-9]+`), "${1}_ID"},
		{regexp.MustCompile(`name="csrf" value="[^"]*"`), `name="csrf" value="JETON"`},
		{regexp.MustCompile(`<code>[0-9a-f]{24}</code>`), `<code>REF</code>`},
	}
)

// stable replaces the parts of a page that change at each run.
func stable(page string) []byte {
	for _, u := range unstable {
		page = u.re.ReplaceAllString(page, u.with)
	}
	return []byte(page)
}
