package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"socle/internal/golden"
	"strings"
	"testing"

	"socle"
)

// TestErrorPagesShowNoEnglish renders the error page for domain errors
// whose messages are English (written for the API) and for wrapped Go
// errors: the page shows the French sentence of the code, never the
// English text nor the error's detail.
func TestErrorPagesShowNoEnglish(t *testing.T) {
	s := New("test", Services{})
	tests := []struct {
		name   string
		err    error
		status int
		want   string
	}{
		{"not found", socle.Errorf(socle.ENOTFOUND, "person not found"), 404, codeMessages[socle.ENOTFOUND]},
		{"forbidden", socle.Errorf(socle.EFORBIDDEN, "an auditor searches only the entries of her own organisation"), 403, codeMessages[socle.EFORBIDDEN]},
		{"invalid", socle.Errorf(socle.EINVALID, "parameter limit: an integer between 1 and 500"), 400, codeMessages[socle.EINVALID]},
		{"unavailable", fmt.Errorf("reading person: %w", socle.Errorf(socle.EUNAVAILABLE, "the audit log cannot write")), 503, codeMessages[socle.EINTERNAL]},
		{"internal", fmt.Errorf("reading person: %w", os.ErrClosed), 500, codeMessages[socle.EINTERNAL]},
		{"translated", socle.Errorf(socle.EUNAUTHENTICATED, "authentication required"), 401, domainMessages["authentication required"]},
		{"page's own", userErrorf(socle.EINVALID, "Le filtre demandé n'existe pas."), 400, "Le filtre demandé n'existe pas."},
		{"French domain", socle.Errorf(socle.ETOOMANY, "Trop de tentatives depuis votre adresse. Réessayez plus tard."), 429, "Trop de tentatives depuis votre adresse. Réessayez plus tard."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.Error(rec, httptest.NewRequest(http.MethodGet, "/usagers/per_x", nil), tt.err)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, template.HTMLEscapeString(tt.want)) {
				t.Fatalf("status %d, want %d with %q:\n%s", rec.Code, tt.status, tt.want, body)
			}
			if english := socle.ErrorMessage(tt.err); english != tt.want && strings.Contains(body, template.HTMLEscapeString(english)) {
				t.Errorf("the page shows the English message %q", english)
			}
			for _, leak := range []string{"reading person", "file already closed", "socle error"} {
				if strings.Contains(body, leak) {
					t.Errorf("the page shows %q", leak)
				}
			}
		})
	}
}

// TestErrorPageGolden keeps the rendered error page (its layout too) in
// testdata/error.golden.html; run with -update after a deliberate change.
func TestErrorPageGolden(t *testing.T) {
	s := New("test", Services{})
	rec := httptest.NewRecorder()
	s.Error(rec, httptest.NewRequest(http.MethodGet, "/nulle-part", nil), userErrorf(socle.ENOTFOUND, "Cette page n'existe pas."))
	golden.Check(t, "error.golden.html", rec.Body.Bytes())
}
