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

// TestProtectedRegisterErrorsStandBesideTheirFields posts the register's
// inscription form with wrong answers: each error stands beside its field,
// the other answers come back (the category stays chosen), and nothing is
// added to the register.
func TestProtectedRegisterErrorsStandBesideTheirFields(t *testing.T) {
	st, _, client := newSignedInConsole(t, socle.RoleAuditor)
	// The register names a file by its id; it need not be readable here.
	personID, other := socle.NewID(socle.PrefixPerson), socle.NewID(socle.PrefixPerson)
	const page = "/personnes-protegees"
	elected := string(socle.ProtectedElected)
	if resp, _ := st.env.postForm(client, page, page, url.Values{"personne": {personID}, "categorie": {elected}, "motif": {"Élue municipale"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a right inscription: %d", resp.StatusCode)
	}
	type fieldError struct{ field, message string }
	tests := []struct {
		name   string
		form   url.Values
		status int
		errs   []fieldError
		kept   []string
	}{
		{"a file id that is none", url.Values{"personne": {"Dupont"}, "categorie": {elected}, "motif": {"Adjointe au maire"}}, http.StatusBadRequest,
			[]fieldError{{"personne", "per_"}}, []string{`value="Dupont"`, ">Adjointe au maire</textarea>", `value="` + elected + `" selected`}},
		{"no reason", url.Values{"personne": {other}, "categorie": {elected}, "motif": {"  "}}, http.StatusBadRequest,
			[]fieldError{{"motif", "Indiquez le motif"}}, []string{`value="` + other + `"`}},
		{"both", url.Values{"personne": {""}, "categorie": {elected}, "motif": {""}}, http.StatusBadRequest,
			[]fieldError{{"personne", "per_"}, {"motif", "Indiquez le motif"}}, []string{`value="` + elected + `" selected`}},
		{"a person already in the register", url.Values{"personne": {personID}, "categorie": {elected}, "motif": {"Encore elle"}}, http.StatusConflict,
			[]fieldError{{"personne", "déjà inscrite"}}, []string{">Encore elle</textarea>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.env.postForm(client, page, page, tt.form)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			form := section(t, body, `id="form-protection"`, `</form>`)
			for _, e := range tt.errs {
				checkFieldError(t, form, e.field, e.message, "")
			}
			if n := strings.Count(form, `aria-invalid="true"`); n != len(tt.errs) {
				t.Errorf("%d fields marked invalid, want %d", n, len(tt.errs))
			}
			for _, k := range tt.kept {
				if !strings.Contains(form, k) {
					t.Errorf("the answer %s did not come back:\n%s", k, form)
				}
			}
			if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
				t.Error("a field's error is also a page alert")
			}
		})
	}
	if _, body := st.env.get(client, page, ""); strings.Count(body, "Retirer du registre") != 1 {
		t.Errorf("the register holds %d inscriptions after refused forms, want 1", strings.Count(body, "Retirer du registre"))
	}
}

// newSignedInConsole is a console stack with one organisation and one of
// its agents with roles, signed in with both factors.
func newSignedInConsole(t *testing.T, roles ...socle.Role) (*consoleStack, *socle.Organisation, *http.Client) {
	t.Helper()
	st := newConsoleStack(t)
	org := storetest.NewOrganisation("Mission locale", socle.KindYouth, "69")
	if err := st.db.CreateOrganisation(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	a := storetest.NewAgent(org.ID, "agent@ml.fr")
	a.Roles = roles
	return st, org, st.env.enrolAndLogin(st.db, st.idsvc, a)
}
