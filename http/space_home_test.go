package http

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
)

// TestPersonSpaceAsksFirstFiltersAccessesAndDownloadsHerData walks the
// person's space: her file opens on what is asked of her (the contract to
// sign, her next appointment), her access history puts a refusal first
// and filters it, and her data reads as a page and downloads as HTML and
// PDF, each download recorded in the audit log.
func TestPersonSpaceAsksFirstFiltersAccessesAndDownloadsHerData(t *testing.T) {
	ctx := context.Background()
	e := newParcoursEnv(t)
	c := e.drawContract(t, "Atelier CV")
	start := time.Now().Add(48 * time.Hour)
	if err := e.parcours.CreateEvent(ctx, e.adviserReq(policy.PurposeAccompagnement), &socle.Event{PersonID: e.alice.ID, Kind: socle.EventAppointment,
		Title: "Point sur le projet", Start: start, End: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// The département's adviser, who does not follow her, is refused.
	if _, _, err := e.gate.ReadPerson(ctx, gate.Request{Actor: e.dep, Purpose: policy.PurposeAccompagnement, RequestID: "dep", RemoteAddr: "127.0.0.1"}, e.alice.ID, 0); err == nil {
		t.Fatal("the département read a person it does not follow")
	}

	cl := e.client()
	cl.login(e.alice.Contact.Email)
	_, body := cl.get("/usager/dossier")
	asked, file := strings.Index(body, `id="ce-qui-est-demande"`), strings.Index(body, "Mes accompagnements")
	if asked < 0 || file < 0 || asked > file {
		t.Fatalf("her file does not open on what is asked of her (asked at %d, file at %d)", asked, file)
	}
	for _, want := range []string{`href="/usager/contrats/` + c.ID + `"`, "Point sur le projet", `id="mes-rendez-vous"`} {
		if !strings.Contains(body[asked:file], want) {
			t.Errorf("what is asked of her lacks %q", want)
		}
	}

	_, body = cl.get("/usager/acces")
	refused, others := strings.Index(body, `id="a-verifier"`), strings.Index(body, `id="autres-acces"`)
	if refused < 0 || others < 0 || refused > others || !strings.Contains(body[refused:others], "Département du Rhône") {
		t.Fatalf("the refusal does not come first (at %d, others at %d)", refused, others)
	}
	_, body = cl.get("/usager/acces?filtre=refus")
	if !strings.Contains(body, "Département du Rhône") || strings.Contains(body, "Mission Locale de Lyon</td>") {
		t.Error("the refusals' filter shows other accesses, or not the refusal")
	}
	_, body = cl.get("/usager/acces?structure=" + strings.ReplaceAll("Mission Locale de Lyon", " ", "+"))
	if strings.Contains(body, "Département du Rhône</td>") || !strings.Contains(body, "Mission Locale de Lyon</td>") {
		t.Error("the structure's filter shows another structure's accesses")
	}
	if resp, body := cl.get("/usager/acces?filtre=tout-sauf"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Le filtre demandé n&#39;existe pas") {
		t.Errorf("an unknown filter: %d", resp.StatusCode)
	}

	name := html.EscapeString(e.alice.Identity.GivenName + " " + e.alice.Identity.FamilyName)
	before := e.log.Size()
	downloads := []struct {
		path, contentType, disposition, start string
		contains                              []string
	}{
		{"/usager/mes-donnees", "text/html", "", "<!DOCTYPE html>", []string{name, `href="/usager/mes-donnees.pdf"`, "Mission Locale de Lyon", "Point sur le projet"}},
		{"/usager/mes-donnees.html", "text/html", `attachment; filename="mes-donnees.html"`, "<!DOCTYPE html>", []string{name, "Mission Locale de Lyon", "Contrat d&#39;engagement, version 1"}},
		{"/usager/mes-donnees.pdf", "application/pdf", `attachment; filename="mes-donnees.pdf"`, "%PDF-1.", nil},
	}
	for _, d := range downloads {
		resp, body := cl.get(d.path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), d.contentType) ||
			resp.Header.Get("Content-Disposition") != d.disposition || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(body)), strings.ToLower(d.start)) {
			t.Errorf("%s: %d %q %q", d.path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			continue
		}
		for _, w := range d.contains {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", d.path, w)
			}
		}
	}
	if got := e.log.Size() - before; got < uint64(len(downloads)) {
		t.Errorf("%d audit entries for %d reads of her data", got, len(downloads))
	}

	// Without a session, nothing.
	anon := e.client()
	for _, d := range downloads {
		if resp, _ := anon.get(d.path); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s without a session: %d", d.path, resp.StatusCode)
		}
	}
}
