package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/store/storetest"
)

// TestCaseFileErrorsStandBesideTheirFields posts the misuse case file's
// forms with wrong answers: each error stands beside its field, marked
// invalid, the answers come back, and nothing is written to the case.
func TestCaseFileErrorsStandBesideTheirFields(t *testing.T) {
	ctx := context.Background()
	st, org, client := newSignedInConsole(t, socle.RoleAuditor)
	adv := storetest.NewAgent(org.ID, "conseillere@ml.fr")
	adv.Roles = []socle.Role{socle.RoleAdviser}
	if err := st.db.CreateAgent(ctx, adv); err != nil {
		t.Fatal(err)
	}
	c, err := st.cases.Raise(ctx, &socle.Alert{Rule: "volume", Score: 3, Principal: "agent:" + adv.ID, OrganisationID: org.ID, Reason: "Consultations en nombre inhabituel."})
	if err != nil {
		t.Fatal(err)
	}
	page := "/alertes/" + c.ID
	if resp, _ := st.env.postForm(client, page, page+"/etat", url.Values{"etat": {string(socle.CaseTriage)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("triage: %d", resp.StatusCode)
	}
	long := strings.Repeat("a", 4001)
	tests := []struct {
		name, form string
		values     url.Values
		field      string
		message    string
		kept       string
	}{
		{"closing without a verdict", "etat", url.Values{"etat": {string(socle.CaseClosed)}, "commentaire": {"Rien à signaler"}},
			"verdict", "Choisissez un verdict", `value="Rien à signaler"`},
		{"a verdict without closing", "etat", url.Values{"etat": {string(socle.CaseInvestigating)}, "verdict": {string(socle.Verdicts[0])}},
			"verdict", "qu&#39;en clôturant", `value="` + string(socle.Verdicts[0]) + `" selected`},
		{"a state not in the list", "etat", url.Values{"etat": {string(socle.CaseNew)}, "commentaire": {"Essai"}},
			"etat", "Choisissez un état", `value="Essai"`},
		{"an adviser as assignee", "assigner", url.Values{"auditeur": {adv.ID}}, "auditeur", "délégué à la protection", ""},
		{"an empty comment", "commentaire", url.Values{"texte": {"   "}}, "texte", "Écrivez le texte", ""},
		{"a question too long", "question", url.Values{"question": {long}}, "question", "4 000 caractères", ">" + long + "</textarea>"},
	}
	entries := func() int {
		t.Helper()
		es, err := st.db.CaseEntries(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := entries()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.env.postForm(client, page, page+"/"+tt.form, tt.values)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, tt.kept)
			if n := strings.Count(body, `aria-invalid="true"`); n != 1 {
				t.Errorf("%d fields marked invalid, want 1", n)
			}
			if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
				t.Error("a field's error is also a page alert")
			}
		})
	}
	if after := entries(); after != before {
		t.Errorf("refused forms added %d entries to the case", after-before)
	}
	if got, err := st.db.Case(ctx, c.ID); err != nil || got.State != socle.CaseTriage || got.Assignee != "" {
		t.Errorf("the case after refused forms: %+v %v, want it in triage, unassigned", got, err)
	}
	if resp, body := st.env.get(client, page, ""); resp.StatusCode != http.StatusOK || strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("the case page after refused forms: %d", resp.StatusCode)
	}
}
