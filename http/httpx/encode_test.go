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

// TestAttachmentIsADownloadNotStored: a file to download names itself and
// is not kept by caches (it may carry personal data).
func TestAttachmentIsADownloadNotStored(t *testing.T) {
	w := httptest.NewRecorder()
	Attachment(w, "text/csv; charset=utf-8", "indicateurs.csv")
	for name, want := range map[string]string{
		"Content-Type":        "text/csv; charset=utf-8",
		"Content-Disposition": `attachment; filename="indicateurs.csv"`,
		"Cache-Control":       "no-store",
	} {
		if got := w.Header().Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
