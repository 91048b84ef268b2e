package main

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserPersonSpace requests a login link for a demo person in the
// page, reads it from the demo's printed mail, opens it and finds the
// accesses to her file.
func TestBrowserPersonSpace(t *testing.T) {
	d := sharedDemo(t)
	ctx := d.openBrowser(t, 90*time.Second)
	link := requestPersonLink(t, ctx, d.base, d.personEmail(t), d.out)
	if notice := text(t, ctx, "p.info"); !strings.Contains(notice, "Si cette adresse est connue") {
		t.Fatalf("notice %q", notice)
	}
	visit(t, ctx, link, "main h1")
	visit(t, ctx, linkOrigin(link)+"/usager/acces", "table.acces tbody tr")
	if h := text(t, ctx, "main h1"); h != "Accès à mon dossier" {
		t.Errorf("heading %q", h)
	}
	// Refusals and break-the-glass accesses come first, in their own
	// table: her own accesses are among the others.
	if rows := text(t, ctx, "main"); !strings.Contains(rows, "Connexion à votre espace") || !strings.Contains(rows, "Consultation de votre dossier") {
		t.Errorf("the accesses lack her login and her file's consultation: %q", rows)
	}
}
