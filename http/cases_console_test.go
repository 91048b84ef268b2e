package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/cases"
)

// TestCasesConsole serves the misuse cases console over a real store,
// audit log and login: an auditor signed in with a second factor reads the
// cases and works one (triage, comment, closing with a verdict), each
// change an event of the audit log; an anonymous visitor is sent to the
// login page and an adviser is refused.
func TestCasesConsole(t *testing.T) {
	ctx := context.Background()
	st := newConsoleStack(t)
	log, csvc, srv, e := st.log, st.cases, st.srv, st.env
	sc := st.raiseOnAdviser(t, socle.Alert{Rule: "volume", Score: 3, Reason: "Consultations en nombre inhabituel."})
	org, dpo, c := sc.org, sc.dpo, sc.c
	anonymous := &http.Client{CheckRedirect: stopRedirects}

	for _, path := range []string{"/alertes", "/alertes/" + c.ID} {
		resp, _ := e.get(anonymous, path, "")
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/connexion" {
			t.Errorf("anonymous GET %s = %d to %q, want a redirect to /connexion", path, resp.StatusCode, loc)
		}
		resp, body := e.get(sc.agent, path, "")
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("adviser GET %s = %d, want 403 or 404", path, resp.StatusCode)
		}
		if strings.Contains(body, "Consultations en nombre inhabituel") {
			t.Errorf("adviser GET %s shows the case", path)
		}
		resp, body = e.get(sc.officer, path, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.ID) {
			t.Errorf("auditor GET %s = %d, or the case %s is missing", path, resp.StatusCode, c.ID)
		}
	}

	// The adviser cannot act on the case either.
	_, page := e.get(sc.agent, "/", "")
	if m := csrfInput.FindStringSubmatch(page); m != nil {
		resp, err := sc.agent.PostForm(srv.URL+"/alertes/"+c.ID+"/commentaire", url.Values{"csrf": {m[1]}, "texte": {"Je me commente."}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("adviser's comment = %d, want 403 or 404", resp.StatusCode)
		}
	}

	before := log.Size()
	actions := []struct {
		path string
		form url.Values
	}{
		{"etat", url.Values{"etat": {string(socle.CaseTriage)}}},
		{"commentaire", url.Values{"texte": {"Vu avec sa responsable."}}},
		{"etat", url.Values{"etat": {string(socle.CaseClosed)}, "verdict": {string(socle.Verdicts[0])}, "commentaire": {"Clos."}}},
	}
	for _, a := range actions {
		resp, _ := e.postForm(sc.officer, "/alertes/"+c.ID, "/alertes/"+c.ID+"/"+a.path, a.form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s %v = %d", a.path, a.form, resp.StatusCode)
		}
	}
	// Every change is recorded, in order; each page shown after a change
	// records the reading of the case too.
	want := []string{cases.AuditCaseState, cases.AuditCaseComment, cases.AuditCaseState}
	var got []string
	reads := 0
	for i := before; i < log.Size(); i++ {
		en, err := log.Entry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if en.Event.ResourceID == c.ID {
			if en.Event.AgentID != dpo.ID {
				t.Errorf("event %s by %q, want the auditor", en.Event.Action, en.Event.AgentID)
			}
			if en.Event.Action == cases.AuditCaseRead {
				reads++
				continue
			}
			got = append(got, en.Event.Action)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit events of the case %v, want %v", got, want)
	}
	if reads == 0 {
		t.Error("reading the case and its evidence was not recorded")
	}
	d, err := csvc.Case(ctx, socle.Actor{AgentID: dpo.ID, OrganisationID: org.ID, Roles: dpo.Roles, Strength: socle.AuthMFA}, c.ID)
	if err != nil || d.Case.State != socle.CaseClosed {
		t.Errorf("the case after the actions: %v, %v", d, err)
	}
}
