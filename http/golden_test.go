package http

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"socle/internal/golden"

	"socle"
)

// TestPagesGolden keeps the content of rendered pages of the real server
// in testdata/ (what follows the breadcrumb in <main>): the login page and
// a person's file as an adviser of a mission locale that follows her. The
// layout around it is kept once, by the error page's golden file
// (http/web), so that a change of the layout touches one file. Identifiers and tokens, which change at
// each run, are replaced by placeholders. Run with -update after a
// deliberate change.
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
			content, ok := pageContent(body)
			if !ok {
				t.Fatalf("GET %s: the page has no <main> element\n%s", tt.path, body)
			}
			golden.Check(t, tt.name, stable(content))
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

// pageContent returns what a page shows in its <main> element after the
// layout's breadcrumb, false when it has no <main>.
func pageContent(page string) (string, bool) {
	start := strings.Index(page, "<main")
	end := strings.Index(page, "</main>")
	if start < 0 || end < start {
		return "", false
	}
	main := page[start:end]
	if i := strings.Index(main, `<nav class="fr-breadcrumb"`); i >= 0 {
		main = main[i:]
		main = main[strings.Index(main, "</nav>")+len("</nav>"):]
	}
	return strings.TrimLeft(main, "\n"), true
}

// stable replaces the parts of a page that change at each run.
func stable(page string) []byte {
	for _, u := range unstable {
		page = u.re.ReplaceAllString(page, u.with)
	}
	return []byte(page)
}
