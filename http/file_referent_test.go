package http

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/orientation"
	"socle/policy"
	"socle/store/storetest"
)

// TestFollowupPageChangesTheReferent names another adviser of the mission
// locale référent from the follow-up page: without a choice, or with an
// agent who is not one of its advisers, the form answers next to the
// field and nothing changes; with one, the history shows both periods,
// the new référent by name and who named her, never an id.
func TestFollowupPageChangesTheReferent(t *testing.T) {
	e := newParcoursEnv(t)
	next := storetest.NewAgent(e.ml.OrganisationID, "lucas@ml-lyon.fr")
	next.GivenName, next.FamilyName = "Lucas", "Bernard"
	if err := e.db.CreateAgent(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	ml := e.staff[e.ml.OrganisationID]
	page := "/usagers/" + e.alice.ID + "/suivi"
	path := "/usagers/" + e.alice.ID + "/referent"

	status, body := e.staffGet(e.ml.OrganisationID, page)
	if status != http.StatusOK || !strings.Contains(body, `id="changer-referent"`) || !strings.Contains(body, "Lucas Bernard") {
		t.Fatalf("the follow-up page (status %d) lacks the form naming the structure's advisers:\n%s", status, body)
	}
	for _, tt := range []struct {
		desc, agent string
		want        int
	}{
		{"no choice", "", http.StatusBadRequest},
		{"someone who is not an adviser of the structure", e.dep.AgentID, http.StatusBadRequest},
	} {
		resp, body := e.net.postForm(ml, page, path, url.Values{"referent": {tt.agent}})
		if resp.StatusCode != tt.want || !strings.Contains(body, `id="erreur-referent"`) {
			t.Errorf("%s: status %d, want %d with the message next to the field", tt.desc, resp.StatusCode, tt.want)
		}
	}
	if fs, err := e.db.Followups(t.Context(), e.alice.ID); err != nil || len(fs) != 1 {
		t.Fatalf("refused changes left %d follow-ups (%v), want 1", len(fs), err)
	}

	resp, _ := e.net.postForm(ml, page, path, url.Values{"referent": {next.ID}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing the référent: status %d, want 303", resp.StatusCode)
	}
	status, body = e.staffGet(e.ml.OrganisationID, page+"?referent=change")
	text := html.UnescapeString(body)
	for _, want := range []string{"Le référent a été changé", "Lucas Bernard", "Désigné par", "Claire Fontaine", "Changement de référent chez Mission Locale de Lyon"} {
		if !strings.Contains(text, want) {
			t.Errorf("the follow-up page (status %d) lacks %q", status, want)
		}
	}
	if strings.Contains(text, "Fin du suivi") {
		t.Error("the timeline ends the follow-up when only the référent changed")
	}
	if strings.Contains(shown(body), next.ID) || strings.Contains(shown(body), e.ml.AgentID) {
		t.Error("the history shows an internal id")
	}
	if fs, err := e.db.Followups(t.Context(), e.alice.ID); err != nil || len(fs) != 2 || fs[1].End.IsZero() || fs[0].AgentID != next.ID {
		t.Errorf("follow-ups after the change: %+v (%v); want the first ended and the new one open", fs, err)
	}
}

// formValues are the values of a page's form fields and options: what a
// form sends back, not what the page shows.
var formValues = regexp.MustCompile(`value="[^"]*"`)

// shown is a page without its form values: the ids a select sends back
// (an adviser chosen as référent) are not shown to the user.
func shown(body string) string { return formValues.ReplaceAllString(body, "") }

// TestContractNamesItsAdviserSigner signs a contract as the adviser: the
// contract page and its printable page name her, and show no agent id.
func TestContractNamesItsAdviserSigner(t *testing.T) {
	ctx := t.Context()
	e := newParcoursEnv(t)
	c := e.drawContract(t, "Atelier CV")
	if _, err := e.parcours.SignAsAdviser(ctx, e.adviserReq(policy.PurposeAccompagnement), c.ID); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/usagers/" + e.alice.ID + "/contrat", "/contrats/" + c.ID + "/imprimer"} {
		status, body := e.staffGet(e.ml.OrganisationID, page)
		text := html.UnescapeString(body)
		if status != http.StatusOK || !strings.Contains(text, "Le conseiller (Claire Fontaine) a signé") {
			t.Errorf("%s (status %d) does not name the adviser who signed", page, status)
		}
		if strings.Contains(shown(body), e.ml.AgentID) {
			i := strings.Index(shown(body), e.ml.AgentID)
			t.Errorf("%s shows the adviser's id: %s", page, shown(body)[max(0, i-300):i+40])
		}
	}
}

// visibleID finds an internal id in the text of a page (not in its links
// nor its form values).
var visibleID = regexp.MustCompile(`>[^<]*\b(agt|per|org|evt|dos)_[a-z0-9]+`)

// TestRectificationQueueShowsNoId lists a pending rectification request:
// the row opens the file without showing the person's id.
func TestRectificationQueueShowsNoId(t *testing.T) {
	e := newParcoursEnv(t)
	if _, err := e.parcours.RequestRectification(t.Context(), e.self(e.alice), socle.CatContact, "Mon numéro est le 06 98 76 54 32."); err != nil {
		t.Fatal(err)
	}
	status, body := e.staffGet(e.ml.OrganisationID, "/rectifications")
	if status != http.StatusOK || !strings.Contains(body, "/usagers/"+e.alice.ID) {
		t.Fatalf("the queue (status %d) does not link to the file", status)
	}
	if m := visibleID.FindString(body); m != "" {
		t.Errorf("the queue shows an internal id: %q", m)
	}
}

// adviserReq is a request of the mission locale's adviser for purpose.
func (e *parcoursEnv) adviserReq(purpose string) gate.Request {
	return gate.Request{Actor: e.ml, Purpose: purpose, RequestID: "adviser", RemoteAddr: "127.0.0.1"}
}

// drawContract orients Alice as the rules propose, to the mission locale,
// and draws up her contract with actions, through the gate.
func (e *parcoursEnv) drawContract(t *testing.T, actions ...string) *socle.Commitment {
	t.Helper()
	ctx := t.Context()
	answers := orientation.Answers{"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}
	o, prop, err := orientation.Propose(ctx, e.parcours, e.adviserReq(policy.PurposeOrientation), e.alice.ID, answers)
	if err != nil {
		t.Fatal(err)
	}
	choice := gate.Choice{OperatorKind: prop.OperatorKind, Parcours: prop.Parcours, Modalite: prop.Modalite, OrganisationID: e.ml.OrganisationID}
	if _, err := orientation.Confirm(ctx, e.parcours, e.adviserReq(policy.PurposeOrientation), o.ID, choice); err != nil {
		t.Fatal(err)
	}
	c, err := commitment.Draw(ctx, e.parcours, e.adviserReq(policy.PurposeAccompagnement), e.alice.ID, actions)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
